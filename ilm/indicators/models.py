"""Ethical Performance Scores (DOMAIN.md §7): the technical partner's assessments of a business per period.

Three axes and their 14 sub-indicators are code (stable codes, translated labels as the framework names
them). Each sub-indicator is scored 1 (poor) to 5 (excellent) or n/a (`value` null). An axis score is the
mean of its sub-indicators excluding n/a, computed in SQL when read (`selectors.with_axis_scores`), never
stored. One assessment per business per calendar quarter (a database constraint). Every change is kept
(django-simple-history), and every write is in the audit log. See docs/indicators.md.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ilm.core.models import TimestampedModel


class Axis(models.TextChoices):
    QUALITY = "quality", _("Quality of response to worker-reported issues")
    TIMELINESS = "timeliness", _("Timeliness of response")
    OPENNESS = "openness", _("Openness to reform")


class SubIndicator(models.TextChoices):
    """The 14 sub-indicators, in the framework's order (axis 1, then 2, then 3)."""

    RESPONSE_SATISFACTION = (
        "response_satisfaction",
        _("Workers' satisfaction with the company's response to their issues"),
    )
    MANAGEMENT_SATISFACTION = (
        "management_satisfaction",
        _("Workers' satisfaction with recruitment and workplace management"),
    )
    QUALITY_HR_SOCIAL = "quality_hr_social", _("Technical assessment of quality of response by HR/social")
    QUALITY_PRODUCTION = (
        "quality_production",
        _("Technical assessment of quality of response by production/commercial"),
    )
    QUALITY_SENIOR_MANAGEMENT = (
        "quality_senior_management",
        _("Technical assessment of quality of response by senior management"),
    )
    TIME_TO_RESPOND = "time_to_respond", _("Time taken to respond")
    TIME_TO_REVERT = "time_to_revert", _("Time taken to revert on action-plan items")
    TIME_TO_RESOLVE = "time_to_resolve", _("Time taken to resolve grievances")
    COOPERATION = "cooperation", _("Cooperation with worker voice, outreach, surveys")
    ATTITUDE_ISSUES = "attitude_issues", _("Attitude toward discussing issues and suggested remediation")
    ATTITUDE_CAPACITY = "attitude_capacity", _("Attitude toward capacity and systems development")
    ATTITUDE_PROMOTING = (
        "attitude_promoting",
        _("Attitude toward promoting worker voice in its industry and upstream chain"),
    )
    ATTITUDE_WORKERS = "attitude_workers", _("Attitude toward and treatment of workers")
    ATTITUDE_TEAM = "attitude_team", _("Attitude toward and treatment of the network's team members")


S = SubIndicator
AXIS_SUB_INDICATORS: dict[str, tuple[str, ...]] = {
    Axis.QUALITY: (
        S.RESPONSE_SATISFACTION,
        S.MANAGEMENT_SATISFACTION,
        S.QUALITY_HR_SOCIAL,
        S.QUALITY_PRODUCTION,
        S.QUALITY_SENIOR_MANAGEMENT,
    ),
    Axis.TIMELINESS: (S.TIME_TO_RESPOND, S.TIME_TO_REVERT, S.TIME_TO_RESOLVE),
    Axis.OPENNESS: (
        S.COOPERATION,
        S.ATTITUDE_ISSUES,
        S.ATTITUDE_CAPACITY,
        S.ATTITUDE_PROMOTING,
        S.ATTITUDE_WORKERS,
        S.ATTITUDE_TEAM,
    ),
}
AXIS_OF: dict[str, str] = {code: axis for axis, codes in AXIS_SUB_INDICATORS.items() for code in codes}

SCALE = (1, 2, 3, 4, 5)
SCALE_LABELS = {
    1: _("1 (poor)"),
    2: "2",
    3: "3",
    4: "4",
    5: _("5 (excellent)"),
}


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScoreSource(models.TextChoices):
    MANUAL = "manual", _("Set by the assessor")
    SUGGESTION = "suggestion", _("Suggested by ILM, accepted by the assessor")


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    return start, end - datetime.timedelta(days=1)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


class Assessment(TimestampedModel):
    """The technical partner's assessment of one supplier or recruitment agency for one calendar quarter."""

    business = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="eps_assessments", verbose_name=_("business")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    period_label = models.CharField(_("period"), max_length=16, help_text=_("The calendar quarter, e.g. 2026-Q1."))
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    summary = models.TextField(_("overall comment"), blank=True, max_length=4000)
    assessed_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessor_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("EPS assessment")
        verbose_name_plural = _("EPS assessments")
        ordering = ["-period_start", "business_id"]
        indexes = [models.Index(fields=["business", "status", "period_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "period_start"],
                name="one_eps_assessment_per_business_per_period",
                violation_error_message=_("This business already has an assessment for this period."),
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="eps_period_in_order"),
        ]

    def __str__(self) -> str:
        return f"EPS {self.period_label} ({self.business_id})"

    def audit_organisation_id(self) -> int:
        return self.business_id

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED


class Score(TimestampedModel):
    """One sub-indicator of one assessment: 1 to 5, or n/a (null, left out of the axis mean)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    sub_indicator = models.CharField(_("sub-indicator"), max_length=32, choices=SubIndicator.choices)
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, help_text=_("1 to 5; empty is n/a."))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    source = models.CharField(_("source"), max_length=16, choices=ScoreSource.choices, default=ScoreSource.MANUAL)
    suggested_value = models.PositiveSmallIntegerField(_("suggested score"), null=True, blank=True)
    suggestion_explanation = models.TextField(_("why ILM suggested it"), blank=True, max_length=2000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("EPS score")
        verbose_name_plural = _("EPS scores")
        ordering = ["assessment_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sub_indicator"], name="one_eps_score_per_sub_indicator"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5),
                name="eps_score_between_1_and_5",
                violation_error_message=_("A score is 1 to 5, or n/a."),
            ),
            models.CheckConstraint(
                condition=Q(suggested_value__isnull=True) | Q(suggested_value__gte=1, suggested_value__lte=5),
                name="eps_suggested_score_between_1_and_5",
            ),
            models.CheckConstraint(
                condition=Q(sub_indicator__in=SubIndicator.values), name="eps_score_known_sub_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sub_indicator}={self.value if self.value is not None else 'n/a'}"

    def audit_organisation_id(self) -> Any:
        return self.assessment.business_id

    @property
    def axis(self) -> str:
        return AXIS_OF.get(self.sub_indicator, "")
