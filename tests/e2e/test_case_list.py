"""The case list in a browser: the business filter suggests names as the caseworker types (htmx fills a
<datalist>), and picking one narrows the list without a page load; the search box does the same."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ilm.cases.models import Case
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"C-[A-Z0-9]{4}-[A-Z0-9]{4}")


def test_caseworker_filters_cases_by_business_name_and_search(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    cso = ui.person("caseworker")
    cso.sign_in(demo["th-voice-caseworker"])
    cso.goto("/cases/")
    main = cso.main()
    everything = set(REFERENCE.findall(main.locator("table").inner_text()))
    assert everything

    business = main.get_by_label("Business")
    business.fill("Golden")
    options = cso.page.locator("#business-suggestions option")
    options.first.wait_for(state="attached")
    assert "Golden Hen Poultry" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    cso.snap("case-list-business-suggestions")

    business.fill("Golden Hen Poultry")
    business.press("Enter")
    cso.page.wait_for_url(re.compile(r"business=Golden"))
    cso.settle()
    rows = main.locator("table tbody tr")
    golden = set(REFERENCE.findall(main.locator("table").inner_text()))
    expected = {
        c.reference
        for c in Case.objects.filter(cso__name__startswith="Migrant Worker Voice Thailand").filter(
            businesses__organisation__name="Golden Hen Poultry"
        )
    }
    assert golden == expected and golden < everything
    assert all("Golden Hen Poultry" in rows.nth(i).inner_text() for i in range(rows.count()))
    cso.snap("case-list-filtered-by-business")

    business.fill("")
    main.get_by_label("Search").fill("no such words anywhere")
    main.get_by_label("Search").press("Enter")
    cso.page.wait_for_url(re.compile(r"q=no"))
    cso.settle()
    assert "No cases match." in main.locator("table").inner_text()
    ui.assert_clean()
