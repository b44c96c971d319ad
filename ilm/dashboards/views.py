"""The home page: what the acting organisation can see and what waits for it."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ilm.network import selectors as network
from ilm.network.models import LinkStatus


def home_view(request: HttpRequest) -> HttpResponse:
    membership = getattr(request, "membership", None)
    if membership is None:
        return render(request, "dashboards/no_membership.html")
    links = network.link_list(membership=membership)
    context = {
        "organisation_count": network.organisation_list(membership=membership).count(),
        "site_count": network.site_list(membership=membership).count(),
        "link_count": links.filter(status=LinkStatus.CONFIRMED).count(),
        "awaiting_count": links.filter(status=LinkStatus.PROPOSED)
        .filter(Q(customer_id=membership.organisation_id) | Q(provider_id=membership.organisation_id))
        .exclude(proposed_by_id=membership.organisation_id)
        .count(),
        "channel_count": network.channel_list(membership=membership).count(),
    }
    return render(request, "dashboards/home.html", context)
