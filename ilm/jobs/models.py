"""The job marketplace (DOMAIN.md §10): vacancies posted by suppliers and recruitment agencies, their
translations and fee models, jobseekers' applications (identity encrypted), the employer's pipeline, and
the hired worker's confirmation that the job cost them nothing beyond the itemised legal fees.

Vacancy states: draft → published → closed. Only published vacancies are public. An application's
identity (name, phone or messaging handle) lives only in encrypted fields with a blind index for
duplicates; it is shown to the employer of the vacancy, the CSO that helped, and the technical partner,
and every view of it is audited.
"""

from __future__ import annotations

from typing import ClassVar

import phonenumbers
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilm.core.fields import BlindIndexField, EncryptedTextField
from ilm.core.models import TimestampedModel
from ilm.network.models import Gender

# The languages a vacancy is translated into; the poster may write in any channel language.
JOB_LANGUAGES = ("en", "th", "my", "km", "ne")
POSTING_LANGUAGES = ("en", "th", "my", "km", "ne", "lo", "vi", "id", "ms", "bn", "hi")


def language_choices(codes: tuple[str, ...] = POSTING_LANGUAGES) -> list[tuple[str, str]]:
    from ilm.core.languages import NATIVE_NAMES

    return [(code, NATIVE_NAMES.get(code, code)) for code in codes]


def normalize_contact(value: str) -> str:
    """E.164 for a phone number (as ilm.cases does), else the handle without spaces, case-folded."""
    text = value.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if text and len(digits) >= 6 and all(ch.isdigit() or ch in "+ -()." for ch in text):
        try:
            number = phonenumbers.parse(text, None if text.startswith("+") else "TH")
            if phonenumbers.is_possible_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            pass
        return digits
    return "".join(text.split()).casefold().lstrip("@")


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class FeeModel(models.TextChoices):
    ZERO_FEE = "zero_fee", _("Zero fees for workers (employer pays)")
    ITEMISED = "itemised", _("Legal fees, itemised")


class PayPeriod(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    PIECE = "piece", _("per piece")


# The free-text fields of a vacancy that a translation repeats in another language.
TRANSLATED_FIELDS: tuple[str, ...] = (
    "position",
    "overtime",
    "days_off",
    "contract_length",
    "accommodation",
    "food",
    "transport",
    "benefits",
    "requirements",
    "documents_needed",
    "timeline",
)


class VacancyTexts(models.Model):
    """The free-text part of a vacancy, in one language."""

    position = models.CharField(_("position"), max_length=200)
    overtime = models.TextField(_("overtime"), blank=True)
    days_off = models.TextField(_("days off"), blank=True)
    contract_length = models.CharField(_("contract length"), max_length=200, blank=True)
    accommodation = models.TextField(_("accommodation"), blank=True)
    food = models.TextField(_("food"), blank=True)
    transport = models.TextField(_("transport"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    documents_needed = models.TextField(_("documents needed"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)

    class Meta:
        abstract = True


class Vacancy(VacancyTexts, TimestampedModel):
    employer = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="vacancies", verbose_name=_("employer")
    )
    status = models.CharField(_("status"), max_length=16, choices=VacancyStatus.choices, default=VacancyStatus.DRAFT)
    language = models.CharField(_("language written in"), max_length=8, default="en")
    openings = models.PositiveIntegerField(_("openings"), default=1)
    site = models.ForeignKey(
        "network.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    country = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    industry = models.ForeignKey(
        "network.Industry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("industry"),
    )
    wage_amount = models.DecimalField(_("wage"), max_digits=12, decimal_places=2, null=True, blank=True)
    wage_currency = models.CharField(_("wage currency"), max_length=3, blank=True)
    pay_period = models.CharField(_("pay period"), max_length=8, choices=PayPeriod.choices, default=PayPeriod.MONTH)
    hours_per_day = models.DecimalField(_("hours per day"), max_digits=4, decimal_places=1, null=True, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=5, decimal_places=1, null=True, blank=True)
    fee_model = models.CharField(_("fee model"), max_length=16, choices=FeeModel.choices, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "country"], name="jobs_vacancy_status_country")]

    def __str__(self) -> str:
        return f"{self.position} ({self.employer_id})"

    def audit_organisation_id(self) -> int:
        return self.employer_id

    @property
    def is_public(self) -> bool:
        return self.status == VacancyStatus.PUBLISHED


class VacancyFee(models.Model):
    """One legal fee of an itemised fee model: what it is, how much, and who charges it."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("fee"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    charged_by = models.CharField(_("charged by"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("legal fee")
        verbose_name_plural = _("legal fees")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.amount} {self.currency}"


class VacancyTranslation(VacancyTexts, TimestampedModel):
    vacancy = models.ForeignKey(Vacancy, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8)
    translated_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vacancy translation")
        verbose_name_plural = _("vacancy translations")
        ordering = ["language"]
        indexes = [models.Index(fields=["language", "vacancy"], name="jobs_translation_language")]
        constraints = [
            models.UniqueConstraint(fields=["vacancy", "language"], name="one_translation_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.vacancy_id} [{self.language}]"

    def audit_organisation_id(self) -> int:
        return self.vacancy.employer_id


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    OFFERED = "offered", _("Offered")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Not selected")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LINE = "line", _("LINE")
    VIBER = "viber", _("Viber")
    MESSENGER = "messenger", _("Facebook Messenger")
    TELEGRAM = "telegram", _("Telegram")


class Application(TimestampedModel):
    """A jobseeker's application to one vacancy. Identity encrypted; `contact_index` finds duplicates."""

    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, related_name="applications")
    full_name = EncryptedTextField(_("name"), purpose="jobs.application.full_name")
    contact_kind = models.CharField(_("contact by"), max_length=16, choices=ContactKind.choices)
    contact = EncryptedTextField(_("phone or messaging handle"), purpose="jobs.application.contact")
    contact_index = BlindIndexField(source="contact", normalizer="ilm.jobs.models.normalize_contact")
    nationality = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("nationality")
    )
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.OTHER)
    language = models.CharField(_("language"), max_length=8, default="en")
    consent_share_with_employer = models.BooleanField(_("consents to share with this employer"), default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    via_cso = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_applications_helped",
        verbose_name=_("applied through CSO"),
    )
    submitted_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    shortlisted_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    hired_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    # The hired worker's word: paid nothing beyond the itemised legal fees (True), or paid more (False).
    paid_nothing_extra = models.BooleanField(_("paid nothing beyond the legal fees"), null=True, blank=True)
    paid_details = EncryptedTextField(_("what was paid"), purpose="jobs.application.paid_details", blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("full_name", "contact")

    class Meta:
        verbose_name = _("job application")
        verbose_name_plural = _("job applications")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vacancy", "contact_index"],
                name="one_application_per_contact_per_vacancy",
                violation_error_message=_("This phone or handle has already applied to this vacancy."),
            ),
            models.CheckConstraint(
                condition=Q(consent_share_with_employer=True),
                name="application_has_consent",
                violation_error_message=_("The jobseeker must agree to share their details with this employer."),
            ),
        ]

    def __str__(self) -> str:  # never the name: str() ends up in logs and error pages
        return f"A{self.pk}"

    @property
    def label(self) -> str:
        return f"A{self.pk}"

    def audit_organisation_id(self) -> int:
        return self.vacancy.employer_id


class ApplicationMessage(models.Model):
    """A message on an application: from the employer, from the helping CSO, or from the applicant."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_applicant = models.BooleanField(default=False)
    text = EncryptedTextField(_("message"), purpose="jobs.application_message.text")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application message")
        verbose_name_plural = _("application messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"M{self.pk} on A{self.application_id}"


class ReviewerKind(models.TextChoices):
    WORKER = "worker", _("The worker")
    CSO = "cso", _("The CSO that helped")


# An employer's rating is shown only once this many reviews exist: fewer could point to a person.
REVIEWS_SHOWN_FROM = 5


class EmployerReview(TimestampedModel):
    """A rating (1-5, with an optional comment) of the employer or agency behind a hire: by the hired worker
    (through the status link) or by the CSO that helped them. Shown only aggregated, and only from
    REVIEWS_SHOWN_FROM reviews on; never with the reviewer or the application."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="reviews")
    employer = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="job_reviews", verbose_name=_("employer")
    )
    reviewer_kind = models.CharField(_("reviewed by"), max_length=8, choices=ReviewerKind.choices)
    reviewer_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = EncryptedTextField(_("comment"), purpose="jobs.employer_review.comment", blank=True)

    class Meta:
        verbose_name = _("employer review")
        verbose_name_plural = _("employer reviews")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="employer_review_rating_1_to_5"),
            models.UniqueConstraint(
                fields=["application", "reviewer_kind"],
                name="one_review_per_application_and_reviewer",
                violation_error_message=_("This hire has already been reviewed."),
            ),
        ]

    def __str__(self) -> str:
        return f"R{self.pk} of {self.employer_id}"

    def audit_organisation_id(self) -> int:
        return self.employer_id
