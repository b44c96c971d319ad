"""Action plans: the activity catalogue, Country and Business Action Plans with their rows and check-ins,
and each business's baseline (DOMAIN.md §4 and §5).

One `Plan` table holds both kinds of plan: a Country Action Plan (CAP) has a country, a Business Action
Plan (BAP) a business organisation, each unique per year. `CountryActionPlan` and `BusinessActionPlan` are
proxies that only see their kind, so pages, the API and the tenancy matrix name them apart. Rows, check-ins,
history and exports are shared.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ilm.core.models import TimestampedModel
from ilm.network.models import Country, Gender, Organisation
from ilm.plans.catalogue import AREA_ABBREVIATIONS, AREA_NAMES, format_activity_codes


class Area(models.IntegerChoices):
    WORKER_VOICE = 1, _("Worker Voice")
    LABOR_RECRUITMENT = 2, _("Labor Recruitment")
    WORKING_CONDITIONS = 3, _("Working & Living Conditions")


class ActivityType(models.TextChoices):
    POLICY = "policy", _("Policy")
    OPERATIONAL = "operational", _("Operational systems & procedures")
    COMMUNICATIONS = "communications", _("Effective communications")
    REMEDIATION = "remediation", _("Remediation & repayment")
    SYSTEMS_STRENGTHENING = "systems_strengthening", _("Systems strengthening")


class Activity(models.Model):
    """One activity of the catalogue (1.1-1.6, 2.1-2.10, 3.1-3.9), loaded by a data migration.

    `name` and `description` are stored in English, exactly as DOMAIN.md writes them; pages show them
    translated (the same strings are in ilm/plans/catalogue.py for extraction)."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    area = models.PositiveSmallIntegerField(_("area"), choices=Area.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    type = models.CharField(_("type"), max_length=32, choices=ActivityType.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["area", "number"]
        constraints = [models.UniqueConstraint(fields=["area", "number"], name="unique_activity_number_per_area")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""

    @property
    def area_abbreviation(self) -> str:
        return AREA_ABBREVIATIONS[self.area]

    @property
    def area_name(self) -> str:
        return gettext(AREA_NAMES[self.area])


class PlanKind(models.TextChoices):
    COUNTRY = "country", _("Country Action Plan")
    BUSINESS = "business", _("Business Action Plan")


class PlanningStatus(models.TextChoices):
    PLANNING = "planning", _("Annual planning under way")
    AGREED = "agreed", _("Plan agreed")
    CHECKED_IN = "checked_in", _("Mid-year check-in done")
    CLOSED = "closed", _("Year closed")


class Plan(TimestampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("country")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("business"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    planning_status = models.CharField(
        _("annual planning"), max_length=16, choices=PlanningStatus.choices, default=PlanningStatus.PLANNING
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "year"],
                condition=Q(kind="country"),
                name="one_country_plan_per_year",
                violation_error_message=_("This country already has an action plan for this year."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=Q(kind="business"),
                name="one_business_plan_per_year",
                violation_error_message=_("This business already has an action plan for this year."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="country", country__isnull=False, organisation__isnull=True))
                | Q(kind="business", organisation__isnull=False, country__isnull=True),
                name="plan_has_country_or_business",
                violation_error_message=_("A country plan names a country; a business plan names a business."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == PlanKind.COUNTRY:
            return gettext("Country Action Plan %(country)s %(year)s") % {"country": self.country, "year": self.year}
        return gettext("Business Action Plan %(business)s %(year)s") % {
            "business": self.organisation,
            "year": self.year,
        }

    @property
    def is_country_plan(self) -> bool:
        return self.kind == PlanKind.COUNTRY

    def audit_organisation_id(self) -> int | None:
        return self.organisation_id


class _KindManager(models.Manager[Plan]):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def deconstruct(self) -> Any:
        # Managers with arguments must say how to rebuild themselves (they are not used in migrations).
        return (False, f"{__name__}._KindManager", None, (self.kind,), {})

    def get_queryset(self) -> models.QuerySet[Plan]:
        return super().get_queryset().filter(kind=self.kind)


class CountryActionPlan(Plan):
    """The plans of one kind: a country's, per year."""

    objects: ClassVar[models.Manager[Plan]] = _KindManager(PlanKind.COUNTRY)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("Country Action Plan")
        verbose_name_plural = _("Country Action Plans")


class BusinessActionPlan(Plan):
    """The plans of one kind: a business's, per year."""

    objects: ClassVar[models.Manager[Plan]] = _KindManager(PlanKind.BUSINESS)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("Business Action Plan")
        verbose_name_plural = _("Business Action Plans")


class RowStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


quarter_validator = RegexValidator(r"^20[0-9]{2}-Q[1-4]$", _("Write the quarter like 2026-Q2."))


class PlanRow(TimestampedModel):
    """One line of a plan: activity code(s) | description | organisation(s) | remarks, with status and due
    quarter. Every change is kept (simple-history, with the activities and organisations), so a plan can
    be shown as it stood on any date (`selectors.plan_as_of`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rows", verbose_name=_("plan"))
    position = models.PositiveIntegerField(_("position"), default=0)
    activities = models.ManyToManyField(Activity, related_name="plan_rows", verbose_name=_("activities"))
    description = models.TextField(_("description"), max_length=2000)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="plan_rows", verbose_name=_("organisations")
    )
    other_partners = models.CharField(
        _("other partners"),
        max_length=300,
        blank=True,
        help_text=_("Partners not in the network, separated by commas."),
    )
    remarks = models.TextField(_("remarks and targets"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RowStatus.choices, default=RowStatus.PLANNED)
    due_quarter = models.CharField(_("due quarter"), max_length=7, blank=True, validators=[quarter_validator])
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[activities, organisations])

    class Meta:
        verbose_name = _("plan row")
        verbose_name_plural = _("plan rows")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return f"{self.activity_display} {self.description[:60]}"

    @property
    def activity_codes(self) -> list[str]:
        """The row's codes in catalogue order (from the prefetched activities when there are)."""
        return [activity.code for activity in sorted(self.activities.all(), key=lambda a: (a.area, a.number))]

    @property
    def activity_display(self) -> str:
        return format_activity_codes(activity.code for activity in self.activities.all())

    def audit_organisation_id(self) -> int | None:
        return self.plan.organisation_id


class PlanCheckIn(TimestampedModel):
    """A mid-year (or any) check-in on a plan: when, who took part, what was said and what changed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="checkins", verbose_name=_("plan"))
    held_on = models.DateField(_("date"))
    participants = models.CharField(_("who took part"), max_length=300)
    summary = models.TextField(_("summary"), max_length=4000)
    changes = models.TextField(_("changes to the plan"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.held_on}"

    def audit_organisation_id(self) -> int | None:
        return self.plan.organisation_id


class Baseline(TimestampedModel):
    """What a business has in place before planning (DOMAIN.md §5). Policy documents are links."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="plan_baseline", verbose_name=_("business")
    )
    supply_chain = models.TextField(_("supply-chain information"), max_length=8000, blank=True)
    labour_policies = models.TextField(_("labour policies"), max_length=8000, blank=True)
    policy_links = models.JSONField(_("policy documents (links)"), default=list, blank=True)
    grievance_mechanism = models.TextField(_("grievance mechanism"), max_length=8000, blank=True)
    other_programmes = models.TextField(_("other programmes"), max_length=8000, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["organisation__name", "id"]

    def __str__(self) -> str:
        return gettext("Baseline of %(business)s") % {"business": self.organisation}

    def audit_organisation_id(self) -> int:
        return self.organisation_id


def policy_document_path(instance: PolicyDocument, filename: str) -> str:
    return f"plans/baselines/{instance.baseline_id}/{uuid.uuid4().hex}"


class PolicyDocument(models.Model):
    """A labour policy on a business's baseline (e.g. its employer-pays policy, grievance procedure), as a
    file. Checked like case files (ilm/core/uploads.py), stored encrypted, served by a permission-checked
    view to whoever reads the baseline; every upload, download and removal is audited."""

    baseline = models.ForeignKey(
        Baseline, on_delete=models.CASCADE, related_name="documents", verbose_name=_("baseline")
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("For example: Employer-pays policy, 2026."))
    file = models.FileField(upload_to=policy_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=150, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_organisation_id(self) -> int:
        return self.baseline.organisation_id


class FocalPointPurpose(models.TextChoices):
    ISSUES = "issues", _("Worker-reported issues")
    ESCALATIONS = "escalations", _("Escalations")
    OTHER = "other", pgettext_lazy("focal point", "Other")


class FocalPoint(TimestampedModel):
    """A business's contact person for the network, e.g. the HR director for issues, the managing
    director for escalations."""

    baseline = models.ForeignKey(
        Baseline, on_delete=models.CASCADE, related_name="focal_points", verbose_name=_("baseline")
    )
    role = models.CharField(_("role"), max_length=120, help_text=_("For example: HR director."))
    purpose = models.CharField(_("contact for"), max_length=16, choices=FocalPointPurpose.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["purpose", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    def audit_organisation_id(self) -> int:
        return self.baseline.organisation_id


# --- progress indicators (DOMAIN.md §6) ------------------------------------------------------------


class ProgressIndicator(models.TextChoices):
    """The 13 business progress indicators, named exactly as DOMAIN.md §6 (ilm/plans/catalogue.py)."""

    WV1 = "WV1", _("Worker voice roll-out and ongoing engagement")
    WV2 = "WV2", _("Policy & procedures review: ethical grievance mechanisms")
    WV3 = "WV3", _("Institutional capacity building: ethical grievance mechanisms")
    ER1 = "ER1", _("Policy & procedures review: ethical recruitment / migrant recruitment laws and policies")
    ER2 = "ER2", _("Policy & procedures review: ethical recruitment diagnostic evaluation")
    ER3 = "ER3", _("Policy & procedures review: review of MSAs between employers and recruitment agencies")
    ER4 = "ER4", _("Communications: disclosure of recruitment agencies used")
    ER5 = "ER5", _("First-mile ERN collaboration")
    ER6 = "ER6", _("Recruitment fees surveys")
    ER7 = "ER7", _("Institutional capacity building: ethical recruitment trainings")
    WORK1 = "WORK1", _("Worker satisfaction surveys")
    WORK2 = "WORK2", _("Institutional capacity building: training of working level / technical staff")
    WORK3 = "WORK3", _("Institutional capacity building: training of management / leadership")


class IndicatorStatus(models.TextChoices):
    NOT_INITIATED = "not_initiated", _("Not yet initiated")
    PARTIAL = "partial", _("Partial progress")
    COMPLETED = "completed", _("Completed / ongoing")


class IndicatorValue(TimestampedModel):
    """Where a business stands on one progress indicator: the status, the evidence, who set it and when.
    Every change is kept (simple-history), so each business's trend can be drawn."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="progress_indicators", verbose_name=_("business")
    )
    indicator = models.CharField(_("indicator"), max_length=8, choices=ProgressIndicator.choices)
    status = models.CharField(_("status"), max_length=16, choices=IndicatorStatus.choices)
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True)
    set_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set"))
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress indicator")
        verbose_name_plural = _("progress indicators")
        ordering = ["organisation", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "indicator"], name="one_value_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.status}"

    def audit_organisation_id(self) -> int:
        return self.organisation_id


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class IndicatorSuggestion(models.Model):
    """A change to a progress indicator that ILM proposes (e.g. after a completed training) for a person to
    accept or dismiss: never applied by itself."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="indicator_suggestions", verbose_name=_("business")
    )
    indicator = models.CharField(_("indicator"), max_length=8, choices=ProgressIndicator.choices)
    suggested_status = models.CharField(_("suggested status"), max_length=16, choices=IndicatorStatus.choices)
    reason = models.TextField(_("why"), max_length=2000)
    status = models.CharField(_("decision"), max_length=16, choices=SuggestionStatus.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    training_session = models.ForeignKey(
        "plans.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_suggestions",
        verbose_name=_("training session"),
    )

    class Meta:
        verbose_name = _("suggested indicator update")
        verbose_name_plural = _("suggested indicator updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.suggested_status}"

    def audit_organisation_id(self) -> int:
        return self.organisation_id


# --- trainings: the Academy (DOMAIN.md §9) ---------------------------------------------------------


class TrainingMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


class Course(TimestampedModel):
    """A training the network offers (the Academy): topic, the catalogue activity it serves, online or in
    person, its language, and the organisation that runs it (the technical partner or a CSO). Every member
    reads the course list; who was trained is on the sessions."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.TextField(_("topic"), max_length=4000, blank=True)
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="courses", verbose_name=_("activity"))
    mode = models.CharField(_("mode"), max_length=16, choices=TrainingMode.choices)
    language = models.CharField(_("language"), max_length=8)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="courses_provided", verbose_name=_("provider")
    )
    created_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["activity__area", "activity__number", "title", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.title}"

    def audit_organisation_id(self) -> int:
        return self.provider_id


class TrainingSession(TimestampedModel):
    """One time a course was given: when, where, to which organisation, by which trainer. `completed` says
    the session was held; a completed session suggests the matching progress indicator (never sets it)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trained_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="trainings_received",
        verbose_name=_("organisation trained"),
    )
    trainer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="trainings_given", verbose_name=_("trainer")
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    completed = models.BooleanField(_("held"), default=False)
    recorded_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.course.title} {self.held_on}"

    def audit_organisation_id(self) -> int:
        return self.trained_organisation_id


class TraineeRole(models.TextChoices):
    """Who took part, as DOMAIN.md §9 counts them."""

    MANAGERS = "managers", _("Managers")
    HR = "hr", _("HR")
    LINE_SUPERVISORS = "line_supervisors", _("Line supervisors")
    INTERPRETERS = "interpreters", _("Interpreters")
    GOVERNMENT = "government", _("Government")
    CSO_STAFF = "cso_staff", _("CSO staff")


class TrainingAttendance(models.Model):
    """How many people of one role and gender took part in a session (cells of zero are not stored)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("training session")
    )
    role = models.CharField(_("role"), max_length=24, choices=TraineeRole.choices)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    count = models.PositiveIntegerField(_("participants"))

    class Meta:
        verbose_name = _("participants")
        verbose_name_plural = _("participants")
        ordering = ["session", "role", "gender"]
        constraints = [
            models.UniqueConstraint(fields=["session", "role", "gender"], name="one_attendance_cell"),
            models.CheckConstraint(condition=Q(count__gte=0), name="attendance_count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.gender} {self.count}"

    def audit_organisation_id(self) -> int:
        return self.session.trained_organisation_id
