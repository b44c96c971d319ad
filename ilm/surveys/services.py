"""The one write path for surveys (STYLE.md habit 1): check the rule, validate, write, audit, in one
transaction. Pages, the API, the loader command, the demo and tests call these.

Anonymity: `response_submit` (the public link) records no audit event, because an audit event carries the
client's IP address and the time of day, which would tie a response to a person. A paper entry is audited
against the survey (who entered a form, on which survey), never naming the response.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.core import audit
from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Site
from ilm.network.selectors import site_list
from ilm.surveys.models import (
    LIKERT_SCALE,
    MIN_RESPONSES,
    Answer,
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
    Response,
    ResponseMethod,
    Survey,
    SurveyKind,
    SurveyStatus,
)
from ilm.surveys.permissions import ACTION_BY_KIND, INDEPENDENT_RUNNER_KINDS, may_manage_survey

# WORK1 "Worker satisfaction surveys": what a closed independent survey suggests (ilm.plans).
WORK1 = "WORK1"
REPEAT_WINDOW_DAYS = 548  # about 18 months


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("Your role does not allow this."))


# --- surveys ---------------------------------------------------------------------------------------


def _check_site(actor: Any, site: Site, kind: str) -> None:
    if kind == SurveyKind.INTERNAL:
        if actor.organisation_kind != OrgKind.SUPPLIER or site.supplier_id != actor.organisation_id:
            raise ValidationError({"site": _("An internal survey can only run at your own organisation's sites.")})
        return
    if actor.organisation_kind not in INDEPENDENT_RUNNER_KINDS:
        raise ValidationError({"kind": _("Independent surveys are run by a CSO or the technical partner.")})
    if not site_list(membership=actor).filter(pk=site.pk).exists():
        raise ValidationError({"site": _("Choose a site your organisation works with.")})


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    site: Site,
    question_set: QuestionSet,
    kind: str,
    title: str = "",
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
) -> Survey:
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": _("Choose independent or internal.")})
    if not can(actor, ACTION_BY_KIND[SurveyKind(kind)]):
        raise _refuse()
    _check_site(actor, site, kind)
    if not question_set.is_active:
        raise ValidationError({"question_set": _("This question set is no longer offered for new surveys.")})
    opens_on = opens_on or timezone.localdate()
    survey = Survey(
        site=site,
        question_set=question_set,
        kind=kind,
        run_by_id=actor.organisation_id,
        title=(title or "").strip() or f"{question_set.display_title} · {site.name} · {opens_on:%Y-%m}",
        opens_on=opens_on,
        closes_on=closes_on,
    )
    survey.full_clean()
    survey.save()
    audit.record("survey.created", membership=actor, obj=survey, detail={"kind": kind, "site": site.pk})
    return survey


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey) -> Survey:
    """Close the survey (no more responses). An independent survey with at least MIN_RESPONSES responses
    suggests a WORK1 update for the business (`suggest_work1`)."""
    if not may_manage_survey(actor, survey):
        raise _refuse()
    locked = Survey.objects.select_for_update(of=("self",)).select_related("site__supplier").get(pk=survey.pk)
    if locked.status == SurveyStatus.CLOSED:
        raise ValidationError(_("This survey is already closed."))
    locked.status = SurveyStatus.CLOSED
    locked.closed_on = timezone.localdate()
    locked.save(update_fields=["status", "closed_on", "updated_at"])
    responses = locked.responses.count()
    audit.record("survey.closed", membership=actor, obj=locked, detail={"responses": responses})
    if locked.kind == SurveyKind.INDEPENDENT and responses >= MIN_RESPONSES:
        suggest_work1(locked)
    return locked


def surveys_close_due(today: datetime.date | None = None) -> int:
    """Close every open survey whose closing date has passed (the task worker runs this every hour), as
    `survey_close` would, with the system as the actor. Returns how many were closed."""
    today = today or timezone.localdate()
    closed = 0
    for pk in Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            locked = Survey.objects.select_for_update(of=("self",)).select_related("site__supplier").get(pk=pk)
            if locked.status != SurveyStatus.OPEN:
                continue  # a person closed it meanwhile
            locked.status = SurveyStatus.CLOSED
            locked.closed_on = locked.closes_on
            locked.save(update_fields=["status", "closed_on", "updated_at"])
            responses = locked.responses.count()
            audit.record(
                "survey.closed",
                obj=locked,
                actor_label="system",
                detail={"responses": responses, "reason": "closing date passed"},
            )
            if locked.kind == SurveyKind.INDEPENDENT and responses >= MIN_RESPONSES:
                suggest_work1(locked)
            closed += 1
    return closed


def suggest_work1(survey: Survey) -> Any:
    """Suggest (for a person to confirm) the business's WORK1 status after a closed independent survey:
    "completed / ongoing" when it is the second such survey at the business's sites within about 18 months
    (periodic surveys), otherwise "partial progress"."""
    from ilm.plans.services import indicator_suggest

    since = (survey.closed_on or timezone.localdate()) - datetime.timedelta(days=REPEAT_WINDOW_DAYS)
    qualifying = [
        s
        for s in Survey.objects.filter(
            site__supplier_id=survey.site.supplier_id,
            kind=SurveyKind.INDEPENDENT,
            status=SurveyStatus.CLOSED,
            closed_on__gte=since,
        )
        if s.responses.count() >= MIN_RESPONSES
    ]
    status = "completed" if len(qualifying) >= 2 else "partial"
    reason = _(
        "Independent worker satisfaction survey “%(title)s” at %(site)s closed with %(count)s responses "
        "(%(surveys)s such survey(s) in the last 18 months)."
    ) % {"title": survey.title, "site": survey.site.name, "count": survey.responses.count(), "surveys": len(qualifying)}
    return indicator_suggest(organisation=survey.site.supplier, indicator=WORK1, suggested_status=status, reason=reason)


# --- responses -------------------------------------------------------------------------------------


def _clean_answers(survey: Survey, answers: Mapping[str, Any]) -> list[Answer]:
    """Answers by question code: a whole number 1-5 for scale questions, a choice code for choice questions.
    Every problem is reported at once, under the question's code."""
    questions = list(survey.question_set.questions.order_by("position").prefetch_related("choices"))
    known = {question.code for question in questions}
    errors: dict[str, list[str]] = {}
    unknown = sorted(str(code) for code in answers if code not in known)
    if unknown:
        errors["__all__"] = [_("Unknown question(s): %(codes)s.") % {"codes": ", ".join(unknown)}]
    cleaned: list[Answer] = []
    for question in questions:
        raw = answers.get(question.code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if question.required:
                errors[question.code] = [_("Please answer this question.")]
            continue
        if question.kind == QuestionKind.LIKERT:
            value = _scale_value(raw)
            if value is None:
                errors[question.code] = [_("Choose a number from 1 to 5.")]
                continue
            cleaned.append(Answer(question=question, value=value))
        else:
            choice = _choice(question, raw)
            if choice is None:
                errors[question.code] = [_("Choose one of the answers offered.")]
                continue
            cleaned.append(Answer(question=question, choice=choice))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _scale_value(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw.isdigit():
            return None
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(raw, float) and raw != value:
        return None
    return value if value in LIKERT_SCALE else None


def _choice(question: Question, raw: Any) -> Choice | None:
    code = str(raw).strip()
    return next((choice for choice in question.choices.all() if choice.code == code), None)


def _save_response(survey: Survey, answers: Mapping[str, Any], method: str) -> Response:
    locked = Survey.objects.select_for_update(of=("self",)).select_related("question_set").get(pk=survey.pk)
    if locked.status == SurveyStatus.OPEN and timezone.localdate() < locked.opens_on:
        raise ValidationError(_("This survey has not opened yet."), code="not_open")
    if not locked.accepts_responses():
        raise ValidationError(_("This survey is closed: it no longer takes responses."), code="closed")
    cleaned = _clean_answers(locked, answers)
    response = Response.objects.create(survey=locked, submitted_on=timezone.localdate(), method=method)
    for answer in cleaned:
        answer.response = response
    Answer.objects.bulk_create(cleaned)
    return response


@transaction.atomic
def response_submit(*, survey: Survey, answers: Mapping[str, Any]) -> Response:
    """A worker's answers through the public link (no actor, no audit event: see the module docstring)."""
    return _save_response(survey, answers, ResponseMethod.LINK)


@transaction.atomic
def response_enter(*, actor: Any, survey: Survey, answers: Mapping[str, Any]) -> Response:
    """A paper form typed in by the surveyor of the organisation running the survey."""
    if not may_manage_survey(actor, survey):
        raise _refuse()
    response = _save_response(survey, answers, ResponseMethod.PAPER)
    audit.record("survey.paper_response_entered", membership=actor, obj=survey)
    return response


# --- question sets (data) --------------------------------------------------------------------------


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not value.get("en") or not all(isinstance(v, str) for v in value.values()):
        raise ValidationError(_("%(where)s needs texts by language code, English at least.") % {"where": where})
    return {str(k): v.strip() for k, v in value.items()}


@transaction.atomic
def question_set_load(*, spec: Mapping[str, Any], actor: Any = None) -> QuestionSet:
    """Add a question set (or a new version of one) from data in the shape of the standard set
    (ilm/surveys/migrations/0002_standard_question_set.py). An existing code and version is never changed:
    give a new version instead."""
    if actor is not None and not can(actor, Action.VIEW_WHOLE_NETWORK):
        raise _refuse()
    code, version = str(spec.get("code", "")), spec.get("version")
    if not isinstance(version, int) or version < 1:
        raise ValidationError(_("The version must be a whole number from 1."))
    if QuestionSet.objects.filter(code=code, version=version).exists():
        raise ValidationError(
            _("Question set %(code)s v%(version)s exists; load the changes as a new version.")
            % {"code": code, "version": version}
        )
    question_set = QuestionSet(
        code=code,
        version=version,
        title=_texts(spec.get("title"), "title"),
        scale_labels=spec.get("scale_labels") or {},
    )
    question_set.full_clean()
    for labels in question_set.scale_labels.values():
        if not isinstance(labels, list) or len(labels) != len(LIKERT_SCALE):
            raise ValidationError(_("Scale labels need five labels per language."))
    question_set.save()
    items = spec.get("questions") or []
    if not items:
        raise ValidationError(_("A question set needs questions."))
    for position, item in enumerate(items, start=1):
        kind = item.get("kind")
        if kind not in QuestionKind.values:
            raise ValidationError(_("Question %(n)s: unknown kind.") % {"n": position})
        question = Question(
            question_set=question_set,
            position=position,
            code=str(item.get("code", "")),
            kind=kind,
            text=_texts(item.get("text"), f"question {position}"),
            required=bool(item.get("required", True)),
            counts_for_satisfaction=bool(item.get("counts_for_satisfaction", False)) and kind == QuestionKind.LIKERT,
        )
        question.full_clean(exclude=["question_set"])
        question.save()
        choices = item.get("choices") or []
        if (kind == QuestionKind.CHOICE) != bool(choices):
            raise ValidationError(_("Question %(n)s: choice questions, and only they, list choices.") % {"n": position})
        for number, choice_spec in enumerate(choices, start=1):
            choice = Choice(
                question=question,
                position=number,
                code=str(choice_spec.get("code", "")),
                label=_texts(choice_spec.get("label"), f"question {position} choice {number}"),
            )
            choice.full_clean(exclude=["question"])
            choice.save()
    if actor is not None:
        audit.record("survey.question_set_loaded", membership=actor, obj=question_set)
    return question_set


def dangerously_load_standard_set() -> QuestionSet:
    """Put back the standard set from its data migration (a flushed test database, the demo)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ilm.surveys.migrations.0002_standard_question_set")
    spec = migration.STANDARD_SET
    migration.load_set(apps, spec)
    return QuestionSet.objects.get(code=spec["code"], version=spec["version"])
