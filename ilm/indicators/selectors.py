"""What each membership reads of the Ethical Performance Scores, and the averages the impact indicators use.

Assessments (and their scores):
    technical partner: all, drafts included
    supplier, recruitment agency: its own, published
    buyer: those of the suppliers in its chain (confirmed supply and upstream links in force, all tiers) and
      of the recruitment agencies its chain disclosed to it (its network scope, as action plans), published
    everyone else (CSOs, government, industry bodies, academics): none (404)

Axis score = AVG(value) over the axis's sub-indicators, NULL values (n/a) left out by SQL's AVG; an axis
whose sub-indicators are all n/a has no score (NULL). Computed when read, never stored.

Impact indicator 1 (`axis_averages`): for a business, the axis scores of its latest published assessment
(as of a period, when one is given); for a set of businesses (a buyer's chain), per axis the plain mean of
those businesses' axis scores, each business counting once, whatever its size; a business without a score
on an axis is left out of that axis's mean (and counted in `businesses`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from ilm.core.permissions import OrgKind
from ilm.indicators.models import (
    AXIS_SUB_INDICATORS,
    Assessment,
    AssessmentStatus,
    Axis,
    Score,
    quarter_bounds,
)
from ilm.indicators.permissions import ASSESSED_KINDS, sees_all
from ilm.network.models import Link, LinkKind, Organisation
from ilm.network.selectors import chain_supplier_ids, network_scope

AXES: tuple[str, ...] = tuple(Axis.values)


# --- whose scores --------------------------------------------------------------------------------------


def _business_ids(membership: Any) -> frozenset[int] | None:
    """The suppliers and agencies whose published scores the membership reads; None means all."""
    if membership is None:
        return frozenset()
    if sees_all(membership):
        return None
    kind = membership.organisation_kind
    if kind in ASSESSED_KINDS:
        return frozenset({membership.organisation_id})
    if kind == OrgKind.BUYER:
        # The buyer's cached network scope (its chain, all tiers, and the agencies its chain disclosed;
        # plus partners and collaborators, which are not assessed: the kind filter below drops them).
        return network_scope(membership).organisation_ids - {membership.organisation_id}
    return frozenset()


def business_list(*, membership: Any) -> QuerySet[Organisation]:
    """Suppliers and agencies whose scores the membership reads (the list page, the API's choices)."""
    ids = _business_ids(membership)
    queryset = Organisation.objects.filter(kind__in=tuple(ASSESSED_KINDS))
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("name", "id")


def assessable_business_list(*, membership: Any) -> QuerySet[Organisation]:
    """The businesses an assessor may assess: active suppliers and agencies (the technical partner's)."""
    if not sees_all(membership):
        return Organisation.objects.none()
    return business_list(membership=membership).filter(is_active=True)


def scored_organisation_list(*, membership: Any) -> QuerySet[Organisation]:
    """Organisations with a scores page: the businesses above, and buyers (their chain's aggregate): every
    buyer for the technical partner, itself for a buyer."""
    ids = _business_ids(membership)
    if ids is None:
        return Organisation.objects.filter(kind__in=(*ASSESSED_KINDS, OrgKind.BUYER))
    buyers = Q(kind=OrgKind.BUYER, pk=membership.organisation_id)
    return Organisation.objects.filter(Q(kind__in=tuple(ASSESSED_KINDS), pk__in=ids) | buyers)


def assessment_list(*, membership: Any) -> QuerySet[Assessment]:
    """Scoped assessments with their axis scores (`quality`, `timeliness`, `openness`)."""
    queryset = Assessment.objects.select_related("business", "assessed_by__user", "assessor_organisation")
    ids = _business_ids(membership)
    if ids is not None:
        queryset = queryset.filter(
            business_id__in=ids, business__kind__in=tuple(ASSESSED_KINDS), status=AssessmentStatus.PUBLISHED
        )
    return with_axis_scores(queryset)


def score_list(*, membership: Any) -> QuerySet[Score]:
    return Score.objects.filter(assessment__in=assessment_list(membership=membership).values("pk"))


# --- axis scores ----------------------------------------------------------------------------------------


def axis_avg(axis: str, prefix: str = "scores__") -> Avg:
    """AVG of the axis's sub-indicator values; SQL's AVG leaves NULL (n/a) out; all n/a gives NULL."""
    return Avg(
        Cast(f"{prefix}value", FloatField()),
        filter=Q(**{f"{prefix}sub_indicator__in": AXIS_SUB_INDICATORS[axis]}),
    )


def with_axis_scores(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return queryset.annotate(**{axis: axis_avg(axis) for axis in AXES})


def _axis_subquery(axis: str) -> Subquery:
    """The axis score of the assessment named by OuterRef("pk"), as a scalar subquery."""
    return Subquery(
        Score.objects.filter(assessment_id=OuterRef("pk"), sub_indicator__in=AXIS_SUB_INDICATORS[axis])
        .order_by()
        .values("assessment_id")
        .annotate(mean=Avg(Cast("value", FloatField())))
        .values("mean")[:1],
        output_field=FloatField(),
    )


def rounded(value: float | None, places: str = "0.01") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AxisScores:
    quality: Decimal | None
    timeliness: Decimal | None
    openness: Decimal | None

    def as_dict(self) -> dict[str, Decimal | None]:
        return {axis: getattr(self, axis) for axis in AXES}


@dataclass(frozen=True)
class AxisAverages:
    """Impact indicator 1 over a set of businesses: per axis the mean of the businesses' axis scores,
    how many businesses had a score on that axis, and how many businesses were looked at."""

    scores: AxisScores
    scored: dict[str, int]
    businesses: int


def axis_scores_of(assessment: Any) -> AxisScores:
    """From an assessment annotated by `with_axis_scores` (two decimals, half up)."""
    return AxisScores(**{axis: rounded(getattr(assessment, axis, None)) for axis in AXES})


def _period_end(period: str | tuple[datetime.date, datetime.date] | None) -> datetime.date | None:
    if period is None:
        return None
    if isinstance(period, tuple):
        return period[1]
    from ilm.indicators.services import parse_period

    return quarter_bounds(*parse_period(period))[1]


def latest_published(
    *, membership: Any, business_ids: Iterable[int] | None = None, period: Any = None
) -> QuerySet[Assessment]:
    """Each business's latest published assessment (the latest period starting on or before the end of
    `period`, when given), with its axis scores."""
    end = _period_end(period)
    published = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED, business_id=OuterRef("business_id"))
    if end is not None:
        published = published.filter(period_start__lte=end)
    latest = published.order_by("-period_start").values("period_start")[:1]
    queryset = assessment_list(membership=membership).filter(
        status=AssessmentStatus.PUBLISHED, period_start=Subquery(latest)
    )
    if business_ids is not None:
        queryset = queryset.filter(business_id__in=list(business_ids))
    return queryset


def axis_scores_by_business(
    *, membership: Any, business_ids: Iterable[int] | None = None, period: Any = None
) -> dict[int, AxisScores]:
    """Impact indicator 1 per business: the axis scores of its latest published assessment. One query."""
    rows = latest_published(membership=membership, business_ids=business_ids, period=period)
    return {a.business_id: axis_scores_of(a) for a in rows}


def axis_averages(membership: Any, business_ids: Iterable[int] | None = None, period: Any = None) -> AxisAverages:
    """Impact indicator 1 over the businesses given (default: every business the membership reads; for a
    buyer, its chain): per axis the unweighted mean over businesses of their latest published axis score,
    in one aggregate query. Businesses the membership may not read are left out."""
    latest = latest_published(membership=membership, business_ids=business_ids, period=period).values("pk")
    per_assessment = Assessment.objects.filter(pk__in=latest).annotate(
        **{f"{axis}_score": _axis_subquery(axis) for axis in AXES}
    )
    aggregates: dict[str, Any] = {}
    for axis in AXES:
        aggregates[f"{axis}_mean"] = Avg(f"{axis}_score")
        aggregates[f"{axis}_n"] = Count("pk", filter=Q(**{f"{axis}_score__isnull": False}))
    aggregates["businesses"] = Count("business_id", distinct=True)
    row = per_assessment.aggregate(**aggregates)
    return AxisAverages(
        scores=AxisScores(**{axis: rounded(row[f"{axis}_mean"]) for axis in AXES}),
        scored={axis: int(row[f"{axis}_n"] or 0) for axis in AXES},
        businesses=int(row["businesses"] or 0),
    )


def chain_business_ids(buyer: Organisation, membership: Any) -> list[int]:
    """The suppliers and agencies in a buyer's chain as the buyer sees it (for the technical partner looking
    at a buyer, computed as the buyer's own scope would be)."""
    if membership.organisation_id == buyer.pk:
        ids: set[int] | frozenset[int] = _business_ids(membership) or frozenset()
    else:
        chain = chain_supplier_ids(buyer.pk)
        disclosed = Link.objects.current().filter(
            kind=LinkKind.RECRUITMENT, customer_id__in=chain, disclosed_to_buyers=True
        )
        ids = chain | set(disclosed.order_by().values_list("provider_id", flat=True))
    return list(
        Organisation.objects.filter(pk__in=ids, kind__in=tuple(ASSESSED_KINDS)).order_by().values_list("pk", flat=True)
    )


def history(*, membership: Any, business: Organisation) -> list[Assessment]:
    """A business's assessments, oldest first (published only, drafts too for the technical partner)."""
    return list(assessment_list(membership=membership).filter(business=business).order_by("period_start"))


def scores_of(assessment: Assessment) -> dict[str, Score]:
    return {s.sub_indicator: s for s in assessment.scores.all()}


def latest_by_business(*, membership: Any, businesses: Iterable[int]) -> dict[int, Assessment]:
    return {a.business_id: a for a in latest_published(membership=membership, business_ids=businesses)}
