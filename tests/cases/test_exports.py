"""Case exports: the rows and columns each membership may take away (never worker identity or internal
notes, even for the CSO), formula injection neutralised, large exports through the real task worker with a
download for their owner only, and an audit event for every export and download."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ilm.cases import exports, services
from ilm.cases.models import Case, CaseExport, ExportStatus
from ilm.core.models import AuditEvent
from tests.cases.helpers import (
    CANARY_HANDLE,
    CANARY_NAME,
    CANARY_PASSPORT,
    canary_worker,
    open_case,
    validate_and_close,
)
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.usefixtures("private_storage")

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
SECRETS = [
    CANARY_NAME,
    "Zaw",
    "815550199",  # the phone, however it is written
    "81 555 0199",
    CANARY_HANDLE,
    "canary_zaw",
    CANARY_PASSPORT,
    "Caller",  # the internal notes
    "night shift",
    "says the passport is back",  # the validation comments
]


def read_export(response: Any, fmt: str) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return parse(content, fmt)


BROKER = "Mr Broker Kyaw"


def parse(content: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def cases_with_a_canary(world: Any) -> list[Case]:
    worker = canary_worker(world, consents={"share_identity": True, "contact_for_validation": True})
    intake = open_case(world, worker=worker)
    shared = open_case(world, worker=worker, share=True)
    services.case_add_business(actor=world.members[("cso", "caseworker")], case=shared, broker_name=BROKER)
    closed = validate_and_close(world, open_case(world, worker=worker, share=True), worker)
    return [intake, shared, closed]


# --- what each membership may export ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_hold_worker_identity_or_internal_text(fmt):
    world = build_world()
    intake, shared, closed = cases_with_a_canary(world)
    client = Client()
    expected = {
        ("cso", "caseworker"): {intake.reference, shared.reference, closed.reference},
        ("cso", "viewer"): {intake.reference, shared.reference, closed.reference},
        ("tp", "admin"): {intake.reference, shared.reference, closed.reference, world.outsiders["case"][0].reference},
        ("supplier", "responder"): {shared.reference, closed.reference},
        ("supplier", "viewer"): {shared.reference, closed.reference},
        ("buyer", "viewer"): {shared.reference, closed.reference},
        ("upstream", "admin"): set(),
        ("destination_agency", "admin"): set(),
        ("government", "viewer"): set(),
    }
    for key, references in expected.items():
        membership = world.members[key]
        sign_in(client, membership)
        response = client.post("/cases/export/", {"format": fmt})
        assert response.status_code == 200, key
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        table = read_export(response, fmt)
        text = "\n".join("\t".join(row) for row in table)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} in the {fmt} export of {key}"
        head, body = table[0], table[1:]
        assert {row[0] for row in body} == references, key
        owner = key[0] in ("cso", "tp")
        assert ("Retaliation risk" in head) is owner and ("Caseworker" in head) is owner
        assert "Shareable summary" in head and "Issue categories" in head
        if references:
            row = next(dict(zip(head, r, strict=True)) for r in body if r[0] == shared.reference)
            assert row["Shareable summary"] == "Passports are held by the employer at the plant."
            assert row["Issue categories"] == "Retention of identity documents"
            assert row["Workers affected (largest issue)"] == "12"
            assert "Home supplier" in row["Businesses concerned"]
            assert BROKER not in row["Businesses concerned"]
            assert row.get("Informal brokers") == (BROKER if owner else None)
        if not owner:
            assert BROKER not in text, f"an informal broker's name in the {fmt} export of {key}"
        client.logout()
    events = AuditEvent.objects.filter(action="cases.exported")
    assert events.count() == len(expected)
    assert {e.detail["format"] for e in events} == {fmt}
    assert sorted(e.detail["rows"] for e in events) == sorted(len(r) for r in expected.values())


@pytest.mark.django_db
def test_filters_narrow_the_rows():
    world = build_world()
    intake, shared, closed = cases_with_a_canary(world)
    actor = world.members[("cso", "caseworker")]

    def references(**filters: str) -> set[str]:
        result = exports.export_cases(actor=actor, fmt="csv", filters=filters)
        assert isinstance(result, exports.ExportFile) and not isinstance(result.content, bytes)
        table = parse(b"".join(result.content), "csv")
        return {row[0] for row in table[1:]}

    assert references() == {intake.reference, shared.reference, closed.reference}
    assert references(status="closed") == {closed.reference}
    assert references(q=shared.reference.lower()) == {shared.reference}
    assert references(q="passports are held") == {intake.reference, shared.reference, closed.reference}
    assert references(q="documents are kept") == {intake.reference, shared.reference, closed.reference}
    assert references(q=CANARY_NAME) == set()  # search covers shareable text only
    with pytest.raises(Exception, match="status"):
        exports.export_cases(actor=actor, fmt="csv", filters={"status": "nonsense"})


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_rows():
    world = build_world()
    actor = world.members[("cso", "caseworker")]

    def queries() -> int:
        queryset = exports.export_queryset(membership=actor, filters={})
        with CaptureQueriesContext(connection) as captured:
            list(exports.rows(membership=actor, queryset=queryset))
        return len(captured)

    open_case(world, share=True)
    few = queries()
    for _ in range(4):
        open_case(world, share=True)
    assert queries() == few


# --- formula injection ------------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_an_apostrophe(value):
    assert exports.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Passports held", "", "C-ABCD-EFGH", 12, -3, None, True])
def test_neutralise_leaves_other_values(value):
    assert exports.neutralise(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised_in_the_file(fmt):
    world = build_world()
    for summary in DANGEROUS:
        open_case(world, share=True, summary=summary)
    client = sign_in(Client(), world.members[("supplier", "viewer")])
    response = client.post("/cases/export/", {"format": fmt})
    table = read_export(response, fmt)
    column = table[0].index("Shareable summary")
    summaries = sorted(row[column] for row in table[1:])
    assert len(summaries) == len(DANGEROUS)
    assert all(s.startswith("'") for s in summaries), summaries
    if fmt == "csv":
        assert summaries == sorted("'" + s for s in DANGEROUS)
    if fmt == "xlsx":
        content = response.content
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [row[column] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)  # text, never a formula


# --- small and large exports --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_page_counts_the_matching_cases():
    world = build_world()
    cases_with_a_canary(world)
    client = sign_in(Client(), world.members[("supplier", "viewer")])
    page = client.get("/cases/export/?status=closed")
    body = page.content.decode()
    assert page.status_code == 200
    assert "1 case matches these filters." in body
    assert 'value="closed" selected' in body
    assert CANARY_NAME not in body
    bad = client.post("/cases/export/", {"format": "pdf"})
    assert bad.status_code == 400


@override_settings(TASKS=DATABASE_TASKS, ILM_EXPORT_SYNC_MAX_ROWS=2)
@pytest.mark.django_db(transaction=True)
def test_a_large_export_runs_through_the_task_worker_and_downloads_for_its_owner_only(monkeypatch):
    world = build_world()
    intake, shared, closed = cases_with_a_canary(world)
    owner = world.members[("cso", "caseworker")]
    client = sign_in(Client(), owner)

    response = client.post("/cases/export/", {"format": "xlsx", "q": "passports"})
    export = CaseExport.objects.get(membership=owner)
    assert response.status_code == 302 and response["Location"] == f"/cases/exports/{export.pk}/"
    assert export.status == ExportStatus.QUEUED and export.rows_total == 3
    assert export.filters == {"q": "passports"}
    page = client.get(f"/cases/exports/{export.pk}/")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    fragment = client.get(f"/cases/exports/{export.pk}/", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="export-status"')
    assert "<html" not in fragment.content.decode()
    assert client.get(f"/cases/exports/{export.pk}/download/").status_code == 302  # not ready yet

    progress: list[int] = []
    real_mark = exports._mark

    def spy(export: CaseExport, **fields: Any) -> None:
        if "rows_done" in fields:
            progress.append(fields["rows_done"])
        real_mark(export, **fields)

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(exports, "_mark", spy)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.rows_done == 3 and export.finished_at
    assert progress == [0, 1, 2, 3, 3]
    fragment = client.get(f"/cases/exports/{export.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and f"/cases/exports/{export.pk}/download/" in fragment

    download = client.get(f"/cases/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Security-Policy"] == "sandbox" and download["X-Content-Type-Options"] == "nosniff"
    table = parse(b"".join(download.streaming_content), "xlsx")
    assert {row[0] for row in table[1:]} == {intake.reference, shared.reference, closed.reference}
    assert "Retaliation risk" in table[0]
    text = "\n".join("\t".join(row) for row in table)
    assert all(secret not in text for secret in SECRETS)

    # Nobody else downloads it: not a colleague, not the business, not another organisation.
    for other in (
        world.members[("cso", "admin")],
        world.members[("supplier", "admin")],
        *world.outsiders["membership"],
    ):
        stranger = sign_in(Client(), other)
        assert stranger.get(f"/cases/exports/{export.pk}/download/").status_code == 404
        assert stranger.get(f"/cases/exports/{export.pk}/").status_code == 404
    partner = sign_in(Client(), world.members[("tp", "admin")])
    assert partner.get(f"/cases/exports/{export.pk}/download/").status_code == 403

    actions = list(AuditEvent.objects.filter(object_id=str(export.pk)).values_list("action", "detail"))
    assert ("cases.export_queued", {"rows": 3, "format": "xlsx", "filters": ["q"]}) in actions
    assert ("cases.exported", {"rows": 3, "format": "xlsx", "mode": "task", "filters": ["q"]}) in actions
    assert ("cases.export_downloaded", {"rows": 3, "format": "xlsx"}) in actions
    assert AuditEvent.objects.filter(action="access.denied", object_type="cases.caseexport").exists()


@override_settings(TASKS=DATABASE_TASKS, ILM_EXPORT_SYNC_MAX_ROWS=0)
@pytest.mark.django_db(transaction=True)
def test_a_business_export_through_the_worker_keeps_to_the_business_columns():
    world = build_world()
    cases_with_a_canary(world)
    owner = world.members[("buyer", "viewer")]
    result = exports.export_cases(actor=owner, fmt="csv", filters={})
    assert isinstance(result, CaseExport)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh_from_db()
    assert result.status == ExportStatus.DONE and result.rows_done == 2
    stored = result.file.read()
    assert stored.startswith(b"ilmf1$") and b"Case" not in stored  # encrypted at rest
    handle, _type, _name = exports.export_open(actor=owner, export=result)
    table = parse(handle.read(), "csv")
    assert "Retaliation risk" not in table[0] and "Caseworker" not in table[0]
    assert all(secret not in "\n".join(",".join(r) for r in table) for secret in SECRETS)


@pytest.mark.django_db
def test_an_export_whose_owner_lost_access_fails():
    world = build_world()
    open_case(world, share=True)
    owner = world.members[("supplier", "viewer")]
    export = CaseExport.objects.create(membership=owner, format="csv")
    owner.user.is_active = False
    owner.user.save()
    with pytest.raises(Exception, match="no longer active"):
        exports.export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and not export.file
    assert AuditEvent.objects.filter(action="cases.export_failed", object_id=str(export.pk)).exists()
    assert exports.export_run(export_id=export.pk) == 0  # a second delivery of the task does nothing


@pytest.mark.django_db
def test_every_direct_export_is_audited():
    world = build_world()
    open_case(world, share=True)
    open_case(world)  # not shared: not the supplier's
    client = sign_in(Client(), world.members[("supplier", "responder")])
    for fmt in ("csv", "xlsx"):
        client.post("/cases/export/", {"format": fmt, "status": "shared"})
    details = list(AuditEvent.objects.filter(action="cases.exported").order_by("id").values_list("detail", flat=True))
    assert details == [
        {"rows": 1, "format": "csv", "mode": "direct", "filters": ["status"]},
        {"rows": 1, "format": "xlsx", "mode": "direct", "filters": ["status"]},
    ]
