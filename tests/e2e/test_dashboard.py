"""Browser story for the dashboard (docs/indicators.md, "Dashboards"): Northwind Foods' administrator (a
buyer) opens it from the menu on the demo network, narrows the period, downloads a table as CSV, drills down
to a supplier and on to its shared cases, asks for last quarter's PDF report in Thai and downloads it once the
task has made it; a caseworker of Migrant Worker Voice Thailand reads its own on a 360 px phone in Thai.
Screenshots: var/screenshots/dashboard-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import MOBILE, UI

pytestmark = pytest.mark.e2e

PAGE_WIDER_THAN_PHONE = "(width) => document.documentElement.scrollWidth - width"


def test_buyer_and_cso_dashboards(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    buyer = ui.person("buyer")
    buyer.sign_in(demo["northwind-admin"])
    with buyer.page.expect_navigation():
        buyer.page.locator("nav.mainnav a[href='/dashboard/']").click()
    main = buyer.main()
    ui.check(main.locator("svg.chart").count() >= 5, "the buyer's dashboard draws its charts")
    ui.check(main.locator("#t-issues_by_business").count() == 1, "issues per supplier are listed")
    ui.check(main.locator("#t-issues_by_tier").count() == 1, "issues per tier are listed")
    buyer.snap("dashboard-1-buyer")
    main.locator("#id_date_from").fill("2022-01-01")
    buyer.submit(main.locator("form.filters button[type=submit]"))
    ui.check("date_from=2022-01-01" in buyer.page.url, "the period is in the address")
    buyer.snap("dashboard-2-buyer-since-2022")
    with buyer.page.expect_download() as download:
        main.locator("#t-issues_by_business").locator("xpath=..").get_by_role("link", name="CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    ui.check(text.startswith("Business,Issues"), "the CSV holds the table")

    # --- drill-down: one supplier's issues, then its shared case summaries -------------------------------
    first = main.locator("#t-issues_by_business").locator("xpath=..").locator("tbody th a").first
    name = first.inner_text().strip()
    with buyer.page.expect_navigation():
        first.click()
    ui.check("business=" in buyer.page.url, "the supplier's name opens the dashboard narrowed to it")
    ui.check(buyer.main().get_by_text(f"Only the cases of {name}").count() == 1, "the page names the supplier")
    ui.check(buyer.main().locator("#t-issues_by_business").count() == 0, "no per-business table in a drill-down")
    buyer.snap("dashboard-6-buyer-drill-down")
    with buyer.page.expect_navigation():
        buyer.main().get_by_role("link", name="Its cases in this period").click()
    ui.check("/cases/" in buyer.page.url and "organisation=" in buyer.page.url, "on to its cases")
    rows = buyer.main().locator("#results tbody tr")
    ui.check(rows.count() >= 1, "the supplier's shared cases are listed")
    ui.check(buyer.main().get_by_text(f"Only the cases of {name}").count() == 1, "the list says whose cases")
    buyer.snap("dashboard-7-buyer-drill-down-cases")

    # --- the quarterly PDF report: asked for in Thai, made by the task worker, downloaded --------------------
    buyer.goto("/dashboard/")
    with buyer.page.expect_navigation():
        buyer.main().get_by_role("link", name="Quarterly reports (PDF)").click()
    buyer.snap("dashboard-4-reports")
    form = buyer.main().locator("form.card")
    form.locator("#id_language").select_option("th")
    buyer.submit(form.locator("button[type=submit]"))
    ui.check("/dashboard/reports/" in buyer.page.url, "the report's page shows its progress")
    buyer.page.locator("#report-status a.button").wait_for(timeout=60_000)  # done (htmx polls while it runs)
    buyer.snap("dashboard-5-report-done")
    with buyer.page.expect_download() as report:
        buyer.page.locator("#report-status a.button").click()
    pdf = open(report.value.path(), "rb").read()  # noqa: SIM115
    ui.check(pdf.startswith(b"%PDF") and len(pdf) > 10_000, "the report downloads as a PDF")

    cso = ui.person("cso", MOBILE)
    cso.sign_in(demo["th-voice-caseworker"])
    with cso.page.expect_navigation():
        cso.page.locator("header select#language").select_option("th")
    cso.page.wait_for_load_state("load")
    cso.goto("/dashboard/")
    ui.check(cso.page.locator("html").get_attribute("lang") == "th", "the dashboard speaks Thai")
    overflow = int(cso.page.evaluate(PAGE_WIDER_THAN_PHONE, MOBILE["width"]))
    ui.check(overflow <= 0, f"the dashboard is {overflow} px wider than the phone")
    cso.snap("dashboard-3-cso-phone-th")
    ui.assert_clean()
