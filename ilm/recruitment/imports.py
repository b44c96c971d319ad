"""Import fee survey responses from an Excel workbook (the downloadable template), all or nothing.

One row per fee line; rows with the same `worker_ref` are one worker's response (the name, gender,
nationality and employment are read from the worker's first row). Every row is checked first and every
problem reported with its row number and column, in the reader's language. **Nothing is saved when any row is
wrong**: the person fixes the file and uploads it again (a partly imported survey is harder to fix than a
file). The file itself passes the same checks as case attachments (an .xlsx without macros).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ilm.core import audit
from ilm.core.uploads import XLSX, inspect, read_upload
from ilm.network.models import Country, Gender
from ilm.recruitment import permissions, services
from ilm.recruitment.models import Employment, FeeSurvey, FeeType, PaidTo

COLUMNS = (
    "worker_ref",
    "full_name",
    "gender",
    "nationality",
    "employment",
    "fee_type",
    "amount",
    "currency",
    "paid_to",
    "paid_on",
)
NAMES = ", ".join(COLUMNS)
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    responses: int = 0
    lines: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(_text(value))


def _read_rows(upload: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    checked = inspect(read_upload(upload), getattr(upload, "name", "") or "import.xlsx")
    if checked.content_type != XLSX:
        raise ValidationError({"file": _("Upload the Excel (.xlsx) template, filled in.")})
    workbook = load_workbook(io.BytesIO(checked.content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(cell).lower() for cell in next(rows, ())]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        return [], [
            RowError(
                1,
                "",
                _("The first row must be the template's column names: %(names)s.") % {"names": NAMES},
            )
        ]
    found: list[tuple[int, dict[str, Any]]] = []
    for number, values in enumerate(rows, start=2):
        if all(value in (None, "") for value in values):
            continue
        if len(found) >= MAX_ROWS:
            return [], [RowError(number, "", _("At most %(max)s rows per file.") % {"max": MAX_ROWS})]
        found.append((number, dict(zip(COLUMNS, values, strict=False))))
    if not found:
        return [], [RowError(2, "", _("The file has no rows to import."))]
    return found, []


def _check_worker(number: int, row: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
    worker: dict[str, Any] = {"full_name": _text(row.get("full_name"))}
    if not worker["full_name"]:
        errors.append(RowError(number, "full_name", _("Enter the worker's name.")))
    gender = _text(row.get("gender")).lower() or Gender.OTHER
    if gender not in Gender.values:
        errors.append(RowError(number, "gender", _("Use one of: %(values)s.") % {"values": ", ".join(Gender.values)}))
    worker["gender"] = gender
    code = _text(row.get("nationality")).upper()
    worker["nationality"] = Country.objects.filter(code=code).first() if code else None
    if code and worker["nationality"] is None:
        errors.append(RowError(number, "nationality", _("Use a two-letter country code, such as MM or KH.")))
    employment = _text(row.get("employment")).lower() or Employment.CURRENT
    if employment not in Employment.values:
        errors.append(
            RowError(number, "employment", _("Use one of: %(values)s.") % {"values": ", ".join(Employment.values)})
        )
    worker["employment"] = employment
    return worker


def check_rows(survey: FeeSurvey, rows: list[tuple[int, dict[str, Any]]]) -> tuple[dict[str, Any], list[RowError]]:
    """Group rows by worker and check every cell; returns the groups and every error found."""
    errors: list[RowError] = []
    groups: dict[str, dict[str, Any]] = {}
    refs_by_name: dict[str, str] = {}
    for number, row in rows:
        ref = _text(row.get("worker_ref"))
        if not ref:
            errors.append(
                RowError(number, "worker_ref", _("Enter the worker's reference (the same on each of their rows)."))
            )
            continue
        if ref not in groups:
            worker = _check_worker(number, row, errors)
            name_key = worker["full_name"].casefold()
            if name_key and name_key in refs_by_name:
                errors.append(
                    RowError(number, "full_name", _("This worker appears twice in the file, under another reference."))
                )
            elif name_key and services.duplicate_in_survey(survey, worker["full_name"]):
                errors.append(RowError(number, "full_name", _("This worker already has a response in this survey.")))
            refs_by_name[name_key] = ref
            groups[ref] = {"worker": worker, "lines": []}
        elif _text(row.get("full_name")) and _text(row.get("full_name")) != groups[ref]["worker"]["full_name"]:
            errors.append(
                RowError(number, "full_name", _("Another name was given for this reference on an earlier row."))
            )
        raw = {key: row.get(key) for key in ("fee_type", "amount", "currency", "paid_to")}
        raw["fee_type"] = _text(raw["fee_type"]).lower()
        raw["paid_to"] = _text(raw["paid_to"]).lower()
        raw["amount"] = _text(raw["amount"])
        raw["currency"] = _text(raw["currency"])
        try:
            raw["paid_on"] = _date(row.get("paid_on"))
        except ValueError:
            errors.append(RowError(number, "paid_on", _("Enter a date like 2026-06-30.")))
            raw["paid_on"] = None
        try:
            groups[ref]["lines"].append(services.clean_fee_line(raw))
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                errors += [RowError(number, column, message) for message in messages]
    return groups, errors


def _position(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1


def import_responses(*, actor: Any, survey: FeeSurvey, upload: Any) -> ImportResult:
    """Check the whole file, then save every response in one transaction, or nothing."""
    if not permissions.runs_survey(actor, survey):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your role does not allow this."))
    try:
        rows, errors = _read_rows(upload)
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ValidationError({"file": _("This file could not be read as an Excel workbook.")}) from None
    if errors:
        return ImportResult(errors=errors)
    groups, errors = check_rows(survey, rows)
    if errors:
        return ImportResult(
            errors=sorted(errors, key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else -1))
        )
    result = ImportResult()
    with transaction.atomic():
        for group in groups.values():
            worker = group["worker"]
            services.response_save(
                actor=actor,
                survey=survey,
                new_worker={k: worker[k] for k in ("full_name", "gender", "nationality")},
                employment=worker["employment"],
                lines=group["lines"],
            )
            result.responses += 1
            result.lines += len(group["lines"])
        audit.record(
            "recruitment.survey_imported",
            membership=actor,
            obj=survey,
            detail={"responses": result.responses, "lines": result.lines},
        )
    return result


def template() -> bytes:
    """The workbook to fill in: the columns, one example row, and a sheet listing the accepted values."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Responses")[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = workbook.create_sheet(_("Example")[:31])
    example.append(list(COLUMNS))
    example.append(
        ["1", _("Example Name"), "female", "MM", "current", "recruitment_fee", 15000, "THB", "broker", "2025-11-03"]
    )
    example.append(["1", "", "", "", "", "passport", 300000, "MMK", "government", "2025-10-20"])
    lists = workbook.create_sheet(_("Accepted values")[:31])
    lists.append([_("Column"), _("Value"), _("Meaning")])
    for cell in lists[1]:
        cell.font = Font(bold=True)
    for column, choices in (
        ("gender", Gender.choices),
        ("employment", Employment.choices),
        ("fee_type", FeeType.choices),
        ("paid_to", PaidTo.choices),
    ):
        for value, label in choices:
            lists.append([column, value, str(label)])
    lists.append(["nationality", "MM, KH, LA, TH…", _("Two-letter country code (ISO 3166)")])
    lists.append(["currency", "THB, MMK, USD…", _("Three-letter currency code (ISO 4217)")])
    lists.append(["amount", "15000.50", _("Greater than zero, at most two decimals")])
    lists.append(["paid_on", "2025-11-03", _("Date paid (optional)")])
    lists.append(["worker_ref", "1", _("The same on each row of one worker; name and details on the first row")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
