"""Scenario 4: a supplier imports a sites sheet; one bad row blocks the whole import until fixed."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from ilm.network.models import Site

pytestmark = pytest.mark.e2e

HEADERS = ["Supplier", "Site name", "Site type", "Country", "Province", "Address"]
GOOD_ROWS = [
    ["Siam Ocean Foods", "E2E Chonburi Plant", "processing_plant", "TH", "Chonburi", "88 Sukhumvit Road"],
    ["Siam Ocean Foods", "E2E Rayong Dormitory", "Dormitory", "Thailand", "Rayong", ""],
]
BAD_ROW = ["Siam Ocean Foods", "E2E Starport", "spaceship", "TH", "Songkhla", ""]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sites"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(me, name: str, content: bytes) -> None:
    main = me.main()
    main.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": XLSX, "buffer": content}])
    me.submit(main.locator("form[enctype='multipart/form-data'] button[type=submit]"))


def e2e_sites() -> set[str]:
    return set(Site.objects.filter(name__startswith="E2E ").values_list("name", flat=True))


def test_import_sites_with_a_bad_row_then_fixed(ui, demo):
    me = ui.person("supplier admin")
    me.sign_in(demo["siam-ocean-admin"])
    main = me.main()

    me.menu_link(name="Sites").click()
    me.page.wait_for_url("**/network/sites/")
    me.submit(main.get_by_role("link", name="Import from XLSX"), expect_path="/network/import/")
    me.snap("import-form")

    # The template downloads as an XLSX file.
    with me.page.expect_download() as download:
        main.get_by_role("link", name="Download the template").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # Rows 2 and 3 are good, row 4 has the site type "spaceship".
    upload(me, "sites-with-bad-row.xlsx", workbook([*GOOD_ROWS, BAD_ROW]))
    assert me.path() == "/network/import/"
    errors = main.locator("table#import-errors")
    assert errors.is_visible(), "the error table is not shown"
    error_rows = errors.locator("tbody tr")
    assert error_rows.count() == 1, error_rows.all_inner_texts()
    cells = [c.strip() for c in error_rows.first.locator("td").all_inner_texts()]
    assert cells[0] == "Sites" and cells[1] == "4", f"the error does not name sheet Sites, row 4: {cells}"
    assert "spaceship" in cells[3], f"the problem does not quote the bad value: {cells}"
    assert main.locator("[role=alert]").is_visible()
    me.snap("import-bad-row")
    assert e2e_sites() == set(), "a failed import saved some rows"

    # Fix the row and upload again.
    fixed = [*GOOD_ROWS, [*BAD_ROW[:2], "other", *BAD_ROW[3:]]]
    upload(me, "sites-fixed.xlsx", workbook(fixed))
    assert me.path() == "/network/sites/", f"after a good import: at {me.path()}"
    message = me.page.locator(".messages").inner_text()
    assert "Imported: 3 new sites" in message, message
    assert main.locator("table#import-errors").count() == 0
    me.snap("import-success")
    assert e2e_sites() == {"E2E Chonburi Plant", "E2E Rayong Dormitory", "E2E Starport"}
    plant = Site.objects.get(name="E2E Chonburi Plant")
    assert (plant.supplier.name, plant.site_type, plant.country_id, plant.province, plant.address) == (
        "Siam Ocean Foods",
        "processing_plant",
        "TH",
        "Chonburi",
        "88 Sukhumvit Road",
    )
    assert Site.objects.get(name="E2E Rayong Dormitory").site_type == "dormitory"
    listed = main.locator("table tbody").inner_text()
    assert "E2E Chonburi Plant" in listed and "E2E Starport" in listed
    ui.assert_clean()
