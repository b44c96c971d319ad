"""The case list and the notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ilm.cases import forms, selectors, services
from ilm.cases.models import Case, Notification
from ilm.cases.views.page import acting
from ilm.core.paging import KeysetPaginationMixin
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, scoped_to
from ilm.network import selectors as network


class CaseListView(ScopedPageMixin, KeysetPaginationMixin, ListView):
    """Newest first, 25 to a page, by cursor: the same few queries on page 1 and page 4,000, and no COUNT."""

    model = Case
    scope_selector = selectors.case_list
    template_name = "cases/case_list.html"

    def safely_get_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        self.filter_form = forms.CaseFilterForm(self.request.GET or None)
        queryset = self.filter_form.filter(queryset)
        return queryset.prefetch_related("issues__category", "businesses__organisation", "businesses__site").order_by(
            "-id"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["filter_form"] = self.filter_form
        organisation_id = self.filter_form.cleaned_data.get("organisation") if self.filter_form.is_valid() else None
        if organisation_id:  # the dashboard's drill-down: name the business (only one the member may see)
            context["only_business"] = (
                network.organisation_list(membership=membership)
                .filter(pk=organisation_id)
                .prefetch_related(None)
                .first()
            )
            without = self.request.GET.copy()
            without.pop("organisation", None)
            context["without_business_query"] = without.urlencode()
        # Owners see their whole cases (the CSO lists only its own; the technical partner, all).
        context["owner_view"] = selectors.sees_all_cases(membership) or membership.organisation_kind == OrgKind.CSO
        context["may_work"] = membership.organisation_kind == OrgKind.CSO and can(membership, Action.WORK_CASES)
        page_ids = [case.pk for case in context["object_list"]]
        overdue: set[int] = set()
        if page_ids:  # one query for the page's rows, whatever their number
            overdue = set(
                selectors.case_list(membership=membership)
                .filter(pk__in=page_ids)
                .filter(selectors.overdue_q())
                .values_list("pk", flat=True)
            )
        context["overdue_ids"] = overdue
        return context


def business_suggestions_view(request: HttpRequest) -> HttpResponse:
    """Up to 20 supplier and agency names the member may see, for the case list's business filter."""
    name = request.GET.get("business", "").strip()[:100]
    names: list[str] = []
    if name:
        names = list(
            network.organisation_list(membership=acting(request))
            .filter(kind__in=(OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY), name__icontains=name)
            .prefetch_related(None)
            .order_by("name")
            .values_list("name", flat=True)[:20]
        )
    return render(request, "cases/_business_suggestions.html", {"names": names})


def notification_mark_read(membership: Any, notification: Notification | None = None) -> None:
    """Mark one of the member's notifications (or all of them) as read, through the one write path."""
    services.notification_mark_read(actor=membership, notification=notification)


def notification_list_view(request: HttpRequest) -> HttpResponse:
    membership = acting(request)
    notifications = selectors.notification_list(membership=membership).select_related("case")[:100]
    return render(request, "cases/notification_list.html", {"notifications": notifications})


@scoped_to(Notification)
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting(request)
    notification = get_scoped_or_404(selectors.notification_list(membership=membership), request, pk=pk)
    notification_mark_read(membership, notification)
    if notification.case_id and request.POST.get("open"):
        return redirect("cases:case_detail", pk=notification.case_id)
    return redirect("cases:notification_list")


@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    notification_mark_read(acting(request))
    messages.success(request, _("All notifications marked as read."))
    return redirect("cases:notification_list")


def notification_badge_view(request: HttpRequest) -> HttpResponse:
    """The unread count beside "Notifications" in the menu, loaded by htmx: one query."""
    membership = getattr(request, "membership", None)
    unread = 0
    if membership is not None:
        unread = selectors.notification_list(membership=membership).filter(read_at__isnull=True).count()
    return render(request, "cases/_notification_badge.html", {"unread": unread})
