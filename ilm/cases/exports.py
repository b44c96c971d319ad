"""CSV and XLSX exports of the case list: what the acting membership may see, and less.

Rows come only from `selectors.case_list(membership=...)`, so an export never holds a case its pages would
not show. Columns follow the business/owner split of the pages, and exports leave the system, so even the
CSO's own export carries no worker identity, internal notes, issue descriptions or validation comments:

- everyone (supplier, agency, buyer, ...): reference, status, dates, country, businesses concerned, issue
  categories, workers affected, forced-labour and zero-tolerance flags, shareable summary;
- the case's owners (its CSO, the technical partner) also: how it closed, retaliation risk, caseworker,
  collective, workers concerned, workers named (a count), issues, actions and open actions.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it as text instead of running it as a formula (CSV injection).

Up to `ILM_EXPORT_SYNC_MAX_ROWS` rows (2,000) the file is made during the request; larger exports become a
`CaseExport` that the task worker writes to private storage (`tasks_exports.run_case_export`), with progress,
downloadable only by the membership that asked for it. Every export and every download is audited.
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilm.cases.models import (
    ActionStatus,
    Case,
    CaseAction,
    CaseBusiness,
    CaseExport,
    CaseStatus,
    CaseWorker,
    ExportStatus,
    Issue,
)
from ilm.cases.selectors import case_list, export_list, search_cases, sees_all_cases
from ilm.core import audit, crypto
from ilm.core.permissions import Action, OrgKind, can

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULT_SYNC_MAX_ROWS = 2000
PROGRESS_EVERY = 200
EXPORT_PURPOSE = "cases.export"
CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_QUERY = 200


def sync_max_rows() -> int:
    return int(getattr(settings, "ILM_EXPORT_SYNC_MAX_ROWS", DEFAULT_SYNC_MAX_ROWS))


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- filters -----------------------------------------------------------------------------------------


def clean_filters(data: Mapping[str, Any]) -> dict[str, str]:
    """The case list's filters an export accepts today: `status` and `q` (reference, summary and the issues'
    shareable descriptions, as on the case list)."""
    filters: dict[str, str] = {}
    status = str(data.get("status") or "").strip()
    if status:
        if status not in CaseStatus.values:
            raise ValidationError({"status": _("Choose a status from the list.")})
        filters["status"] = status
    q = " ".join(str(data.get("q") or "").split())
    if q:
        if len(q) > MAX_QUERY or "\x00" in q:
            raise ValidationError({"q": _("Search for at most %(n)s characters.") % {"n": MAX_QUERY}})
        filters["q"] = q
    return filters


def _filtered(queryset: QuerySet[Case], filters: Mapping[str, str]) -> QuerySet[Case]:
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("q"):
        queryset = search_cases(queryset, filters["q"])
    return queryset


# --- columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[Case], Any]


def _issues(case: Case) -> list[Issue]:
    return list(case.issues.all())


def _businesses(case: Case) -> str:
    """Organisations and sites only: informal brokers are the owner's to know (see _brokers)."""
    names = []
    for business in case.businesses.all():
        if business.organisation_id is None:
            continue
        if business.site_id is not None and business.site is not None:
            names.append(f"{business.organisation} – {business.site.name}")
        else:
            names.append(str(business.organisation))
    return "; ".join(names)


def _brokers(case: Case) -> str:
    return "; ".join(b.broker_name for b in case.businesses.all() if b.organisation_id is None)


def _categories(case: Case) -> str:
    seen: list[str] = []
    for issue in _issues(case):
        label = str(issue.category)
        if label not in seen:
            seen.append(label)
    return "; ".join(seen)


def _workers_affected(case: Case) -> int | None:
    counts = [issue.workers_affected for issue in _issues(case)]
    return max(counts) if counts else None


def _assignee(case: Case) -> str:
    membership = case.assigned_to
    return str(membership.user) if membership is not None else ""


def _count(name: str) -> Callable[[Case], int]:
    return lambda case: int(getattr(case, name, 0) or 0)


BUSINESS_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Reference"), lambda c: c.reference),
    Column(gettext_lazy("Status"), lambda c: c.get_status_display()),
    Column(gettext_lazy("Opened"), lambda c: c.opened_at),
    Column(gettext_lazy("Shared with the business"), lambda c: c.shared_at),
    Column(gettext_lazy("First business response"), lambda c: c.first_response_at),
    Column(gettext_lazy("Closed"), lambda c: c.closed_at),
    Column(gettext_lazy("Last activity"), lambda c: c.last_activity_at),
    Column(gettext_lazy("Country"), lambda c: str(c.country) if c.country_id else ""),
    Column(gettext_lazy("Businesses concerned"), _businesses),
    Column(gettext_lazy("Issue categories"), _categories),
    Column(gettext_lazy("Workers affected (largest issue)"), _workers_affected),
    Column(gettext_lazy("Forced-labour indicator"), lambda c: any(i.forced_labour for i in _issues(c))),
    Column(gettext_lazy("Zero-tolerance"), lambda c: any(i.zero_tolerance for i in _issues(c))),
    Column(gettext_lazy("Shareable summary"), lambda c: c.summary),
)
OWNER_COLUMNS: tuple[Column, ...] = (
    Column(gettext_lazy("Closed as"), lambda c: c.get_closure_display() if c.closure else ""),
    Column(gettext_lazy("Retaliation risk"), lambda c: c.get_risk_level_display()),
    Column(gettext_lazy("Caseworker"), _assignee),
    Column(gettext_lazy("Informal brokers"), _brokers),
    Column(gettext_lazy("Collective case"), lambda c: c.is_collective),
    Column(gettext_lazy("Workers concerned"), lambda c: c.workers_count),
    Column(gettext_lazy("Workers named"), _count("export_workers_named")),
    Column(gettext_lazy("Issues"), lambda c: len(_issues(c))),
    Column(gettext_lazy("Actions"), _count("export_actions")),
    Column(gettext_lazy("Open actions"), _count("export_open_actions")),
)


def sees_full_cases(membership: Any) -> bool:
    """The owner columns: the technical partner, and a CSO (whose case_list holds only its own cases)."""
    return sees_all_cases(membership) or membership.organisation_kind == OrgKind.CSO


def columns_for(membership: Any) -> tuple[Column, ...]:
    return BUSINESS_COLUMNS + OWNER_COLUMNS if sees_full_cases(membership) else BUSINESS_COLUMNS


def _count_of(model: Any, **conditions: Any) -> Coalesce:
    rows = (
        model.objects.filter(case=OuterRef("pk"), **conditions)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def export_queryset(*, membership: Any, filters: Mapping[str, str]) -> QuerySet[Case]:
    """The cases an export holds: the membership's case list, filtered, with what the columns need in a
    fixed number of queries per chunk (no N+1)."""
    queryset = _filtered(case_list(membership=membership), filters).prefetch_related(
        Prefetch("businesses", queryset=CaseBusiness.objects.select_related("organisation", "site").order_by("id")),
        Prefetch("issues", queryset=Issue.objects.select_related("category").order_by("id")),
    )
    if sees_full_cases(membership):
        queryset = queryset.annotate(
            export_workers_named=_count_of(CaseWorker),
            export_actions=_count_of(CaseAction),
            export_open_actions=_count_of(CaseAction, status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS]),
        )
    return queryset.order_by("-id")


def header(membership: Any) -> list[str]:
    return [str(column.label) for column in columns_for(membership)]


def rows(*, membership: Any, queryset: QuerySet[Case]) -> Iterator[list[Any]]:
    columns = columns_for(membership)
    for case in queryset.iterator(chunk_size=CHUNK):
        yield [column.value(case) for column in columns]


# --- writers -----------------------------------------------------------------------------------------


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def _xlsx_cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


class _Line:
    """A file-like object for csv.writer that hands back what was written (to stream it line by line)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(head: list[str], body: Iterable[list[Any]]) -> Iterator[str]:
    """UTF-8 text with a byte-order mark (so spreadsheets read Thai, Burmese and Khmer right), one line at a time."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in head])
    for row in body:
        yield writer.writerow([_csv_cell(v) for v in row])


def write_csv(target: IO[bytes], head: list[str], body: Iterable[list[Any]]) -> None:
    for line in csv_lines(head, body):
        target.write(line.encode("utf-8"))


def write_xlsx(target: IO[bytes], head: list[str], body: Iterable[list[Any]], *, title: str = "") -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or _("Cases"))[:31])
    sheet.append([neutralise(h) for h in head])
    for row in body:
        sheet.append([_xlsx_cell(v) for v in row])
    workbook.save(target)


def file_name(fmt: str, when: datetime.datetime | None = None) -> str:
    return f"ilm-cases-{timezone.localtime(when or timezone.now()):%Y%m%d-%H%M}.{fmt}"


# --- the services ------------------------------------------------------------------------------------


@dataclass
class ExportFile:
    """A small export made during the request: `content` is an iterator of bytes (CSV, streamed) or bytes."""

    content: Iterator[bytes] | bytes
    content_type: str
    name: str
    rows: int


def _require_exporter(actor: Any, fmt: str) -> None:
    if not can(actor, Action.EXPORT_CASES):
        raise PermissionDenied(_("Your role does not allow this."))
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose CSV or XLSX.")})


def export_cases(*, actor: Any, fmt: str, filters: Mapping[str, Any], as_job: bool = False) -> ExportFile | CaseExport:
    """Export the actor's case list. Up to `ILM_EXPORT_SYNC_MAX_ROWS` rows: the file, made now (CSV is
    streamed). More (or `as_job`, as the API asks): a queued CaseExport, written by the task worker."""
    _require_exporter(actor, fmt)
    cleaned = clean_filters(filters)
    queryset = export_queryset(membership=actor, filters=cleaned)
    total = queryset.count()
    if as_job or total > sync_max_rows():
        return _queue(actor=actor, fmt=fmt, filters=cleaned, total=total)
    audit.record(
        "cases.exported",
        membership=actor,
        detail={"rows": total, "format": fmt, "mode": "direct", "filters": sorted(cleaned)},
    )
    head = header(actor)
    body = rows(membership=actor, queryset=queryset)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, head, body)
        return ExportFile(buffer.getvalue(), CONTENT_TYPES["xlsx"], file_name("xlsx"), total)
    language = translation.get_language() or settings.LANGUAGE_CODE

    def stream() -> Iterator[bytes]:
        # A streamed response is read after the view returns: keep the page's language for the labels.
        with translation.override(language):
            for line in csv_lines(head, body):
                yield line.encode("utf-8")

    return ExportFile(stream(), CONTENT_TYPES["csv"], file_name("csv"), total)


@transaction.atomic
def _queue(*, actor: Any, fmt: str, filters: dict[str, str], total: int) -> CaseExport:
    from ilm.cases import tasks_exports

    export = CaseExport.objects.create(membership=actor, format=fmt, filters=filters, rows_total=total)
    audit.record(
        "cases.export_queued",
        membership=actor,
        obj=export,
        detail={"rows": total, "format": fmt, "filters": sorted(filters)},
    )
    transaction.on_commit(lambda: tasks_exports.run_case_export.enqueue(export.pk))
    return export


def _mark(export: CaseExport, **fields: Any) -> None:
    CaseExport.objects.filter(pk=export.pk).update(**fields)
    for name, value in fields.items():
        setattr(export, name, value)


def export_run(*, export_id: int) -> int:
    """Write a queued export (called by the task worker): the rows the membership may see *now*, progress in
    `rows_done`, the file in private storage, then done (or failed). Returns the number of rows."""
    from ilm.accounts.models import Membership

    export = CaseExport.objects.select_related("membership__user", "membership__organisation").get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return export.rows_done  # already run (a task may be delivered twice)
    membership = export.membership
    _mark(export, status=ExportStatus.RUNNING, rows_done=0)
    try:
        if not Membership.objects.active().filter(pk=membership.pk).exists() or not can(
            membership, Action.EXPORT_CASES
        ):
            raise PermissionDenied("membership no longer active")
        with translation.override(getattr(membership.user, "preferred_language", "") or settings.LANGUAGE_CODE):
            queryset = export_queryset(membership=membership, filters=clean_filters(export.filters))
            _mark(export, rows_total=queryset.count())
            done = _write_export(export, membership, queryset)
    except Exception:
        _mark(export, status=ExportStatus.FAILED, finished_at=timezone.now())
        audit.record("cases.export_failed", membership=membership, obj=export, detail={"format": export.format})
        raise
    _mark(export, status=ExportStatus.DONE, rows_done=done, rows_total=done, finished_at=timezone.now())
    audit.record(
        "cases.exported",
        membership=membership,
        obj=export,
        detail={"rows": done, "format": export.format, "mode": "task", "filters": sorted(export.filters)},
    )
    return done


def _write_export(export: CaseExport, membership: Any, queryset: QuerySet[Case]) -> int:
    import tempfile

    counted = 0

    def progress(body: Iterator[list[Any]]) -> Iterator[list[Any]]:
        nonlocal counted
        for row in body:
            yield row
            counted += 1
            if counted % PROGRESS_EVERY == 0:
                _mark(export, rows_done=counted)

    head = header(membership)
    body = progress(rows(membership=membership, queryset=queryset))
    with tempfile.TemporaryFile() as target:
        if export.format == "xlsx":
            write_xlsx(target, head, body)
        else:
            write_csv(target, head, body)
        target.seek(0)
        sealed = crypto.encrypt_bytes(target.read(), purpose=EXPORT_PURPOSE)  # encrypted at rest
        export.file.save(f"cases-{export.pk}-{uuid.uuid4().hex}.{export.format}", ContentFile(sealed), save=False)
    CaseExport.objects.filter(pk=export.pk).update(file=export.file.name)
    return counted


def export_open(*, actor: Any, export: CaseExport) -> tuple[IO[bytes], str, str]:
    """The finished file of one of the actor's own exports, its type and download name. Audited."""
    if not export_list(membership=actor).filter(pk=export.pk).exists():
        raise PermissionDenied(_("Only the person who made an export can download it."))
    if export.status != ExportStatus.DONE or not export.file:
        raise ValidationError(_("This export is not ready."))
    if not export.file.name:
        raise FileNotFoundError
    handle = crypto.open_stored_file(export.file.storage, export.file.name, purpose=EXPORT_PURPOSE)
    audit.record(
        "cases.export_downloaded",
        membership=actor,
        obj=export,
        detail={"rows": export.rows_done, "format": export.format},
    )
    return handle, CONTENT_TYPES[export.format], file_name(export.format, export.created_at)
