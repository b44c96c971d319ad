"""Impact and reach pages (DOMAIN.md §8), with a CSV of the same numbers.

Impact: a supplier or recruitment agency sees itself; a buyer its chain (pooled, then one row per business);
the technical partner the network or any business (`?business=`). Reach: the technical partner the network,
per CSO and per country; a CSO its own. Everyone else: 403. A business the member may not ask about: 404.
The numbers come from ilm/indicators/impact.py and reach.py; this module only parses and renders.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ilm.core.api_fields import BoundedDateField
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import get_scoped_or_404, membership_required
from ilm.indicators import impact, reach
from ilm.network.models import Country, Gender
from ilm.recruitment.selectors import SMALL_COUNT, small_count

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WindowForm(forms.Form):
    date_from = BoundedDateField(label=pgettext_lazy("date range", "From"), required=False, widget=DATE_WIDGET)
    date_to = BoundedDateField(label=pgettext_lazy("date range", "To"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end is before the start."))
        return data

    def window(self) -> tuple[datetime.date | None, datetime.date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")


class ImpactForm(WindowForm):
    business = forms.TypedChoiceField(label=gettext_lazy("Business"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, businesses: list[tuple[int, str]], everything: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["business"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everything), *businesses]
        self.order_fields(["business", "date_from", "date_to"])


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied
    return membership


def _csv(name: str, header: list[str], rows: Iterator[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


# --- impact ----------------------------------------------------------------------------------------------


def _impact_context(request: HttpRequest) -> dict[str, Any]:
    membership = _membership(request)
    if not impact.may_read_impact(membership):
        raise PermissionDenied
    sees_all = can(membership, Action.VIEW_WHOLE_NETWORK)
    is_buyer = membership.organisation_kind == OrgKind.BUYER
    businesses = list(impact.impact_businesses(membership=membership).values_list("pk", "name"))
    everything = _("The whole network") if sees_all else _("Your supply chain") if is_buyer else _("Your organisation")
    form = ImpactForm(request.GET or None, businesses=businesses, everything=everything)
    date_from, date_to = form.window()
    raw = request.GET.get("business", "").strip()
    # A business the member may not ask about (or no such business) is not there: 404.
    # A probe at an existing business outside the scope is recorded (access.denied), as everywhere.
    businesses_scope = impact.impact_businesses(membership=membership)
    chosen = get_scoped_or_404(businesses_scope, request, pk=_int_or_zero(raw)) if raw else None
    if chosen is not None:
        result = impact.business_impact(
            membership=membership, business_id=chosen.pk, date_from=date_from, date_to=date_to
        )
        title, rows = chosen.name, []
    else:
        result = impact.chain_impact(membership=membership, date_from=date_from, date_to=date_to)
        title = everything
        # Per-business rows: a buyer's chain. The technical partner picks a business instead (all of them
        # would be thousands of rows).
        rows = (
            impact.impact_by_business(membership=membership, date_from=date_from, date_to=date_to) if is_buyer else []
        )
    return {
        "form": form,
        "title": title,
        "eps": _eps_rows(membership, [chosen.pk] if chosen is not None else None),
        "impact": _shown(result, hide_small=is_buyer),
        "rows": [(row, _shown(row.impact, hide_small=is_buyer)) for row in rows],
        "small": SMALL_COUNT,
        "is_buyer": is_buyer,
        "may_choose": sees_all or is_buyer,
        "may_reach": sees_all,
        "query": request.GET.urlencode(),
    }


def _eps_rows(membership: Any, business_ids: list[int] | None) -> list[dict[str, Any]]:
    """Impact indicator 1: per axis, the mean of the businesses' latest published axis scores (a business
    alone: its own), with how many businesses had a score on that axis (docs/indicators.md)."""
    from ilm.indicators.models import Axis
    from ilm.indicators.selectors import axis_averages

    averages = axis_averages(membership, business_ids=business_ids)
    return [
        {"axis": label, "score": _one_decimal(getattr(averages.scores, axis)), "scored": averages.scored[axis]}
        for axis, label in Axis.choices
    ]


def _one_decimal(value: Any) -> Any:
    return None if value is None else round(value, 1)


def _int_or_zero(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _shown(result: impact.Impact, *, hide_small: bool) -> dict[str, Any]:
    """What a viewer reads: a buyer sees reimbursed-worker counts under 5 as "fewer than 5", without a
    percentage (it would give the count back), as on the recruitment totals page."""
    eligible: int | None = result.reimbursed.eligible
    reimbursed: int | None = result.reimbursed.reimbursed
    if hide_small:
        eligible, reimbursed = small_count(result.reimbursed.eligible), small_count(result.reimbursed.reimbursed)
    percent = result.reimbursed.percent if eligible is not None and reimbursed is not None else None
    return {
        "timely": result.resolved_in_60_days,
        "rated": result.rated_fair_or_better,
        "eligible": eligible,
        "reimbursed": reimbursed,
        "reimbursed_percent": percent,
        "repayments": result.repayments,
        "money": [
            {
                "currency": total.currency,
                "owed": total.owed,
                "repaid_verified": total.repaid_verified,
                "unverified": total.repaid - total.repaid_verified,
                "outstanding": total.outstanding,
            }
            for total in result.repayments
        ],
    }


@membership_required
def impact_view(request: HttpRequest) -> HttpResponse:
    context = _impact_context(request)
    return render(request, "indicators/impact/impact.html", context, status=_status(context["form"]))


def _count(value: int | None) -> str:
    return _("fewer than %(small)s") % {"small": SMALL_COUNT} if value is None else str(value)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value}"


def _impact_rows(name: str, shown: dict[str, Any], eps: list[dict[str, Any]] | None = None) -> Iterator[list[Any]]:
    for row in eps or []:
        yield [name, _("Average score: %(axis)s") % {"axis": row["axis"]}, row["score"] or "", row["scored"], ""]
    timely, rated = shown["timely"], shown["rated"]
    yield [name, _("Issues resolved in under 60 days"), timely.numerator, timely.denominator, _percent(timely.percent)]
    yield [
        name,
        _("Remediated issues rated Fair, Good or Excellent"),
        rated.numerator,
        rated.denominator,
        _percent(rated.percent),
    ]
    yield [
        name,
        _("Eligible workers reimbursed"),
        _count(shown["reimbursed"]),
        _count(shown["eligible"]),
        _percent(shown["reimbursed_percent"]),
    ]
    for total in shown["repayments"]:
        yield [
            name,
            _("Owed and reimbursed (%(currency)s)") % {"currency": total.currency},
            total.repaid_verified,
            total.owed,
            "",
        ]


@membership_required
def impact_csv_view(request: HttpRequest) -> HttpResponse:
    context = _impact_context(request)

    def rows() -> Iterator[list[Any]]:
        yield from _impact_rows(context["title"], context["impact"], context["eps"])
        for row, shown in context["rows"]:
            yield from _impact_rows(row.name, shown)

    header = [_("Scope"), _("Indicator"), _("Numerator"), _("Denominator"), _("Per cent")]
    return _csv("impact.csv", header, rows())


# --- reach -----------------------------------------------------------------------------------------------


def _cells(cells: list[reach.Cell], countries: dict[str, str]) -> list[dict[str, Any]]:
    genders = dict(Gender.choices)
    return [
        {
            "gender": str(genders.get(cell.gender, cell.gender)),
            "nationality": countries.get(cell.nationality, _("Not known")),
            "count": cell.count,
        }
        for cell in cells
    ]


def _reach_context(request: HttpRequest) -> dict[str, Any]:
    membership = _membership(request)
    if not reach.may_read_reach(membership):
        raise PermissionDenied
    form = WindowForm(request.GET or None)
    date_from, date_to = form.window()
    span = {"membership": membership, "date_from": date_from, "date_to": date_to}
    network = reach.network_reach(**span)
    sees_all = can(membership, Action.VIEW_WHOLE_NETWORK)
    countries = {country.code: str(country) for country in Country.objects.all()}
    return {
        "form": form,
        "network": network,
        "network_title": _("The network") if sees_all else membership.organisation.name,
        "cells": _cells(network.access.cells, countries),
        "by_cso": reach.reach_by_cso(**span) if sees_all else [],
        "by_country": reach.reach_by_country(**span),
        "sees_all": sees_all,
        "small": SMALL_COUNT,
        "query": request.GET.urlencode(),
    }


@membership_required
def reach_view(request: HttpRequest) -> HttpResponse:
    context = _reach_context(request)
    return render(request, "indicators/impact/reach.html", context, status=_status(context["form"]))


def _status(form: forms.Form) -> int:
    """400 when the filters were refused (the page still shows every figure, with the errors beside the fields)."""
    return 400 if form.is_bound and not form.is_valid() else 200


def _reach_rows(scope: str, row: reach.Reach) -> Iterator[list[Any]]:
    access, remediation = row.access, row.remediation
    yield [scope, row.label, _("Reach 1: people with access to channels"), access.total]
    yield [scope, row.label, _("Reach 1: at sites covered by a channel"), access.at_covered_sites]
    yield [scope, row.label, _("Reach 1: workers who contacted a channel"), access.contacted_workers]
    yield [scope, row.label, _("Reach 1: jobseekers who contacted a channel"), access.contacted_jobseekers]
    yield [scope, row.label, _("Reach 2: workers receiving remediation"), remediation.total]
    yield [scope, row.label, _("Reach 2: cases resolved"), remediation.resolved_cases]
    yield [scope, row.label, _("Reach 3: jobseekers offered a job"), row.offers["offered"]]
    yield [scope, row.label, _("Reach 3: of them, reached through an ERN"), row.offers["through_ern"]]
    if row.vacancies is not None:
        yield [scope, row.label, _("Reach 4: vacancies published"), row.vacancies["published"]]
        yield [scope, row.label, _("Reach 4: of them, at no cost to workers"), row.vacancies["zero_cost"]]
    yield [scope, row.label, _("Reach 5: hires confirmed by the worker"), row.hires["confirmed"]]
    yield [scope, row.label, _("Reach 5: of them, at zero cost"), row.hires["zero_cost"]]


@membership_required
def reach_csv_view(request: HttpRequest) -> HttpResponse:
    context = _reach_context(request)

    def rows() -> Iterator[list[Any]]:
        network = context["network"]
        yield from _reach_rows(_("Network"), network)
        for cell in context["cells"]:
            label = _("Reach 1: %(gender)s, %(nationality)s") % cell
            yield [_("Network"), str(context["network_title"]), label, _count(cell["count"])]
        for row in context["by_cso"]:
            yield from _reach_rows(_("CSO"), row)
        for row in context["by_country"]:
            yield from _reach_rows(_("Country"), row)

    return _csv("reach.csv", [_("Scope"), _("Name"), _("Indicator"), _("Value")], rows())
