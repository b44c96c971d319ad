"""The recruitment issue's story in a browser: a CSO records a fee survey and imports its responses from
Excel (a bad file first, with its error report), the supplier records a repayment on a phone without ever
seeing a name, the CSO records the worker's verification, and the buyer reads the totals per currency.

Screenshots: var/screenshots/recruitment-*.png.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from ilm.recruitment import imports
from ilm.recruitment.models import FeeSurvey, Repayment
from tests.e2e.conftest import MOBILE, UI, Person
from tests.e2e.test_plans import BUYER_ADMIN, SUPPLIER_ADMIN, message

pytestmark = pytest.mark.e2e

CSO = "th-voice-caseworker"
NAMES = ["Khin Story Aye", "Sok Story Dara", "Htun Story Lin"]
GOOD_ROWS = [
    ["1", NAMES[0], "female", "MM", "current", "recruitment_fee", 18000, "THB", "broker", "2025-09-01"],
    ["1", "", "", "", "", "passport", 150000, "MMK", "government", "2025-08-15"],
    ["2", NAMES[1], "male", "KH", "former", "visa", 2300, "THB", "destination_agency", None],
    ["3", NAMES[2], "male", "MM", "current", "service_fee", 250000, "MMK", "origin_agency", None],
]
BAD_ROWS = [
    *GOOD_ROWS[:2],
    ["2", NAMES[1], "male", "KH", "former", "bribe", -50, "XYZ", "destination_agency", None],
]


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    book.active.append(list(imports.COLUMNS))
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def snap(person: Person, name: str) -> None:
    person.settle()
    person.snap(f"recruitment-{name}")


def test_fee_survey_imported_repaid_and_verified(ui: UI, demo: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    # --- the CSO records the survey and imports its responses ---------------------------------------------
    cso = ui.person("CSO caseworker")
    cso.sign_in(demo[CSO])
    main = cso.main()
    cso.goto("/recruitment/")
    snap(cso, "01-survey-list")
    main.get_by_role("link", name="New fee survey").click()
    cso.settle()
    main.get_by_label("Site").select_option(label="Samut Sakhon Plant 2 — Siam Ocean Foods")
    main.get_by_label("Date").fill("2026-03-10")
    main.locator("[name=reach-0-gender]").select_option("female")
    main.locator("[name=reach-0-nationality]").select_option("MM")
    main.locator("[name=reach-0-count]").fill("22")
    cso.submit(main.locator("form button[type=submit]"), expect_path=r"/recruitment/\d+/")
    survey = FeeSurvey.objects.get(site__name="Samut Sakhon Plant 2")
    cso.goto(f"/recruitment/{survey.pk}/import/")
    main.get_by_label("Filled-in template (.xlsx)").set_input_files(str(workbook(tmp_path / "bad.xlsx", BAD_ROWS)))
    cso.submit(main.get_by_role("button", name="Check and import"))
    errors = main.locator("#import-errors").inner_text()
    assert "Nothing was saved" in main.inner_text() and "fee_type" in errors and "currency" in errors, errors
    assert survey.responses.count() == 0
    snap(cso, "02-import-errors")
    main.get_by_label("Filled-in template (.xlsx)").set_input_files(str(workbook(tmp_path / "good.xlsx", GOOD_ROWS)))
    cso.submit(main.get_by_role("button", name="Check and import"), expect_path=f"/recruitment/{survey.pk}/")
    assert "Imported 3 responses with 4 fee lines." in message(cso), message(cso)
    assert not any(name in main.inner_text() for name in NAMES)  # names only on request
    snap(cso, "03-survey-imported")
    main.get_by_role("link", name="Show names").click()
    cso.settle()
    assert NAMES[0] in main.inner_text()
    snap(cso, "04-names-shown-audited")

    # --- the supplier repays worker 1, on a phone -----------------------------------------------------------
    response = survey.responses.get(number=1)
    supplier = ui.person("supplier admin", MOBILE)
    supplier.sign_in(demo[SUPPLIER_ADMIN])
    smain = supplier.main()
    supplier.goto(f"/recruitment/{survey.pk}/?names=1")
    assert "Worker 1" in smain.inner_text() and not any(name in smain.inner_text() for name in NAMES)
    snap(supplier, "05-supplier-survey")
    supplier.goto(f"/recruitment/responses/{response.pk}/")
    form = smain.locator(f"form[action$='/responses/{response.pk}/repayments/new/']")
    form.get_by_label("Currency").fill("THB")
    form.get_by_label("Amount").fill("18000")
    form.get_by_label("Paid on").fill("2026-04-02")
    form.get_by_label("Method").select_option("bank_transfer")
    supplier.submit(
        form.get_by_role("button", name="Record the repayment"), expect_path=f"/recruitment/responses/{response.pk}/"
    )
    assert "Waiting for the worker" in smain.inner_text()
    ui.check(supplier.horizontal_overflow() <= 0, "the response page fits a 360 px phone")
    snap(supplier, "06-supplier-repaid")

    # --- the CSO records the worker's verification ------------------------------------------------------------
    cso.goto(f"/recruitment/responses/{response.pk}/")
    repayment = Repayment.objects.get(response=response)
    verify = main.locator(f"form[action$='/repayments/{repayment.pk}/verify/']")
    verify.get_by_label("How the worker confirmed").select_option("phone")
    cso.submit(
        verify.get_by_role("button", name="The worker confirmed it"),
        expect_path=f"/recruitment/responses/{response.pk}/",
    )
    repayment.refresh_from_db()
    assert repayment.verified_how == "phone"
    snap(cso, "07-verified")

    # --- the buyer reads the totals ------------------------------------------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    buyer.goto("/recruitment/totals/")
    text = buyer.main().inner_text()
    assert "THB" in text and "MMK" in text and not any(name in text for name in NAMES)
    snap(buyer, "08-buyer-totals")
    buyer.goto(f"/recruitment/{survey.pk}/", expect_status=404)
    ui.assert_clean()
