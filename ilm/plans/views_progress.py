"""Progress indicators pages: the grid of businesses by the 13 indicators (a buyer's suppliers and agencies,
a business's own row, the technical partner's whole network), each business's page with its statuses, their
trend over time, the suggested updates to decide, and the grid's export.

Reads go through ilm/plans/selectors.py (not yours → 404); writes through ilm/plans/services.py
(`indicator_set`, `suggestion_accept`, `suggestion_dismiss`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilm.core.forms import form_status
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.network.models import Organisation
from ilm.plans import exports, forms, selectors, services
from ilm.plans.models import IndicatorStatus, IndicatorSuggestion, ProgressIndicator, SuggestionStatus
from ilm.plans.permissions import INDICATOR_BUSINESS_KINDS, may_edit_business
from ilm.plans.views import _membership, _run

GRID_PAGE = 50
STATUS_MARKS: dict[str, str] = {
    IndicatorStatus.COMPLETED: "●",
    IndicatorStatus.PARTIAL: "◐",
    IndicatorStatus.NOT_INITIATED: "○",
}


def _cell_markup() -> dict[str | None, str]:
    """The grid's cell for each status (and for "not assessed"), rendered once per request: a page holds
    650 of them, and rendering each through the template engine was most of the page's time."""
    cell = '<td class="num"><span class="progress {}" title="{}">{}<span class="visually-hidden">{}</span></span></td>'
    markup: dict[str | None, str] = {
        status: format_html(cell, status, label, STATUS_MARKS[status], label)
        for status, label in IndicatorStatus.choices
    }
    not_assessed = _("Not assessed yet")
    markup[None] = format_html(cell, "none", not_assessed, "·", not_assessed)
    return markup


@dataclass
class GridLine:
    """A grid row ready to show: the business, its page and its 13 cells as markup."""

    organisation: Organisation
    url: str
    cells: SafeString
    open_suggestions: int


def _grid_lines(rows: list[selectors.GridRow]) -> list[GridLine]:
    markup = _cell_markup()
    detail = reverse("plans:progress_detail", args=[0]).removesuffix("0/")
    return [
        GridLine(
            organisation=row.organisation,
            url=f"{detail}{row.organisation.pk}/",
            cells=mark_safe("".join(markup[value.status if value else None] for value in row.cells)),  # noqa: S308
            open_suggestions=row.open_suggestions,
        )
        for row in rows
    ]


def _filters(request: HttpRequest) -> tuple[forms.ProgressFilterForm, dict[str, str]]:
    form = forms.ProgressFilterForm(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "country": data["country"].pk if data["country"] else "",
            "industry": data["industry"].pk if data["industry"] else "",
            "kind": data["kind"] or "",
        }
    return form, filters


@membership_required
def progress_grid_view(request: HttpRequest) -> HttpResponse:
    """A page of 50 businesses (by name) at a time; the totals count all of them."""
    membership = _membership(request)
    form, filters = _filters(request)
    businesses = selectors.progress_grid_businesses(membership, **filters)
    page = Paginator(businesses, GRID_PAGE).get_page(request.GET.get("page"))
    rows = selectors.progress_grid_rows(list(page.object_list))
    totals = selectors.progress_grid_totals(businesses)
    indicators = list(ProgressIndicator.choices)
    return render(
        request,
        "plans/progress_grid.html",
        {
            "filter_form": form,
            "rows": _grid_lines(rows),
            "page_obj": page,
            "indicators": indicators,
            "totals": [(code, name, totals[code]) for code, name in indicators],
            "statuses": IndicatorStatus.choices,
        },
    )


@membership_required
def progress_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    membership = _membership(request)
    _form, filters = _filters(request)
    businesses = selectors.progress_grid_businesses(membership, **filters)
    try:
        if fmt not in ("csv", "xlsx"):
            raise ValidationError(_("Choose CSV or XLSX."))
        rows = selectors.progress_grid_rows(list(businesses))
        result = exports.export_progress_grid(actor=membership, rows=rows, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:progress_grid")
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _business(request: HttpRequest, pk: int) -> Organisation:
    organisation: Organisation = get_scoped_or_404(selectors.plan_business_list(_membership(request)), request, pk=pk)
    return organisation


@scoped_to(Organisation)
@membership_required
def progress_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A business's 13 indicators with evidence and trend; its editors update one row at a time (each row's
    form carries the version it shows, so a concurrent change is a 409, not a lost update)."""
    membership = _membership(request)
    organisation = _business(request, pk)
    if organisation.kind not in INDICATOR_BUSINESS_KINDS:  # a buyer: it follows its chain's indicators
        return render(request, "plans/progress_detail.html", {"organisation": organisation, "not_kept": True})
    editable = may_edit_business(membership, organisation)
    if request.method == "POST" and not editable:
        raise PermissionDenied(_("Your role does not allow this."))
    values = {
        v.indicator: v for v in selectors.indicator_value_list(membership=membership).filter(organisation=organisation)
    }
    posted = forms.IndicatorForm(request.POST) if request.method == "POST" else None
    if posted is not None and posted.is_valid():
        data = posted.cleaned_data
        result = _run(
            posted,
            lambda d: services.indicator_set(
                actor=membership,
                organisation=organisation,
                indicator=d["indicator"],
                status=d["status"],
                evidence=d["evidence"],
                expected_version=d["version"] if d["version"] is not None else 0,
            ),
        )
        if result is not None:
            messages.success(request, _("Progress indicator saved."))
            return redirect(reverse("plans:progress_detail", args=[organisation.pk]) + f"#{data['indicator']}")
    trend = selectors.indicator_trend(membership=membership, organisation=organisation)
    rows = []
    for code, name in ProgressIndicator.choices:
        value = values.get(code)
        form = None
        if editable:
            if posted is not None and posted.data.get("indicator") == code:
                form = posted
            else:
                form = forms.IndicatorForm(
                    initial={
                        "indicator": code,
                        "status": value.status if value else IndicatorStatus.NOT_INITIATED,
                        "evidence": value.evidence if value else "",
                        "version": value.version if value else 0,
                    },
                    auto_id=f"{code}_%s",
                )
            form.fields["indicator"].widget = form.fields["indicator"].hidden_widget()
        rows.append({"code": code, "name": name, "value": value, "trend": trend.get(code, []), "form": form})
    suggestions = list(
        selectors.indicator_suggestion_list(membership=membership).filter(
            organisation=organisation, status=SuggestionStatus.OPEN
        )
    )
    status = 200
    if posted is not None:
        status = form_status(posted) if posted.is_bound and posted.errors else 400
    return render(
        request,
        "plans/progress_detail.html",
        {
            "organisation": organisation,
            "rows": rows,
            "editable": editable,
            "suggestions": suggestions,
            "statuses": IndicatorStatus.choices,
        },
        status=status,
    )


def _suggestion(request: HttpRequest, pk: int) -> IndicatorSuggestion:
    suggestion: IndicatorSuggestion = get_scoped_or_404(
        selectors.indicator_suggestion_list(membership=_membership(request)), request, pk=pk
    )
    return suggestion


@scoped_to(IndicatorSuggestion)
@require_POST
@membership_required
def suggestion_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    suggestion = _suggestion(request, pk)
    form = forms.SuggestionDecisionForm(request.POST)
    back = reverse("plans:progress_detail", args=[suggestion.organisation_id])
    if not form.is_valid():
        messages.error(request, _("Choose a status from the list."))
        return redirect(back)
    data = form.cleaned_data
    if data["decision"] == "accept":
        decided = _run(
            form,
            lambda d: services.suggestion_accept(
                actor=membership, suggestion=suggestion, status=d["status"], evidence=d["evidence"]
            ),
        )
        done = _("Suggestion accepted: the indicator is updated.")
    else:
        decided = _run(form, lambda d: services.suggestion_dismiss(actor=membership, suggestion=suggestion))
        done = _("Suggestion dismissed.")
    if decided is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(back)
