"""Browser story for the Academy (docs/plans.md, "Trainings (Academy)"): courses, sessions with their
participants by role and gender, and the indicator suggestion a held session makes.

A caseworker of Migrant Worker Voice Thailand (a CSO) opens Action plans → Academy and creates a course for
activity 2.8 (in person, Thai); on a 360 px phone it records a held session for Siam Ocean Foods with the
participants grid (the totals app.js keeps are checked); a negative count and a date three years ahead are
refused clearly, keeping what was typed. The session suggests ER7 "partial progress": Siam Ocean's
administrator accepts it on its progress page. Northwind Foods (Siam Ocean's buyer) reads the session without
edit controls; the Cambodian CSO's caseworker and Penang Circuit Works (another buyer's supplier) get 404.
The Academy pages are looked at once more on the phone, in Thai.

Every page is screenshotted to var/screenshots/academy-*.png (-360px on the phone).

Phones: a page wider than the phone fails the story. It found the participants fieldset widening the
session form (fixed in app.css: `fieldset { min-width: 0 }`) and the Thai date field left empty (date
inputs now always get ISO dates).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from ilm.network.models import Organisation
from ilm.plans.models import Course, IndicatorSuggestion, IndicatorValue, TrainingSession
from tests.e2e.conftest import MOBILE, UI, Person

pytestmark = pytest.mark.e2e

CASEWORKER = "th-voice-caseworker"
CSO = "Migrant Worker Voice Thailand"
OTHER_CSO_CASEWORKER = "kh-rights-caseworker"
SUPPLIER = "Siam Ocean Foods"
SUPPLIER_ADMIN = "siam-ocean-admin"
BUYER_ADMIN = "northwind-admin"
UNRELATED_ADMIN = "penang-circuit-admin"
COURSE = "Ethical recruitment for HR teams and line supervisors"
# Thai: "Academy", "Record a session", "Participants by role and gender"
ACADEMY_TH = "ศูนย์ฝึกอบรม"
RECORD_TH = "บันทึกรอบการอบรม"
PARTICIPANTS_TH = "ผู้เข้าร่วมแยกตามบทบาทและเพศ"

PAGE_WIDER_THAN_PHONE = """(width) => document.documentElement.scrollWidth - width"""
# What a page must not show: template syntax that was not rendered.
RAW_TEMPLATE = ("{%", "%}", "{{", "}}", "{#")


class Shots:
    """Numbered screenshots: var/screenshots/academy-NN-<name>.png (-360px on phones), with checks."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, person: Person, name: str) -> None:
        self.n += 1
        person.settle()
        person.snap(f"academy-{self.n:02d}-{name}")
        text = person.page.locator("body").inner_text()
        person.ui.check(not any(mark in text for mark in RAW_TEMPLATE), f"academy {name}: raw template syntax shown")
        width = person.viewport["width"]
        if width < 500:
            overflow = int(person.page.evaluate(PAGE_WIDER_THAN_PHONE, width))
            person.ui.check(overflow <= 0, f"academy {name}: the page is {overflow} px wider than the phone")


def message(person: Person) -> str:
    return person.page.locator(".messages").inner_text() if person.page.locator(".messages").count() else ""


def errors(person: Person) -> str:
    return " ".join(person.main().locator(".errorlist").all_inner_texts())


def choose_language(person: Person, code: str) -> None:
    """The header's language selector submits its form by itself (ilm/js/app.js)."""
    with person.page.expect_navigation():
        person.page.locator("header select#language").select_option(code)
    person.page.wait_for_load_state("load")
    assert person.page.locator("html").get_attribute("lang") == code


def nav(person: Person, scope: Any | None, href: str, lands_on: str | None = None) -> None:
    """Follow a link by its address (so that it works in every language); scope None: the main menu's."""
    link = person.menu_link(href) if scope is None else scope.locator(f"a[href='{href}']").first
    with person.page.expect_navigation():
        link.click()
    person.page.wait_for_load_state("load")
    expected = lands_on or href
    assert person.path() == expected, f"at {person.path()}, expected {expected}"


def save(person: Person, expect_path: str) -> None:
    """Press the form's Save button (a real click: on a phone nothing may lie over it)."""
    person.submit(person.main().get_by_role("button", name="Save"), expect_path=expect_path)


def grid_totals(person: Person) -> tuple[list[str], list[str], str]:
    """What the participants grid of the session form shows: row totals, column totals, grand total."""
    table = person.main().locator("table[data-totals]")
    rows = [(o.text_content() or "").strip() for o in table.locator("output[data-row-total]").all()]
    columns = [(o.text_content() or "").strip() for o in table.locator("output[data-col-total]").all()]
    return rows, columns, (table.locator("output[data-grand-total]").text_content() or "").strip()


def test_academy_course_session_suggestion_and_readers(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    siam = Organisation.objects.get(name=SUPPLIER)
    assert not IndicatorValue.objects.filter(organisation=siam, indicator="ER7").exists()
    today = timezone.localdate()
    held_on = today - datetime.timedelta(days=3)
    far_future = today + datetime.timedelta(days=3 * 365)
    shot = Shots()

    # --- the caseworker opens Action plans → Academy and creates a course ------------------------------------
    cso = ui.person("caseworker")
    cso.sign_in(demo[CASEWORKER])
    main = cso.main()
    nav(cso, None, "/plans/", "/plans/country/")  # a CSO's landing page
    nav(cso, main.locator("nav.actions"), "/plans/academy/")
    assert main.locator("h1").inner_text().strip() == "Academy"
    assert COURSE not in main.locator("#results").inner_text()
    shot(cso, "courses")

    cso.submit(main.get_by_role("link", name="New course"), expect_path="/plans/academy/courses/new/")
    main.get_by_label("Title").fill(COURSE)
    main.get_by_label("Topic").fill("Employer-pays principle, fees and costs, contracts in the worker's language.")
    main.get_by_label("Activity").select_option("2.8")
    main.get_by_label("Mode").select_option(label="In person")
    main.get_by_label("Language").select_option("th")
    provider = main.get_by_label("Provider")
    assert provider.locator("option:checked").inner_text().strip() == CSO
    offered = [t.strip() for t in provider.locator("option:not([value=''])").all_inner_texts()]
    assert offered == [CSO], f"a CSO may name another provider: {offered}"
    shot(cso, "course-form")
    cso.submit(main.get_by_role("button", name="Save"), expect_path=r"/plans/academy/courses/\d+/")
    course = Course.objects.get(title=COURSE)
    course_path = f"/plans/academy/courses/{course.pk}/"
    assert cso.path() == course_path
    assert "Course created. Record its sessions below." in message(cso), message(cso)
    facts = main.locator("dl.facts").inner_text()
    assert "2.8" in facts and "Capacity building: ethical recruitment trainings" in facts, facts
    assert "In person" in facts and "ไทย" in facts and CSO in facts, facts
    assert (course.activity_id, course.mode, course.language) == ("2.8", "in_person", "th")
    assert "No sessions you may see." in main.inner_text()
    shot(cso, "course-created")

    # --- on a 360 px phone: the session and its participants --------------------------------------------------
    phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    pmain = phone.main()
    phone.goto(course_path)
    new_session = f"/plans/academy/courses/{course.pk}/sessions/new/"
    phone.submit(pmain.get_by_role("link", name="Record a session"), expect_path=new_session)
    assert pmain.get_by_label("Trainer").locator("option:checked").inner_text().strip() == CSO
    pmain.get_by_label("Date").fill(held_on.isoformat())
    pmain.get_by_label("Place").fill("Samut Sakhon Plant 1")
    pmain.get_by_label("Organisation trained").select_option(label=SUPPLIER)
    pmain.get_by_label("Notes").fill("Half-day workshop with the HR team.")
    pmain.get_by_label("The session was held").check()
    counts = {
        "managers_female": "2",
        "managers_male": "3",
        "hr_female": "4",
        "line_supervisors_other": "1",
        "interpreters_male": "-1",
    }
    for cell, count in counts.items():
        pmain.locator(f"#id_n_{cell}").fill(count)
    rows, columns, grand = grid_totals(phone)
    assert rows == ["5", "4", "1", "-1", "0", "0"] and columns == ["6", "2", "1"] and grand == "9", (
        rows,
        columns,
        grand,
    )
    shot(phone, "session-form-negative-typed")

    # a negative count: refused by the form, what was typed kept
    save(phone, new_session)
    fieldset = pmain.locator("fieldset")
    assert "greater than or equal to 0" in fieldset.inner_text(), fieldset.inner_text()
    assert "Interpreters · Male" in fieldset.inner_text(), fieldset.inner_text()
    for cell, count in counts.items():
        assert pmain.locator(f"#id_n_{cell}").input_value() == count, cell
    assert pmain.get_by_label("Place").input_value() == "Samut Sakhon Plant 1"
    assert pmain.get_by_label("Organisation trained").locator("option:checked").inner_text().strip() == SUPPLIER
    assert pmain.get_by_label("The session was held").is_checked()
    assert grid_totals(phone)[2] == "9", "the totals are not shown again after a refusal"
    assert TrainingSession.objects.filter(course=course).count() == 0
    shot(phone, "session-negative-refused")

    # a date three years ahead: refused by the service, what was typed kept
    pmain.locator("#id_n_interpreters_male").fill("2")
    counts["interpreters_male"] = "2"
    pmain.get_by_label("Date").fill(far_future.isoformat())
    save(phone, new_session)
    assert "This date is too far in the future: plan sessions at most two years ahead." in errors(phone), errors(phone)
    assert pmain.get_by_label("Date").input_value() == far_future.isoformat()
    for cell, count in counts.items():
        assert pmain.locator(f"#id_n_{cell}").input_value() == count, cell
    assert pmain.get_by_label("Notes").input_value() == "Half-day workshop with the HR team."
    assert TrainingSession.objects.filter(course=course).count() == 0
    shot(phone, "session-far-future-refused")

    pmain.get_by_label("Date").fill(held_on.isoformat())
    rows, columns, grand = grid_totals(phone)
    assert rows == ["5", "4", "1", "2", "0", "0"] and columns == ["6", "5", "1"] and grand == "12", (
        rows,
        columns,
        grand,
    )
    save(phone, r"/plans/academy/sessions/\d+/")
    session = TrainingSession.objects.get(course=course)
    session_path = f"/plans/academy/sessions/{session.pk}/"
    assert phone.path() == session_path
    assert "Session recorded." in message(phone), message(phone)
    assert session.completed and session.held_on == held_on and session.trained_organisation_id == siam.pk
    participants = pmain.locator("table.grid-table")
    head = [t.strip() for t in participants.locator("thead th").all_inner_texts()]
    assert head == ["Role", "Female", "Male", "Other or not stated", "Total"], head
    managers = participants.locator("tbody tr", has_text="Managers").locator("td").all_inner_texts()
    assert managers == ["2", "3", "0", "5"], managers
    footer = participants.locator("tfoot td").all_inner_texts()
    assert footer == ["6", "5", "1", "12"], footer
    suggested = pmain.locator("h2:has-text('Suggested indicator updates') + ul").inner_text()
    assert "ER7: Partial progress" in suggested, suggested
    shot(phone, "session-recorded")

    suggestion = IndicatorSuggestion.objects.get(training_session=session)
    assert (suggestion.organisation_id, suggestion.indicator, suggestion.suggested_status) == (
        siam.pk,
        "ER7",
        "partial",
    )
    cso.goto(course_path)
    line = main.locator("table tbody tr").first
    assert SUPPLIER in line.inner_text() and "12" in line.inner_text(), line.inner_text()
    shot(cso, "course-with-session")

    # --- the supplier's administrator accepts the suggestion ------------------------------------------------
    admin = ui.person("supplier admin")
    admin.sign_in(demo[SUPPLIER_ADMIN])
    amain = admin.main()
    progress = f"/plans/progress/{siam.pk}/"
    admin.goto(progress)
    card = amain.locator(f"#suggestion-{suggestion.pk}")
    assert "ER7" in card.inner_text() and "Partial progress" in card.inner_text(), card.inner_text()
    shot(admin, "supplier-progress-suggestion")
    admin.submit(card.get_by_role("button", name="Accept"), expect_path=progress)
    assert "Suggestion accepted: the indicator is updated." in message(admin), message(admin)
    assert amain.locator(f"#suggestion-{suggestion.pk}").count() == 0
    er7 = amain.locator("tr#ER7 td").nth(0).inner_text()
    assert "Partial progress" in er7, er7
    assert IndicatorValue.objects.get(organisation=siam, indicator="ER7").status == "partial"
    shot(admin, "supplier-progress-accepted")

    # --- the buyer reads the session, without edit controls ---------------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    bmain = buyer.main()
    buyer.goto("/plans/academy/sessions/")
    listed = bmain.locator(f"a[href='{session_path}']")
    assert listed.count() == 1, bmain.locator("table").inner_text()
    shot(buyer, "buyer-sessions")
    nav(buyer, bmain, session_path)
    assert bmain.locator("tfoot td").all_inner_texts() == ["6", "5", "1", "12"]
    assert bmain.get_by_role("link", name="Edit").count() == 0, "the buyer is offered to edit the session"
    assert bmain.locator("form[method=post]").count() == 0, "the buyer sees a form that writes"
    shot(buyer, "buyer-session")
    buyer.goto(f"{session_path}edit/", expect_status=403)

    # --- another CSO and an unrelated business: 404 -----------------------------------------------------------
    for username in (OTHER_CSO_CASEWORKER, UNRELATED_ADMIN):
        outsider = ui.person(username)
        outsider.sign_in(demo[username])
        outsider.goto(session_path, expect_status=404)
        outsider.goto(f"{session_path}edit/", expect_status=404)
        outsider.goto("/plans/academy/sessions/")
        assert outsider.main().locator(f"a[href='{session_path}']").count() == 0, f"{username} lists the session"
        shot(outsider, f"{username}-sessions")

    # --- the Academy on the phone, in Thai ----------------------------------------------------------------------
    choose_language(phone, "th")
    try:
        phone.goto("/plans/academy/")
        assert pmain.locator("h1").inner_text().strip() == ACADEMY_TH
        shot(phone, "th-courses")
        phone.goto(course_path)
        assert RECORD_TH in pmain.inner_text()
        shot(phone, "th-course")
        phone.goto(session_path)
        assert PARTICIPANTS_TH in pmain.locator("table caption").inner_text()
        shot(phone, "th-session")
        phone.goto(f"{session_path}edit/")
        assert PARTICIPANTS_TH in pmain.locator("legend").inner_text()
        assert grid_totals(phone)[2] == "12"
        shown = pmain.get_by_label("วันที่").input_value()  # "Date"
        assert shown == held_on.isoformat(), f"the Thai session form shows the date as {shown!r}"
        shot(phone, "th-session-form")
        phone.goto("/plans/academy/sessions/")
        shot(phone, "th-sessions")
    finally:
        choose_language(phone, "en")  # the language is kept on the account
    ui.assert_clean()
