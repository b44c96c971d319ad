"""The quarterly PDF report (issue 7): one row per report asked for, written by the task worker.

The file is stored encrypted at rest (`crypto.encrypt_bytes`, purpose `dashboards.report`), like case
exports, and only the membership that asked for it may download it (`reports.report_open`).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def validate_quarter(value: str) -> None:
    """A calendar quarter written "2026-Q3" (years 2000 to 2100)."""
    match = QUARTER_RE.match(str(value or ""))
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise ValidationError(_("Enter a calendar quarter, e.g. 2026-Q1."), code="invalid_quarter")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class QuarterlyReport(models.Model):
    """A quarterly report on one buyer, supplier or recruitment agency, in one language."""

    organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    quarter = models.CharField(_("quarter"), max_length=7, validators=[validate_quarter])
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(upload_to="reports/", max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.quarter})"

    def audit_organisation_id(self) -> int:
        return self.organisation_id
