"""Scenario 3: a buyer's administrator browses its supply chain, on a desktop and on a 360 px phone."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, MOBILE

pytestmark = pytest.mark.e2e


# Latest headcount per site, as the demo records it (ilm/network/demo_data.py).
WORKERS = {
    "Samut Sakhon Plant 1": "1,850",
    "Korat Broiler Farm": "380",
    "Songkhla Cannery": "2,400",
    "Vessel SC-7": "24",
    "Saraburi Dormitory": "900",
}


def rows(person) -> list[str]:
    return person.main().locator("table tbody tr").all_inner_texts()


def first_column(person) -> list[str]:
    return [t.strip() for t in person.main().locator("table tbody tr td:first-child").all_inner_texts()]


def filter_with(person, **fields: str) -> None:
    """Set the filter form's fields and press Filter. The form may reload the page or (htmx) swap in
    the results; either way wait until the results are in."""
    form = person.main().locator("form.filters")
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
        person.settle()
    form.locator("button[type=submit]").click()
    person.settle()


@pytest.mark.parametrize("viewport", [DESKTOP, MOBILE], ids=["desktop", "mobile-360"])
def test_buyer_admin_browses_network(ui, demo, viewport):
    me = ui.person("buyer admin", viewport)
    me.sign_in(demo["northwind-admin"], shots="browse-signin")
    mobile = viewport["width"] < 500
    overflow: dict[str, int] = {}

    def look(name: str) -> None:
        me.snap(name)
        if mobile:
            extra = me.horizontal_overflow()
            if extra > 0:
                overflow[name] = extra
            # The navigation must stay reachable on a phone.
            assert me.page.get_by_role("navigation", name="Main").is_visible()

    main = me.main()
    assert main.locator("h1").inner_text() == "Northwind Foods"
    look("browse-home")

    # Organisations, then filtered to suppliers, then to Thai seafood.
    me.menu_link(name="Organisations").click()
    me.page.wait_for_url("**/network/organisations/")
    names = first_column(me)
    assert "Siam Ocean Foods" in names and "Northwind Foods" in names
    assert "Harbor Retail Group" not in names, "a buyer sees another buyer"
    assert "Borneo Palm Estates" not in names, "a buyer sees a supplier outside its chain"
    look("browse-organisations")

    filter_with(me, kind="Supplier / employer")
    names = first_column(me)
    assert names and "Northwind Foods" not in names
    assert {"Siam Ocean Foods", "Golden Hen Poultry", "Songkhla Canning"} <= set(names)
    assert "kind=supplier" in me.page.url
    look("browse-organisations-suppliers")

    filter_with(me, country="Thailand", industry="Poultry")
    assert first_column(me) == ["Golden Hen Poultry"]
    look("browse-organisations-th-poultry")

    filter_with(me, q="ocean", kind="All kinds", country="All countries", industry="All industries")
    assert first_column(me) == ["Siam Ocean Foods"]

    # One organisation: its facts, sites with worker counts, links.
    main.get_by_role("link", name="Siam Ocean Foods").click()
    me.page.wait_for_url("**/network/organisations/*/")
    assert main.locator("h1").inner_text() == "Siam Ocean Foods"
    text = main.inner_text()
    assert "Samut Sakhon Plant 1" in text
    site_row = main.locator("table tbody tr", has_text="Samut Sakhon Plant 1").inner_text()
    ui.check("1,850" in site_row, f"organisation page: Samut Sakhon Plant 1 should show 1,850 workers: {site_row!r}")
    assert "Northwind Foods" in text, "the link to the buyer is listed"
    assert main.get_by_role("link", name="Edit").count() == 0, "a buyer may not edit its supplier"
    look("browse-organisation-detail")

    # Sites, filtered, and one site's headcount.
    me.menu_link(name="Sites").click()
    me.page.wait_for_url("**/network/sites/")
    sites = first_column(me)
    assert "Samut Sakhon Plant 1" in sites and "Korat Broiler Farm" in sites
    assert "Mae Sot Factory" not in sites, "a site outside the buyer's chain is listed"
    for site_name, workers in WORKERS.items():
        row = main.locator("table tbody tr", has_text=site_name).inner_text()
        ui.check(workers in row, f"sites list: {site_name} should show {workers} workers (latest headcount): {row!r}")
    look("browse-sites")
    filter_with(me, site_type="Fishing vessel")
    assert set(first_column(me)) == {"Vessel SOF-12", "Vessel SC-7", "Vessel AF-3"}  # AF-3: upstream of Siam Ocean
    look("browse-sites-vessels")
    filter_with(me, q="Samut", site_type="All types")
    assert set(first_column(me)) == {"Samut Sakhon Plant 1", "Samut Sakhon Plant 2"}

    main.get_by_role("link", name="Samut Sakhon Plant 1").click()
    me.page.wait_for_url("**/network/sites/*/")
    assert main.locator("h1").inner_text() == "Samut Sakhon Plant 1"
    caption = main.locator("table caption").first.inner_text()
    assert "1,850 workers" in caption and "2026" in caption
    assert len(rows(me)) == 6  # (female, male) x (MM, KH, TH)
    assert main.get_by_role("link", name="Record headcount").count() == 0
    look("browse-site-detail")

    # Supply-chain links and one link.
    me.menu_link(name="Supply chain").click()
    me.page.wait_for_url("**/network/links/")
    table = main.locator("table tbody")
    assert table.locator("tr", has_text="Siam Ocean Foods").count() >= 1
    look("browse-links")
    row = table.locator("tr", has_text="Northwind Foods").filter(has_text="Siam Ocean Foods").first
    row.locator("td:first-child a").click()
    me.page.wait_for_url("**/network/links/*/")
    assert main.locator("h1").inner_text() == "Northwind Foods → Siam Ocean Foods"
    facts = main.locator("dl.facts").inner_text()
    assert "Confirmed" in facts and "Tier 1" in facts
    look("browse-link-detail")

    ui.check(not overflow, f"pages wider than the {viewport['width']} px screen (extra px): {overflow}")
    ui.assert_clean()
