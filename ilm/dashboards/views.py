"""The home page: what the acting organisation can see and what waits for it."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.http import content_disposition_header, urlencode

from ilm.cases import exports
from ilm.cases import selectors as cases
from ilm.cases.models import CaseStatus
from ilm.core.permissions import OrgKind
from ilm.core.uploads import protect_download
from ilm.dashboards import charts
from ilm.dashboards import selectors as dashboard
from ilm.dashboards.forms import WindowForm
from ilm.dashboards.permissions import CASE_KINDS, require_dashboard
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


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """The dashboard; `?download=<table>&format=csv|xlsx` gives one table as a file (the same numbers as the
    page, small cells hidden alike); `?business=<id>` narrows the issue tables to one business's cases."""
    membership = require_dashboard(getattr(request, "membership", None))
    form = WindowForm(request.GET or None, membership=membership)
    window = form.window()
    if "download" in request.GET:
        table = dashboard.dashboard_table(membership, window, request.GET["download"])
        fmt = request.GET.get("format", "csv")
        if table is None or fmt not in ("csv", "xlsx"):
            raise Http404
        return _download(table, window, fmt)
    period = {"date_from": window.start.isoformat(), "date_to": window.end.isoformat()}
    # The downloads ask for the window shown (not the raw query): the same for every reader of the scope.
    query = urlencode({**period, **({"business": str(window.business_id)} if window.business_id else {})})

    def render_tables(tables: list[dashboard.Table]) -> str:
        rows = [(table, charts.chart_for(table), _linked_rows(table, period)) for table in tables]
        return render_to_string("dashboards/_tables.html", {"tables": rows, "query": query})

    return render(
        request,
        "dashboards/dashboard.html",
        {
            "form": form,
            "window": window,
            "business": form.chosen_business if window.business_id else None,
            "tables_html": dashboard.kept_dashboard_html(membership, window, render_tables),
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
