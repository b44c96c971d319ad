"""Impact and reach indicators in a browser: the buyer opens Impact for its supply chain (pooled figures, one
row per business, a business's own figures, the CSV); the technical partner opens Reach with a date range
(the tables per CSO and per country), also on a phone.

Screenshots: var/screenshots/indicators-*.png.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.conftest import UI, Person

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
BUYER_ADMIN = "harbor-admin"
TP_ADMIN = "secretariat-admin"


def snap(person: Person, ui: UI, name: str) -> None:
    person.snap(f"indicators-{name}")
    overflow = person.horizontal_overflow()
    ui.check(overflow <= 0, f"{name}: the page is {overflow}px wider than the {person.viewport['width']}px screen")


def test_buyer_reads_impact_of_its_chain_and_tp_reads_reach(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    # --- the buyer: Impact over its chain ------------------------------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    buyer.goto("/")
    buyer.menu_link(name="Indicators").click()
    buyer.settle()
    assert buyer.path().startswith("/indicators/impact/")
    main = buyer.main()
    text = main.inner_text()
    assert "Your supply chain" in text and "Resolved in under 60 days" in text
    assert "Siam Ocean Foods" in text  # a supplier of Harbor's chain, on its own row
    rows = main.locator("table").nth(2).locator("tbody tr")
    ui.check(rows.count() >= 2, "one row per business of the chain")
    snap(buyer, ui, "01-buyer-impact")

    start = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    main.get_by_label("From").fill(start)
    buyer.submit(main.get_by_role("button", name="Show"))
    assert f"date_from={start}" in buyer.page.url
    main.get_by_role("link", name="Siam Ocean Foods").first.click()
    buyer.settle()
    text = main.inner_text()
    assert "Siam Ocean Foods" in main.locator("h2").first.inner_text()
    assert "Eligible workers reimbursed" in text and "MMK" in text and "THB" in text
    snap(buyer, ui, "02-buyer-one-supplier")

    with buyer.page.expect_download() as download:
        main.get_by_role("link", name="Download these numbers (CSV)").click()
    assert download.value.suggested_filename == "impact.csv"

    # A business outside the chain is not there.
    outsider = buyer.page.request.get(f"{ui.base_url}/indicators/impact/?business=999999")
    assert outsider.status == 404
    buyer.goto("/indicators/reach/", expect_status=403)

    # --- the technical partner: Reach with a date range, on a desktop and on a phone -----------------------
    tp = ui.person("technical partner admin")
    tp.sign_in(demo[TP_ADMIN])
    tp.goto("/indicators/impact/")
    tp.main().get_by_role("link", name="Reach indicators").click()
    tp.settle()
    main = tp.main()
    main.get_by_label("From").fill(start)
    main.get_by_label("To").fill(timezone.localdate().isoformat())
    tp.submit(main.get_by_role("button", name="Show"))
    text = main.inner_text()
    for heading in ("Per CSO", "Per country", "Reach 1 by gender and nationality"):
        assert heading in text, heading
    assert "Thailand" in text and "Myanmar Migrant Workers Union" in text
    snap(tp, ui, "03-tp-reach")

    phone = ui.person("technical partner on a phone", PHONE, same_session_as=tp)
    phone.goto(tp.page.url)
    snap(phone, ui, "04-tp-reach")
    ui.assert_clean()
