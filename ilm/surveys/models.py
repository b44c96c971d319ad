"""Worker satisfaction surveys (DOMAIN.md §9): question sets as data, surveys at a site, anonymous responses.

Anonymity by design: a `Response` has no identity column at all: no name, phone, user, membership, IP,
user agent or time of day, only the date it was given and how (public link or paper form). Results are
only ever read as aggregates (ilm/surveys/selectors.py), never as rows.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ilm.core.models import TimestampedModel
from ilm.network.models import Organisation, Site

LANGUAGES = ("en", "th", "my", "km", "ne")
LIKERT_SCALE = (1, 2, 3, 4, 5)
# Fewer responses than this in a survey (or in one question of it) and nothing per question is shown.
MIN_RESPONSES = 10


def in_language(texts: dict[str, str] | None, language: str | None = None) -> str:
    """The text in `language` (default: the active one), else English, else any."""
    texts = texts or {}
    code = (language or get_language() or "en").split("-")[0]
    return texts.get(code) or texts.get("en") or next(iter(texts.values()), "")


class QuestionSet(models.Model):
    """A versioned questionnaire. A set that a survey uses is never edited in place: load a new version."""

    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.JSONField(_("title"), default=dict, help_text="Per language code: en, th, my, km, ne.")
    scale_labels = models.JSONField(
        _("scale labels"),
        default=dict,
        blank=True,
        help_text="Per language code: five labels, for 1 (worst) to 5 (best).",
    )
    is_active = models.BooleanField(_("offered for new surveys"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question set")
        verbose_name_plural = _("question sets")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="surveys_unique_set_version")]

    def __str__(self) -> str:
        return f"{self.display_title} (v{self.version})"

    @property
    def display_title(self) -> str:
        return in_language(self.title)

    def labels(self, language: str | None = None) -> list[str]:
        code = (language or get_language() or "en").split("-")[0]
        labels = self.scale_labels.get(code) or self.scale_labels.get("en") or []
        return list(labels) if len(labels) == len(LIKERT_SCALE) else [str(n) for n in LIKERT_SCALE]

    def is_in_use(self) -> bool:
        return self.surveys.exists()


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Scale from 1 to 5")
    CHOICE = "choice", _("One choice")


class Question(models.Model):
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="questions", verbose_name=_("question set")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.JSONField(_("text"), default=dict, help_text="Per language code.")
    required = models.BooleanField(_("required"), default=True)
    counts_for_satisfaction = models.BooleanField(
        _("counts in the satisfaction score"), default=False, help_text="Likert questions where 5 is best."
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["question_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "code"], name="surveys_unique_question_code"),
            models.UniqueConstraint(fields=["question_set", "position"], name="surveys_unique_question_position"),
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return in_language(self.text)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=64)
    label = models.JSONField(_("label"), default=dict, help_text="Per language code.")

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="surveys_unique_choice_code")]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return in_language(self.label)


class SurveyKind(models.TextChoices):
    INDEPENDENT = "independent", _("Independent (run by a CSO or the technical partner)")
    INTERNAL = "internal", _("Internal (run by the business)")


class SurveyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def new_token() -> str:
    """The secret in a survey's public link: 32 random bytes, URL-safe (unguessable)."""
    return secrets.token_urlsafe(32)


class Survey(TimestampedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("site"))
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("question set")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyKind.choices)
    run_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="surveys_run", verbose_name=_("run by")
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["site", "kind", "question_set"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.closes_on and self.opens_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date cannot be before the opening date.")})

    def accepts_responses(self, on: Any = None) -> bool:
        """Open, and today within its dates."""
        today = on or timezone.localdate()
        if self.status != SurveyStatus.OPEN or today < self.opens_on:
            return False
        return self.closes_on is None or today <= self.closes_on

    def audit_organisation_id(self) -> int:
        return self.site.supplier_id


class ResponseMethod(models.TextChoices):
    LINK = "link", _("Public link")
    PAPER = "paper", _("Paper form")


class Response(models.Model):
    """One worker's answers. Deliberately no identity: no person, membership, IP, user agent or timestamp."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=8, choices=ResponseMethod.choices)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, null=True, blank=True, related_name="answers")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_one_answer_per_question"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5, choice__isnull=True)
                | models.Q(value__isnull=True, choice__isnull=False),
                name="surveys_answer_value_or_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value if self.value is not None else self.choice_id}"
