"""Browser story for the dashboard's scores and progress panels (issue 7) on the demo network: Siam Ocean's
administrator (a supplier) reads its Ethical Performance Scores quarter by quarter, its 13 progress
indicators and its action plan's rows; Northwind Foods' administrator (a buyer) reads the scores and progress
of each supplier and agency of its chain. Screenshots: var/screenshots/dashboard-panels-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e

QUARTER = re.compile(r"^20\d\d-Q[1-4]$")


def test_supplier_and_buyer_read_scores_and_progress(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    supplier = ui.person("supplier")
    supplier.sign_in(demo["siam-ocean-admin"])
    supplier.goto("/dashboard/")
    main = supplier.main()
    history = main.locator("section[aria-labelledby='t-score_history']")
    ui.check(history.locator("h2").inner_text() == "Your Ethical Performance Scores over time", "the history panel")
    quarters = history.locator("tbody th").all_inner_texts()
    ui.check(len(quarters) >= 2 and all(QUARTER.match(q) for q in quarters), f"one row per quarter: {quarters}")
    ui.check(quarters == sorted(quarters), "oldest first")
    scores = history.locator("tbody td").all_inner_texts()
    ui.check(all(s == "—" or 1 <= float(s) <= 5 for s in scores), f"scores from 1 to 5: {scores}")
    indicators = main.locator("section[aria-labelledby='t-progress_indicators'] tbody tr")
    ui.check(indicators.count() == 13, "the 13 progress indicators")
    ui.check("Completed / ongoing" in indicators.first.inner_text(), "WV1 is completed in the demo")
    plan = main.locator("section[aria-labelledby='t-plan_progress']")
    ui.check("Business Action Plan" in plan.inner_text(), "the plan is named")
    ui.check(main.locator("#t-business_scores").count() == 0, "a supplier sees no chain panel")
    history.scroll_into_view_if_needed()
    supplier.snap("dashboard-panels-1-supplier")

    buyer = ui.person("buyer")
    buyer.sign_in(demo["northwind-admin"])
    buyer.goto("/dashboard/")
    chain = buyer.main().locator("section[aria-labelledby='t-business_scores']")
    ui.check(chain.locator("h2").inner_text() == "Scores and progress of your suppliers and agencies", "the panel")
    names = chain.locator("tbody th").all_inner_texts()
    ui.check("Siam Ocean Foods" in " ".join(names), f"the chain's suppliers are listed: {names}")
    ui.check(names == sorted(names), f"by name: {names}")
    ui.check(buyer.main().locator("#t-score_history").count() == 0, "a buyer sees no history of its own")
    chain.scroll_into_view_if_needed()
    buyer.snap("dashboard-panels-2-buyer")
    ui.assert_clean()
