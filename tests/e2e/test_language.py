"""Scenario 2: the header's language selector (auto-submitting through static JS, with a fallback button).

The catalogues are being translated, so no translated word is asserted: only that the page says which
language it is in, that it still works, and that screenshots exist to look at the script rendering.
"""

from __future__ import annotations

import pytest

from ilm.accounts.models import User
from ilm.network.models import Site
from tests.e2e.conftest import MOBILE

pytestmark = pytest.mark.e2e

THAI = "\u0e44\u0e17\u0e22"  # ไทย, the Thai option's own name


def choose_language(person, code: str) -> None:
    """Pick a language in the header; the select submits its form by itself (ilm/js/app.js)."""
    with person.page.expect_navigation():
        person.page.locator("header select#language").select_option(code)
    person.page.wait_for_load_state("load")


def html_lang(person) -> str:
    return person.page.locator("html").get_attribute("lang") or ""


def page_works(person, label: str) -> None:
    main = person.main()
    assert main.locator("h1").count() == 1 and main.locator("h1").inner_text().strip(), f"{label}: no heading"
    assert person.page.locator("header select#language").is_visible(), f"{label}: no language selector"


def test_switch_to_thai_and_burmese(ui, demo):
    viewer = demo["northwind-admin"]
    me = ui.person("buyer admin")

    # Anonymous, on the sign-in page.
    me.goto("/accounts/login/")
    assert html_lang(me) == "en"
    choose_language(me, "th")
    assert me.path() == "/accounts/login/", "the selector returns to the page it was used on"
    assert html_lang(me) == "th"
    page_works(me, "sign-in (th)")
    me.snap("lang-th-signin")

    me.sign_in(viewer)  # the form is found by ids, not words
    assert html_lang(me) == "th", "the language chosen before sign-in is kept"
    page_works(me, "home (th)")
    me.snap("lang-th-home")
    assert User.objects.get(username=viewer["username"]).preferred_language in ("", "th")

    site = Site.objects.get(name="Samut Sakhon Plant 1")
    for path, name in [
        ("/network/organisations/", "organisations"),
        (f"/network/sites/{site.pk}/", "site"),
        ("/network/links/", "links"),
    ]:
        me.goto(path)
        assert html_lang(me) == "th"
        page_works(me, f"{name} (th)")
        me.snap(f"lang-th-{name}")

    # Signed in, from a page deep in the site: the choice is saved on the account.
    choose_language(me, "my")
    assert me.path() == "/network/links/"
    assert html_lang(me) == "my"
    page_works(me, "links (my)")
    me.snap("lang-my-links")
    assert User.objects.get(username=viewer["username"]).preferred_language == "my"
    for path, name in [
        ("/", "home"),
        ("/network/organisations/", "organisations"),
        (f"/network/sites/{site.pk}/", "site"),
        ("/accounts/profile/", "profile"),
    ]:
        me.goto(path)
        assert html_lang(me) == "my"
        page_works(me, f"{name} (my)")
        me.snap(f"lang-my-{name}")

    # The same session on a 360 px phone: Burmese script is tall; nothing may spill sideways.
    phone = ui.person("buyer admin on a phone", MOBILE, same_session_as=me)
    for path, name in [("/", "home"), (f"/network/sites/{site.pk}/", "site"), ("/network/links/", "links")]:
        phone.goto(path)
        assert html_lang(phone) == "my"
        page_works(phone, f"{name} (my, phone)")
        phone.snap(f"lang-my-{name}")
        ui.check(phone.horizontal_overflow() <= 0, f"{name} in Burmese is wider than a 360 px phone")

    choose_language(me, "en")
    assert html_lang(me) == "en"
    ui.assert_clean()


def test_autosubmit_fallback_buttons(ui, demo):
    """With JS the header's Change/Switch buttons are hidden; without JS they are there and work."""
    admin = demo["northwind-admin"]
    me = ui.person("buyer admin")
    me.sign_in(admin)
    for label, selector in [
        ("language", "form.lang button[type=submit]"),
        ("acting-for", "form.acting:not(.lang) button[type=submit]"),
    ]:
        button = me.page.locator(f"header {selector}")
        assert button.count() == 1, f"no {label} fallback button"
        assert button.evaluate("b => b.hidden"), f"app.js did not mark the {label} button hidden"
        ui.check(
            not button.is_visible(),
            f"the {label} fallback button has the hidden attribute but is still displayed "
            "(app.css gives buttons display:inline-block, which overrides [hidden])",
        )
    me.snap("header-with-js")

    # Without JavaScript: the language select does not submit itself, the button does.
    plain = ui.person("no-js visitor")
    plain.context.close()
    plain.context = ui.browser.new_context(
        java_script_enabled=False, base_url=ui.base_url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    plain.page = plain.context.new_page()
    plain.page.on("response", plain._on_response)
    plain.goto("/accounts/login/")
    button = plain.page.locator("header form.lang button[type=submit]")
    assert button.is_visible()
    plain.page.locator("header select#language").select_option("th")
    plain.submit(button, expect_path="/accounts/login/")
    assert html_lang(plain) == "th"
    assert THAI in plain.page.locator("header select#language option[value=th]").inner_text()
    plain.snap("lang-th-signin-without-js")
    ui.assert_clean()
