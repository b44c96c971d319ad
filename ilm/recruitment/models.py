"""Recruitment fee surveys and repayment (DOMAIN.md §9, activities 2.6 and 2.7, impact indicators 4 and 5).

A fee survey is run at a supplier's site by a CSO or the technical partner. Each surveyed worker gives one
response: the fees and costs they paid (fee lines). Each line is eligible for repayment or not under the
employer's repayment policy (or a person's recorded override). The business repays; the worker verifies.

Worker identity is never stored here: a response points at an `ilm.cases.models.Worker` of the surveying
organisation (encrypted identity, consents, erasure, audited views). Businesses see a response only by its
pseudonymous number within the survey ("Worker 7"). See docs/recruitment.md.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.core.fields import EncryptedTextField
from ilm.core.models import TimestampedModel
from ilm.network.models import Gender


class FeeType(models.TextChoices):
    RECRUITMENT_FEE = "recruitment_fee", _("Recruitment fee")
    SERVICE_FEE = "service_fee", _("Service fee")
    MEDICAL_CHECK = "medical_check", _("Medical check")
    PASSPORT = "passport", _("Passport")
    VISA = "visa", _("Visa")
    WORK_PERMIT = "work_permit", _("Work permit")
    TRAINING = "training", _("Training")
    TRANSPORT = "transport", _("Transport")
    ACCOMMODATION = "accommodation", _("Accommodation")
    DEPOSIT = "deposit", _("Deposit")
    OTHER = "other", pgettext_lazy("fee type", "Other")


class PaidTo(models.TextChoices):
    ORIGIN_AGENCY = "origin_agency", _("Origin-country agency")
    DESTINATION_AGENCY = "destination_agency", _("Destination-country agency")
    BROKER = "broker", _("Broker")
    EMPLOYER = "employer", _("Employer")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", pgettext_lazy("paid to", "Other")


class Employment(models.TextChoices):
    CURRENT = "current", _("Current worker")
    FORMER = "former", _("Former worker")


class PolicyKind(models.TextChoices):
    EMPLOYER_PAYS = "employer_pays", _("Employer pays: every fee and cost is repaid")
    LISTED_TYPES = "listed_types", _("Only the listed fee types are repaid")


class RepaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    MOBILE_MONEY = "mobile_money", _("Mobile money")
    PAYROLL = "payroll", _("With the wages")
    OTHER = "other", pgettext_lazy("repayment method", "Other")


class VerificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    MESSAGE = "message", _("By message")
    THROUGH_CSO = "through_cso", _("Through a CSO")


class RepaymentPolicy(TimestampedModel):
    """A business's repayment policy: employer pays (every fee type) or the fee types it names."""

    organisation = models.OneToOneField(
        "network.Organisation", on_delete=models.CASCADE, related_name="repayment_policy", verbose_name=_("business")
    )
    kind = models.CharField(_("policy"), max_length=16, choices=PolicyKind.choices)
    fee_types = models.JSONField(_("fee types repaid"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    updated_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("repayment policy")
        verbose_name_plural = _("repayment policies")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.organisation_id})"

    def audit_organisation_id(self) -> int:
        return self.organisation_id

    def covers(self, fee_type: str) -> bool:
        return self.kind == PolicyKind.EMPLOYER_PAYS or fee_type in (self.fee_types or [])


class FeeSurvey(TimestampedModel):
    """A recruitment fee survey at one supplier site, run by a CSO or the technical partner."""

    site = models.ForeignKey("network.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    supplier = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    surveyor = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("surveying organisation"),
    )
    surveyed_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("fee survey")
        verbose_name_plural = _("fee surveys")
        ordering = ["-surveyed_on", "-id"]

    def __str__(self) -> str:
        return f"Fee survey {self.pk} ({self.surveyed_on})"

    def audit_organisation_id(self) -> int:
        return self.surveyor_id


class SurveyReach(models.Model):
    """How many workers the survey reached, by gender and nationality (one row per cell)."""

    survey = models.ForeignKey(FeeSurvey, on_delete=models.CASCADE, related_name="reach")
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    nationality = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("nationality")
    )
    count = models.PositiveIntegerField(_("workers reached"))

    class Meta:
        verbose_name = _("survey reach")
        verbose_name_plural = _("survey reach")
        ordering = ["nationality_id", "gender"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "gender", "nationality"],
                name="one_reach_cell_per_survey",
                violation_error_message=_("The same gender and nationality appear twice."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.gender}/{self.nationality_id}: {self.count}"


class FeeSurveyResponse(TimestampedModel):
    """One worker's answer in one survey. `number` is the worker's pseudonym in the survey ("Worker 7")."""

    survey = models.ForeignKey(FeeSurvey, on_delete=models.CASCADE, related_name="responses")
    worker = models.ForeignKey("cases.Worker", on_delete=models.PROTECT, related_name="fee_survey_responses")
    number = models.PositiveIntegerField(_("number"))
    employment = models.CharField(_("employment"), max_length=8, choices=Employment.choices, default=Employment.CURRENT)
    repayment_due_by = models.DateField(_("repayment due by"), null=True, blank=True)
    repayment_plan = models.TextField(
        _("repayment plan"), blank=True, max_length=2000, help_text=_("How and when the business will repay.")
    )
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("fee survey response")
        verbose_name_plural = _("fee survey responses")
        ordering = ["survey_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "worker"],
                name="one_response_per_worker_per_survey",
                violation_error_message=_("This worker already has a response in this survey."),
            ),
            models.UniqueConstraint(fields=["survey", "number"], name="one_number_per_survey"),
        ]

    def __str__(self) -> str:  # never the name
        return str(self.pseudonym)

    @property
    def pseudonym(self) -> str:
        return str(_("Worker %(number)s") % {"number": self.number})

    def audit_organisation_id(self) -> int:
        return self.survey.surveyor_id


class FeeLine(models.Model):
    """One fee or cost a worker paid, and whether it is eligible for repayment (and why)."""

    response = models.ForeignKey(FeeSurveyResponse, on_delete=models.CASCADE, related_name="lines")
    fee_type = models.CharField(_("fee type"), max_length=24, choices=FeeType.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3)
    paid_to = models.CharField(_("paid to"), max_length=24, choices=PaidTo.choices)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    eligible = models.BooleanField(_("eligible for repayment"), default=False)
    eligibility_reason = models.CharField(_("why"), max_length=300, blank=True)
    overridden = models.BooleanField(_("eligibility set by a person"), default=False)
    overridden_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        ordering = ["id"]
        indexes = [models.Index(fields=["currency", "eligible"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="fee_line_amount_positive")]

    def __str__(self) -> str:
        return f"{self.fee_type} {self.amount} {self.currency}"


def document_path(instance: ResponseDocument, filename: str) -> str:
    return f"recruitment/{instance.response_id}/{uuid.uuid4().hex}"


class ResponseDocument(models.Model):
    """A supporting document (receipt, contract, loan paper): checked like case attachments, encrypted."""

    response = models.ForeignKey(FeeSurveyResponse, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = EncryptedTextField(_("file name"), purpose="recruitment.document.original_name", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Document {self.pk} ({self.response_id})"


class Repayment(models.Model):
    """A payment the business made back to a worker, in one currency; verified by the worker."""

    response = models.ForeignKey(FeeSurveyResponse, on_delete=models.PROTECT, related_name="repayments")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=16, choices=RepaymentMethod.choices)
    case_payment = models.OneToOneField(
        "cases.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_repayment",
        verbose_name=_("linked case payment"),
        help_text=_("Counted once: the case payment is then left out of the case side of the totals."),
    )
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_by_organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_how = models.CharField(_("verified how"), max_length=16, choices=VerificationMethod.choices, blank=True)
    verified_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["paid_on", "id"]
        indexes = [models.Index(fields=["currency"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.response_id})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def audit_organisation_id(self) -> Any:
        return self.recorded_by_organisation_id


# =====================================================================================================
# Ethical Recruitment Networks (DOMAIN.md §9 second bullet, activities 1.6 and 2.9, reach indicator 3)
#
# One network per origin country (while active): recruitment agencies, CSOs and local government work
# together at the first mile. Members report informal brokers (the broker's name is encrypted and every
# view of it audited), record outreach to jobseekers and non-monetary referrals. Only the network's active
# members and the technical partner read any of it. See docs/recruitment.md "Ethical Recruitment Networks".
# =====================================================================================================


class NetworkRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", pgettext_lazy("network role", "Member")


class Intervention(models.TextChoices):
    NONE_YET = "none_yet", _("None yet")
    WARNED_BROKER = "warned_broker", _("Talked to or warned the broker")
    INFORMED_JOBSEEKERS = "informed_jobseekers", _("Informed the jobseekers of their rights")
    NEGOTIATED_REPAYMENT = "negotiated_repayment", _("Negotiated repayment of the fees")
    REPORTED = "reported", _("Reported to a reporting mechanism")
    OTHER = "other", pgettext_lazy("intervention", "Other")


class ReportingMechanism(models.TextChoices):
    POLICE = "police", _("Police")
    LABOUR_MINISTRY = "labour_ministry", _("Labour ministry")
    LICENSING_AUTHORITY = "licensing_authority", _("Agency licensing authority")
    OTHER = "other", pgettext_lazy("reporting mechanism", "Other")


class BrokerReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReferralService(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    HEALTH = "health", _("Health")
    SHELTER = "shelter", _("Shelter")
    DOCUMENTS = "documents", _("Documents / ID")
    FINANCIAL = "financial", _("Financial")
    OTHER = "other", pgettext_lazy("referral service", "Other")


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    RECEIVED = "received", _("Service received")
    NOT_RECEIVED = "not_received", _("Service not received")


class RecruitmentNetwork(TimestampedModel):
    """An Ethical Recruitment Network of one origin country. One active network per country."""

    origin_country = models.ForeignKey(
        "network.Country", on_delete=models.PROTECT, related_name="+", verbose_name=_("origin country")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("recruitment network")
        verbose_name_plural = _("recruitment networks")
        ordering = ["origin_country_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin_country"],
                condition=models.Q(is_active=True),
                name="one_active_network_per_country",
                violation_error_message=_("This country already has an active Ethical Recruitment Network."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class NetworkMember(models.Model):
    """An organisation's membership of a network, from `joined_on` until `left_on` (exclusive)."""

    network = models.ForeignKey(RecruitmentNetwork, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="ern_memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=NetworkRole.choices, default=NetworkRole.MEMBER)
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    added_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        ordering = ["network_id", "-role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organisation"],
                condition=models.Q(left_on__isnull=True),
                name="one_current_membership_per_network",
                violation_error_message=_("This organisation is already a member of the network."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.network_id}"

    def audit_organisation_id(self) -> int:
        return self.organisation_id


class BrokerReport(TimestampedModel):
    """An informal broker charging jobseekers, reported by a member; what was done about it. The broker's
    name or alias is encrypted; every view of it is audited (`recruitment.broker_viewed`)."""

    network = models.ForeignKey(RecruitmentNetwork, on_delete=models.PROTECT, related_name="broker_reports")
    reported_by = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    broker_name = EncryptedTextField(_("broker's name or alias"), purpose="recruitment.broker_report.broker_name")
    area = models.CharField(_("area or district"), max_length=200)
    fee_amount = models.DecimalField(_("fee charged"), max_digits=14, decimal_places=2, null=True, blank=True)
    fee_currency = models.CharField(_("currency of the fee"), max_length=3, blank=True)
    fee_for = models.CharField(_("charged for"), max_length=300, blank=True)
    jobseekers_charged = models.PositiveIntegerField(_("jobseekers charged"), default=0)
    reported_on = models.DateField(_("reported on"))
    intervention = models.CharField(
        _("intervention"), max_length=24, choices=Intervention.choices, default=Intervention.NONE_YET
    )
    intervention_notes = models.TextField(_("what was done"), blank=True, max_length=4000)
    repaid_amount = models.DecimalField(_("fees paid back"), max_digits=14, decimal_places=2, null=True, blank=True)
    repaid_currency = models.CharField(_("currency paid back"), max_length=3, blank=True)
    jobseekers_repaid = models.PositiveIntegerField(_("jobseekers repaid"), default=0)
    referred_to = models.CharField(_("referred to"), max_length=24, choices=ReportingMechanism.choices, blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    referral_reference = models.CharField(_("reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=BrokerReportStatus.choices, default=BrokerReportStatus.OPEN
    )
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("broker report")
        verbose_name_plural = _("broker reports")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["network", "reported_on"], name="recruitment_broker_network_day")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee_amount__isnull=True) | models.Q(fee_amount__gt=0), name="broker_fee_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(repaid_amount__isnull=True) | models.Q(repaid_amount__gt=0),
                name="broker_repaid_positive",
            ),
        ]

    def __str__(self) -> str:  # never the broker's name: str() ends up in logs
        return f"Broker report {self.pk}"

    @property
    def label(self) -> str:
        return str(_("Broker report %(number)s") % {"number": self.pk})

    def audit_organisation_id(self) -> int:
        return self.reported_by_id


class OutreachEvent(TimestampedModel):
    """An education and empowerment event for jobseekers (activity 1.6), with how many were reached."""

    network = models.ForeignKey(RecruitmentNetwork, on_delete=models.PROTECT, related_name="outreach_events")
    organiser = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    materials = models.TextField(_("materials"), blank=True, max_length=2000)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["network", "held_on"], name="recruitment_outreach_day")]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on})"

    def audit_organisation_id(self) -> int:
        return self.organiser_id


class OutreachReach(models.Model):
    """Jobseekers an outreach event reached, one row per gender."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="reach")
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    count = models.PositiveIntegerField(_("jobseekers reached"))

    class Meta:
        verbose_name = _("outreach reach")
        verbose_name_plural = _("outreach reach")
        ordering = ["gender"]
        constraints = [models.UniqueConstraint(fields=["event", "gender"], name="one_reach_cell_per_event")]

    def __str__(self) -> str:
        return f"{self.gender}: {self.count}"


class Referral(TimestampedModel):
    """A non-monetary referral of a jobseeker to a service, and what came of it. The jobseeker is optional
    and never named here: at most a `cases.Worker` of the referring CSO (shown by its code only)."""

    network = models.ForeignKey(RecruitmentNetwork, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("referred by")
    )
    service = models.CharField(_("referred to"), max_length=16, choices=ReferralService.choices)
    service_name = models.CharField(_("name of the service"), max_length=200)
    referred_on = models.DateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_note = models.TextField(_("note on the outcome"), blank=True, max_length=2000)
    worker = models.ForeignKey(
        "cases.Worker",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ern_referrals",
        verbose_name=_("jobseeker (a worker the CSO recorded)"),
    )
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-id"]
        indexes = [models.Index(fields=["network", "referred_on"], name="recruitment_referral_day")]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    def audit_organisation_id(self) -> int:
        return self.referred_by_id
