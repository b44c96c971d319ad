"""The home page: what the acting organisation can see and what waits for it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ilm.cases import selectors as cases
from ilm.cases.models import CaseStatus
from ilm.core.permissions import OrgKind
from ilm.network import selectors as network
from ilm.network.models import LinkStatus

CASE_KINDS = (OrgKind.TECHNICAL_PARTNER, OrgKind.CSO, OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY, OrgKind.BUYER)


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
    context.update(case_counts(membership))
    return render(request, "dashboards/home.html", context)


def case_counts(membership: Any) -> dict[str, Any]:
    """Open cases; for the CSO and the technical partner, those awaiting validation and those overdue; for a
    supplier or agency, those waiting for its response."""
    kind = membership.organisation_kind
    if kind not in CASE_KINDS:
        return {"shows_cases": False}
    open_cases = cases.case_list(membership=membership).exclude(status=CaseStatus.CLOSED)
    counts: dict[str, Any] = {"shows_cases": True, "open_case_count": open_cases.count()}
    if kind in (OrgKind.CSO, OrgKind.TECHNICAL_PARTNER):
        counts["awaiting_validation_count"] = open_cases.filter(status=CaseStatus.AWAITING_VALIDATION).count()
        counts["overdue_count"] = open_cases.filter(cases.overdue_q()).count()
    if kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY):
        counts["waiting_response_count"] = open_cases.filter(
            shared_at__isnull=False, first_response_at__isnull=True
        ).count()
    return counts
