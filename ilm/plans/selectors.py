"""What each membership may read of the action plans. The only place these rules live.

- Country Action Plans (and their rows and check-ins): every member of a partner organisation
  (technical partner, CSO, government, industry body, academic: BROWSE_COUNTRY_PLANS) browses and
  searches all countries' plans. Businesses do not see them.
- Business Action Plans, their rows and check-ins, baselines and focal points:
    technical partner: all
    the business itself: its own
    buyer: also those of the suppliers in its chain (confirmed supply and upstream links in force,
      all tiers, as `network.selectors.chain_supplier_ids`) and of the recruitment agencies its chain
      disclosed to it (the buyer's network scope)
    everyone else: none (404)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Organisation
from ilm.network.selectors import network_scope
from ilm.plans.catalogue import format_activity_codes, parse_activity_codes
from ilm.plans.models import (
    Activity,
    Baseline,
    BusinessActionPlan,
    CountryActionPlan,
    FocalPoint,
    IndicatorStatus,
    IndicatorSuggestion,
    IndicatorValue,
    Plan,
    PlanCheckIn,
    PlanKind,
    PlanRow,
    PolicyDocument,
    ProgressIndicator,
    SuggestionStatus,
)
from ilm.plans.permissions import INDICATOR_BUSINESS_KINDS, PLAN_BUSINESS_KINDS

# --- reference data ------------------------------------------------------------------------------


def activity_list() -> QuerySet[Activity]:
    """The catalogue, the same for everyone."""
    return Activity.objects.order_by("area", "number")


# --- whose business plans ----------------------------------------------------------------------


def _business_ids(membership: Any) -> frozenset[int] | None:
    """The businesses whose plans and baseline the membership reads; None means all of them."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    own = membership.organisation_id
    kind = membership.organisation_kind
    if kind == OrgKind.BUYER:
        # The buyer's cached network scope: itself, its chain (all tiers), the agencies its chain disclosed,
        # plus the technical partner and collaborating CSOs, which have no business plans.
        return network_scope(membership).organisation_ids | {own}
    if kind in PLAN_BUSINESS_KINDS:
        return frozenset({own})
    return frozenset()


def _business_q(membership: Any, prefix: str = "") -> Q:
    ids = _business_ids(membership)
    kinds = Q(**{f"{prefix}organisation__kind__in": tuple(PLAN_BUSINESS_KINDS)})
    if ids is None:
        return kinds
    return kinds & Q(**{f"{prefix}organisation_id__in": ids})


def _plan_q(membership: Any, prefix: str = "") -> Q:
    """Plans of both kinds the membership reads, as a filter on `prefix` + Plan."""
    business = Q(**{f"{prefix}kind": PlanKind.BUSINESS}) & _business_q(membership, prefix)
    if can(membership, Action.BROWSE_COUNTRY_PLANS):
        return Q(**{f"{prefix}kind": PlanKind.COUNTRY}) | business
    return business


# --- plans ---------------------------------------------------------------------------------------


def country_plan_list(*, membership: Any) -> QuerySet[Plan]:
    queryset = CountryActionPlan.objects.select_related("country")
    if not can(membership, Action.BROWSE_COUNTRY_PLANS):
        return queryset.none()
    return queryset


def business_plan_list(*, membership: Any) -> QuerySet[Plan]:
    return BusinessActionPlan.objects.filter(_business_q(membership)).select_related("organisation")


def plan_list(*, membership: Any) -> QuerySet[Plan]:
    """Plans of both kinds (for rows and check-ins given by plan id)."""
    return Plan.objects.filter(_plan_q(membership)).select_related("country", "organisation")


def _row_prefetches() -> list[Prefetch[Any]]:
    return [
        Prefetch("activities", queryset=Activity.objects.order_by("area", "number")),
        Prefetch("organisations", queryset=Organisation.objects.order_by("name").only("id", "name", "kind")),
    ]


def plan_row_list(*, membership: Any) -> QuerySet[PlanRow]:
    return (
        PlanRow.objects.filter(_plan_q(membership, "plan__"))
        .select_related("plan", "plan__country", "plan__organisation")
        .prefetch_related(*_row_prefetches())
    )


def plan_rows(plan: Plan) -> QuerySet[PlanRow]:
    """The current rows of a plan already read through a selector, in order, activities and organisations
    loaded in two queries."""
    return plan.rows.order_by("position", "id").prefetch_related(*_row_prefetches())


def plan_checkin_list(*, membership: Any) -> QuerySet[PlanCheckIn]:
    return PlanCheckIn.objects.filter(_plan_q(membership, "plan__")).select_related(
        "plan", "recorded_by__user", "recorded_by__organisation"
    )


# --- search across plans (find collaborators) ----------------------------------------------------


@dataclass(frozen=True)
class RowSearch:
    q: str = ""
    activity: str = ""
    organisation_kind: str = ""
    country: str = ""
    year: int | None = None


def activity_q(text: str) -> Q:
    """ "2", "2.x", "ER" or "Labor Recruitment" → the area; otherwise codes as people write them."""
    from ilm.plans.catalogue import AREA_ABBREVIATIONS, AREA_NAMES

    value = text.strip().lower().removesuffix(".x").removesuffix(".*")
    for area, abbreviation in AREA_ABBREVIATIONS.items():
        if value in {str(area), abbreviation.lower(), AREA_NAMES[area].lower()}:
            return Q(activities__area=area)
    return Q(activities__code__in=parse_activity_codes(text))  # unreadable text: ValidationError


def search_rows(queryset: QuerySet[PlanRow], search: RowSearch) -> QuerySet[PlanRow]:
    """Narrow a scoped row list by text, activity (code, range or area) and the kind of organisation named."""
    if search.q:
        queryset = queryset.filter(
            Q(description__icontains=search.q)
            | Q(remarks__icontains=search.q)
            | Q(other_partners__icontains=search.q)
            | Q(organisations__name__icontains=search.q)
        )
    if search.activity:
        queryset = queryset.filter(activity_q(search.activity))
    if search.organisation_kind:
        queryset = queryset.filter(organisations__kind=search.organisation_kind)
    if search.country:
        queryset = queryset.filter(plan__country_id=search.country.upper())
    if search.year:
        queryset = queryset.filter(plan__year=search.year)
    return queryset.distinct()


# --- history ---------------------------------------------------------------------------------------


@dataclass
class RowSnapshot:
    """A row as it stood on a date (from its history), with `deleted` set when it no longer exists now."""

    id: int
    position: int
    description: str
    other_partners: str
    remarks: str
    status: str
    due_quarter: str
    version: int
    activity_codes: list[str] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    deleted: bool = False

    @property
    def activity_display(self) -> str:
        return format_activity_codes(self.activity_codes)

    def get_status_display(self) -> str:
        from ilm.plans.models import RowStatus

        return str(dict(RowStatus.choices).get(self.status, self.status))


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def plan_as_of(plan: Plan, on: datetime.date) -> list[RowSnapshot]:
    """The plan's rows as they stood at the end of `on` (in the server's time zone), from their history.

    Rows deleted since then are included (`deleted=True`); rows added later and rows already deleted by
    then are not. A fixed number of queries whatever the number of rows.
    """
    historical = PlanRow.history.model
    records = list(
        historical.objects.filter(plan_id=plan.pk, history_date__lt=_end_of(on)).order_by(
            "id", "-history_date", "-history_id"
        )
    )
    latest: dict[int, Any] = {}
    for record in records:
        latest.setdefault(record.id, record)
    standing = [record for record in latest.values() if record.history_type != "-"]
    if not standing:
        return []
    history_ids = [record.history_id for record in standing]
    activity_model = historical.activities.model
    organisation_model = historical.organisations.model
    codes: dict[int, list[str]] = {}
    for history_id, code in activity_model.objects.filter(history_id__in=history_ids).values_list(
        "history_id", "activity_id"
    ):
        codes.setdefault(history_id, []).append(code)
    org_ids: dict[int, list[int]] = {}
    for history_id, organisation_id in organisation_model.objects.filter(history_id__in=history_ids).values_list(
        "history_id", "organisation_id"
    ):
        org_ids.setdefault(history_id, []).append(organisation_id)
    organisations = Organisation.objects.in_bulk({pk for ids in org_ids.values() for pk in ids})
    existing = set(PlanRow.objects.filter(pk__in=latest.keys()).values_list("pk", flat=True))
    from ilm.plans.catalogue import code_key

    snapshots = [
        RowSnapshot(
            id=record.id,
            position=record.position,
            description=record.description,
            other_partners=record.other_partners,
            remarks=record.remarks,
            status=record.status,
            due_quarter=record.due_quarter,
            version=record.version,
            activity_codes=sorted(codes.get(record.history_id, []), key=code_key),
            organisations=sorted(
                (organisations[pk] for pk in org_ids.get(record.history_id, []) if pk in organisations),
                key=lambda org: org.name,
            ),
            deleted=record.id not in existing,
        )
        for record in standing
    ]
    return sorted(snapshots, key=lambda row: (row.position, row.id))


# --- baselines ------------------------------------------------------------------------------------


def baseline_list(*, membership: Any) -> QuerySet[Baseline]:
    return (
        Baseline.objects.filter(_business_q(membership))
        .select_related("organisation")
        .prefetch_related(
            Prefetch("focal_points", queryset=FocalPoint.objects.order_by("purpose", "name", "id")),
            Prefetch("documents", queryset=PolicyDocument.objects.order_by("-created_at", "-id")),
        )
    )


def baseline_business_list(*, membership: Any) -> QuerySet[Organisation]:
    """Businesses whose baseline page the membership may open (whether or not a baseline exists yet)."""
    ids = _business_ids(membership)
    queryset = Organisation.objects.filter(kind__in=tuple(PLAN_BUSINESS_KINDS))
    return queryset if ids is None else queryset.filter(pk__in=ids)


def policy_document_list(*, membership: Any) -> QuerySet[PolicyDocument]:
    """Labour-policy files of the baselines the membership reads."""
    return PolicyDocument.objects.filter(_business_q(membership, "baseline__")).select_related("baseline__organisation")


def focal_point_list(*, membership: Any) -> QuerySet[FocalPoint]:
    return FocalPoint.objects.filter(_business_q(membership, "baseline__")).select_related("baseline__organisation")


def plan_business_choices(*, membership: Any) -> QuerySet[Organisation]:
    """Businesses a new Business Action Plan may be for: any business (technical partner) or itself."""
    queryset = Organisation.objects.filter(kind__in=tuple(PLAN_BUSINESS_KINDS), is_active=True).order_by("name")
    if can(membership, Action.EDIT_ANY_PLAN):
        return queryset
    if can(membership, Action.EDIT_OWN_BUSINESS_PLAN):
        return queryset.filter(pk=membership.organisation_id)
    return queryset.none()


def row_organisation_choices(*, membership: Any) -> QuerySet[Organisation]:
    """Organisations a row may name: those of the network the membership sees."""
    from ilm.network.selectors import organisation_list

    return organisation_list(membership=membership).filter(is_active=True).order_by("name")


def activities_by_code(codes: Iterable[str]) -> dict[str, Activity]:
    return {activity.code: activity for activity in Activity.objects.filter(code__in=list(codes))}


# --- progress indicators ---------------------------------------------------------------------------


def plan_business_list(membership: Any) -> QuerySet[Organisation]:
    """The businesses (suppliers, agencies, buyers) whose plans, baseline and progress pages the membership
    reads."""
    ids = _business_ids(membership)
    queryset = Organisation.objects.filter(kind__in=tuple(PLAN_BUSINESS_KINDS))
    return queryset if ids is None else queryset.filter(pk__in=ids)


def indicator_business_list(membership: Any) -> QuerySet[Organisation]:
    """The suppliers and agencies whose progress indicators the membership reads (as for their plans)."""
    ids = _business_ids(membership)
    queryset = Organisation.objects.filter(kind__in=tuple(INDICATOR_BUSINESS_KINDS), is_active=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("name", "id")


def indicator_business_list_for(*, membership: Any) -> QuerySet[Organisation]:
    """`indicator_business_list` with the selector signature (for scoped API fields)."""
    return indicator_business_list(membership)


def indicator_value_list(*, membership: Any) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(_business_q(membership)).select_related("organisation", "set_by__user")


def indicator_suggestion_list(*, membership: Any) -> QuerySet[IndicatorSuggestion]:
    return IndicatorSuggestion.objects.filter(_business_q(membership)).select_related(
        "organisation", "decided_by__user"
    )


@dataclass
class GridRow:
    organisation: Organisation
    cells: list[IndicatorValue | None]
    open_suggestions: int = 0


def progress_grid_businesses(
    membership: Any, *, country: str = "", industry: str = "", kind: str = ""
) -> QuerySet[Organisation]:
    """The businesses of the grid (the membership's suppliers and agencies), filtered, by name."""
    businesses = indicator_business_list(membership)
    if country:
        businesses = businesses.filter(
            Exists(Organisation.countries.through.objects.filter(organisation_id=OuterRef("pk"), country_id=country))
        )
    if industry:
        businesses = businesses.filter(
            Exists(Organisation.industries.through.objects.filter(organisation_id=OuterRef("pk"), industry_id=industry))
        )
    if kind:
        businesses = businesses.filter(kind=kind)
    return businesses.order_by("name", "id")


def progress_grid_rows(businesses: list[Organisation]) -> list[GridRow]:
    """One row per business (a page of them): its 13 cells (None where nothing was set yet) and how many
    suggestions wait. Two queries, whatever the number of businesses."""
    ids = [b.pk for b in businesses]
    values: dict[tuple[int, str], IndicatorValue] = {
        (v.organisation_id, v.indicator): v
        # The grid and its export show the status only: no join to who set it (3 model instances a cell).
        for v in IndicatorValue.objects.filter(organisation_id__in=ids)
        .only("organisation_id", "indicator", "status")
        .order_by()
    }
    pending = dict(
        IndicatorSuggestion.objects.filter(organisation_id__in=ids, status=SuggestionStatus.OPEN)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    codes = ProgressIndicator.values
    return [GridRow(b, [values.get((b.pk, code)) for code in codes], pending.get(b.pk, 0)) for b in businesses]


def progress_grid_totals(businesses: QuerySet[Organisation]) -> dict[str, dict[str, int]]:
    """Per indicator, how many of the businesses are at each status: one aggregate query over all of them
    (not only the page shown)."""
    totals = {code: dict.fromkeys(IndicatorStatus.values, 0) for code in ProgressIndicator.values}
    counted = (
        IndicatorValue.objects.filter(organisation__in=businesses.order_by().values("pk"))
        .order_by()
        .values_list("indicator", "status")
        .annotate(n=Count("id"))
    )
    for indicator, status, n in counted:
        if indicator in totals and status in totals[indicator]:
            totals[indicator][status] = n
    return totals


def progress_grid(
    membership: Any, *, country: str = "", industry: str = "", kind: str = ""
) -> tuple[list[GridRow], dict[str, dict[str, int]]]:
    """The whole grid (every business; the export) and its totals. Four queries, whatever the size."""
    businesses = progress_grid_businesses(membership, country=country, industry=industry, kind=kind)
    return progress_grid_rows(list(businesses)), progress_grid_totals(businesses)


@dataclass
class TrendPoint:
    when: datetime.datetime
    status: str
    evidence: str
    by: str


def indicator_trend(*, membership: Any, organisation: Organisation) -> dict[str, list[TrendPoint]]:
    """Each indicator's statuses over time, oldest first, from the history of the values."""
    if not indicator_business_list(membership).filter(pk=organisation.pk).exists():
        return {}
    history = IndicatorValue.history.filter(organisation_id=organisation.pk).order_by("history_date", "history_id")
    trend: dict[str, list[TrendPoint]] = {code: [] for code in ProgressIndicator.values}
    for record in history.select_related("set_by__user"):
        points = trend.setdefault(record.indicator, [])
        if points and points[-1].status == record.status and points[-1].evidence == record.evidence:
            continue
        by = record.set_by.user.get_username() if record.set_by_id and record.set_by else ""
        points.append(TrendPoint(record.set_at, record.status, record.evidence, by))
    return trend
