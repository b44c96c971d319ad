"""Cases: contacts and workers, cases and their issues, business responses and actions, worker
validation, financial remediation, attachments, identity reveals and notifications (DOMAIN.md §3).

Worker identity lives only in encrypted fields (names, numbers, handles, documents, free-text notes a
caseworker writes). What a business may ever see of a case is the shareable summary, the issues'
categories, counts, flags and shareable descriptions, actions, business-visible updates and dates.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

import phonenumbers
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ilm.core.fields import BlindIndexField, EncryptedTextField
from ilm.core.models import TimestampedModel
from ilm.network.models import Gender

# --- the issue taxonomy (data, extended by the technical partner) ---------------------------------


class CategoryGroup(models.TextChoices):
    FORCED_LABOUR = "forced_labour", _("ILO indicator of forced labour")
    RECRUITMENT = "recruitment", _("Recruitment")
    WORKING_CONDITIONS = "working_conditions", _("Working and living conditions")
    OTHER = "other", pgettext_lazy("category group", "Other")


# Names of the seeded categories, marked for translation (the data migration stores the English).
CATEGORY_LABELS = {
    "abuse_of_vulnerability": _("Abuse of vulnerability"),
    "deception": _("Deception"),
    "restriction_of_movement": _("Restriction of movement"),
    "isolation": _("Isolation"),
    "physical_sexual_violence": _("Physical and sexual violence"),
    "intimidation_threats": _("Intimidation and threats"),
    "retention_of_documents": _("Retention of identity documents"),
    "withholding_of_wages": _("Withholding of wages"),
    "debt_bondage": _("Debt bondage"),
    "abusive_conditions": _("Abusive working and living conditions"),
    "excessive_overtime": _("Excessive overtime"),
    "recruitment_fees": _("Recruitment fees and costs"),
    "contract_substitution": _("Contract substitution"),
    "wages_deductions": _("Wages and deductions"),
    "working_hours": _("Working hours"),
    "occupational_safety_health": _("Occupational safety and health"),
    "housing_canteen": _("Housing, dormitory and canteen"),
    "discrimination_harassment": _("Discrimination and harassment"),
    "grievance_handling": _("Grievance handling"),
    "freedom_of_association": _("Freedom of association"),
    "child_labour": _("Child labour"),
    "social_security": _("Social security"),
    "leave": _("Leave"),
    "termination": _("Termination"),
    "other": pgettext_lazy("issue category", "Other"),
}


class IssueCategory(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    group = models.CharField(_("group"), max_length=32, choices=CategoryGroup.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("In English."))
    names = models.JSONField(_("names in other languages"), default=dict, blank=True)
    is_forced_labour_indicator = models.BooleanField(_("ILO forced-labour indicator"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("issue category")
        verbose_name_plural = _("issue categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        if self.code in CATEGORY_LABELS:
            return str(CATEGORY_LABELS[self.code])
        language = translation.get_language() or "en"
        return str(self.names.get(language) or self.names.get(language.split("-")[0]) or self.name)


# --- workers --------------------------------------------------------------------------------------


def normalize_phone(value: str) -> str:
    """E.164 when the number parses (with or without a country code), else its digits."""
    try:
        number = phonenumbers.parse(value, None if value.strip().startswith("+") else "TH")
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return "".join(ch for ch in value if ch.isdigit())


def normalize_identifier(value: str) -> str:
    return "".join(value.split()).casefold()


class WorkerKind(models.TextChoices):
    WORKER = "worker", _("Worker")
    JOBSEEKER = "jobseeker", _("Jobseeker")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18 = "18_24", _("18–24")
    FROM_25 = "25_34", _("25–34")
    FROM_35 = "35_44", _("35–44")
    FROM_45 = "45_54", _("45–54")
    FROM_55 = "55_plus", _("55 and over")
    UNKNOWN = "unknown", _("Not known")


class Worker(TimestampedModel):
    """A worker or jobseeker known to one CSO. Identity is encrypted; demographics are in clear for
    statistics; consent flags record who recorded them and when."""

    cso = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="workers", verbose_name=_("CSO")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=WorkerKind.choices, default=WorkerKind.WORKER)
    full_name = EncryptedTextField(_("name"), purpose="cases.worker.full_name", blank=True)
    name_index = BlindIndexField(source="full_name", normalizer="ilm.core.fields.normalize_text")
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.OTHER)
    nationality = models.ForeignKey(
        "network.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    age_band = models.CharField(_("age"), max_length=16, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    job = models.CharField(_("job"), max_length=120, blank=True)
    site = models.ForeignKey(
        "network.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    recruitment_agency = models.ForeignKey(
        "network.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recruitment agency"),
    )
    origin_area = models.CharField(_("area of origin"), max_length=120, blank=True)
    consent_share_identity = models.BooleanField(_("may share identity with the business"), default=False)
    consent_share_identity_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_share_identity_at = models.DateTimeField(null=True, blank=True)
    consent_contact_for_validation = models.BooleanField(_("may be contacted to validate remediation"), default=False)
    consent_contact_for_validation_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_contact_for_validation_at = models.DateTimeField(null=True, blank=True)
    consent_statistics = models.BooleanField(_("may be counted in anonymised statistics"), default=False)
    consent_statistics_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_statistics_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(_("identity erased"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["name_index"])

    CONSENTS: ClassVar[tuple[str, ...]] = ("share_identity", "contact_for_validation", "statistics")

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["-id"]

    def __str__(self) -> str:  # never the name: str() ends up in logs and error pages
        return f"{self.get_kind_display()} W{self.pk}"

    @property
    def label(self) -> str:
        return f"W{self.pk}"

    def audit_organisation_id(self) -> int:
        return self.cso_id


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LINE = "line", _("LINE")
    VIBER = "viber", _("Viber")
    MESSENGER = "messenger", _("Facebook Messenger")
    TELEGRAM = "telegram", _("Telegram")
    PASSPORT = "passport", _("Passport number")
    ID_CARD = "id_card", _("Identity card number")
    WORK_PERMIT = "work_permit", _("Work permit number")
    OTHER = "other", pgettext_lazy("identifier", "Other")


class WorkerIdentifier(models.Model):
    """A phone number, messaging handle or document number of a worker: encrypted, with a blind index
    that finds the same value again (duplicate warnings; the Channels issue matches senders by it)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=16, choices=IdentifierKind.choices)
    value = EncryptedTextField(_("value"), purpose="cases.worker_identifier.value")
    value_index = BlindIndexField(source="value", normalizer="ilm.cases.models.normalize_identifier_value")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["value_index"])

    class Meta:
        verbose_name = _("worker identifier")
        verbose_name_plural = _("worker identifiers")
        indexes = [models.Index(fields=["kind", "value_index"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of W{self.worker_id}"


def normalize_identifier_value(value: str) -> str:
    """Phones as E.164 (any kind that looks like a number), handles and documents case-folded."""
    stripped = value.strip()
    looks_like_number = all(ch.isdigit() or ch in "+-() ." for ch in stripped)
    if stripped and looks_like_number and sum(ch.isdigit() for ch in stripped) >= 6:
        return normalize_phone(stripped)
    return normalize_identifier(stripped)


# --- contacts -----------------------------------------------------------------------------------


class ContactWho(models.TextChoices):
    WORKER = "worker", _("Worker")
    JOBSEEKER = "jobseeker", _("Jobseeker")
    FAMILY = "family", _("Family member")
    OTHER = "other", pgettext_lazy("contact who", "Other")


class ContactPurpose(models.TextChoices):
    INFORMATION = "information", _("Information request")
    ASSISTANCE = "assistance", _("Assistance request")
    ISSUE_REPORT = "issue_report", _("Issue report")


class Contact(TimestampedModel):
    """A call, message or visit a caseworker logs (the Channels issue creates them from messages)."""

    cso = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="contacts", verbose_name=_("CSO")
    )
    channel = models.ForeignKey(
        "network.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("channel"),
    )
    occurred_at = models.DateTimeField(_("when"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    who = models.CharField(_("who"), max_length=16, choices=ContactWho.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=ContactPurpose.choices)
    notes = EncryptedTextField(_("notes"), purpose="cases.contact.notes", blank=True)
    worker = models.ForeignKey(
        Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts", verbose_name=_("worker")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts", verbose_name=_("case")
    )
    logged_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"Contact {self.pk} ({self.get_purpose_display()})"

    def audit_organisation_id(self) -> int:
        return self.cso_id


# --- cases ---------------------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSED = "assessed", _("Assessed")
    SHARED = "shared", _("Shared with the business")
    IN_REMEDIATION = "in_remediation", _("Business responding / remediation in progress")
    AWAITING_VALIDATION = "awaiting_validation", _("Awaiting worker validation")
    CLOSED = "closed", _("Closed")


class Closure(models.TextChoices):
    RESOLVED = "resolved", _("Resolved (validated by the worker)")
    UNRESOLVED = "unresolved", _("Unresolved")
    WITHDREW = "withdrew", _("Worker withdrew")
    DUPLICATE = "duplicate", _("Duplicate")
    REFERRED = "referred", _("Referred elsewhere")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


def search_text_of(reference: str, summary: str, descriptions: Iterable[str]) -> str:
    """What the case list's search reads, normalised as `search_term` normalises a query."""
    return search_term("\n".join([reference, summary, *descriptions]))


def search_term(text: str) -> str:
    return text.strip().upper()


def new_case_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    chars = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"C-{chars[:4]}-{chars[4:]}"


class Case(TimestampedModel):
    reference = models.CharField(_("reference"), max_length=16, unique=True, default=new_case_reference, editable=False)
    cso = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="cases", verbose_name=_("CSO")
    )
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.INTAKE, db_index=True
    )
    closure = models.CharField(_("closed as"), max_length=16, choices=Closure.choices, blank=True)
    closure_reason = models.TextField(_("reason for closing"), blank=True, max_length=4000)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("duplicate of")
    )
    summary = models.TextField(
        _("shareable summary"),
        blank=True,
        max_length=8000,
        help_text=_(
            "What the business will read. Leave out anything that could identify a worker: names, "
            "dates, shifts, nationality or gender in a small group."
        ),
    )
    internal_notes = EncryptedTextField(_("internal notes"), purpose="cases.case.internal_notes", blank=True)
    risk_level = models.CharField(
        _("retaliation risk"), max_length=16, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    assigned_to = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("caseworker"),
    )
    is_collective = models.BooleanField(_("collective case"), default=False)
    workers_count = models.PositiveIntegerField(
        _("workers concerned"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    country = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country")
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(_("first business response"), null=True, blank=True)
    validation_requested_at = models.DateTimeField(_("validation requested"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Derived, for search only: reference, summary and the issues' shareable descriptions, upper-cased
    # (services.refresh_search_text keeps it current). Never identity: internal notes and CSO-only
    # descriptions stay out. On PostgreSQL a trigram index serves `contains` (migration 0004).
    search_text = models.TextField(editable=False, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        # opened_at: the dashboards and statistics place cases in their period by it.
        indexes = [models.Index(fields=["cso", "status"]), models.Index(fields=["opened_at"])]

    def __str__(self) -> str:
        return self.reference

    def audit_organisation_id(self) -> int:
        return self.cso_id


class CaseBusiness(models.Model):
    """A business a case concerns: a supplier (optionally one of its sites), a recruitment agency, or an
    informal broker recorded by name only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="businesses")
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_concerns",
        verbose_name=_("business"),
    )
    site = models.ForeignKey(
        "network.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    broker_name = models.CharField(_("informal broker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("business concerned")
        verbose_name_plural = _("businesses concerned")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(broker_name=""),
                name="case_business_is_an_organisation_or_a_broker",
                violation_error_message=_("Name a business or an informal broker."),
            ),
        ]

    def __str__(self) -> str:
        return self.broker_name or str(self.organisation)


class CaseWorker(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_workers")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="case_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "worker"], name="one_link_per_case_and_worker")]

    def __str__(self) -> str:
        return f"{self.case} / W{self.worker_id}"


class Rating(models.TextChoices):
    POOR = "poor", _("Poor")
    FAIR = "fair", _("Fair")
    GOOD = "good", _("Good")
    EXCELLENT = "excellent", _("Excellent")


class Issue(TimestampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="issues")
    category = models.ForeignKey(
        IssueCategory, on_delete=models.PROTECT, related_name="issues", verbose_name=_("category")
    )
    workers_affected = models.PositiveIntegerField(
        _("workers affected"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    forced_labour = models.BooleanField(_("forced-labour indicator"), default=False)
    zero_tolerance = models.BooleanField(_("zero-tolerance"), default=False)
    description = EncryptedTextField(_("description (CSO only)"), purpose="cases.issue.description", blank=True)
    shareable_description = models.TextField(_("description the business sees"), blank=True, max_length=4000)
    rating = models.CharField(_("remediation rated"), max_length=16, choices=Rating.choices, blank=True)
    rated_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.category} ({self.case})"


class ValidationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone call")
    MESSAGE = "message", _("Message")
    GROUP_MEETING = "group_meeting", _("Group meeting")
    SURVEY = "survey", _("Survey")


class WorkerValidation(models.Model):
    """The worker's (or the group's) own verdict on the remediation: the only way to close as resolved."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="validations")
    worker = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    method = models.CharField(_("how"), max_length=16, choices=ValidationMethod.choices)
    validated_at = models.DateTimeField(_("when"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    confirms_remediation = models.BooleanField(_("the worker confirms the remediation"), default=False)
    comments = EncryptedTextField(_("comments"), purpose="cases.validation.comments", blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("worker validation")
        verbose_name_plural = _("worker validations")
        ordering = ["-validated_at"]

    def __str__(self) -> str:
        return f"Validation of {self.case}"


class ValidationRequestStatus(models.TextChoices):
    ASKED = "asked", _("Waiting for the worker's reply")
    ANSWERED = "answered", _("The worker replied: to confirm")
    RECORDED = "recorded", _("Recorded as the worker's validation")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ValidationRequest(models.Model):
    """The validation question sent to a worker on the channel they wrote on, and their reply.

    The reply is never a validation by itself: a caseworker reads it and records the worker's verdict
    (`WorkerValidation`, method "message"), or sets it aside and waits for another answer.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="validation_requests")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("channels.Conversation", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey("channels.Message", on_delete=models.SET_NULL, null=True, related_name="+")
    reply = models.ForeignKey("channels.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ValidationRequestStatus.choices, default=ValidationRequestStatus.ASKED
    )
    asked_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    asked_at = models.DateTimeField(_("asked"))
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    validation = models.ForeignKey(WorkerValidation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("validation request")
        verbose_name_plural = _("validation requests")
        ordering = ["-asked_at", "-id"]
        constraints = [
            # One open question per conversation: an inbound message answers exactly one case.
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(status__in=["asked", "answered"]),
                name="one_open_validation_request_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"Validation request for {self.case}"

    def audit_organisation_id(self) -> int:
        return self.case.cso_id


class Escalation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    buyer = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="escalations", verbose_name=_("buyer")
    )
    reason = models.TextField(_("message to the buyer"), max_length=4000)
    escalated_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    escalated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["case", "buyer"], name="one_escalation_per_buyer")]

    def __str__(self) -> str:
        return f"{self.case} → {self.buyer}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CaseAction(TimestampedModel):
    """An action-plan item: what the business will do, by when. Each business update is a revert."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    issue = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions", verbose_name=_("issue")
    )
    responsible = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible business")
    )
    description = models.TextField(_("action"), max_length=4000)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    last_reverted_at = models.DateTimeField(_("last update from the business"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"Action {self.pk} ({self.case})"


class UpdateKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    RESPONSE = "response", _("Response")
    ACTION_UPDATE = "action_update", _("Update on an action")
    CSO_NOTE = "cso_note", _("Note from the CSO")
    REQUEST = "request", _("Request to the business")
    STATUS = "status", _("Status change")
    ESCALATION = "escalation", _("Escalation to a buyer")


class CaseUpdate(models.Model):
    """One entry of a case's timeline. Business updates are always visible to the CSO; CSO entries are
    visible to the business only when the caseworker says so."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("kind"), max_length=16, choices=UpdateKind.choices)
    text = models.TextField(_("text"), max_length=8000)
    action = models.ForeignKey(CaseAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    visible_to_business = models.BooleanField(_("the business sees it"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("case update")
        verbose_name_plural = _("case updates")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case}"


class Payment(models.Model):
    """Financial remediation owed and repaid, per worker or per counted group, in one currency."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="payments")
    worker = models.ForeignKey(Worker, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    group_label = models.CharField(
        _("group"), max_length=120, blank=True, help_text=_("For a counted group, e.g. 'line 3 night shift'.")
    )
    workers_count = models.PositiveIntegerField(
        _("workers"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount_owed = models.DecimalField(
        _("owed"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    amount_repaid = models.DecimalField(
        _("repaid"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    verified_by_worker = models.BooleanField(_("verified by the worker"), default=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_how = models.CharField(_("verified how"), max_length=16, choices=ValidationMethod.choices, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.amount_repaid}/{self.amount_owed} {self.currency} ({self.case})"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """Evidence or a document on a case. Stored outside the web root, served by a permission-checked
    view; images re-encoded without metadata; the type is sniffed from the bytes, not the name."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = EncryptedTextField(_("file name"), purpose="cases.attachment.original_name", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    visible_to_business = models.BooleanField(_("the business sees it"), default=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Attachment {self.pk} ({self.case})"


class IdentityReveal(models.Model):
    """Showing a worker's identity to one business on one case: needs the worker's recorded consent and a
    second CSO member's approval (two-person rule)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identity_reveals")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="reveals")
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("business")
    )
    reason = models.TextField(_("why"), max_length=2000)
    # PROTECT: the two-person rule compares the requester with the approver, so the requester must stay known.
    requested_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identity reveal")
        verbose_name_plural = _("identity reveals")

    def __str__(self) -> str:
        return f"Reveal of W{self.worker_id} to {self.organisation_id} on {self.case}"


class Notification(models.Model):
    """An in-app message (also e-mailed): never worker identity, only case references and what happened."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=32)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class CaseExport(models.Model):
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk}"
