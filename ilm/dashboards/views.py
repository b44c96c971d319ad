"""The home page: what the acting organisation can see and what waits for it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.cases import exports
from ilm.cases import selectors as cases
from ilm.cases.models import CaseStatus
from ilm.core.permissions import OrgKind
from ilm.core.uploads import protect_download
from ilm.dashboards import charts
from ilm.dashboards import selectors as dashboard
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


# --- the dashboard: issues in what the viewer reads, as charts, tables and downloads ---------------------


DATE = forms.DateInput(attrs={"type": "date"})


class WindowForm(forms.Form):
    """The period and, for a drill-down, one business (by id: the links of the "by business" table carry it;
    a business the viewer does not read is refused, never looked up)."""

    date_from = forms.DateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE)
    date_to = forms.DateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE)
    business = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, membership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.chosen_business: Any = None

    def clean_business(self) -> int | None:
        pk = self.cleaned_data.get("business")
        if pk is None:
            return None
        self.chosen_business = dashboard.drill_down_businesses(self.membership).filter(pk=pk).first()
        if self.chosen_business is None:
            raise forms.ValidationError(_("That business is not one whose issues you can see."))
        return int(pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The end is before the start."))
        # The period shown ends today when no end is given: the limit holds for that period too.
        if start and ((end or timezone.localdate()) - start).days > 366 * 5:
            raise forms.ValidationError(_("Choose at most five years."))
        return data

    def window(self) -> dashboard.Window:
        default = dashboard.Window.last_months(12)
        if not self.is_valid():
            return default
        end = self.cleaned_data.get("date_to") or default.end
        start = self.cleaned_data.get("date_from") or dashboard.Window.last_months(12, today=end).start
        return dashboard.Window(start, end, self.cleaned_data.get("business"))


DASHBOARD_KINDS = CASE_KINDS


def _dashboard_membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or membership.organisation_kind not in DASHBOARD_KINDS:
        raise PermissionDenied(_("Your organisation has no dashboard of worker-reported issues."))
    return membership


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The dashboard; `?download=<table>&format=csv|xlsx` gives one table as a file (the same numbers as the
    page, small cells hidden alike); `?business=<id>` narrows the issue tables to one business's cases."""
    membership = _dashboard_membership(request)
    form = WindowForm(request.GET or None, membership=membership)
    window = form.window()
    if "download" in request.GET:
        table = dashboard.dashboard_table(membership, window, request.GET["download"])
        fmt = request.GET.get("format", "csv")
        if table is None or fmt not in ("csv", "xlsx"):
            raise Http404
        return _download(table, window, fmt)
    tables = dashboard.kept_dashboard_tables(membership, window)
    query = request.GET.copy()
    for name in ("download", "format"):
        query.pop(name, None)
    period = {"date_from": window.start.isoformat(), "date_to": window.end.isoformat()}
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "window": window,
            "business": form.chosen_business if window.business_id else None,
            "tables": [(table, charts.chart_for(table), _linked_rows(table, period)) for table in tables],
            "query": query.urlencode(),
            "all_businesses_query": urlencode(period),
            "shared_cases_query": urlencode(
                {
                    "organisation": str(window.business_id),
                    "opened_from": period["date_from"],
                    "opened_to": period["date_to"],
                }
            )
            if window.business_id
            else "",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _linked_rows(table: dashboard.Table, period: dict[str, str]) -> list[tuple[str, Any, list[tuple[Any, bool]]]]:
    """Each row as (its drill-down address with the same period, or ""; its label; its other cells, each with
    whether it is a number, which is right-aligned)."""
    links = [f"?{urlencode({**period, **keys})}" if keys else "" for keys in table.row_keys]
    links += [""] * (len(table.rows) - len(links))
    return [
        (link, row[0], [(value, isinstance(value, int | float | Decimal)) for value in row[1:]])
        for link, row in zip(links, table.rows, strict=True)
    ]


def _download(table: dashboard.Table, window: dashboard.Window, fmt: str) -> HttpResponse:
    head = [str(column) for column in table.columns]
    body = [[str(value) if isinstance(value, Promise) else value for value in row] for row in table.rows]
    file_name = f"ilm-{table.name}-{window.start.isoformat()}-{window.end.isoformat()}.{fmt}"
    if fmt == "csv":
        response = HttpResponse("".join(exports.csv_lines(head, body)), content_type="text/csv; charset=utf-8")
    else:
        target = io.BytesIO()
        exports.write_xlsx(target, head, body, title=str(table.title))
        response = HttpResponse(
            target.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return protect_download(response)
