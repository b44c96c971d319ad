"""CAP and BAP exports, CSV and XLSX, in the framework's table shape:

    activity | description | organisation(s) | remarks | status | due quarter

The plan comes from a selector (what the reader may see); cells that a spreadsheet would run as a formula
are neutralised as in the case exports (`ilm.cases.exports.neutralise`). Every export is audited.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ilm.cases.exports import CONTENT_TYPES, FORMATS, csv_lines, neutralise
from ilm.core import audit
from ilm.plans.models import Plan, PlanKind, PlanRow
from ilm.plans.selectors import plan_rows


@dataclass
class PlanExport:
    content: bytes
    content_type: str
    name: str
    rows: int


def header() -> list[str]:
    return [_("Activity"), _("Description"), _("Organisation(s)"), _("Remarks"), _("Status"), _("Due quarter")]


def _organisations(row: PlanRow) -> str:
    names = [org.name for org in row.organisations.all()]
    if row.other_partners:
        names.append(row.other_partners)
    return ", ".join(names)


def table(plan: Plan) -> list[list[str]]:
    return [
        [
            row.activity_display,
            row.description,
            _organisations(row),
            row.remarks,
            str(row.get_status_display()),
            row.due_quarter,
        ]
        for row in plan_rows(plan)
    ]


def _xlsx(title: str, head: list[str], body: Iterable[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([neutralise(h) for h in head])
    for line in body:
        sheet.append([neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)) for value in line])
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def file_name(plan: Plan, fmt: str) -> str:
    subject = plan.country_id if plan.kind == PlanKind.COUNTRY else slugify(str(plan.organisation))[:40]
    prefix = "cap" if plan.kind == PlanKind.COUNTRY else "bap"
    return f"ilm-{prefix}-{(subject or 'plan').lower()}-{plan.year}.{fmt}"


def export_plan(*, actor: Any, plan: Plan, fmt: str) -> PlanExport:
    """The plan (already read through a selector) as a file."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    head, body = header(), table(plan)
    csv_file = fmt == "csv"
    content = "".join(csv_lines(head, body)).encode("utf-8") if csv_file else _xlsx(_("Action plan"), head, body)
    audit.record("plan.exported", membership=actor, obj=plan, detail={"format": fmt, "rows": len(body)})
    return PlanExport(content=content, content_type=CONTENT_TYPES[fmt], name=file_name(plan, fmt), rows=len(body))


# --- the progress indicator grid ------------------------------------------------------------------


def progress_header() -> list[str]:
    from ilm.plans.models import ProgressIndicator

    return [_("Business"), _("Kind"), *[str(code) for code in ProgressIndicator.values]]


def progress_table(rows: Iterable[Any]) -> list[list[str]]:
    """One line per business: its name, kind, and each indicator's status in words ("" when not assessed).
    The words are translated once per export, not once per cell (thousands of cells)."""
    from ilm.core.permissions import OrgKind
    from ilm.plans.models import IndicatorStatus

    statuses = {value: str(label) for value, label in IndicatorStatus.choices}
    kinds = {value: str(label) for value, label in OrgKind.choices}
    return [
        [
            row.organisation.name,
            kinds.get(row.organisation.kind, row.organisation.kind),
            *[statuses.get(value.status, value.status) if value is not None else "" for value in row.cells],
        ]
        for row in rows
    ]


def export_progress_grid(*, actor: Any, rows: list[Any], fmt: str) -> PlanExport:
    """The progress grid the reader sees (rows from `selectors.progress_grid`) as a file."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})
    head, body = progress_header(), progress_table(rows)
    csv_file = fmt == "csv"
    content = (
        "".join(csv_lines(head, body)).encode("utf-8") if csv_file else _xlsx(_("Progress indicators"), head, body)
    )
    audit.record(
        "progress.exported",
        membership=actor,
        obj=actor.organisation,
        detail={"format": fmt, "rows": len(body)},
    )
    return PlanExport(
        content=content, content_type=CONTENT_TYPES[fmt], name=f"ilm-progress-indicators.{fmt}", rows=len(body)
    )
