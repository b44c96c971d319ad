"""XLSX import: all or nothing, with a per-row report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ilm.core.models import AuditEvent
from ilm.network.importers import network_import, template_workbook
from ilm.network.models import HeadcountSnapshot, Link, Site
from tests.conftest import sign_in
from tests.worlds import build_world

pytestmark = pytest.mark.django_db
SITE_HEADERS = ["Supplier", "Site name", "Site type", "Country", "Province", "Address"]


def workbook(sheets: dict[str, list[list[object]]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_one_bad_row_saves_nothing_and_names_the_row():
    world = build_world()
    admin = world.members[("supplier", "admin")]
    before = Site.objects.count()
    result = network_import(
        actor=admin,
        file=workbook(
            {
                "Sites": [
                    SITE_HEADERS,
                    ["Home supplier", "North plant", "factory", "TH", "Chonburi", ""],
                    ["", "South plant", "processing plant", "Thailand", "Songkhla", ""],
                    ["Home supplier", "Moon base", "spaceship", "TH", "", ""],
                ],
                "Headcounts": [
                    ["Supplier", "Site name", "As of", "Gender", "Nationality", "Workers"],
                    ["Home supplier", "North plant", "2026-01-31", "female", "MM", "12"],
                    ["Home supplier", "North plant", "31/01/2026", "male", "MM", "-3"],
                ],
            }
        ),
    )
    assert not result.ok
    problems = {(e.sheet, e.row, e.column) for e in result.errors}
    assert ("Sites", 4, "site_type") in problems
    assert ("Headcounts", 3, "as_of") in problems
    assert Site.objects.count() == before
    assert not HeadcountSnapshot.objects.filter(site__name="North plant").exists()
    assert AuditEvent.objects.filter(action="network.import_failed").exists()


def test_good_workbook_creates_updates_and_links():
    world = build_world()
    admin = world.members[("tp", "admin")]
    result = network_import(
        actor=admin,
        file=workbook(
            {
                "Sites": [
                    SITE_HEADERS,
                    ["Home supplier", "North plant", "Factory", "th", "Chonburi", "1 Road"],
                    ["Home supplier", "Home supplier plant", "processing_plant", "TH", "Samut Sakhon", ""],
                ],
                "Headcounts": [
                    ["Supplier", "Site name", "As of", "Gender", "Nationality", "Workers"],
                    ["Home supplier", "North plant", "2026-01-31", "female", "Myanmar", 12],
                    ["Home supplier", "North plant", "2026-01-31", "male", "MM", 8],
                ],
                "Links": [
                    [
                        "Kind",
                        "Customer",
                        "Provider",
                        "Tier",
                        "MSA status",
                        "Disclosed to buyers",
                        "Active from",
                        "Active until",
                    ],
                    ["supply", "Home buyer", "Home upstream", "2", "", "", "2025-01-01", ""],
                ],
            }
        ),
    )
    assert result.ok, result.errors
    assert (result.sites_created, result.sites_updated, result.headcounts, result.links_created) == (1, 1, 2, 1)
    assert Site.objects.get(name="Home supplier plant").site_type == "processing_plant"
    assert Link.objects.get(customer=world.orgs["buyer"], provider=world.orgs["upstream"], kind="supply").tier == 2


def test_supplier_cannot_import_sites_for_others():
    world = build_world()
    result = network_import(
        actor=world.members[("supplier", "admin")],
        file=workbook({"Sites": [SITE_HEADERS, ["Home upstream", "Sneaky", "factory", "TH", "", ""]]}),
    )
    assert not result.ok and result.errors[0].column == "supplier"


def test_missing_columns_and_non_xlsx_files_get_clear_errors(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    fake = SimpleUploadedFile("sites.xlsx", b"not really a spreadsheet", content_type="application/vnd.ms-excel")
    response = client.post("/network/import/", {"file": fake})
    assert response.status_code == 400 and "This is not an XLSX file" in response.content.decode()
    upload = SimpleUploadedFile("sites.xlsx", workbook({"Sites": [["Supplier", "Site name"]]}).read())
    response = client.post("/network/import/", {"file": upload})
    assert response.status_code == 400 and "Missing columns" in response.content.decode()


def test_the_page_shows_the_row_report(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    upload = SimpleUploadedFile(
        "sites.xlsx",
        workbook(
            {
                "Sites": [
                    SITE_HEADERS,
                    ["Home supplier", "Ok plant", "factory", "TH", "", ""],
                    ["Home supplier", "Bad plant", "factory", "Atlantis", "", ""],
                ]
            }
        ).read(),
    )
    response = client.post("/network/import/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-errors"' in page and "Atlantis" in page
    assert not Site.objects.filter(name="Ok plant").exists()


def test_template_downloads_and_imports_cleanly_for_the_technical_partner(client):
    world = build_world()
    sign_in(client, world.members[("supplier", "admin")])
    response = client.get("/network/import/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert template_workbook()[:2] == b"PK"
