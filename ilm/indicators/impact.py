"""Impact indicators 2-5 (DOMAIN.md §8) per business, and per buyer over the businesses in its chain.

Impact 1 (average EPS per axis) is the Ethical Performance Scores' (`ilm.indicators.selectors`).

Who may ask (`impact_business_ids`): a supplier or recruitment agency for itself; a buyer for its chain (the
suppliers reached through confirmed links in force today, and the agencies they disclosed to buyers); the
technical partner for any business. Everyone else is refused (403): a CSO reads its own cases on the case
pages and its reach on the reach page. A business outside what the member may ask for is not there (404).

Formulas (docs/indicators.md says why):
    issues counted       = issues of cases shared with a business, not closed as duplicate, that concern one
                           of the businesses; an issue concerning two businesses of a chain counts once
    2 resolved < 60 days = issues whose case was opened in the window and whose outcome is known (the case is
                           closed, or 60 days have passed since it was opened) → those closed as resolved
                           less than 60 days after opening
    3 rated fair or more = issues rated in the window (`rated_at`) → those rated Fair, Good or Excellent
    4 reimbursed workers = `recruitment.selectors.reimbursed_workers` over the same businesses (today's state)
    5 owed vs reimbursed = `recruitment.selectors.combined_repayment_totals`, per currency (today's state)
A buyer's aggregate pools the issues of its chain: each supplier weighs by its number of issues.
All counts are SQL aggregates; nothing loops over case rows in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from ilm.cases.models import CaseBusiness, CaseStatus, Closure, Issue, Rating
from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Organisation
from ilm.network.selectors import network_scope
from ilm.recruitment import selectors as recruitment
from ilm.recruitment.models import FeeSurveyResponse
from ilm.recruitment.selectors import CurrencyTotal, ReimbursedWorkers

RESOLUTION_DAYS = 60
RESOLUTION_PERIOD = datetime.timedelta(days=RESOLUTION_DAYS)
FAIR_OR_BETTER = (Rating.FAIR, Rating.GOOD, Rating.EXCELLENT)
IMPACT_KINDS = (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY)


def window_q(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """`field` (a datetime) on or after the start of `date_from` and before the end of `date_to`, both days
    included, in the local calendar. No bound: open on that side."""
    q = Q()
    zone = timezone.get_current_timezone()
    if date_from is not None:
        q &= Q(**{f"{field}__gte": datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)})
    if date_to is not None:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        q &= Q(**{f"{field}__lt": end})
    return q


@dataclass(frozen=True)
class Ratio:
    """A share: `numerator` of `denominator`; `percent` is None when there is nothing to divide."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True)
class Impact:
    """Impact 2-5 for one business or a buyer's chain over a window (4 and 5: today's state)."""

    date_from: datetime.date | None
    date_to: datetime.date | None
    resolved_in_60_days: Ratio
    rated_fair_or_better: Ratio
    reimbursed: ReimbursedWorkers
    repayments: list[CurrencyTotal]


@dataclass(frozen=True)
class BusinessImpact:
    """One business's row in a buyer's (or the technical partner's) table."""

    business_id: int
    name: str
    kind: str
    impact: Impact


# --- scope -----------------------------------------------------------------------------------------------


def may_read_impact(membership: Any) -> bool:
    return can(membership, Action.VIEW_WHOLE_NETWORK) or membership.organisation_kind in (*IMPACT_KINDS, OrgKind.BUYER)


def impact_business_ids(membership: Any) -> frozenset[int] | None:
    """Businesses whose impact the membership reads (None: all). Refuses (403) kinds that read none."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    kind = membership.organisation_kind
    if kind in IMPACT_KINDS:
        return frozenset({membership.organisation_id})
    if kind == OrgKind.BUYER:
        scope = network_scope(membership)
        return frozenset(
            Organisation.objects.filter(pk__in=scope.organisation_ids, kind__in=IMPACT_KINDS)
            .order_by()
            .values_list("pk", flat=True)
        )
    raise PermissionDenied


def impact_businesses(*, membership: Any) -> QuerySet[Organisation]:
    """The businesses the membership may ask about, by name (a buyer's chain; all for the technical partner)."""
    ids = impact_business_ids(membership)
    queryset = Organisation.objects.filter(kind__in=IMPACT_KINDS)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.order_by("name")


def business_for_impact(*, membership: Any, business_id: int) -> Organisation:
    """One business the membership may ask about; 404 for anything else (not yours looks like not there)."""
    business = impact_businesses(membership=membership).filter(pk=business_id).first()
    if business is None:
        raise Http404
    return business


# --- the formulas ----------------------------------------------------------------------------------------


def _issues(business_ids: Iterable[int] | None) -> QuerySet[Issue]:
    """Issues of shared cases (not duplicates) concerning one of the businesses (None: any business)."""
    queryset = Issue.objects.filter(case__shared_at__isnull=False).exclude(case__closure=Closure.DUPLICATE)
    concerned = CaseBusiness.objects.filter(case_id=OuterRef("case_id"), organisation__isnull=False)
    if business_ids is not None:
        concerned = concerned.filter(organisation_id__in=list(business_ids))
    return queryset.filter(Exists(concerned))


def _decided_q(prefix: str = "", now: datetime.datetime | None = None) -> Q:
    """The issue's 60-day outcome is known: its case is closed, or 60 days have passed since it was opened."""
    now = now or timezone.now()
    return Q(**{f"{prefix}case__status": CaseStatus.CLOSED}) | Q(
        **{f"{prefix}case__opened_at__lte": now - RESOLUTION_PERIOD}
    )


def _fast_q(prefix: str = "") -> Q:
    deadline = ExpressionWrapper(F(f"{prefix}case__opened_at") + RESOLUTION_PERIOD, output_field=DateTimeField())
    return Q(**{f"{prefix}case__closure": Closure.RESOLVED, f"{prefix}case__closed_at__lt": deadline})


def resolved_in_60_days(
    business_ids: Iterable[int] | None, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> Ratio:
    """Impact 2, unscoped (callers pass ids from `impact_business_ids`)."""
    decided = _decided_q()
    counts = (
        _issues(business_ids)
        .filter(window_q("case__opened_at", date_from, date_to))
        .aggregate(
            denominator=Count("pk", filter=decided),
            numerator=Count("pk", filter=decided & _fast_q()),
        )
    )
    return Ratio(numerator=counts["numerator"], denominator=counts["denominator"])


def rated_fair_or_better(
    business_ids: Iterable[int] | None, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> Ratio:
    """Impact 3, unscoped: issues rated in the window, and those rated Fair, Good or Excellent."""
    counts = (
        _issues(business_ids)
        .exclude(rating="")
        .filter(window_q("rated_at", date_from, date_to))
        .aggregate(denominator=Count("pk"), numerator=Count("pk", filter=Q(rating__in=FAIR_OR_BETTER)))
    )
    return Ratio(numerator=counts["numerator"], denominator=counts["denominator"])


def _impact(
    membership: Any, business_ids: list[int] | None, date_from: datetime.date | None, date_to: datetime.date | None
) -> Impact:
    return Impact(
        date_from=date_from,
        date_to=date_to,
        resolved_in_60_days=resolved_in_60_days(business_ids, date_from, date_to),
        rated_fair_or_better=rated_fair_or_better(business_ids, date_from, date_to),
        reimbursed=recruitment.reimbursed_workers(membership=membership, business_ids=business_ids),
        repayments=recruitment.combined_repayment_totals(membership=membership, business_ids=business_ids),
    )


def business_impact(
    *,
    membership: Any,
    business_id: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Impact:
    """Impact 2-5 of one business the membership may ask about (404 otherwise)."""
    business = business_for_impact(membership=membership, business_id=business_id)
    return _impact(membership, [business.pk], date_from, date_to)


def chain_impact(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> Impact:
    """Impact 2-5 pooled over every business the membership may ask about: a buyer's chain, a business
    itself, the whole network for the technical partner."""
    ids = impact_business_ids(membership)
    return _impact(membership, None if ids is None else sorted(ids), date_from, date_to)


def impact_by_business(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[BusinessImpact]:
    """One row per business the membership may ask about, in a fixed number of grouped queries whatever the
    size of the chain: the same formulas as `business_impact`, grouped by business (tests check they agree)."""
    businesses = list(impact_businesses(membership=membership).values_list("pk", "name", "kind"))
    ids = [pk for pk, _name, _kind in businesses]
    # Each query filters the issues in one filter() call, so its conditions and its counts use the same join.
    concerned = CaseBusiness.objects.filter(organisation_id__in=ids, case__shared_at__isnull=False).exclude(
        case__closure=Closure.DUPLICATE
    )
    decided = _decided_q()
    timely = (
        concerned.filter(Q(case__issues__isnull=False) & window_q("case__opened_at", date_from, date_to))
        .values("organisation_id")
        .order_by()
        .annotate(
            denominator=Count("case__issues", distinct=True, filter=decided),
            numerator=Count("case__issues", distinct=True, filter=decided & _fast_q()),
        )
    )
    rated = (
        concerned.filter(
            Q(case__issues__rating__in=Rating.values) & window_q("case__issues__rated_at", date_from, date_to)
        )
        .values("organisation_id")
        .order_by()
        .annotate(
            denominator=Count("case__issues", distinct=True),
            numerator=Count("case__issues", distinct=True, filter=Q(case__issues__rating__in=FAIR_OR_BETTER)),
        )
    )
    timely_by = {row["organisation_id"]: Ratio(row["numerator"], row["denominator"]) for row in timely}
    rated_by = {row["organisation_id"]: Ratio(row["numerator"], row["denominator"]) for row in rated}
    reimbursed_by = _reimbursed_by_business(ids)
    money_by = _money_by_business(membership, ids)
    return [
        BusinessImpact(
            business_id=pk,
            name=name,
            kind=kind,
            impact=Impact(
                date_from=date_from,
                date_to=date_to,
                resolved_in_60_days=timely_by.get(pk, Ratio(0, 0)),
                rated_fair_or_better=rated_by.get(pk, Ratio(0, 0)),
                reimbursed=reimbursed_by.get(pk, ReimbursedWorkers(eligible=0, reimbursed=0)),
                repayments=money_by.get(pk, []),
            ),
        )
        for pk, name, kind in businesses
    ]


def _reimbursed_by_business(ids: list[int]) -> dict[int, ReimbursedWorkers]:
    """Impact 4 per supplier: `recruitment.reimbursed_workers_for`'s definition, grouped by the surveyed supplier."""
    responses = FeeSurveyResponse.objects.filter(survey__supplier_id__in=ids)
    rows = (
        recruitment.with_repayment_status(responses)
        .filter(is_eligible=True)
        .values(business=F("survey__supplier_id"))
        .order_by()
        .annotate(
            eligible=Count("worker_id", distinct=True),
            reimbursed=Count("worker_id", distinct=True, filter=Q(has_shortfall=False)),
        )
    )
    return {row["business"]: ReimbursedWorkers(eligible=row["eligible"], reimbursed=row["reimbursed"]) for row in rows}


def _money_by_business(membership: Any, ids: list[int]) -> dict[int, list[CurrencyTotal]]:
    """Impact 5 per supplier: `recruitment.combined_repayment_totals`'s definition, grouped by business.

    Survey side: `recruitment.totals_by_business`. Case side: payments (not referenced by a survey repayment)
    of cases the membership reads, through one CaseBusiness row per (case, business), so a case naming two
    sites of the same supplier does not count its payments twice."""
    from ilm.cases.selectors import case_list

    wanted = set(ids)
    combined: dict[int, dict[str, list[Decimal]]] = {}
    for business, totals in recruitment.totals_by_business(membership=membership).items():
        if business in wanted:
            combined[business] = {t.currency: [t.owed, t.repaid, t.repaid_verified] for t in totals}
    first_link = (
        CaseBusiness.objects.filter(case_id=OuterRef("case_id"), organisation_id=OuterRef("organisation_id"))
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = (
        CaseBusiness.objects.filter(
            organisation_id__in=ids, organisation__kind=OrgKind.SUPPLIER, pk=Subquery(first_link)
        )
        .filter(
            case__in=case_list(membership=membership).values("pk"),
            case__payments__isnull=False,
            case__payments__survey_repayment__isnull=True,
        )
        .values("organisation_id", currency=F("case__payments__currency"))
        .order_by()
        .annotate(
            owed=Sum("case__payments__amount_owed"),
            repaid=Sum("case__payments__amount_repaid"),
            repaid_verified=Sum("case__payments__amount_repaid", filter=Q(case__payments__verified_by_worker=True)),
        )
    )
    for row in rows:
        cell = combined.setdefault(row["organisation_id"], {}).setdefault(row["currency"], [Decimal("0")] * 3)
        cell[0] += row["owed"] or 0
        cell[1] += row["repaid"] or 0
        cell[2] += row["repaid_verified"] or 0
    return {
        business: [CurrencyTotal(code, *cell) for code, cell in sorted(currencies.items())]
        for business, currencies in combined.items()
    }
