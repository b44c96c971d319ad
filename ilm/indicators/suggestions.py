"""Suggested scores for an assessment, computed from ILM's own records, for the assessor to accept or not.

Nothing here writes. Five sub-indicators have a suggestion; the other nine are the assessor's judgement.
Every suggestion says in words how it was computed; when there is no data, there is no value and the
explanation says why. All counts are SQL aggregates (one query per sub-indicator), nothing loops over rows.

Timeliness (cases concerning the business, `CaseBusiness`; the period is the assessment's quarter):
    time to respond  share of the cases shared with the business in the period whose first business
                     response (`Case.first_response_at`) came within ILM_SLA_RESPONSE_DAYS (7) of sharing;
                     a case still without a response counts as late once that many days have passed, and
                     is left out before
    time to revert   share of the action-plan items (`CaseAction`, the business responsible) created in
                     the period whose first update by the business came within ILM_SLA_STALE_DAYS (14);
                     an item without one counts as late once that many days have passed
    time to resolve  share of the cases closed in the period as resolved or unresolved that were resolved
                     (worker-validated) in under RESOLVED_WITHIN_DAYS (60) days from opening
    share → score    ≥ 90 % → 5 · ≥ 75 % → 4 · ≥ 50 % → 3 · ≥ 25 % → 2 · below → 1 (`SHARE_THRESHOLDS`)

Workers' satisfaction:
    with the response    mean satisfaction (1-5) of the worker validations recorded in the period on cases
                         concerning the business, rounded half up; at least MIN_VALIDATIONS (3) validations
                         (fewer could point at a worker)
    with management      `ilm.surveys.selectors.satisfaction_scores` for the quarter: independent surveys
                         only, each with at least 10 responses; rounded half up. Suppliers only (surveys
                         are run at sites).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.cases.models import (
    Case,
    CaseAction,
    CaseBusiness,
    CaseUpdate,
    Closure,
    UpdateKind,
    WorkerValidation,
)
from ilm.core.permissions import OrgKind
from ilm.indicators.models import SubIndicator

RESOLVED_WITHIN_DAYS = 60
MIN_VALIDATIONS = 3
# (lowest share, score), from the top: a share of at least the first number gives the score.
SHARE_THRESHOLDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.90"), 5),
    (Decimal("0.75"), 4),
    (Decimal("0.50"), 3),
    (Decimal("0.25"), 2),
    (Decimal("0"), 1),
)
SUGGESTED = (
    SubIndicator.RESPONSE_SATISFACTION,
    SubIndicator.MANAGEMENT_SATISFACTION,
    SubIndicator.TIME_TO_RESPOND,
    SubIndicator.TIME_TO_REVERT,
    SubIndicator.TIME_TO_RESOLVE,
)


@dataclass(frozen=True)
class Suggestion:
    sub_indicator: str
    value: int | None  # None: no suggestion (the explanation says why)
    explanation: str
    figures: dict[str, Any] = field(default_factory=dict)


def share_to_score(share: Decimal) -> int:
    for lowest, score in SHARE_THRESHOLDS:
        if share >= lowest:
            return score
    return 1


def mean_to_score(mean: Decimal | float) -> int:
    value = Decimal(str(mean)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return min(5, max(1, int(value)))


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)} %"


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as aware datetimes: [start 00:00, day after end 00:00)."""
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return first, after


def _concerning(business_id: int) -> Q:
    return Q(Exists(CaseBusiness.objects.filter(case_id=OuterRef("pk"), organisation_id=business_id)))


def _from_share(code: str, on_time: int, counted: int, sentence: str, none_reason: str, days: int) -> Suggestion:
    if not counted:
        return Suggestion(code, None, none_reason % {"days": days}, {"counted": 0})
    share = Decimal(on_time) / Decimal(counted)
    score = share_to_score(share)
    text = sentence % {"n": on_time, "total": counted, "share": _percent(share), "score": score, "days": days}
    return Suggestion(code, score, text, {"on_time": on_time, "counted": counted, "share": str(share)})


def time_to_respond(business_id: int, start: datetime.date, end: datetime.date, now: datetime.datetime) -> Suggestion:
    days = int(getattr(settings, "ILM_SLA_RESPONSE_DAYS", 7))
    first, after = _bounds(start, end)
    limit = datetime.timedelta(days=days)
    row = (
        Case.objects.filter(_concerning(business_id), shared_at__gte=first, shared_at__lt=after)
        .order_by()
        .aggregate(
            on_time=Count("pk", filter=Q(first_response_at__lte=F("shared_at") + limit)),
            late=Count(
                "pk",
                filter=Q(first_response_at__gt=F("shared_at") + limit)
                | Q(first_response_at__isnull=True, shared_at__lte=now - limit),
            ),
        )
    )
    return _from_share(
        SubIndicator.TIME_TO_RESPOND,
        row["on_time"],
        row["on_time"] + row["late"],
        _(
            "%(n)s of %(total)s cases shared in the period had a first response within %(days)s days "
            "(%(share)s): %(score)s."
        ),
        _("No case was shared with this business in the period (or none has waited %(days)s days yet)."),
        days,
    )


def time_to_revert(business_id: int, start: datetime.date, end: datetime.date, now: datetime.datetime) -> Suggestion:
    days = int(getattr(settings, "ILM_SLA_STALE_DAYS", 14))
    first, after = _bounds(start, end)
    limit = datetime.timedelta(days=days)
    first_revert = Subquery(
        CaseUpdate.objects.filter(action_id=OuterRef("pk"), kind=UpdateKind.ACTION_UPDATE, organisation_id=business_id)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    row = (
        CaseAction.objects.filter(responsible_id=business_id, created_at__gte=first, created_at__lt=after)
        .annotate(first_revert=first_revert)
        .order_by()
        .aggregate(
            on_time=Count("pk", filter=Q(first_revert__lte=F("created_at") + limit)),
            late=Count(
                "pk",
                filter=Q(first_revert__gt=F("created_at") + limit)
                | Q(first_revert__isnull=True, created_at__lte=now - limit),
            ),
        )
    )
    return _from_share(
        SubIndicator.TIME_TO_REVERT,
        row["on_time"],
        row["on_time"] + row["late"],
        _(
            "%(n)s of %(total)s action-plan items of the period had a first update from the business within "
            "%(days)s days (%(share)s): %(score)s."
        ),
        _(
            "No action-plan item on a case was given to this business in the period (or none has waited %(days)s "
            "days yet). Business Action Plan rows carry no revert times, so they do not count."
        ),
        days,
    )


def time_to_resolve(business_id: int, start: datetime.date, end: datetime.date) -> Suggestion:
    first, after = _bounds(start, end)
    limit = datetime.timedelta(days=RESOLVED_WITHIN_DAYS)
    row = (
        Case.objects.filter(
            _concerning(business_id),
            closed_at__gte=first,
            closed_at__lt=after,
            closure__in=[Closure.RESOLVED, Closure.UNRESOLVED],
        )
        .order_by()
        .aggregate(
            closed=Count("pk"),
            fast=Count("pk", filter=Q(closure=Closure.RESOLVED, closed_at__lt=F("opened_at") + limit)),
        )
    )
    return _from_share(
        SubIndicator.TIME_TO_RESOLVE,
        row["fast"],
        row["closed"],
        _(
            "%(n)s of %(total)s cases closed in the period were resolved, validated by the worker, in under "
            "%(days)s days (%(share)s): %(score)s."
        ),
        _("No case concerning this business was closed as resolved or unresolved in the period."),
        RESOLVED_WITHIN_DAYS,
    )


def response_satisfaction(business_id: int, start: datetime.date, end: datetime.date) -> Suggestion:
    first, after = _bounds(start, end)
    concerned = CaseBusiness.objects.filter(organisation_id=business_id).values("case_id")
    row = (
        WorkerValidation.objects.filter(case_id__in=concerned, validated_at__gte=first, validated_at__lt=after)
        .order_by()
        .aggregate(n=Count("pk"), mean=Avg("satisfaction"))
    )
    code = SubIndicator.RESPONSE_SATISFACTION
    if row["n"] < MIN_VALIDATIONS:
        return Suggestion(
            code,
            None,
            _(
                "Fewer than %(min)s worker validations of remediation were recorded in the period "
                "(a smaller number could point at a worker)."
            )
            % {"min": MIN_VALIDATIONS},
            {"validations": row["n"]},
        )
    mean = Decimal(str(row["mean"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    score = mean_to_score(mean)
    return Suggestion(
        code,
        score,
        _("Workers' mean satisfaction was %(mean)s (1–5) over %(n)s validations of remediation: %(score)s.")
        % {"mean": mean, "n": row["n"], "score": score},
        {"validations": row["n"], "mean": str(mean)},
    )


def management_satisfaction(membership: Any, business: Any, start: datetime.date, end: datetime.date) -> Suggestion:
    from ilm.surveys.models import MIN_RESPONSES
    from ilm.surveys.selectors import satisfaction_scores

    code = SubIndicator.MANAGEMENT_SATISFACTION
    if business.kind != OrgKind.SUPPLIER:
        return Suggestion(
            code, None, _("Worker satisfaction surveys are run at suppliers' sites; there is none for this business.")
        )
    score = satisfaction_scores(membership=membership, start=start, end=end).get(business.pk)
    if score is None:
        return Suggestion(
            code,
            None,
            _("No independent worker satisfaction survey with at least %(min)s responses opened in the period.")
            % {"min": MIN_RESPONSES},
        )
    value = mean_to_score(score.score)
    return Suggestion(
        code,
        value,
        _(
            "Independent worker satisfaction surveys scored %(mean)s (1–5): %(surveys)s survey(s), %(responses)s "
            "responses: %(score)s."
        )
        % {"mean": score.score, "surveys": score.surveys, "responses": score.responses, "score": value},
        {"mean": str(score.score), "surveys": score.surveys, "responses": score.responses},
    )


def suggestions_for(
    *, membership: Any, business: Any, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> dict[str, Suggestion]:
    """The five suggestions for one business and period, by sub-indicator code. For assessors only: the
    caller (a service or a page of the technical partner) checks that first."""
    now = now or timezone.now()
    found = [
        response_satisfaction(business.pk, start, end),
        management_satisfaction(membership, business, start, end),
        time_to_respond(business.pk, start, end, now),
        time_to_revert(business.pk, start, end, now),
        time_to_resolve(business.pk, start, end),
    ]
    return {s.sub_indicator: s for s in found}
