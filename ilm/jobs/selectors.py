"""What each membership (or the public) may read of the job marketplace. The only place these rules live.

Vacancies (every state, with fees and translations):
    technical partner: all; a supplier or recruitment agency: its own; everyone else: none.
Public vacancies: the published ones, for anyone (no account needed); plus, as a preview, the ones the
    acting membership reads above (a draft is not public).
Applications and their messages:
    technical partner: all; the employer: those to its own vacancies; a CSO: those it submitted for
    jobseekers; everyone else (buyers included): none (404).
An applicant reads their own application through its private status link (`application_by_token`).

Reach indicators 3, 4 and 5 (DOMAIN.md §8) are aggregated in SQL over the same scopes.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ilm.core.permissions import Action, OrgKind, can
from ilm.jobs.models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    FeeModel,
    Vacancy,
    VacancyFee,
    VacancyStatus,
    VacancyTranslation,
)
from ilm.jobs.permissions import EMPLOYER_KINDS
from ilm.network.models import Site


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- vacancies ----------------------------------------------------------------------------------------


def _vacancy_q(membership: Any) -> Q | None:
    """Vacancies the membership manages or oversees; None means all."""
    if membership is None:
        return Q(pk__in=[])
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    if membership.organisation_kind in EMPLOYER_KINDS:
        return Q(employer_id=membership.organisation_id)
    return Q(pk__in=[])


def vacancy_list(*, membership: Any) -> QuerySet[Vacancy]:
    """Vacancies in every state that the membership manages (its own) or oversees (technical partner)."""
    queryset = Vacancy.objects.select_related("employer", "country", "industry", "site")
    q = _vacancy_q(membership)
    return queryset if q is None else queryset.filter(q)


def public_vacancy_list(*, membership: Any = None) -> QuerySet[Vacancy]:
    """Published vacancies for everyone; the acting membership's own in any state too (as a preview)."""
    visible = Q(status=VacancyStatus.PUBLISHED)
    if membership is not None:
        own = _vacancy_q(membership)
        visible = Q() if own is None else visible | own
    return Vacancy.objects.filter(visible).select_related("employer", "country", "industry", "site")


def with_public_details(queryset: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    """Fees and translations in two more queries, whatever the number of vacancies."""
    return queryset.prefetch_related(
        Prefetch("fees", queryset=VacancyFee.objects.order_by("position", "id")),
        Prefetch("translations", queryset=VacancyTranslation.objects.order_by("language")),
    )


@dataclass(frozen=True)
class VacancyFilter:
    country: str = ""
    industry: str = ""
    language: str = ""
    fee_model: str = ""


def filter_vacancies(queryset: QuerySet[Vacancy], wanted: VacancyFilter) -> QuerySet[Vacancy]:
    if wanted.country:
        queryset = queryset.filter(country_id=wanted.country)
    if wanted.industry:
        queryset = queryset.filter(Q(industry_id=wanted.industry) | Q(industry__parent_id=wanted.industry))
    if wanted.language:
        queryset = queryset.filter(
            Q(language=wanted.language)
            | Exists(VacancyTranslation.objects.filter(vacancy=OuterRef("pk"), language=wanted.language))
        )
    if wanted.fee_model:
        queryset = queryset.filter(fee_model=wanted.fee_model)
    return queryset


def vacancy_in_language(vacancy: Vacancy, language: str) -> tuple[dict[str, str], bool]:
    """The vacancy's texts in `language` when written or translated in it; else the original.

    Returns (texts, translated) where `translated` is False when the original had to be shown instead."""
    from ilm.jobs.models import TRANSLATED_FIELDS

    if vacancy.language == language:
        return {f: getattr(vacancy, f) for f in TRANSLATED_FIELDS}, True
    for translation in vacancy.translations.all():
        if translation.language == language:
            return {f: getattr(translation, f) or getattr(vacancy, f) for f in TRANSLATED_FIELDS}, True
    return {f: getattr(vacancy, f) for f in TRANSLATED_FIELDS}, False


# --- applications -------------------------------------------------------------------------------------


def _application_q(membership: Any, prefix: str = "") -> Q | None:
    if membership is None:
        return Q(pk__in=[])
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    kind = membership.organisation_kind
    if kind in EMPLOYER_KINDS:
        return Q(**{f"{prefix}vacancy__employer_id": membership.organisation_id})
    if kind == OrgKind.CSO:
        return Q(**{f"{prefix}via_cso_id": membership.organisation_id})
    return Q(pk__in=[])


def application_list(*, membership: Any) -> QuerySet[Application]:
    queryset = Application.objects.select_related("vacancy", "vacancy__employer", "nationality", "via_cso")
    q = _application_q(membership)
    return queryset if q is None else queryset.filter(q)


def application_message_list(*, membership: Any) -> QuerySet[ApplicationMessage]:
    queryset = ApplicationMessage.objects.select_related("author_organisation", "author__user")
    q = _application_q(membership, "application__")
    return queryset if q is None else queryset.filter(q)


def application_by_token(token: str) -> Application | None:
    """The applicant's own application, from the private status link (None for an unknown link)."""
    if not token or len(token) > 100:
        return None
    return (
        Application.objects.select_related("vacancy", "vacancy__employer", "vacancy__country")
        .filter(token_digest=token_digest(token))
        .first()
    )


def pipeline_counts(vacancies: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    """Per vacancy, how many applications are in each state (one query)."""
    return vacancies.annotate(
        application_count=Count("applications"),
        **{
            f"{status}_count": Count("applications", filter=Q(applications__status=status))
            for status in ApplicationStatus.values
        },
    )


# --- reach indicators 3, 4 and 5 ---------------------------------------------------------------------


def _window(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """`field` (a datetime) on or after `date_from` and on or before `date_to`, in the local calendar."""
    q = Q()
    zone = timezone.get_current_timezone()
    if date_from is not None:
        q &= Q(**{f"{field}__gte": datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)})
    if date_to is not None:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        q &= Q(**{f"{field}__lt": end})
    return q


def through_ern_q() -> Exists:
    """The application was made through an organisation that, on the day it applied, was a member of an
    Ethical Recruitment Network of the jobseeker's origin country (their nationality): it joined on or before
    that day (the application's local date) and had not left by then. Only the via organisation (`via_cso`)
    counts, not the employer."""
    from ilm.recruitment.models import NetworkMember

    applied_on = OuterRef("created_at__date")
    return Exists(
        NetworkMember.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=applied_on),
            organisation_id=OuterRef("via_cso_id"),
            network__origin_country_id=OuterRef("nationality_id"),
            joined_on__lte=applied_on,
        )
    )


def reach_offers_through_erns(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, int]:
    """Reach 3: jobseekers offered a job (offer made in the window, whatever happened next), and how many
    of them were reached at the first mile through an Ethical Recruitment Network: the organisation that
    applied for them (`via_cso`) was, on the day of the application, an active member of the ERN of the
    jobseeker's origin country (`through_ern_q`). A CSO outside every ERN, or in another country's ERN,
    does not count; nor does an application made before the organisation joined or after it left."""
    offered = application_list(membership=membership).filter(_window("offered_at", date_from, date_to))
    return offered.aggregate(
        offered=Count("pk"),
        through_ern=Count("pk", filter=Q(through_ern_q())),
    )


def reach_zero_cost_vacancies(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, int]:
    """Reach 4: vacancies published in the window (advertised transparently and comprehensively on the
    marketplace: publishing requires the fee model), and how many at no cost to workers."""
    published = vacancy_list(membership=membership).filter(
        Q(published_at__isnull=False) & _window("published_at", date_from, date_to)
    )
    return published.aggregate(
        published=Count("pk"),
        zero_cost=Count("pk", filter=Q(fee_model=FeeModel.ZERO_FEE)),
        openings_zero_cost=Coalesce(Sum("openings", filter=Q(fee_model=FeeModel.ZERO_FEE)), 0),
    )


def reach_zero_cost_hires(
    *, membership: Any, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, int]:
    """Reach 5: hires whose worker confirmed (in the window) what the job cost them. `zero_cost` are those at
    a zero-fee vacancy who paid nothing; `within_legal_fees` paid only the itemised legal fees; `paid_more`
    said they paid beyond them."""
    confirmed = application_list(membership=membership).filter(
        Q(status=ApplicationStatus.HIRED, confirmed_at__isnull=False) & _window("confirmed_at", date_from, date_to)
    )
    return confirmed.aggregate(
        confirmed=Count("pk"),
        zero_cost=Count("pk", filter=Q(paid_nothing_extra=True, vacancy__fee_model=FeeModel.ZERO_FEE)),
        within_legal_fees=Count("pk", filter=Q(paid_nothing_extra=True, vacancy__fee_model=FeeModel.ITEMISED)),
        paid_more=Count("pk", filter=Q(paid_nothing_extra=False)),
    )


def own_sites(*, membership: Any) -> QuerySet[Site]:
    """The active sites a supplier may post a vacancy at: its own."""
    if membership is None or membership.organisation_kind not in EMPLOYER_KINDS:
        return Site.objects.none()
    return Site.objects.filter(supplier_id=membership.organisation_id, is_active=True)


# --- employer reviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmployerRating:
    count: int
    average: float


def employer_ratings(employer_ids: Iterable[int]) -> dict[int, EmployerRating]:
    """Each employer's average rating, for those with at least REVIEWS_SHOWN_FROM reviews (the others are
    left out, so that a rating never points to one worker). Comments are not shown: a few words can name
    a person. One query, whatever the number of employers."""
    from ilm.jobs.models import REVIEWS_SHOWN_FROM, EmployerReview

    rows = (
        EmployerReview.objects.filter(employer_id__in=list(employer_ids))
        .values("employer_id")
        .annotate(count=Count("pk"), average=Avg("rating"))
        .filter(count__gte=REVIEWS_SHOWN_FROM)
        .order_by()
    )
    return {row["employer_id"]: EmployerRating(row["count"], round(float(row["average"]), 1)) for row in rows}


def review_of(application: Application, *, by_worker: bool) -> bool:
    """Whether the worker (or the CSO that helped) has already reviewed this hire."""
    from ilm.jobs.models import EmployerReview, ReviewerKind

    kind = ReviewerKind.WORKER if by_worker else ReviewerKind.CSO
    return EmployerReview.objects.filter(application=application, reviewer_kind=kind).exists()
