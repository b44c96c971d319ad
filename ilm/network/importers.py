"""Import sites, headcounts and links from an XLSX workbook, all or nothing.

Every row goes through the same services as the pages and the API, inside one
transaction. If any row fails, the transaction is rolled back and the person gets a
report of every failing row (sheet, row number, column, message); nothing is saved.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ilm.core import audit
from ilm.core.permissions import OrgKind
from ilm.network import selectors, services
from ilm.network.models import (
    Country,
    Gender,
    LinkKind,
    MsaStatus,
    Organisation,
    Site,
    SiteType,
    Tier,
)
from ilm.network.permissions import allowed

MAX_ROWS = 5000

SHEETS: dict[str, list[tuple[str, str]]] = {
    "Sites": [
        ("supplier", "Supplier"),
        ("name", "Site name"),
        ("site_type", "Site type"),
        ("country", "Country"),
        ("province", "Province"),
        ("address", "Address"),
    ],
    "Headcounts": [
        ("supplier", "Supplier"),
        ("site", "Site name"),
        ("as_of", "As of"),
        ("gender", "Gender"),
        ("nationality", "Nationality"),
        ("count", "Workers"),
    ],
    "Links": [
        ("kind", "Kind"),
        ("customer", "Customer"),
        ("provider", "Provider"),
        ("tier", "Tier"),
        ("msa_status", "MSA status"),
        ("disclosed_to_buyers", "Disclosed to buyers"),
        ("start_date", "Active from"),
        ("end_date", "Active until"),
    ],
}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column as the sheet's header names it (what the person sees in their spreadsheet)."""
        return dict(SHEETS.get(self.sheet, [])).get(self.column, self.column)


@dataclass
class ImportResult:
    sites_created: int = 0
    sites_updated: int = 0
    headcounts: int = 0
    links_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _SiteFields(TypedDict):
    """The columns of a Sites row that both site_create and site_update take."""

    site_type: str
    country: Country
    province: str
    address: str


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# --- reading cells ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(value: Any, choices: Any, column: str) -> str:
    text = _text(value).casefold()
    for code, label in choices:
        candidates = {str(code).casefold(), str(label).casefold()}
        with translation.override("en"):
            candidates.add(str(label).casefold())
        if text in candidates:
            return str(code)
    allowed_values = ", ".join(str(code) for code, _label in choices)
    raise _RowInvalid(
        column, _("'%(value)s' is not one of: %(allowed)s.") % {"value": _text(value), "allowed": allowed_values}
    )


def _date(value: Any, column: str, required: bool = False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise _RowInvalid(column, _("A date is required."))
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        raise _RowInvalid(
            column, _("'%(value)s' is not a date; write it as YYYY-MM-DD.") % {"value": _text(value)}
        ) from None


def _bool(value: Any, column: str) -> bool:
    text = _text(value).casefold()
    if text in {"", "no", "n", "false", "0", "-"}:
        return False
    if text in {"yes", "y", "true", "1", "x", "✓"}:
        return True
    raise _RowInvalid(column, _("Write yes or no."))


def _int(value: Any, column: str, *, allow_blank: bool = False) -> int | None:
    text = _text(value)
    if text == "" and allow_blank:
        return None
    try:
        number = int(text)
    except ValueError:
        raise _RowInvalid(column, _("'%(value)s' is not a whole number.") % {"value": text}) from None
    if number < 0:
        raise _RowInvalid(column, _("The number cannot be negative."))
    return number


class _Lookups:
    """Names in the sheet → objects the importer may use, loaded once."""

    def __init__(self, membership: Any) -> None:
        self.membership = membership
        visible = selectors.organisation_list(membership=membership)
        self.suppliers = {
            o.name.casefold(): o for o in visible.filter(kind=OrgKind.SUPPLIER) if allowed("change_site", membership, o)
        }
        self.counterparts = {o.name.casefold(): o for o in selectors.link_counterpart_choices(membership=membership)}
        self.countries: dict[str, Country] = {}
        for country in Country.objects.all():
            self.countries[country.code.casefold()] = country
            self.countries[country.name.casefold()] = country
            self.countries[str(country).casefold()] = country
        self.sites = {
            (s.supplier_id, s.name.casefold()): s
            for s in selectors.site_list(membership=membership).filter(supplier__in=list(self.suppliers.values()))
        }

    def supplier(self, value: Any, column: str) -> Organisation:
        name = _text(value)
        if not name and self.membership.organisation_kind == OrgKind.SUPPLIER:
            return self.membership.organisation
        found = self.suppliers.get(name.casefold())
        if found is None:
            raise _RowInvalid(column, _("No supplier you can edit is called '%(name)s'.") % {"name": name})
        return found

    def organisation(self, value: Any, column: str) -> Organisation:
        """An organisation the importer already sees, by name, or any business by its ILM reference."""
        text = _text(value)
        found = self.counterparts.get(text.casefold())
        if found is None and text.upper().startswith("ILM-"):
            found = selectors.dangerously_organisation_by_reference(text)
        if found is None:
            raise _RowInvalid(
                column,
                _(
                    "'%(name)s' is not an organisation you can link to. Use the name of one "
                    "you see in ILM, or its ILM reference."
                )
                % {"name": text},
            )
        return found

    def country(self, value: Any, column: str) -> Country:
        found = self.countries.get(_text(value).casefold())
        if found is None:
            raise _RowInvalid(
                column, _("'%(value)s' is not a country; use its name or 2-letter code.") % {"value": _text(value)}
            )
        return found


def _rows(workbook: Any, sheet: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, {key: value}) for non-empty rows under a header row of known column names."""
    names = {s.casefold(): s for s in workbook.sheetnames}
    if sheet.casefold() not in names:
        return
    worksheet = workbook[names[sheet.casefold()]]
    columns = SHEETS[sheet]
    header_to_key = {}
    for key, label in columns:
        header_to_key[label.casefold()] = key
        header_to_key[key.casefold()] = key
    header: list[str | None] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if not header:
            header = [header_to_key.get(_text(v).casefold()) for v in values]
            missing = [label for key, label in columns if key not in header]
            if missing:
                raise _SheetInvalid(sheet, number, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
            continue
        if number > MAX_ROWS + 1:
            raise _SheetInvalid(sheet, number, _("A sheet may have at most %(n)s rows.") % {"n": MAX_ROWS})
        if all(v in (None, "") for v in values):
            continue
        yield number, {key: values[i] if i < len(values) else None for i, key in enumerate(header) if key}


class _SheetInvalid(Exception):
    def __init__(self, sheet: str, row: int, message: str) -> None:
        super().__init__(message)
        self.error = RowError(sheet, row, "", message)


def _messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(name if name != "__all__" else "", msg) for name, msgs in exc.message_dict.items() for msg in msgs]
    return [("", msg) for msg in exc.messages]


# --- the import -------------------------------------------------------------------------------


def network_import(*, actor: Any, file: Any) -> ImportResult:
    if not allowed("import_network", actor):
        raise PermissionDenied(_("Your role does not allow this."))
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(_("The file could not be read as an XLSX workbook.")) from None
    if not any(s.casefold() in {n.casefold() for n in workbook.sheetnames} for s in SHEETS):
        raise ValidationError(_("The workbook has none of the sheets Sites, Headcounts or Links."))

    result = ImportResult()
    lookups = _Lookups(actor)
    with transaction.atomic():
        try:
            _import_sites(workbook, actor, lookups, result)
            _import_headcounts(workbook, actor, lookups, result)
            _import_links(workbook, actor, lookups, result)
        except _SheetInvalid as exc:
            result.errors.append(exc.error)
        if result.errors:
            transaction.set_rollback(True)
    if result.errors:
        audit.record("network.import_failed", membership=actor, detail={"errors": len(result.errors)})
    else:
        audit.record(
            "network.imported",
            membership=actor,
            detail={
                "sites_created": result.sites_created,
                "sites_updated": result.sites_updated,
                "headcounts": result.headcounts,
                "links_created": result.links_created,
            },
        )
    return result


def _run_row(result: ImportResult, sheet: str, number: int, work: Any) -> Any:
    try:
        with transaction.atomic():
            return work()
    except _RowInvalid as exc:
        result.errors.append(RowError(sheet, number, exc.column, exc.message))
    except ValidationError as exc:
        for column, message in _messages(exc):
            result.errors.append(RowError(sheet, number, column, message))
    except PermissionDenied as exc:
        result.errors.append(RowError(sheet, number, "", str(exc) or _("Your role does not allow this.")))
    return None


def _import_sites(workbook: Any, actor: Any, lookups: _Lookups, result: ImportResult) -> None:
    for number, row in _rows(workbook, "Sites"):

        def work(row: dict[str, Any] = row) -> Site:
            supplier = lookups.supplier(row.get("supplier"), "supplier")
            name = _text(row.get("name"))
            if not name:
                raise _RowInvalid("name", _("The site needs a name."))
            fields: _SiteFields = {
                "site_type": _choice(row.get("site_type"), SiteType.choices, "site_type"),
                "country": lookups.country(row.get("country"), "country"),
                "province": _text(row.get("province")),
                "address": _text(row.get("address")),
            }
            existing = lookups.sites.get((supplier.pk, name.casefold()))
            if existing is not None:
                site = services.site_update(actor=actor, site=existing, **fields)
                result.sites_updated += 1
            else:
                site = services.site_create(actor=actor, supplier=supplier, name=name, **fields)
                result.sites_created += 1
            lookups.sites[(supplier.pk, name.casefold())] = site
            return site

        _run_row(result, "Sites", number, work)


def _import_headcounts(workbook: Any, actor: Any, lookups: _Lookups, result: ImportResult) -> None:
    groups: dict[tuple[int, datetime.date], list[tuple[int, tuple[str, Country, int]]]] = defaultdict(list)
    sites: dict[int, Site] = {}
    for number, row in _rows(workbook, "Headcounts"):

        def parse(row: dict[str, Any] = row, number: int = number) -> None:
            supplier = lookups.supplier(row.get("supplier"), "supplier")
            site = lookups.sites.get((supplier.pk, _text(row.get("site")).casefold()))
            if site is None:
                raise _RowInvalid(
                    "site", _("'%(name)s' is not a site of this supplier.") % {"name": _text(row.get("site"))}
                )
            as_of = _date(row.get("as_of"), "as_of", required=True)
            assert as_of is not None
            cell = (
                _choice(row.get("gender"), Gender.choices, "gender"),
                lookups.country(row.get("nationality"), "nationality"),
                _int(row.get("count"), "count"),
            )
            sites[site.pk] = site
            groups[(site.pk, as_of)].append((number, cell))  # type: ignore[arg-type]

        _run_row(result, "Headcounts", number, parse)
    for (site_id, as_of), cells in groups.items():
        first_row = cells[0][0]
        recorded = _run_row(
            result,
            "Headcounts",
            first_row,
            lambda s=sites[site_id], d=as_of, c=cells: services.headcount_record(
                actor=actor, site=s, as_of=d, cells=[cell for _n, cell in c]
            ),
        )
        if recorded:
            result.headcounts += len(recorded)


def _import_links(workbook: Any, actor: Any, lookups: _Lookups, result: ImportResult) -> None:
    for number, row in _rows(workbook, "Links"):

        def work(row: dict[str, Any] = row) -> Any:
            kind = _choice(row.get("kind"), LinkKind.choices, "kind")
            tier_text = _text(row.get("tier")).replace("+", "")
            tier = int(_choice(tier_text, [(str(v), lbl) for v, lbl in Tier.choices], "tier")) if tier_text else None
            msa = (
                _choice(row.get("msa_status"), MsaStatus.choices, "msa_status") if _text(row.get("msa_status")) else ""
            )
            link = services.link_propose(
                actor=actor,
                kind=kind,
                customer=lookups.organisation(row.get("customer"), "customer"),
                provider=lookups.organisation(row.get("provider"), "provider"),
                tier=tier,
                msa_status=msa,
                disclosed_to_buyers=_bool(row.get("disclosed_to_buyers"), "disclosed_to_buyers"),
                start_date=_date(row.get("start_date"), "start_date"),
                end_date=_date(row.get("end_date"), "end_date"),
            )
            result.links_created += 1
            return link

        _run_row(result, "Links", number, work)


def template_workbook() -> bytes:
    """An empty workbook with the right sheets, headers, an example row each, and the allowed values."""
    workbook = Workbook()
    first = True
    examples = {
        "Sites": ["Example Seafood Co.", "Plant 2", "processing_plant", "TH", "Samut Sakhon", ""],
        "Headcounts": ["Example Seafood Co.", "Plant 2", "2026-01-31", "female", "MM", 420],
        "Links": ["recruitment", "Example Seafood Co.", "Example Agency", "", "signed", "yes", "2025-01-01", ""],
    }
    for sheet, columns in SHEETS.items():
        worksheet = workbook.active if first else workbook.create_sheet()
        first = False
        worksheet.title = sheet
        worksheet.append([label for _key, label in columns])
        worksheet.append(examples[sheet])
    help_sheet = workbook.create_sheet("Allowed values")
    help_sheet.append(["Column", "Allowed values"])
    help_sheet.append(["Site type", ", ".join(SiteType.values)])
    help_sheet.append(["Gender", ", ".join(Gender.values)])
    help_sheet.append(["Kind (links)", ", ".join(LinkKind.values)])
    help_sheet.append(["Tier", "1, 2, 3"])
    help_sheet.append(["MSA status", ", ".join(MsaStatus.values)])
    help_sheet.append(["Country, Nationality", "2-letter ISO code (TH, MM, KH, NP, MY) or English name"])
    help_sheet.append(["Dates", "YYYY-MM-DD"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["ImportResult", "RowError", "network_import", "template_workbook"]
