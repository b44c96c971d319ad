"""The one write path of the job marketplace (STYLE.md habit 1): check the rule, validate, write, record the
audit event, in one transaction. Views, the API, the demo and tests call these.

Every function that acts for an organisation takes the acting membership as `actor` and an object already
read through a selector. The jobseeker's own actions (apply, confirm through the status link) have no
membership: `actor=None`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.core import audit
from ilm.core.errors import Conflict
from ilm.jobs.models import (
    JOB_LANGUAGES,
    POSTING_LANGUAGES,
    TRANSLATED_FIELDS,
    Application,
    ApplicationMessage,
    ApplicationStatus,
    ContactKind,
    EmployerReview,
    FeeModel,
    PayPeriod,
    ReviewerKind,
    Vacancy,
    VacancyFee,
    VacancyStatus,
    VacancyTranslation,
    normalize_contact,
)
from ilm.jobs.permissions import (
    may_apply_for_jobseekers,
    may_confirm_for_worker,
    may_edit_vacancy,
    may_manage_application,
    may_message_applicant,
    may_post_jobs,
    may_translate_vacancy,
)
from ilm.jobs.selectors import token_digest
from ilm.network.models import Country, Gender, Industry, Site


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("Your role does not allow this."))


# --- input checks ------------------------------------------------------------------------------------


def parse_amount(value: Any, field: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount, e.g. 1250.50.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("Enter an amount of zero or more.")})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: _("Use at most two decimals.")})
    if amount >= Decimal("1e10"):
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def currency_code(value: Any, field: str) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError({field: _("Use an ISO 4217 currency code, such as THB, MMK or USD.")})
    return code


def _hours(value: Any, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number of hours.")}) from None
    if not hours.is_finite() or hours <= 0 or hours > limit:
        raise ValidationError({field: _("Enter between 0 and %(limit)s hours.") % {"limit": limit}})
    return hours.quantize(Decimal("0.1"))


# --- vacancies ----------------------------------------------------------------------------------------

VACANCY_FIELDS = (
    *TRANSLATED_FIELDS,
    "language",
    "openings",
    "site",
    "country",
    "industry",
    "wage_amount",
    "wage_currency",
    "pay_period",
    "hours_per_day",
    "hours_per_week",
    "fee_model",
)


def _clean_vacancy(vacancy: Vacancy, data: Mapping[str, Any]) -> list[str]:
    """Apply `data` (any of VACANCY_FIELDS) to `vacancy`, validating every value. Returns the changed fields."""
    changed = []
    errors: dict[str, list[str]] = {}
    for field in VACANCY_FIELDS:
        if field not in data:
            continue
        value = data[field]
        try:
            value = _clean_value(vacancy, field, value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            continue
        attname = f"{field}_id" if field in ("site", "country", "industry") else field
        new = value.pk if hasattr(value, "pk") else value
        if getattr(vacancy, attname) != new:
            setattr(vacancy, attname, new)
            changed.append(field)
    if errors:
        raise ValidationError(errors)
    if vacancy.site_id is None and vacancy.employer.kind == "supplier":
        raise ValidationError({"site": _("Choose one of your sites.")})
    if vacancy.site_id and vacancy.site is not None and vacancy.site.country_id != vacancy.country_id:
        raise ValidationError({"site": _("The site is in another country than the vacancy.")})
    if vacancy.wage_amount is not None and not vacancy.wage_currency:
        raise ValidationError({"wage_currency": _("Name the currency of the wage.")})
    if not vacancy.position:
        raise ValidationError({"position": _("Name the position.")})
    return changed


def _clean_value(vacancy: Vacancy, field: str, value: Any) -> Any:
    if field in TRANSLATED_FIELDS:
        text = str(value or "").strip()
        limit = getattr(Vacancy._meta.get_field(field), "max_length", None)
        if limit and len(text) > limit:
            raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
        return text
    if field == "language":
        if value not in POSTING_LANGUAGES:
            raise ValidationError({field: _("Choose a language from the list.")})
        return value
    if field == "openings":
        try:
            openings = int(value)
        except (TypeError, ValueError):
            raise ValidationError({field: _("Enter a whole number of openings.")}) from None
        if not 1 <= openings <= 10000:
            raise ValidationError({field: _("Enter between 1 and 10,000 openings.")})
        return openings
    if field == "site":
        if value is None:
            if vacancy.employer.kind == "supplier":
                raise ValidationError({field: _("Choose one of your sites.")})
            return None
        if not isinstance(value, Site) or value.supplier_id != vacancy.employer_id:
            raise ValidationError({field: _("Choose one of your own sites.")})
        return value
    if field == "country":
        if not isinstance(value, Country):
            raise ValidationError({field: _("Choose the country of the job.")})
        return value
    if field == "industry":
        if value is not None and not isinstance(value, Industry):
            raise ValidationError({field: _("Choose an industry from the list.")})
        return value
    if field == "wage_amount":
        return None if value in (None, "") else parse_amount(value, field)
    if field == "wage_currency":
        return "" if value in (None, "") else currency_code(value, field)
    if field == "pay_period":
        if value not in PayPeriod.values:
            raise ValidationError({field: _("Choose a pay period from the list.")})
        return value
    if field == "hours_per_day":
        return _hours(value, field, 24)
    if field == "hours_per_week":
        return _hours(value, field, 168)
    if field == "fee_model":
        if value not in ("", None, *FeeModel.values):
            raise ValidationError({field: _("Choose zero fees or itemised legal fees.")})
        return value or ""
    raise AssertionError(field)  # pragma: no cover


def _clean_fees(fees: Iterable[Mapping[str, Any]]) -> list[VacancyFee]:
    rows, errors = [], []
    for number, fee in enumerate(fees, start=1):
        try:
            name = str(fee.get("name") or "").strip()
            charged_by = str(fee.get("charged_by") or "").strip()
            if not name or not charged_by:
                raise ValidationError({"fees": _("Name the fee and who charges it.")})
            rows.append(
                VacancyFee(
                    name=name[:200],
                    amount=parse_amount(fee.get("amount"), "fees"),
                    currency=currency_code(fee.get("currency"), "fees"),
                    charged_by=charged_by[:200],
                    position=number,
                )
            )
        except ValidationError as exc:
            for message in exc.messages:
                errors.append(_("Fee %(number)s: %(message)s") % {"number": number, "message": message})
    if errors:
        raise ValidationError({"fees": errors})
    return rows


def _replace_fees(vacancy: Vacancy, fees: Iterable[Mapping[str, Any]] | None) -> bool:
    if fees is None:
        return False
    rows = _clean_fees(fees)
    if vacancy.fee_model == FeeModel.ZERO_FEE and rows:
        raise ValidationError({"fees": _("A zero-fee vacancy lists no fees. Choose itemised legal fees instead.")})
    old = [(f.name, f.amount, f.currency, f.charged_by) for f in vacancy.fees.all()] if vacancy.pk else []
    new = [(f.name, f.amount, f.currency, f.charged_by) for f in rows]
    if old == new:
        return False
    vacancy.fees.all().delete()
    for row in rows:
        row.vacancy = vacancy
    VacancyFee.objects.bulk_create(rows)
    return True


def _publishable(vacancy: Vacancy) -> None:
    if not vacancy.fee_model:
        raise ValidationError(
            {"fee_model": _("Fill in the fee model before publishing: zero fees, or the legal fees itemised.")}
        )
    if vacancy.fee_model == FeeModel.ITEMISED and not vacancy.fees.exists():
        raise ValidationError({"fees": _("Itemised legal fees need at least one fee before publishing.")})


@transaction.atomic
def vacancy_create(*, actor: Any, data: Mapping[str, Any], fees: Iterable[Mapping[str, Any]] = ()) -> Vacancy:
    """A draft vacancy of the actor's own organisation (a supplier or a recruitment agency)."""
    if not may_post_jobs(actor):
        raise _refuse()
    vacancy = Vacancy(employer=actor.organisation, created_by=actor)
    vacancy.language = data.get("language") or "en"
    if "country" not in data or data["country"] is None:
        raise ValidationError({"country": _("Choose the country of the job.")})
    _clean_vacancy(vacancy, data)
    vacancy.save()
    _replace_fees(vacancy, list(fees))
    audit.record("job.vacancy_created", membership=actor, obj=vacancy, detail={"fee_model": vacancy.fee_model})
    return vacancy


def _lock(vacancy: Vacancy, expected_version: int | None) -> Vacancy:
    locked = Vacancy.objects.select_for_update(of=("self",)).select_related("employer").get(pk=vacancy.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(_("Someone else changed this vacancy. Reload it and try again."))
    return locked


@transaction.atomic
def vacancy_update(
    *,
    actor: Any,
    vacancy: Vacancy,
    data: Mapping[str, Any],
    fees: Iterable[Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
) -> Vacancy:
    """Change a vacancy (draft or published). A published vacancy keeps its fee model filled in."""
    if not may_edit_vacancy(actor, vacancy):
        raise _refuse()
    vacancy = _lock(vacancy, expected_version)
    if vacancy.status == VacancyStatus.CLOSED:
        raise ValidationError(_("This vacancy is closed. Post a new one instead."))
    changed = _clean_vacancy(vacancy, data)
    fee_rows = list(fees) if fees is not None else None
    if vacancy.fee_model != FeeModel.ITEMISED and fee_rows is None and vacancy.fees.exists():
        fee_rows = []  # switching to zero fees drops the itemised fees
    vacancy.save()
    if _replace_fees(vacancy, fee_rows):
        changed.append("fees")
    if vacancy.status == VacancyStatus.PUBLISHED:
        _publishable(vacancy)
    if changed:
        vacancy.version += 1
        vacancy.save(update_fields=["version", "updated_at"])
        audit.record("job.vacancy_changed", membership=actor, obj=vacancy, detail={"fields": changed})
    return vacancy


@transaction.atomic
def vacancy_publish(*, actor: Any, vacancy: Vacancy) -> Vacancy:
    """Draft → published. Refused until the fee model is filled in (itemised needs at least one fee)."""
    if not may_edit_vacancy(actor, vacancy):
        raise _refuse()
    vacancy = _lock(vacancy, None)
    if vacancy.status != VacancyStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    _publishable(vacancy)
    vacancy.status = VacancyStatus.PUBLISHED
    vacancy.published_at = timezone.now()
    vacancy.version += 1
    vacancy.save()
    audit.record("job.vacancy_published", membership=actor, obj=vacancy, detail={"fee_model": vacancy.fee_model})
    return vacancy


@transaction.atomic
def vacancy_close(*, actor: Any, vacancy: Vacancy) -> Vacancy:
    """Published (or draft) → closed: no more applications; the pipeline goes on."""
    if not may_edit_vacancy(actor, vacancy):
        raise _refuse()
    vacancy = _lock(vacancy, None)
    if vacancy.status == VacancyStatus.CLOSED:
        raise ValidationError(_("This vacancy is already closed."))
    vacancy.status = VacancyStatus.CLOSED
    vacancy.closed_at = timezone.now()
    vacancy.version += 1
    vacancy.save()
    audit.record("job.vacancy_closed", membership=actor, obj=vacancy)
    return vacancy


@transaction.atomic
def translation_save(*, actor: Any, vacancy: Vacancy, language: str, texts: Mapping[str, Any]) -> VacancyTranslation:
    """Add or change the vacancy's text in one more language (the poster, or the technical partner)."""
    if not may_translate_vacancy(actor, vacancy):
        raise _refuse()
    if language not in JOB_LANGUAGES:
        raise ValidationError({"language": _("Choose a language from the list.")})
    if language == vacancy.language:
        raise ValidationError({"language": _("The vacancy is written in this language already.")})
    translation = VacancyTranslation.objects.select_for_update().filter(
        vacancy=vacancy, language=language
    ).first() or VacancyTranslation(vacancy=vacancy, language=language)
    errors: dict[str, list[str]] = {}
    for field in TRANSLATED_FIELDS:
        if field in texts:
            text = str(texts[field] or "").strip()
            limit = getattr(VacancyTranslation._meta.get_field(field), "max_length", None)
            if limit and len(text) > limit:
                errors.setdefault(field, []).append(_("At most %(limit)s characters.") % {"limit": limit})
            setattr(translation, field, text)
    if not translation.position:
        errors.setdefault("position", []).append(_("Translate the position at least."))
    if errors:
        raise ValidationError(errors)
    created = translation.pk is None
    translation.translated_by = actor
    translation.save()
    audit.record(
        "job.vacancy_translated",
        membership=actor,
        obj=vacancy,
        detail={"language": language, "created": created},
    )
    return translation


# --- applications -------------------------------------------------------------------------------------


def _duplicate() -> ValidationError:
    return ValidationError({"contact": _("This phone or handle has already applied to this vacancy.")})


@transaction.atomic
def application_submit(
    *,
    vacancy: Vacancy,
    full_name: str,
    contact_kind: str,
    contact: str,
    nationality: Country | None,
    consent: bool,
    gender: str = Gender.OTHER,
    language: str = "en",
    actor: Any = None,
) -> tuple[Application, str]:
    """A jobseeker applies (actor None), or a CSO member applies for them. Returns the application and the
    secret of its private status link (shown once; only its digest is kept)."""
    if actor is not None and not may_apply_for_jobseekers(actor):
        raise _refuse()
    locked = Vacancy.objects.select_for_update(of=("self",)).get(pk=vacancy.pk)
    if locked.status != VacancyStatus.PUBLISHED:
        raise ValidationError(_("This vacancy is closed to applications."))
    errors: dict[str, str] = {}
    full_name = " ".join(str(full_name or "").split())
    contact = str(contact or "").strip()
    if not full_name:
        errors["full_name"] = _("Write the jobseeker's name.")
    elif len(full_name) > 200:
        errors["full_name"] = _("At most 200 characters.")
    if contact_kind not in ContactKind.values:
        errors["contact_kind"] = _("Choose how the employer can reach the jobseeker.")
    if not contact or not normalize_contact(contact):
        errors["contact"] = _("Write a phone number or messaging handle.")
    elif len(contact) > 100:
        errors["contact"] = _("At most 100 characters.")
    if nationality is None:
        errors["nationality"] = _("Choose the nationality.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose a gender from the list, or leave it unstated.")
    if not consent:
        errors["consent"] = _("The jobseeker must agree to share their details with this employer.")
    if errors:
        raise ValidationError(errors)
    application = Application(
        vacancy=locked,
        full_name=full_name,
        contact_kind=contact_kind,
        contact=contact,
        nationality=nationality,
        gender=gender or Gender.OTHER,
        language=language if language in POSTING_LANGUAGES else "en",
        consent_share_with_employer=True,
        consent_at=timezone.now(),
        via_cso_id=actor.organisation_id if actor is not None else None,
        submitted_by=actor,
    )
    index = Application._meta.get_field("contact_index").compute(contact)
    if Application.objects.filter(vacancy=locked, contact_index=index).exists():
        raise _duplicate()
    token = secrets.token_urlsafe(24)
    application.token_digest = token_digest(token)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # the same contact at the same moment
        raise _duplicate() from exc
    audit.record(
        "job.application_submitted",
        membership=actor,
        obj=application,
        actor_label="" if actor is not None else "jobseeker",
        detail={"vacancy": locked.pk, "via_cso": application.via_cso_id},
    )
    return application, token


def application_identity_viewed(*, actor: Any, application: Application, via: str) -> None:
    """Record that the actor saw the applicant's identity (a page, an API read)."""
    audit.record("job.application_identity_viewed", membership=actor, obj=application, detail={"via": via})


# Which pipeline step leads where: (allowed from, timestamp field).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ApplicationStatus.SHORTLISTED: (frozenset({ApplicationStatus.APPLIED}), "shortlisted_at"),
    ApplicationStatus.OFFERED: (frozenset({ApplicationStatus.APPLIED, ApplicationStatus.SHORTLISTED}), "offered_at"),
    ApplicationStatus.HIRED: (frozenset({ApplicationStatus.OFFERED}), "hired_at"),
    ApplicationStatus.REJECTED: (
        frozenset({ApplicationStatus.APPLIED, ApplicationStatus.SHORTLISTED, ApplicationStatus.OFFERED}),
        "rejected_at",
    ),
}


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("vacancy", "vacancy__employer")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_move(*, actor: Any, application: Application, status: str) -> Application:
    """The employer shortlists, offers, records the hire, or rejects."""
    if not may_manage_application(actor, application):
        raise _refuse()
    if status not in TRANSITIONS:
        raise ValidationError({"status": _("Choose shortlist, offer, hire or reject.")})
    application = _lock_application(application)
    allowed, stamp = TRANSITIONS[status]
    if application.status not in allowed:
        raise ValidationError(
            {
                "status": _("An application that is %(current)s cannot move to %(wanted)s.")
                % {
                    "current": application.get_status_display().lower(),
                    "wanted": ApplicationStatus(status).label.lower(),
                }
            }
        )
    previous = application.status
    application.status = status
    setattr(application, stamp, timezone.now())
    application.version += 1
    application.save()
    audit.record("job.application_moved", membership=actor, obj=application, detail={"from": previous, "to": status})
    return application


@transaction.atomic
def application_message(
    *, application: Application, text: str, actor: Any = None, from_applicant: bool = False
) -> ApplicationMessage:
    """A message on the application: the employer or the helping CSO (actor), or the applicant (through the
    status link: actor None, from_applicant True)."""
    if from_applicant:
        if actor is not None:
            raise _refuse()
    elif not may_message_applicant(actor, application):
        raise _refuse()
    text = str(text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the message.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("At most 2,000 characters.")})
    message = ApplicationMessage.objects.create(
        application=application,
        author=actor,
        author_organisation_id=getattr(actor, "organisation_id", None),
        from_applicant=from_applicant,
        text=text,
    )
    audit.record(
        "job.application_messaged",
        membership=actor,
        obj=application,
        actor_label="jobseeker" if from_applicant else "",
        detail={"message": message.pk},
    )
    return message


@transaction.atomic
def hire_confirm(
    *, application: Application, paid_nothing_extra: bool | None, paid_details: str = "", actor: Any = None
) -> Application:
    """The hired worker says whether they paid anything beyond the itemised legal fees (through the status
    link: actor None), or the CSO that helped records it for them."""
    if actor is not None and not may_confirm_for_worker(actor, application):
        raise _refuse()
    application = _lock_application(application)
    if application.status != ApplicationStatus.HIRED:
        raise ValidationError(_("Only a hire can be confirmed."))
    if paid_nothing_extra is None:
        raise ValidationError({"paid_nothing_extra": _("Answer yes or no.")})
    paid_details = str(paid_details or "").strip()
    if not paid_nothing_extra and not paid_details:
        raise ValidationError({"paid_details": _("Say what was paid, to whom, and how much.")})
    if len(paid_details) > 2000:
        raise ValidationError({"paid_details": _("At most 2,000 characters.")})
    application.paid_nothing_extra = paid_nothing_extra
    application.paid_details = "" if paid_nothing_extra else paid_details
    application.confirmed_at = timezone.now()
    application.confirmed_by = actor
    application.version += 1
    application.save()
    audit.record(
        "job.hire_confirmed",
        membership=actor,
        obj=application,
        actor_label="" if actor is not None else "jobseeker",
        detail={"paid_nothing_extra": paid_nothing_extra},
    )
    return application


@transaction.atomic
def review_submit(*, application: Application, rating: Any, comment: str = "", actor: Any = None) -> EmployerReview:
    """The hired worker (through the status link: actor None) or the CSO that helped them rates the employer
    or agency behind the hire, once each."""
    if actor is not None and not may_confirm_for_worker(actor, application):
        raise _refuse()
    application = _lock_application(application)
    if application.status != ApplicationStatus.HIRED:
        raise ValidationError(_("Only a hire can be reviewed."))
    try:
        stars = int(rating)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5 stars.")})
    comment = str(comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("At most 2,000 characters.")})
    kind = ReviewerKind.WORKER if actor is None else ReviewerKind.CSO
    if EmployerReview.objects.filter(application=application, reviewer_kind=kind).exists():
        raise ValidationError(_("This hire has already been reviewed."))
    review = EmployerReview.objects.create(
        application=application,
        employer_id=application.vacancy.employer_id,
        reviewer_kind=kind,
        reviewer_organisation_id=getattr(actor, "organisation_id", None),
        author=actor,
        rating=stars,
        comment=comment,
    )
    audit.record(
        "job.employer_reviewed",
        membership=actor,
        obj=review,
        actor_label="jobseeker" if actor is None else "",
        detail={"application": application.pk, "rating": stars},
    )
    return review
