"""The Plans issue's story in a browser: a supplier builds its Business Action Plan in Thai, the technical
partner sets its ER4 indicator to partial progress, and the buyer sees it in its grid.

Screenshots: var/screenshots/plans-story-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ilm.network.models import Organisation
from ilm.plans.models import IndicatorValue, Plan, PlanKind, PlanRow, ProgressIndicator
from tests.e2e.conftest import UI, Person
from tests.e2e.test_plans import BUYER_ADMIN, SUPPLIER, SUPPLIER_ADMIN, choose_language, message, open_form

pytestmark = pytest.mark.e2e

THAI_ROW = "สำรวจค่าธรรมเนียมการจัดหางานของแรงงานทุกคน แล้วคืนเงินภายในไตรมาสที่ 4"


def snap(person: Person, name: str) -> None:
    person.settle()
    person.snap(f"plans-story-{name}")


def test_supplier_plans_in_thai_technical_partner_sets_er4_buyer_sees_it(
    ui: UI, demo: dict[str, dict[str, Any]]
) -> None:
    year = timezone.localdate().year
    siam = Organisation.objects.get(name=SUPPLIER)
    Plan.objects.filter(kind=PlanKind.BUSINESS, organisation=siam, year=year).delete()  # the demo wrote one
    IndicatorValue.objects.filter(organisation=siam, indicator="ER4").delete()

    # --- the supplier, in Thai --------------------------------------------------------------------------------
    supplier = ui.person("supplier admin in Thai")
    supplier.sign_in(demo[SUPPLIER_ADMIN])
    choose_language(supplier, "th")
    main = supplier.main()
    supplier.goto("/plans/business/new/")
    assert main.locator("#id_organisation option:checked").inner_text().strip() == SUPPLIER
    snap(supplier, "01-new-plan-th")
    supplier.submit(main.locator("form button[type=submit]").first, expect_path=r"/plans/business/\d+/")
    plan = Plan.objects.get(kind=PlanKind.BUSINESS, organisation=siam, year=year)
    assert "แผนปฏิบัติการ" in main.locator("h1").inner_text(), main.locator("h1").inner_text()
    form = open_form(supplier, "/rows/new/")
    form.locator("[name=activities]").fill("ER 2.6-7")
    form.locator("[name=description]").fill(THAI_ROW)
    form.locator("[name=remarks]").fill("ตั้งเป้าให้เสร็จภายในไตรมาสที่ 2")
    form.locator("[name=due_quarter]").fill(f"{year}-Q4")
    supplier.submit(form.locator("button[type=submit]"), expect_path=f"/plans/business/{plan.pk}/")
    row = PlanRow.objects.get(plan=plan)
    assert sorted(a.code for a in row.activities.all()) == ["2.6", "2.7"]
    assert THAI_ROW in main.locator(f"#row-{row.pk}").inner_text()
    assert "ER 2.6-7" in main.locator(f"#row-{row.pk}").inner_text()
    snap(supplier, "02-plan-with-row-th")

    # --- the technical partner sets ER4 -----------------------------------------------------------------------
    partner = ui.person("technical partner")
    partner.sign_in(demo["secretariat-admin"])
    pmain = partner.main()
    detail = f"/plans/progress/{siam.pk}/"
    partner.goto(detail)
    er4 = pmain.locator("tr#ER4")
    assert "Communications: disclosure of recruitment agencies used" in er4.inner_text()
    er4.locator("summary").click()
    er4.get_by_label("Status").select_option(label="Partial progress")
    er4.get_by_label("Evidence").fill("Two of three agencies disclosed to buyers in the June report.")
    snap(partner, "03-er4-typed")
    partner.submit(er4.get_by_role("button", name="Save"), expect_path=detail)
    assert "Progress indicator saved." in message(partner), message(partner)
    value = IndicatorValue.objects.get(organisation=siam, indicator="ER4")
    assert value.status == "partial" and value.set_by.organisation.kind == "technical_partner"
    snap(partner, "04-er4-saved")

    # --- the buyer sees it in its grid ------------------------------------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    buyer.goto("/plans/progress/")
    bmain = buyer.main()
    line = bmain.locator(".grid-table tbody tr", has=buyer.page.get_by_role("link", name=SUPPLIER, exact=True))
    assert line.count() == 1, bmain.locator(".grid-table").inner_text()
    cell = line.locator("td").nth(ProgressIndicator.values.index("ER4"))
    assert cell.locator(".progress").get_attribute("title") == "Partial progress", cell.inner_html()
    assert "◐" in cell.inner_text()
    snap(buyer, "05-buyer-grid")
    ui.assert_clean()
