"""The main menu's groups: open by mouse and by keyboard, one at a time, closed by Escape or a click elsewhere,
and the group of the page shown marked."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def open_groups(person) -> list[str]:
    return person.page.evaluate(
        "() => [...document.querySelectorAll('nav.mainnav details[open] > summary')].map(s => s.textContent.trim())"
    )


def test_the_menu_groups_open_one_at_a_time_and_close_by_escape_or_a_click_elsewhere(ui, demo):
    me = ui.person("CSO caseworker")
    me.sign_in(demo["th-voice-caseworker"])
    nav = me.page.locator("nav.mainnav")
    assert open_groups(me) == []
    assert nav.get_by_role("link", name="Sites").is_hidden()  # inside a closed group

    nav.locator("summary", has_text="Network").click()
    assert open_groups(me) == ["Network"]
    assert nav.get_by_role("link", name="Sites").is_visible()
    me.snap("menu-1-network-open")

    nav.locator("summary", has_text="Improvement").click()
    assert open_groups(me) == ["Improvement"]  # the other one closed

    me.page.keyboard.press("Escape")
    assert open_groups(me) == []
    focused = me.page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Improvement"  # back on its summary

    me.page.keyboard.press("Enter")  # the keyboard opens it again
    assert open_groups(me) == ["Improvement"]
    me.page.mouse.click(1250, 850)  # a click elsewhere (the open list lies over the page's top) closes it
    assert open_groups(me) == []

    # Follow a link inside a group: the page it opens marks that group.
    nav.locator("summary", has_text="Network").click()
    with me.page.expect_navigation():
        nav.get_by_role("link", name="Sites").click()
    me.page.wait_for_load_state("load")
    assert me.path() == "/network/sites/"
    current = me.page.evaluate("() => document.querySelector('nav.mainnav summary.current').textContent.trim()")
    assert current == "Network"
    me.snap("menu-2-sites")
    ui.assert_clean()
