"""Training sessions as CSV or XLSX, one line per session:

    course | activity | date | held | organisation trained | trainer | <role · gender> x 18 | total

The sessions come from a selector (what the reader may see); cells a spreadsheet would run as a formula
are neutralised (`ilm/plans/exports.py`). Every export is audited (`training.exported`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.cases.exports import CONTENT_TYPES, FORMATS, csv_lines
from ilm.core import audit
from ilm.network.models import Gender
from ilm.plans.exports import PlanExport, _xlsx
from ilm.plans.models import TraineeRole, TrainingSession

MAX_ROWS = 5000


def header() -> list[str]:
    cells = [
        f"{role_label} · {gender_label}"
        for _r, role_label in TraineeRole.choices
        for _g, gender_label in Gender.choices
    ]
    return [
        _("Course"),
        _("Activity"),
        _("Date"),
        _("Held"),
        _("Organisation trained"),
        _("Trainer"),
        *cells,
        _("Total"),
    ]


def line(session: TrainingSession) -> list[str]:
    counts = {(cell.role, cell.gender): cell.count for cell in session.attendance.all()}
    cells = [counts.get((role, gender), 0) for role in TraineeRole.values for gender in Gender.values]
    return [
        session.course.title,
        session.course.activity_id,
        session.held_on.isoformat(),
        _("yes") if session.completed else _("no"),
        session.trained_organisation.name,
        session.trainer_organisation.name,
        *(str(count) for count in cells),
        str(sum(cells)),
    ]


def export_sessions(*, actor: Any, sessions: QuerySet[TrainingSession], fmt: str) -> PlanExport:
    """Sessions already read through `training_selectors.session_list`, as a file."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    body = [line(session) for session in sessions.order_by("-held_on", "-id")[:MAX_ROWS]]
    head = header()
    csv_file = fmt == "csv"
    content = "".join(csv_lines(head, body)).encode("utf-8") if csv_file else _xlsx(_("Trainings"), head, body)
    audit.record("training.exported", membership=actor, detail={"format": fmt, "rows": len(body)})
    name = f"ilm-trainings-{timezone.localdate().isoformat()}.{fmt}"
    return PlanExport(content=content, content_type=CONTENT_TYPES[fmt], name=name, rows=len(body))
