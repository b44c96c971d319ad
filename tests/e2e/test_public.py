"""The public statistics in Burmese on a small phone, without signing in: the page renders in Burmese
(a Myanmar-script font from Debian's fonts-noto), every table fits the screen (wide tables scroll inside
their own box), and no partner or worker of the demo network is named.

Screenshots: var/screenshots/public-statistics-my-360px.png (and -en-).
"""

from __future__ import annotations

from typing import Any

import pytest

from ilm.cases.models import Worker
from ilm.network.models import Organisation, Site
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def test_the_public_statistics_in_burmese_on_a_phone(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    reader = ui.person("anonymous reader in Burmese", PHONE)
    reader.goto("/accounts/login/")
    reader.page.get_by_role("link", name="Public statistics").click()
    reader.page.wait_for_load_state("load")
    assert reader.path() == "/statistics/"
    reader.page.locator(".langs a[lang=my]").click()
    reader.page.wait_for_load_state("load")
    assert reader.page.locator("html").get_attribute("lang") == "my"
    assert not reader.context.cookies() or all(c["name"] != "sessionid" for c in reader.context.cookies())
    reader.snap("public-statistics-my")
    overflow = reader.horizontal_overflow()
    ui.check(overflow <= 0, f"the page is {overflow}px wider than the 360px screen")

    main = reader.main()
    sections = main.locator("section")
    ui.check(sections.count() == 6, "six tables")
    ui.check(main.locator("svg").count() == main.locator("table").count() >= 4, "a chart per table with figures")
    text = main.inner_text()
    ui.check("မြန်မာ" in text, "country names in Burmese")  # Myanmar, as CLDR names it in Burmese
    names = [o.name for o in Organisation.objects.all()] + [s.name for s in Site.objects.all()]
    page = reader.page.content()
    ui.check(len(page.encode()) < 100_000, f"the page weighs {len(page.encode())} bytes")
    ui.check(not [n for n in names if n and n in page], "no organisation or site is named")
    ui.check(Worker.objects.exists(), "the demo has workers")

    # The open data, linked from the page, in Burmese too.
    response = reader.page.request.get(f"{ui.base_url}/statistics/data.json?lang=my")
    assert response.ok and response.json()["language"] == "my"
    reader.goto("/statistics/?lang=en")
    reader.snap("public-statistics-en")
    ui.assert_clean()
