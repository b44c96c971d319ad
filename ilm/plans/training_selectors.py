"""What each membership may read of the trainings (the Academy). The only place these rules live.

- Courses: every member reads every course (what the network offers is no secret).
- Sessions (who was trained, by whom, how many people):
    technical partner: all
    the trainer organisation and the trained organisation: theirs
    buyer: also the sessions of the businesses in its chain (as their action plans:
      `selectors._business_ids`, the buyer's network scope)
    everyone else: none (404)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from ilm.core.permissions import Action, can
from ilm.network.models import Gender, Organisation
from ilm.plans.models import Activity, Course, TraineeRole, TrainingAttendance, TrainingSession
from ilm.plans.permissions import TRAINER_KINDS
from ilm.plans.selectors import _business_q


def _session_q(membership: Any, prefix: str = "") -> Q | None:
    """Sessions the membership reads, as a filter on `prefix` + TrainingSession; None means all of them."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return None
    own = membership.organisation_id
    return (
        Q(**{f"{prefix}trainer_organisation_id": own})
        | Q(**{f"{prefix}trained_organisation_id": own})
        # `trained_organisation` read as the business of a plan: the buyer's chain, the business itself.
        | _business_q(membership, f"{prefix}trained_")
    )


def _participants() -> Any:
    return Coalesce(Sum("attendance__count"), Value(0), output_field=IntegerField())


# --- courses ---------------------------------------------------------------------------------------


def course_list(*, membership: Any) -> QuerySet[Course]:
    """Every course, with how many of its sessions this membership reads (`session_count`)."""
    scope = _session_q(membership, "sessions__")
    count = Count("sessions", filter=scope, distinct=True) if scope is not None else Count("sessions", distinct=True)
    return Course.objects.select_related("activity", "provider").annotate(session_count=count)


def course_activities() -> QuerySet[Activity]:
    """The catalogue activities courses serve (for the filter)."""
    return Activity.objects.filter(courses__isnull=False).distinct().order_by("area", "number")


def course_provider_choices(*, membership: Any) -> QuerySet[Organisation]:
    """Organisations a course or a session may name as provider or trainer: any technical partner or CSO
    (the technical partner), or the acting CSO itself."""
    queryset = Organisation.objects.filter(kind__in=tuple(TRAINER_KINDS), is_active=True).order_by("name")
    if can(membership, Action.MANAGE_ANY_TRAINING):
        return queryset
    if can(membership, Action.MANAGE_TRAININGS):
        return queryset.filter(pk=membership.organisation_id)
    return queryset.none()


def trained_organisation_choices(*, membership: Any) -> QuerySet[Organisation]:
    """Organisations a session may have trained: those of the network the membership sees."""
    from ilm.network.selectors import organisation_list

    return organisation_list(membership=membership).filter(is_active=True).order_by("name")


# --- sessions --------------------------------------------------------------------------------------


def session_list(*, membership: Any) -> QuerySet[TrainingSession]:
    """Sessions the membership reads, with course, organisations and attendance loaded and the number of
    participants summed by the database (`participant_total`)."""
    scope = _session_q(membership)
    queryset = TrainingSession.objects.all() if scope is None else TrainingSession.objects.filter(scope)
    return (
        queryset.select_related("course__activity", "course__provider", "trained_organisation", "trainer_organisation")
        .prefetch_related("attendance")
        .annotate(participant_total=_participants())
    )


def course_sessions(*, membership: Any, course: Course) -> QuerySet[TrainingSession]:
    return session_list(membership=membership).filter(course=course).order_by("-held_on", "-id")


# --- attendance ------------------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    role: str
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class AttendanceGrid:
    """Participants by role (rows) and gender (columns), with totals."""

    genders: list[tuple[str, str]]
    rows: list[AttendanceRow] = field(default_factory=list)

    @property
    def gender_totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.genders))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def attendance_grid(cells: Iterable[TrainingAttendance]) -> AttendanceGrid:
    """The grid for a session's (prefetched) attendance cells; cells not stored are zero."""
    counts = {(cell.role, cell.gender): cell.count for cell in cells}
    genders = [(str(value), str(label)) for value, label in Gender.choices]
    grid = AttendanceGrid(genders=genders)
    for role, label in TraineeRole.choices:
        grid.rows.append(AttendanceRow(role, str(label), [counts.get((role, gender), 0) for gender, _l in genders]))
    return grid
