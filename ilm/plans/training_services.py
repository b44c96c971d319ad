"""The one write path for trainings (the Academy): courses, sessions and who took part. Check the rule,
validate, write, record the audit event, in one transaction (STYLE.md habit 1).

A session saved as held (`completed`) for a supplier or a recruitment agency, of a course in one of the
activities of `catalogue.TRAINING_SUGGESTS`, proposes partial progress on the matching progress indicator
(`services.indicator_suggest`): a suggestion for a person to accept or dismiss, never a change by itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ilm.channels.forms import CHANNEL_LANGUAGES
from ilm.core import audit
from ilm.core.versioning import apply_changes, bump, lock
from ilm.network.models import Gender, Organisation
from ilm.plans import services
from ilm.plans.catalogue import TRAINING_SUGGESTS
from ilm.plans.models import (
    Activity,
    Course,
    IndicatorStatus,
    IndicatorSuggestion,
    TraineeRole,
    TrainingAttendance,
    TrainingMode,
    TrainingSession,
)
from ilm.plans.permissions import INDICATOR_BUSINESS_KINDS, TRAINER_KINDS, may_edit_training

# Courses are given in the product's languages and the other languages workers speak (as channels).
COURSE_LANGUAGES = CHANNEL_LANGUAGES
# How far ahead a session may be planned.
MAX_DAYS_AHEAD = 2 * 366
EARLIEST_SESSION = datetime.date(2000, 1, 1)
MAX_PARTICIPANTS = 100_000


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("Your role does not allow this."))


def _clean_text(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}


# --- courses ---------------------------------------------------------------------------------------

COURSE_FIELDS = ("title", "topic", "activity", "mode", "language", "provider")


def resolve_activity(code: str | Activity) -> Activity:
    """One catalogue activity by its code ("2.8"); unknown codes are a translated error on `activity`."""
    if isinstance(code, Activity):
        return code
    value = str(code or "").strip()
    activity = Activity.objects.filter(code=value).first() if len(value) <= 5 else None
    if activity is None:
        raise ValidationError(
            {
                "activity": _("Unknown activity code: %(codes)s. The catalogue has 1.1–1.6, 2.1–2.10 and 3.1–3.9.")
                % {"codes": value[:20] or "—"}
            }
        )
    return activity


def _check_course(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "mode" in values and values["mode"] not in TrainingMode.values:
        errors["mode"] = _("Choose online or in person.")
    if "language" in values and values["language"] not in COURSE_LANGUAGES:
        errors["language"] = _("Choose a language from the list.")
    provider = values.get("provider")
    if provider is not None and provider.kind not in TRAINER_KINDS:
        errors["provider"] = _("Courses are run by the technical partner or a civil-society organisation.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def course_create(
    *,
    actor: Any,
    title: str,
    activity: str | Activity,
    mode: str,
    language: str,
    provider: Organisation,
    topic: str = "",
) -> Course:
    """A course of the Academy, run by `provider` (the technical partner, or the acting CSO itself)."""
    values = _clean_text({"title": title, "topic": topic, "mode": mode, "language": language, "provider": provider})
    values["activity"] = resolve_activity(activity)
    _check_course(values)
    if not may_edit_training(actor, provider):
        raise _refuse()
    course = Course(created_by=actor, **values)
    course.full_clean(exclude=["created_by"])
    course.save()
    audit.record(
        "training.course_created",
        membership=actor,
        obj=course,
        detail={"activity": course.activity_id, "provider": provider.pk},
    )
    return course


@transaction.atomic
def course_update(*, actor: Any, course: Course, expected_version: int | None = None, **changes: Any) -> Course:
    """Change a course its organisation provides (or any, the technical partner). A stale
    `expected_version` is a Conflict (409); nothing is written."""
    if not may_edit_training(actor, course):
        raise _refuse()
    course = lock(Course, course.pk, expected_version)
    changes = _clean_text(changes)
    if "activity" in changes:
        changes["activity"] = resolve_activity(changes["activity"])
    _check_course(changes)
    if "provider" in changes and not may_edit_training(actor, changes["provider"]):
        raise _refuse()
    changed = apply_changes(course, changes, COURSE_FIELDS)
    course.full_clean(exclude=["created_by"])
    if changed:
        bump(course)
        course.save()
        audit.record("training.course_changed", membership=actor, obj=course, detail={"fields": changed})
    return course


# --- attendance ------------------------------------------------------------------------------------


def clean_attendance(cells: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """Participants as {(role, gender): count} from cells like {"role": "hr", "gender": "female",
    "count": 3}. Unknown roles or genders, counts that are not whole numbers of zero or more, and the same
    cell twice are translated errors on `attendance`. Zero cells are dropped."""
    counts: dict[tuple[str, str], int] = {}
    for cell in cells:
        role, gender, count = cell.get("role"), cell.get("gender"), cell.get("count")
        if role not in TraineeRole.values:
            raise ValidationError(
                {
                    "attendance": _(
                        "Unknown role “%(role)s”: count managers, HR, line supervisors, interpreters, "
                        "government or CSO staff."
                    )
                    % {"role": str(role)[:40]}
                }
            )
        if gender not in Gender.values:
            raise ValidationError({"attendance": _("Unknown gender “%(gender)s”.") % {"gender": str(gender)[:40]}})
        if isinstance(count, bool) or not isinstance(count, int):
            try:
                count = int(str(count).strip() or "0")
            except ValueError:
                raise ValidationError({"attendance": _("Participants are counted in whole numbers.")}) from None
        if count < 0:
            raise ValidationError({"attendance": _("A number of participants cannot be negative.")})
        if count > MAX_PARTICIPANTS:
            raise ValidationError({"attendance": _("That is more participants than a session can have.")})
        key = (str(role), str(gender))
        if key in counts:
            raise ValidationError({"attendance": _("Each role and gender is counted once.")})
        counts[key] = count
    return {key: count for key, count in counts.items() if count}


def _write_attendance(session: TrainingSession, counts: dict[tuple[str, str], int]) -> bool:
    """Replace the session's attendance with `counts`; whether it changed."""
    current = {(cell.role, cell.gender): cell.count for cell in session.attendance.all()}
    if current == counts:
        return False
    session.attendance.all().delete()
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, role=role, gender=gender, count=count)
        for (role, gender), count in sorted(counts.items())
    )
    return True


def participant_total(session: TrainingSession) -> int:
    total = session.attendance.aggregate(total=Sum("count"))["total"]
    return int(total or 0)


# --- sessions --------------------------------------------------------------------------------------

SESSION_FIELDS = ("course", "held_on", "place", "trained_organisation", "trainer_organisation", "notes", "completed")


def _check_session(session: TrainingSession) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if session.held_on > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["held_on"] = _("This date is too far in the future: plan sessions at most two years ahead.")
    elif session.held_on < EARLIEST_SESSION:
        errors["held_on"] = _("Enter a date from 2000 on.")
    elif session.completed and session.held_on > today:
        errors["completed"] = _("A session in the future has not been held yet.")
    if session.trainer_organisation.kind not in TRAINER_KINDS:
        errors["trainer_organisation"] = _(
            "Sessions are given by the technical partner or a civil-society organisation."
        )
    if not session.trained_organisation.is_active:
        errors["trained_organisation"] = _("This organisation is no longer active.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_record(
    *,
    actor: Any,
    course: Course,
    held_on: datetime.date,
    trained_organisation: Organisation,
    trainer_organisation: Organisation | None = None,
    place: str = "",
    notes: str = "",
    completed: bool = False,
    attendance: Iterable[Mapping[str, Any]] = (),
) -> TrainingSession:
    """Record a session of `course` with its participants (by role and gender), all or nothing. The trainer
    is the course's provider unless named."""
    counts = clean_attendance(attendance)
    trainer = trainer_organisation or course.provider
    session = TrainingSession(
        course=course,
        held_on=held_on,
        trained_organisation=trained_organisation,
        trainer_organisation=trainer,
        recorded_by=actor,
        completed=completed,
        **_clean_text({"place": place, "notes": notes}),
    )
    _check_session(session)
    if not may_edit_training(actor, trainer):
        raise _refuse()
    session.full_clean(exclude=["recorded_by"])
    session.save()
    _write_attendance(session, counts)
    suggestion = _suggest(session) if session.completed else None
    audit.record(
        "training.session_recorded",
        membership=actor,
        obj=session,
        detail={
            "course": course.pk,
            "completed": session.completed,
            "participants": sum(counts.values()),
            "suggestion": suggestion.pk if suggestion else None,
        },
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor: Any,
    session: TrainingSession,
    expected_version: int | None,
    attendance: Iterable[Mapping[str, Any]] | None = None,
    **changes: Any,
) -> TrainingSession:
    """Change a session (and, when given, replace its participants). `expected_version` is the version the
    editor started from: someone else's save in between is a Conflict (409) and nothing is written."""
    if not may_edit_training(actor, session):
        raise _refuse()
    counts = clean_attendance(attendance) if attendance is not None else None
    session = lock(TrainingSession, session.pk, expected_version)
    before = (session.completed, session.course_id, session.trained_organisation_id)
    changed = apply_changes(session, _clean_text(changes), SESSION_FIELDS)
    _check_session(session)
    if "trainer_organisation" in changed and not may_edit_training(actor, session.trainer_organisation):
        raise _refuse()
    session.full_clean(exclude=["recorded_by"])
    if counts is not None and _write_attendance(session, counts):
        changed.append("attendance")
    suggestion = None
    if changed:
        bump(session)
        session.save()
        newly_held = session.completed and before != (True, session.course_id, session.trained_organisation_id)
        if newly_held:
            suggestion = _suggest(session)
        audit.record(
            "training.session_changed",
            membership=actor,
            obj=session,
            detail={"fields": changed, "suggestion": suggestion.pk if suggestion else None},
        )
    return session


@transaction.atomic
def session_delete(*, actor: Any, session: TrainingSession, expected_version: int | None = None) -> None:
    """Delete a session and its participants. Suggestions it made stay, no longer naming it."""
    if not may_edit_training(actor, session):
        raise _refuse()
    session = lock(TrainingSession, session.pk, expected_version)
    audit.record(
        "training.session_deleted",
        membership=actor,
        obj=session,
        detail={"course": session.course_id, "held_on": session.held_on.isoformat()},
    )
    session.delete()


# --- suggestions -----------------------------------------------------------------------------------


def suggested_indicator(session: TrainingSession) -> str | None:
    """The progress indicator a held session speaks for, if any: by the course's activity, and only for the
    businesses that keep indicators (suppliers and recruitment agencies)."""
    if session.trained_organisation.kind not in INDICATOR_BUSINESS_KINDS:
        return None
    return TRAINING_SUGGESTS.get(session.course.activity_id)


def _suggest(session: TrainingSession) -> IndicatorSuggestion | None:
    indicator = suggested_indicator(session)
    if indicator is None:
        return None
    count = participant_total(session)
    reason = ngettext(
        "Training “%(course)s” (activity %(activity)s) held on %(date)s with %(count)s participant.",
        "Training “%(course)s” (activity %(activity)s) held on %(date)s with %(count)s participants.",
        count,
    ) % {
        "course": session.course.title,
        "activity": session.course.activity_id,
        "date": session.held_on.isoformat(),
        "count": count,
    }
    return services.indicator_suggest(
        organisation=session.trained_organisation,
        indicator=indicator,
        suggested_status=IndicatorStatus.PARTIAL,
        reason=reason,
        training_session=session,
    )
