"""What each membership reads of fee surveys and repayments, and the aggregates the indicators use.

Rows (surveys, responses, fee lines, repayments, documents):
    technical partner: all · the surveying CSO: its surveys · the surveyed supplier: surveys at its sites
    (pseudonymous: no identity) · everyone else, buyers included: none (404).
Totals per currency: the above, plus a buyer for the suppliers in its chain (`totals_business_ids`).

Formulas (docs/recruitment.md):
    owed(currency)          = Σ amount of eligible fee lines in that currency
    repaid(currency)        = Σ repayments in that currency (recorded)
    repaid_verified(cur.)   = Σ repayments in that currency verified by the worker
    eligible worker         = a response with at least one eligible fee line
    reimbursed worker       = an eligible worker with, in every currency they are owed, verified repayments ≥ owed
    indicator 4             = reimbursed workers, and reimbursed / eligible workers (%)
    indicator 5             = owed vs repaid_verified, per currency, never summed across currencies
All are SQL aggregates (GROUP BY currency); nothing loops over rows in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Gender, Organisation
from ilm.network.selectors import network_scope
from ilm.recruitment.models import (
    BrokerReport,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    NetworkMember,
    OutreachEvent,
    OutreachReach,
    RecruitmentNetwork,
    Referral,
    ReferralOutcome,
    Repayment,
    RepaymentPolicy,
    ResponseDocument,
)

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
# Counts of workers under this are shown to buyers as "fewer than 5" (a small group can point at a person).
SMALL_COUNT = 5

# --- rows ------------------------------------------------------------------------------------------


def _survey_q(membership: Any, prefix: str = "") -> Q | None:
    """Surveys the membership reads row by row; None means all of them."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    org_id = membership.organisation_id
    kind = membership.organisation_kind
    if kind == OrgKind.CSO:
        return Q(**{f"{prefix}surveyor_id": org_id})
    if kind == OrgKind.SUPPLIER:
        return Q(**{f"{prefix}supplier_id": org_id})
    return Q(pk__in=[])


def _scoped(queryset: QuerySet[Any], membership: Any, prefix: str) -> QuerySet[Any]:
    condition = _survey_q(membership, prefix)
    if condition is None:
        return queryset
    if condition == Q(pk__in=[]):
        return queryset.none()
    return queryset.filter(condition)


def survey_list(*, membership: Any) -> QuerySet[FeeSurvey]:
    return _scoped(FeeSurvey.objects.select_related("site", "supplier", "surveyor"), membership, "")


def response_list(*, membership: Any) -> QuerySet[FeeSurveyResponse]:
    return _scoped(
        FeeSurveyResponse.objects.select_related("survey", "survey__site", "survey__supplier", "survey__surveyor"),
        membership,
        "survey__",
    )


def fee_line_list(*, membership: Any) -> QuerySet[FeeLine]:
    return _scoped(FeeLine.objects.select_related("response", "response__survey"), membership, "response__survey__")


def repayment_list(*, membership: Any) -> QuerySet[Repayment]:
    return _scoped(
        Repayment.objects.select_related("response", "response__survey", "recorded_by_organisation"),
        membership,
        "response__survey__",
    )


def document_list(*, membership: Any) -> QuerySet[ResponseDocument]:
    """Supporting documents may show a name: the surveying organisation and the technical partner only."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return ResponseDocument.objects.select_related("response__survey")
    if membership.organisation_kind == OrgKind.CSO and can(membership, Action.VIEW_WORKER_IDENTITY):
        return ResponseDocument.objects.filter(response__survey__surveyor_id=membership.organisation_id)
    return ResponseDocument.objects.none()


def policy_business_list(*, membership: Any) -> QuerySet[Organisation]:
    """Suppliers whose repayment policy the membership reads: all (technical partner), itself (supplier),
    those it surveyed (CSO)."""
    suppliers = Organisation.objects.filter(kind=OrgKind.SUPPLIER)
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return Organisation.objects.all()  # the page says policies are a supplier's for other kinds
    if membership.organisation_kind == OrgKind.SUPPLIER:
        return suppliers.filter(pk=membership.organisation_id)
    if membership.organisation_kind == OrgKind.CSO:
        surveyed = FeeSurvey.objects.filter(surveyor_id=membership.organisation_id).values("supplier_id")
        return suppliers.filter(pk__in=surveyed)
    return suppliers.none()


def policy_list(*, membership: Any) -> QuerySet[RepaymentPolicy]:
    """The repayment policies of the suppliers the membership reads them for (policy_business_list)."""
    businesses = policy_business_list(membership=membership).values("pk")
    return RepaymentPolicy.objects.filter(organisation__in=businesses).select_related("organisation")


def policy_for(organisation_id: int) -> RepaymentPolicy | None:
    return RepaymentPolicy.objects.filter(organisation_id=organisation_id).first()


def surveyable_sites(*, membership: Any) -> QuerySet[Any]:
    """Sites a survey may be run at: the network's sites the surveying organisation sees."""
    from ilm.network.selectors import site_list

    return site_list(membership=membership).filter(is_active=True).select_related("supplier")


# --- totals ------------------------------------------------------------------------------------------


def totals_business_ids(membership: Any) -> frozenset[int] | None:
    """Suppliers whose totals the membership reads; None means all of them."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    kind = membership.organisation_kind
    if kind == OrgKind.CSO:
        return frozenset(
            FeeSurvey.objects.filter(surveyor_id=membership.organisation_id)
            .order_by()
            .values_list("supplier_id", flat=True)
        )
    if kind == OrgKind.SUPPLIER:
        return frozenset({membership.organisation_id})
    if kind == OrgKind.BUYER:
        return network_scope(membership).organisation_ids - {membership.organisation_id}
    return frozenset()


def _responses(business_ids: Iterable[int] | None, survey: FeeSurvey | None = None) -> QuerySet[FeeSurveyResponse]:
    queryset = FeeSurveyResponse.objects.all()
    if business_ids is not None:
        queryset = queryset.filter(survey__supplier_id__in=list(business_ids))
    if survey is not None:
        queryset = queryset.filter(survey=survey)
    return queryset


def _business_ids(membership: Any, business_ids: Iterable[int] | None) -> list[int] | None:
    """Narrow to the businesses asked for, never wider than the membership's scope."""
    allowed = totals_business_ids(membership)
    if business_ids is None:
        return None if allowed is None else sorted(allowed)
    wanted = set(business_ids)
    return sorted(wanted if allowed is None else wanted & allowed)


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    owed: Decimal
    repaid: Decimal
    repaid_verified: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(self.owed - self.repaid_verified, Decimal("0"))


def _merge(owed: Iterable[Any], repaid: Iterable[Any]) -> list[CurrencyTotal]:
    """Put the per-currency aggregate rows side by side (one row per currency, never a sum across them)."""
    by_currency: dict[str, dict[str, Decimal]] = {}
    for row in owed:
        by_currency.setdefault(row["currency"], {})["owed"] = row["owed"] or Decimal("0")
    for row in repaid:
        cell = by_currency.setdefault(row["currency"], {})
        cell["repaid"] = row["repaid"] or Decimal("0")
        cell["repaid_verified"] = row["repaid_verified"] or Decimal("0")
    return [
        CurrencyTotal(
            currency=code,
            owed=cell.get("owed", Decimal("0")),
            repaid=cell.get("repaid", Decimal("0")),
            repaid_verified=cell.get("repaid_verified", Decimal("0")),
        )
        for code, cell in sorted(by_currency.items())
    ]


def survey_totals_for(
    business_ids: Iterable[int] | None = None, *, survey: FeeSurvey | None = None
) -> list[CurrencyTotal]:
    """Fee-survey owed and repaid per currency, unscoped: callers pass ids from a scoped read."""
    responses = _responses(business_ids, survey)
    owed = (
        FeeLine.objects.filter(response__in=responses.values("pk"), eligible=True)
        .values("currency")
        .order_by("currency")
        .annotate(owed=Sum("amount"))
    )
    repaid = (
        Repayment.objects.filter(response__in=responses.values("pk"))
        .values("currency")
        .order_by("currency")
        .annotate(repaid=Sum("amount"), repaid_verified=Sum("amount", filter=Q(verified_at__isnull=False)))
    )
    return _merge(owed, repaid)


def repayment_totals(*, membership: Any, business_ids: Iterable[int] | None = None) -> list[CurrencyTotal]:
    """Indicator 5 (fee surveys): owed vs repaid per currency over the businesses the membership reads."""
    return survey_totals_for(_business_ids(membership, business_ids))


def totals_by_business(*, membership: Any) -> dict[int, list[CurrencyTotal]]:
    """Per supplier and currency (the business view of totals): two grouped queries."""
    ids = _business_ids(membership, None)
    responses = _responses(ids)
    owed = (
        FeeLine.objects.filter(response__in=responses.values("pk"), eligible=True)
        .values("currency", business=F("response__survey__supplier_id"))
        .order_by("business", "currency")
        .annotate(owed=Sum("amount"))
    )
    repaid = (
        Repayment.objects.filter(response__in=responses.values("pk"))
        .values("currency", business=F("response__survey__supplier_id"))
        .order_by("business", "currency")
        .annotate(repaid=Sum("amount"), repaid_verified=Sum("amount", filter=Q(verified_at__isnull=False)))
    )
    owed_by: dict[int, list[Any]] = {}
    repaid_by: dict[int, list[Any]] = {}
    for owed_row in owed:
        owed_by.setdefault(owed_row["business"], []).append(owed_row)
    for repaid_row in repaid:
        repaid_by.setdefault(repaid_row["business"], []).append(repaid_row)
    return {
        business: _merge(owed_by.get(business, []), repaid_by.get(business, []))
        for business in sorted(set(owed_by) | set(repaid_by))
    }


def _shortfall(verified_only: bool = True) -> QuerySet[Any]:
    """Per (response, currency) owed more than repaid: correlated on the outer response."""
    repaid_filter = Q(response_id=OuterRef("response_id"), currency=OuterRef("currency"))
    if verified_only:
        repaid_filter &= Q(verified_at__isnull=False)
    repaid = (
        Repayment.objects.filter(repaid_filter)
        .values("response_id")
        .order_by()
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        FeeLine.objects.filter(response_id=OuterRef("pk"), eligible=True)
        .values("response_id", "currency")
        .order_by()
        .annotate(owed=Sum("amount"), paid=Coalesce(Subquery(repaid), ZERO))
        .filter(owed__gt=F("paid"))
    )


def with_repayment_status(queryset: QuerySet[FeeSurveyResponse]) -> QuerySet[Any]:
    """Annotate `is_eligible` (some line eligible) and `is_reimbursed` (eligible, nothing outstanding)."""
    return queryset.annotate(
        is_eligible=Exists(FeeLine.objects.filter(response_id=OuterRef("pk"), eligible=True)),
        has_shortfall=Exists(_shortfall()),
    )


@dataclass(frozen=True)
class ReimbursedWorkers:
    eligible: int
    reimbursed: int

    @property
    def percent(self) -> float | None:
        return None if self.eligible == 0 else round(100 * self.reimbursed / self.eligible, 1)


def reimbursed_workers_for(business_ids: Iterable[int] | None = None) -> ReimbursedWorkers:
    annotated = with_repayment_status(_responses(business_ids))
    eligible = annotated.filter(is_eligible=True)
    return ReimbursedWorkers(
        eligible=eligible.values("worker_id").distinct().count(),
        reimbursed=eligible.filter(has_shortfall=False).values("worker_id").distinct().count(),
    )


def reimbursed_workers(*, membership: Any, business_ids: Iterable[int] | None = None) -> ReimbursedWorkers:
    """Impact indicator 4: eligible workers (distinct) and those fully reimbursed, as verified by them."""
    return reimbursed_workers_for(_business_ids(membership, business_ids))


def combined_repayment_totals(*, membership: Any, business_ids: Iterable[int] | None = None) -> list[CurrencyTotal]:
    """Fee-survey repayment and cases' financial remediation together, per currency, each counted once.

    Case side: `cases.Payment` rows of cases the membership reads that concern one of the businesses,
    owed = amount_owed, repaid = amount_repaid, repaid_verified = amount_repaid where verified_by_worker.
    A case payment that a survey repayment references (`Repayment.case_payment`) is left out of the case
    side: it is the same money, already counted as the survey's fee lines and repayment.
    """
    from ilm.cases.models import CaseBusiness, Payment
    from ilm.cases.selectors import case_list

    ids = _business_ids(membership, business_ids)
    survey = survey_totals_for(ids)
    concerned = CaseBusiness.objects.all() if ids is None else CaseBusiness.objects.filter(organisation_id__in=ids)
    concerned = concerned.filter(organisation__kind=OrgKind.SUPPLIER)
    payments = (
        Payment.objects.filter(
            case__in=case_list(membership=membership).values("pk"),
            case_id__in=concerned.values("case_id"),
            survey_repayment__isnull=True,
        )
        .values("currency")
        .order_by("currency")
        .annotate(
            owed=Sum("amount_owed"),
            repaid=Sum("amount_repaid"),
            repaid_verified=Sum("amount_repaid", filter=Q(verified_by_worker=True)),
        )
    )
    combined: dict[str, list[Decimal]] = {t.currency: [t.owed, t.repaid, t.repaid_verified] for t in survey}
    for row in payments:
        cell = combined.setdefault(row["currency"], [Decimal("0")] * 3)
        cell[0] += row["owed"] or 0
        cell[1] += row["repaid"] or 0
        cell[2] += row["repaid_verified"] or 0
    return [CurrencyTotal(code, *cell) for code, cell in sorted(combined.items())]


def activity_2_7(*, membership: Any, business_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Activity 2.7 (recruitment fees payment) for the businesses: surveys, workers, and money per currency."""
    ids = _business_ids(membership, business_ids)
    responses = _responses(ids)
    workers = reimbursed_workers_for(ids)
    return {
        "surveys": FeeSurvey.objects.filter(pk__in=responses.values("survey_id")).count(),
        "workers_surveyed": responses.values("worker_id").distinct().count(),
        "workers_eligible": workers.eligible,
        "workers_with_repayment": responses.filter(repayments__isnull=False).values("worker_id").distinct().count(),
        "workers_reimbursed": workers.reimbursed,
        "percent_reimbursed": workers.percent,
        "totals": survey_totals_for(ids),
    }


def small_count(value: int) -> int | None:
    """Counts a buyer reads: None (shown as "fewer than 5") under SMALL_COUNT, except zero."""
    return value if value == 0 or value >= SMALL_COUNT else None


def survey_totals_for_response(response: FeeSurveyResponse) -> list[CurrencyTotal]:
    """One worker's owed and repaid per currency (the response page)."""
    owed = (
        FeeLine.objects.filter(response=response, eligible=True)
        .values("currency")
        .order_by("currency")
        .annotate(owed=Sum("amount"))
    )
    repaid = (
        Repayment.objects.filter(response=response)
        .values("currency")
        .order_by("currency")
        .annotate(repaid=Sum("amount"), repaid_verified=Sum("amount", filter=Q(verified_at__isnull=False)))
    )
    return _merge(owed, repaid)


# --- Ethical Recruitment Networks ------------------------------------------------------------------------
#
# A network and everything recorded in it: its active members (an organisation of a member kind whose
# membership has begun and not ended today) and the technical partner. Nobody else: not a supplier, a buyer,
# an agency or CSO outside the network, nor another network's members (404, like a missing object).
# Totals are SQL aggregates; money per currency, never summed across currencies.


def active_member_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """Memberships current on `on` (today by default): begun, and not yet ended."""
    day = on or timezone.localdate()
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def _member_network_ids(membership: Any) -> QuerySet[Any] | None:
    """Ids of the networks the membership reads (a subquery); None means all of them."""
    from ilm.recruitment.permissions import ERN_MEMBER_KINDS

    if membership is None:
        return NetworkMember.objects.none().values("network_id")
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    if membership.organisation_kind not in ERN_MEMBER_KINDS:
        return NetworkMember.objects.none().values("network_id")
    return NetworkMember.objects.filter(active_member_q(), organisation_id=membership.organisation_id).values(
        "network_id"
    )


def _in_networks(queryset: QuerySet[Any], membership: Any, field: str) -> QuerySet[Any]:
    ids = _member_network_ids(membership)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def network_list(*, membership: Any) -> QuerySet[RecruitmentNetwork]:
    return _in_networks(RecruitmentNetwork.objects.select_related("origin_country"), membership, "pk")


def network_member_list(*, membership: Any) -> QuerySet[NetworkMember]:
    return _in_networks(
        NetworkMember.objects.select_related("network", "organisation", "network__origin_country"),
        membership,
        "network_id",
    )


def broker_report_list(*, membership: Any) -> QuerySet[BrokerReport]:
    return _in_networks(BrokerReport.objects.select_related("network", "reported_by"), membership, "network_id")


def outreach_event_list(*, membership: Any) -> QuerySet[OutreachEvent]:
    return _in_networks(
        OutreachEvent.objects.select_related("network", "organiser").prefetch_related("reach"),
        membership,
        "network_id",
    )


def referral_list(*, membership: Any) -> QuerySet[Referral]:
    return _in_networks(Referral.objects.select_related("network", "referred_by"), membership, "network_id")


def recording_networks(*, membership: Any) -> QuerySet[RecruitmentNetwork]:
    """Active networks the membership may record reports, events and referrals in."""
    from ilm.recruitment.permissions import ERN_RECORDERS

    if membership is None or membership.role not in ERN_RECORDERS.get(membership.organisation_kind, frozenset()):
        return RecruitmentNetwork.objects.none()
    return network_list(membership=membership).filter(is_active=True)


def referral_workers(*, membership: Any) -> QuerySet[Any]:
    """Workers a referral may point at: the acting CSO's own (recorded through cases), never erased."""
    from ilm.cases.models import Worker
    from ilm.cases.selectors import worker_list

    if membership is None or membership.organisation_kind != OrgKind.CSO:
        return Worker.objects.none()
    return worker_list(membership=membership).filter(cso_id=membership.organisation_id, erased_at__isnull=True)


def filter_by_network_and_dates(
    queryset: QuerySet[Any],
    field: str,
    *,
    network: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Any]:
    """Narrow an already scoped list: one network, `field` (a date) within [date_from, date_to]."""
    if network is not None:
        queryset = queryset.filter(network_id=network)
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": date_from})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__lte": date_to})
    return queryset


@dataclass(frozen=True)
class MoneyTotal:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class NetworkTotals:
    events: int
    reached: dict[str, int]  # gender -> jobseekers reached
    reached_total: int
    brokers_reported: int
    jobseekers_charged: int
    jobseekers_repaid: int
    referred_to_mechanism: int
    fees_charged: list[MoneyTotal]
    fees_repaid: list[MoneyTotal]
    referrals: dict[str, int]  # outcome -> referrals


def outreach_reach_for(network_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Jobseekers reached by outreach, per gender (unscoped: callers pass ids from a scoped read; the
    aggregate reach indicators read this)."""
    rows = OutreachReach.objects.all()
    if network_ids is not None:
        rows = rows.filter(event__network_id__in=list(network_ids))
    totals = dict.fromkeys(Gender.values, 0)
    for row in rows.values("gender").order_by("gender").annotate(total=Sum("count")):
        totals[row["gender"]] = row["total"] or 0
    return totals


def _money(queryset: QuerySet[Any], amount: str, currency: str) -> list[MoneyTotal]:
    rows = (
        queryset.filter(**{f"{amount}__isnull": False})
        .exclude(**{currency: ""})
        .values(currency)
        .order_by(currency)
        .annotate(total=Sum(amount))
    )
    return [MoneyTotal(row[currency], row["total"]) for row in rows]


def network_totals(network: RecruitmentNetwork) -> NetworkTotals:
    """The network page's figures: a handful of grouped queries, whatever the number of rows."""
    reports = BrokerReport.objects.filter(network=network)
    counts = reports.aggregate(
        brokers=Count("pk"),
        charged=Coalesce(Sum("jobseekers_charged"), 0),
        repaid=Coalesce(Sum("jobseekers_repaid"), 0),
        referred=Count("pk", filter=~Q(referred_to="")),
    )
    reached = outreach_reach_for([network.pk])
    referrals = dict.fromkeys(ReferralOutcome.values, 0)
    for row in Referral.objects.filter(network=network).values("outcome").order_by("outcome").annotate(n=Count("pk")):
        referrals[row["outcome"]] = row["n"]
    return NetworkTotals(
        events=OutreachEvent.objects.filter(network=network).count(),
        reached=reached,
        reached_total=sum(reached.values()),
        brokers_reported=counts["brokers"],
        jobseekers_charged=counts["charged"],
        jobseekers_repaid=counts["repaid"],
        referred_to_mechanism=counts["referred"],
        fees_charged=_money(reports, "fee_amount", "fee_currency"),
        fees_repaid=_money(reports, "repaid_amount", "repaid_currency"),
        referrals=referrals,
    )
