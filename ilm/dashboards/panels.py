"""The dashboards' panels beyond issues: Ethical Performance Scores and progress (DOMAIN.md §6, §7).

Each builder takes (membership, window) and returns a `Table` or None when the panel is not the viewer's.
`PANELS` lists them in the order shown, after the issue tables (ilm/dashboards/selectors.py `TABLES`).

Who sees which panel (the same readers as the scores and progress pages, ilm/indicators/selectors.py and
ilm/plans/selectors.py; every read goes through those scoped selectors):
- a buyer: "business_scores", one row per supplier and agency of its chain: the latest published score per
  axis, the quarter assessed, and its progress indicators counted by status (of the 13);
- the technical partner: the same over every supplier and agency with a published assessment or a progress
  indicator set (the others, never assessed, would be thousands of empty rows);
- a supplier or a recruitment agency: its own scores over time ("score_history"), its 13 progress indicators
  ("progress_indicators") and the rows of its Business Action Plan by status ("plan_progress");
- a CSO (and every other kind): none. CSOs read no scores (ilm/indicators/permissions.py).

The period: a score counts when its quarter starts on or before the window's end (the latest such is "the
latest"); progress indicators and plan rows are as they stand today (the plan: the latest one of a year up to
the window's end). A drill-down to one business narrows "business_scores" to that business's row.

The quarterly PDF report (ilm/dashboards/reports.py) reads its score history and its chain's scores through
`score_history` and `business_scores` below: one implementation for both.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ilm.core.permissions import OrgKind
from ilm.core.templatetags.ilm import ldate
from ilm.dashboards.tables import Table, Window
from ilm.indicators.models import Assessment, AssessmentStatus, Axis
from ilm.indicators.permissions import ASSESSED_KINDS, sees_all
from ilm.indicators.selectors import AXES, assessment_list, axis_scores_of, business_list, latest_published
from ilm.network.models import Organisation
from ilm.plans.models import IndicatorStatus, ProgressIndicator, RowStatus
from ilm.plans.selectors import business_plan_list, indicator_value_list

MISSING = "—"  # a score not given: no assessment, or every sub-indicator of the axis n/a
ScoreValues = list[Decimal | None]


# --- the scores, shared with the quarterly report ------------------------------------------------------


def axis_values(assessment: Assessment | None) -> ScoreValues:
    """An assessment's axis scores in AXES order (None where the axis is all n/a, or no assessment)."""
    scores = axis_scores_of(assessment).as_dict() if assessment is not None else {}
    return [scores.get(axis) for axis in AXES]


def score_history(membership: Any, business_id: int, end: datetime.date) -> list[tuple[str, ScoreValues]]:
    """A business's published assessments of quarters starting on or before `end`, oldest first: (quarter,
    axis scores). Empty when the membership does not read the business's scores."""
    assessments = assessment_list(membership=membership).filter(
        business_id=business_id, status=AssessmentStatus.PUBLISHED, period_start__lte=end
    )
    return [(a.period_label, axis_values(a)) for a in assessments.order_by("period_start")]


@dataclass(frozen=True)
class BusinessScores:
    """One business with its latest published assessment as of a period ("" and no scores when none)."""

    business_id: int
    name: str
    period: str
    values: ScoreValues


def business_scores(
    membership: Any, *, period: Any, businesses: QuerySet[Organisation] | None = None
) -> list[BusinessScores]:
    """Every business whose scores the membership reads (a buyer: its chain), by name, each with its latest
    published assessment of a quarter starting on or before the end of `period` (a quarter "2026-Q2" or a
    (start, end) pair). `businesses` narrows the list (a queryset of `business_list`). Two queries."""
    businesses = business_list(membership=membership) if businesses is None else businesses
    latest = {
        a.business_id: a
        for a in latest_published(membership=membership, period=period).filter(business_id__in=businesses.values("pk"))
    }
    return [
        BusinessScores(pk, name, latest[pk].period_label if pk in latest else "", axis_values(latest.get(pk)))
        for pk, name in businesses.values_list("pk", "name")
    ]


# --- the panels -----------------------------------------------------------------------------------------


def _shown(values: ScoreValues) -> list[Any]:
    return [MISSING if value is None else value for value in values]


def _axis_columns() -> list[Any]:
    return [label for _value, label in Axis.choices]


def _is_business(membership: Any) -> bool:
    return membership.organisation_kind in ASSESSED_KINDS


# Notes are whole sentences for the translators, filled in when the table is built (the page is kept per
# language, ilm/dashboards/selectors.py `_cache_key`).
CHAIN_NOTE = _(
    "Scores: the latest published assessment of a quarter starting on or before %(end)s; each axis from 1 "
    "(poor) to 5 (excellent), the mean of its sub-indicators, those not applicable left out (— when there is "
    "no score). Progress indicators: how many of the 13 are at each status today."
)
PARTNER_NOTE = _(
    "Suppliers and agencies with a published assessment or a progress indicator set. Scores: the latest "
    "published assessment of a quarter starting on or before %(end)s; each axis from 1 (poor) to 5 "
    "(excellent), the mean of its sub-indicators, those not applicable left out (— when there is no score). "
    "Progress indicators: how many of the 13 are at each status today."
)
HISTORY_NOTE = _(
    "Published assessments of quarters starting on or before %(end)s, oldest first. Each axis from 1 (poor) "
    "to 5 (excellent): the mean of its sub-indicators, those not applicable left out (— when there is no score)."
)


def _indicator_counts(membership: Any, businesses: QuerySet[Organisation]) -> dict[int, dict[str, int]]:
    """Per business, how many of its progress indicators are at each status (one grouped query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(IndicatorStatus.values, 0))
    grouped = (
        indicator_value_list(membership=membership)
        .filter(organisation_id__in=businesses.values("pk"), indicator__in=ProgressIndicator.values)
        .order_by()
        .values_list("organisation_id", "status")
        .annotate(n=Count("pk"))
    )
    for organisation_id, status, n in grouped:
        counts[organisation_id][status] = n
    return counts


def business_scores_table(membership: Any, window: Window) -> Table | None:
    """A buyer's suppliers and agencies (the technical partner: every assessed one) with their latest
    published scores and their progress indicators counted by status."""
    is_partner = sees_all(membership)
    if membership.organisation_kind != OrgKind.BUYER and not is_partner:
        return None
    businesses = business_list(membership=membership)
    if window.business_id is not None:
        businesses = businesses.filter(pk=window.business_id)
    if is_partner:
        # Only the businesses with something to show (the network may hold thousands never assessed),
        # narrowed in SQL before any row is read.
        assessed = assessment_list(membership=membership).filter(
            status=AssessmentStatus.PUBLISHED, period_start__lte=window.end
        )
        with_indicators = indicator_value_list(membership=membership).filter(indicator__in=ProgressIndicator.values)
        businesses = businesses.filter(
            Q(pk__in=assessed.values("business_id")) | Q(pk__in=with_indicators.values("organisation_id"))
        )
    rows = business_scores(membership, period=(window.start, window.end), businesses=businesses)
    counts = _indicator_counts(membership, businesses)
    statuses = (IndicatorStatus.COMPLETED, IndicatorStatus.PARTIAL)
    note = (PARTNER_NOTE if is_partner else CHAIN_NOTE) % {"end": ldate(window.end)}
    table = Table(
        "business_scores",
        _("Scores and progress of assessed suppliers and agencies")
        if is_partner
        else _("Scores and progress of your suppliers and agencies"),
        [
            _("Business"),
            *_axis_columns(),
            _("Latest published"),
            IndicatorStatus.COMPLETED.label,
            IndicatorStatus.PARTIAL.label,
            IndicatorStatus.NOT_INITIATED.label,
        ],
        note=note,
        chart="",
        wide=True,
    )
    total = len(ProgressIndicator.values)
    for row in rows:
        of_business = counts.get(row.business_id) or dict.fromkeys(IndicatorStatus.values, 0)
        done, partial = (of_business[status] for status in statuses)
        table.rows.append(
            [
                row.name,
                *_shown(row.values),
                row.period or _("Not assessed yet"),
                done,
                partial,
                total - done - partial,  # set as not initiated, or not set at all
            ]
        )
        table.row_keys.append({"business": row.business_id})
    return table


def score_history_table(membership: Any, window: Window) -> Table | None:
    """A supplier's or an agency's own published scores, quarter by quarter."""
    if not _is_business(membership):
        return None
    table = Table(
        "score_history",
        _("Your Ethical Performance Scores over time"),
        [_("Quarter"), *_axis_columns()],
        note=HISTORY_NOTE % {"end": ldate(window.end)},
        chart="",  # three axes of one scale: the table reads better than a chart of the first axis alone
    )
    for period, values in score_history(membership, membership.organisation_id, window.end):
        table.rows.append([period, *_shown(values)])
    return table


def progress_indicators_table(membership: Any, window: Window) -> Table | None:
    """A supplier's or an agency's 13 progress indicators and where each stands today."""
    if not _is_business(membership):
        return None
    status_of = dict(
        indicator_value_list(membership=membership)
        .filter(organisation_id=membership.organisation_id)
        .order_by()
        .values_list("indicator", "status")
    )
    labels = dict(IndicatorStatus.choices)
    table = Table(
        "progress_indicators",
        _("Your progress indicators"),
        [_("Indicator"), _("Status")],
        note=_("Today, whatever the period above."),
        chart="",
    )
    for code, label in ProgressIndicator.choices:
        table.rows.append([f"{code} {label}", labels[status_of.get(code, IndicatorStatus.NOT_INITIATED)]])
    return table


def plan_progress_table(membership: Any, window: Window) -> Table | None:
    """A supplier's or an agency's Business Action Plan (the latest of a year up to the window's end): its
    rows counted by status, today."""
    if not _is_business(membership):
        return None
    plan = (
        business_plan_list(membership=membership)
        .filter(organisation_id=membership.organisation_id, year__lte=window.end.year)
        .order_by("-year")
        .first()
    )
    table = Table("plan_progress", _("Your improvement plan"), [_("Status"), _("Plan rows")])
    if plan is None:
        table.note = _("You have no Business Action Plan for %(year)s or before.") % {"year": window.end.year}
        return table
    counts = dict(plan.rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    table.note = _("The rows of your Business Action Plan %(year)s (%(stage)s), as they stand today.") % {
        "year": plan.year,
        "stage": plan.get_planning_status_display(),
    }
    for value, label in RowStatus.choices:
        table.rows.append([label, counts.get(value, 0)])
    return table


PANELS: dict[str, Any] = {
    "business_scores": business_scores_table,
    "score_history": score_history_table,
    "progress_indicators": progress_indicators_table,
    "plan_progress": plan_progress_table,
}
