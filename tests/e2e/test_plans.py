"""Browser stories for the action-plan pages (docs/plans.md): Country and Business Action Plans, the
baseline and its focal points, and the progress indicators.

1. Thailand's Country Action Plan, written by a caseworker of Migrant Worker Voice Thailand (a CSO working
   in Thailand): created from the menu, a row added, edited inline with htmx (no page load), an unknown
   activity code refused (and what was typed kept), the same year refused; a government member browses and
   searches the country plans; a supplier gets 404. The same pages on a 360 px phone in Thai.
2. Siam Ocean Foods' Business Action Plan: created by its administrator, rows, a mid-year check-in, the plan
   "as of" an earlier date; Northwind Foods (its buyer) reads it without edit controls and downloads the
   CSV and XLSX; the baseline and focal points (a bad phone number refused).
3. The progress indicators: Siam Ocean's administrator updates WV1 twice (the trend shows both) and accepts
   a suggestion; Northwind's administrator reads the grid filtered by country, the totals, the supplier's
   page (read only) and the CSV; the grid on a phone in Burmese.

The demo network (tests/e2e/conftest.py) already holds this year's plans and baselines; each story removes
the ones it creates again in the browser (and the progress story clears Siam Ocean's indicators and the
suggestions the demo's trainings made). Every page is screenshotted to var/screenshots/plans-*.png.

Phones: a page wider than the phone fails the story (measured against the phone's width: a mobile
Chromium widens `window.innerWidth` to the content). This found hidden table text escaping `.table-wrap`'s
scroll box (fixed in app.css: `.table-wrap` is now a containing block).
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ilm.network.models import Country, Organisation
from ilm.plans import services
from ilm.plans.models import Baseline, IndicatorSuggestion, IndicatorValue, Plan, PlanKind, PlanRow
from tests.e2e.conftest import MOBILE, UI, Person
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.e2e

CSO = "Migrant Worker Voice Thailand"
CASEWORKER = "th-voice-caseworker"
SUPPLIER = "Siam Ocean Foods"
SUPPLIER_ADMIN = "siam-ocean-admin"
BUYER_ADMIN = "northwind-admin"
AGENCY = "Bangkok Labour Services"
GOVERNMENT_USER = "th-labour-ministry-viewer"
GOVERNMENT_PASSWORD = "correct horse battery staple"
CSV_HEADER = ["Activity", "Description", "Organisation(s)", "Remarks", "Status", "Due quarter"]
# Thai: "Action plans" (the menu) and the start of "Unknown activity code: ..."
ACTION_PLANS_TH = "แผนปฏิบัติการ"
UNKNOWN_CODE_TH = "ไม่รู้จักรหัสกิจกรรม: 9.9"


# --- helpers --------------------------------------------------------------------------------------------------


# On a phone, Chromium's layout viewport grows to the page's width, so the overflow is measured against the
# phone's width.
PAGE_WIDER_THAN_PHONE = """(width) => document.documentElement.scrollWidth - width"""


class Shots:
    """Numbered screenshots: var/screenshots/plans-<prefix>-NN-<name>.png (-360px on phones)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = f"plans-{prefix}"
        self.n = 0

    def __call__(self, person: Person, name: str) -> None:
        self.n += 1
        person.settle()
        person.snap(f"{self.prefix}-{self.n:02d}-{name}")
        width = person.viewport["width"]
        if width < 500:
            overflow = int(person.page.evaluate(PAGE_WIDER_THAN_PHONE, width))
            person.ui.check(overflow <= 0, f"{self.prefix} {name}: the page is {overflow} px wider than the phone")


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


def menu(person: Person, href: str) -> None:
    """Follow a link of the main menu (by address, so that it works in every language)."""
    with person.page.expect_navigation():
        person.menu_link(href).click()
    person.page.wait_for_load_state("load")


def open_form(person: Person, action_suffix: str) -> Any:
    """The form posting to .../<action_suffix>, opening the <details> it is folded in first."""
    form = person.main().locator(f"form[action$='{action_suffix}']")
    assert form.count() == 1, f"no form posting to {action_suffix} on {person.path()}"
    details = person.main().locator(f"details:has(form[action$='{action_suffix}'])")
    if details.count() and not details.first.evaluate("d => d.open"):
        details.first.locator("summary").first.click()
    return form


def sign_in_with_password_only(person: Person, username: str, password: str) -> None:
    person.goto("/accounts/login/")
    main = person.main()
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(password)
    person.submit(main.locator("form button[type=submit]"), expect_path="/")


def download(person: Person, link: Any) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and its bytes."""
    with person.page.expect_download() as info:
        link.click()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "the CSV has no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    assert content[:2] == b"PK", "the XLSX is not a zip file"
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def no_reload_marker(person: Person) -> None:
    person.page.evaluate("() => { window.__planNoReload = 'still here'; }")


def assert_not_reloaded(person: Person) -> None:
    assert person.page.evaluate("() => window.__planNoReload") == "still here", "the page was loaded again"


def this_year() -> int:
    return timezone.localdate().year


# --- 1. Country Action Plan -----------------------------------------------------------------------------------


def test_country_action_plan(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    year = this_year()
    thailand = Country.objects.get(code="TH")
    # The demo wrote Thailand's plan for this year; this story writes it again, in the browser.
    Plan.objects.filter(kind=PlanKind.COUNTRY, country=thailand, year=year).delete()
    shot = Shots("cap")

    cso = ui.person("caseworker")
    cso.sign_in(demo[CASEWORKER])
    main = cso.main()
    menu(cso, "/plans/")
    assert cso.path() == "/plans/country/", "Action plans does not lead a CSO to the Country Action Plans"
    assert main.locator("h1").inner_text().strip() == "Country Action Plans"
    assert "Thailand" not in main.locator("table").last.inner_text()
    shot(cso, "list")

    # --- a new plan for Thailand, this year -------------------------------------------------------------------
    cso.submit(main.get_by_role("link", name="New plan"), expect_path="/plans/country/new/")
    country_choice = main.locator("#id_country")
    assert country_choice.locator("option").all_inner_texts()[-1].strip() == "Thailand"
    assert "Myanmar" not in country_choice.inner_text(), "a Thai CSO may create plans for other countries"
    country_choice.select_option(label="Thailand")
    assert main.locator("#id_year").input_value() == str(year)
    shot(cso, "new")
    cso.submit(main.get_by_role("button", name="Save"), expect_path=r"/plans/country/\d+/")
    plan = Plan.objects.get(kind=PlanKind.COUNTRY, country=thailand, year=year)
    plan_path = f"/plans/country/{plan.pk}/"
    assert cso.path() == plan_path
    assert "Plan created. Add its rows below." in message(cso), message(cso)
    assert main.locator("h1").inner_text().strip() == f"Country Action Plan: Thailand {year}"
    assert "No rows yet." in main.locator("#rows").inner_text()
    shot(cso, "created-empty")

    # --- a row, typed as the framework writes it --------------------------------------------------------------
    form = open_form(cso, "/rows/new/")
    form.get_by_label("Activity code(s)").fill("ER 2.6-7")
    form.get_by_label("Description").fill("Recruitment fee surveys at seafood sites, then repayment")
    form.get_by_label("Organisations in the network").select_option(label=AGENCY)
    form.get_by_label("Remarks and targets").fill("aim for completion by Q2")
    form.get_by_label("Due quarter").fill(f"{year}-Q2")
    shot(cso, "row-typed")
    cso.submit(form.get_by_role("button", name="Add the row"), expect_path=plan_path)
    assert "Row added." in message(cso), message(cso)
    row = PlanRow.objects.get(plan=plan)
    assert sorted(row.activities.values_list("code", flat=True)) == ["2.6", "2.7"]
    line = main.locator(f"#row-{row.pk}")
    cells = line.locator("td").all_inner_texts()
    assert cells[:6] == [
        "ER 2.6-7",
        "Recruitment fee surveys at seafood sites, then repayment",
        AGENCY,
        "aim for completion by Q2",
        "Planned",
        f"{year}-Q2",
    ], cells
    shot(cso, "row-added")

    # --- edited inline: the table row becomes the form and back, without a page load --------------------------
    no_reload_marker(cso)
    line.get_by_role("link", name="Edit").click()
    inline = line.locator("form[hx-post]")
    inline.wait_for()
    assert inline.get_by_label("Activity code(s)").input_value() == "ER 2.6-7"
    inline.get_by_label("Remarks and targets").fill("aim for completion by Q2; surveys at Samut Sakhon first")
    inline.get_by_label("Status").select_option(label="In progress")
    shot(cso, "row-inline-form")
    inline.get_by_role("button", name="Save").click()
    inline.wait_for(state="detached")
    cso.settle()
    assert_not_reloaded(cso)
    assert cso.path() == plan_path
    cells = line.locator("td").all_inner_texts()
    assert cells[3] == "aim for completion by Q2; surveys at Samut Sakhon first" and cells[4] == "In progress", cells
    row.refresh_from_db()
    assert row.status == "in_progress" and row.version == 2
    shot(cso, "row-saved-inline")

    # --- an unknown activity code: the translated error, and nothing typed is lost ----------------------------
    form = open_form(cso, "/rows/new/")
    form.get_by_label("Activity code(s)").fill("9.9")
    form.get_by_label("Description").fill("Worker satisfaction survey at the canneries")
    form.get_by_label("Remarks and targets").fill("with the buyers' auditors")
    cso.submit(form.get_by_role("button", name="Add the row"), expect_path=f"/plans/country/{plan.pk}/rows/new/")
    assert "Unknown activity code: 9.9." in errors(cso), errors(cso)
    assert main.get_by_label("Activity code(s)").input_value() == "9.9"
    assert main.get_by_label("Description").input_value() == "Worker satisfaction survey at the canneries"
    assert main.get_by_label("Remarks and targets").input_value() == "with the buyers' auditors"
    assert PlanRow.objects.filter(plan=plan).count() == 1
    shot(cso, "unknown-code")

    # --- the same year again: refused, clearly ----------------------------------------------------------------
    cso.goto("/plans/country/new/")
    main.locator("#id_country").select_option(label="Thailand")
    cso.submit(main.get_by_role("button", name="Save"), expect_path="/plans/country/new/")
    assert "This country already has an action plan for this year." in errors(cso), errors(cso)
    assert Plan.objects.filter(kind=PlanKind.COUNTRY, country=thailand, year=year).count() == 1
    shot(cso, "same-year-refused")

    # --- the same pages on a phone, in Thai -------------------------------------------------------------------
    phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    phone.goto("/")
    choose_language(phone, "th")
    phone.menu_link("/plans/")  # its group opened
    nav_text = phone.page.locator("nav.mainnav").inner_text()
    assert ACTION_PLANS_TH in nav_text, nav_text
    shot(phone, "th-menu")
    menu(phone, "/plans/")
    assert phone.path() == "/plans/country/"
    shot(phone, "th-list")
    phone.goto(plan_path)
    shot(phone, "th-plan")
    pmain = phone.main()
    pline = pmain.locator(f"#row-{row.pk}")
    no_reload_marker(phone)
    pline.locator(f"a[href='/plans/rows/{row.pk}/edit/']").click()
    pinline = pline.locator("form[hx-post]")
    pinline.wait_for()
    pinline.locator("[name=activities]").fill("9.9")
    pinline.locator("button[type=submit]").click()
    pline.locator(".errorlist").wait_for()
    phone.settle()
    assert_not_reloaded(phone)
    assert UNKNOWN_CODE_TH in pline.locator(".errorlist").inner_text(), pline.locator(".errorlist").inner_text()
    assert pline.locator("[name=activities]").input_value() == "9.9"
    assert pline.locator("[name=remarks]").input_value() == "aim for completion by Q2; surveys at Samut Sakhon first"
    shot(phone, "th-inline-unknown-code")
    row.refresh_from_db()
    assert row.version == 2, "a refused inline edit changed the row"
    choose_language(phone, "en")  # the language is kept on the account

    # --- another partner: a government member browses and searches --------------------------------------------
    ministry = OrganisationFactory(kind="government", name="Thai Ministry of Labour", countries=["TH"])
    MembershipFactory(
        user=UserFactory(username=GOVERNMENT_USER, password=GOVERNMENT_PASSWORD), organisation=ministry, role="viewer"
    )
    gov = ui.person("government viewer")
    sign_in_with_password_only(gov, GOVERNMENT_USER, GOVERNMENT_PASSWORD)
    gmain = gov.main()
    menu(gov, "/plans/")
    assert gov.path() == "/plans/country/"
    plans_table = gmain.locator("#results table").last
    for name in ("Thailand", "Myanmar", "Cambodia"):
        assert plans_table.get_by_role("link", name=name).count() == 1, plans_table.inner_text()
    assert gmain.get_by_role("link", name="New plan").count() == 0, "a government viewer is offered to write a plan"
    shot(gov, "government-list")
    search = gmain.locator("form[role=search]")
    search.get_by_label("Activity").fill("2")
    search.get_by_label("Organisation kind").select_option(label="Recruitment agency")
    search.get_by_role("button", name="Filter").click()
    gmain.locator("#results h2", has_text="Matching rows").wait_for()
    gov.settle()
    assert "activity=2" in gov.page.url and "organisation_kind=recruitment_agency" in gov.page.url, gov.page.url
    found = gmain.locator("#results table").first.locator("tbody tr")
    texts = found.all_inner_texts()
    assert any(f"Thailand {year}" in t and "ER 2.6-7" in t and AGENCY in t for t in texts), texts
    assert any(f"Myanmar (Burma) {year}" in t and "ER 2.9" in t and "Yangon Overseas Employment" in t for t in texts), (
        "\n".join(texts)
    )
    assert all("(Recruitment agency)" in t for t in texts), texts
    assert not any("WV 1." in t for t in texts), f"a worker-voice row matches activity 2: {texts}"
    shot(gov, "government-search")
    gov.submit(found.filter(has_text=f"Thailand {year}").get_by_role("link"), expect_path=plan_path)
    assert gmain.locator(f"#row-{row.pk}").count() == 1
    assert gmain.get_by_role("link", name="Edit").count() == 0, "a government viewer may edit the row"
    assert gmain.locator("form[action$='/rows/new/']").count() == 0
    shot(gov, "government-plan")

    # --- a supplier does not see country plans ----------------------------------------------------------------
    supplier = ui.person("supplier admin")
    supplier.sign_in(demo[SUPPLIER_ADMIN])
    supplier.goto(plan_path, expect_status=404)
    assert "Thailand" not in supplier.main().inner_text()
    shot(supplier, "supplier-404")
    ui.assert_clean()


# --- 2. Business Action Plan and baseline ---------------------------------------------------------------------


def test_business_action_plan_and_baseline(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    year = this_year()
    today = timezone.localdate()
    siam = Organisation.objects.get(name=SUPPLIER)
    # The demo wrote Siam Ocean's plan and baseline; this story writes them again, in the browser.
    Plan.objects.filter(kind=PlanKind.BUSINESS, organisation=siam, year=year).delete()
    Baseline.objects.filter(organisation=siam).delete()
    shot = Shots("bap")

    admin = ui.person("supplier admin")
    admin.sign_in(demo[SUPPLIER_ADMIN])
    main = admin.main()
    menu(admin, "/plans/")
    assert admin.path() == "/plans/business/", "Action plans does not lead a business to its plans"
    assert main.get_by_role("link", name="Country Action Plans").count() == 0
    shot(admin, "list")
    admin.submit(main.get_by_role("link", name="New plan"), expect_path="/plans/business/new/")
    assert main.locator("#id_organisation option:checked").inner_text().strip() == SUPPLIER
    assert main.locator("#id_year").input_value() == str(year)
    shot(admin, "new")
    admin.submit(main.get_by_role("button", name="Save"), expect_path=r"/plans/business/\d+/")
    plan = Plan.objects.get(kind=PlanKind.BUSINESS, organisation=siam, year=year)
    plan_path = f"/plans/business/{plan.pk}/"
    assert main.locator("h1").inner_text().strip() == f"Business Action Plan: {SUPPLIER} {year}"

    # --- the first row, then (ten days later, as far as history knows) a second -------------------------------
    form = open_form(admin, "/rows/new/")
    form.get_by_label("Activity code(s)").fill("WV 1.1-2")
    form.get_by_label("Description").fill("Adopt a worker voice policy and post the network's channels at every site")
    form.get_by_label("Remarks and targets").fill("aim for completion by Q2")
    form.get_by_label("Due quarter").fill(f"{year}-Q2")
    admin.submit(form.get_by_role("button", name="Add the row"), expect_path=plan_path)
    first = PlanRow.objects.get(plan=plan)
    PlanRow.history.filter(id=first.pk).update(history_date=timezone.now() - datetime.timedelta(days=10))
    form = open_form(admin, "/rows/new/")
    form.get_by_label("Activity code(s)").fill("ER 2.6-7")
    form.get_by_label("Description").fill("Recruitment fee survey of current workers, then repayment")
    form.get_by_label("Organisations in the network").select_option(label=AGENCY)
    form.get_by_label("Other partners").fill("Samut Sakhon provincial labour office")
    form.get_by_label("Due quarter").fill(f"{year}-Q4")
    admin.submit(form.get_by_role("button", name="Add the row"), expect_path=plan_path)
    assert "Row added." in message(admin), message(admin)
    second = PlanRow.objects.filter(plan=plan).exclude(pk=first.pk).get()
    assert main.locator("#rows tbody tr").count() == 2
    assert f"{AGENCY}, Samut Sakhon provincial labour office" in main.locator(f"#row-{second.pk}").inner_text()
    shot(admin, "two-rows")

    # --- a mid-year check-in ----------------------------------------------------------------------------------
    midyear = min(datetime.date(year, 6, 30), today)
    form = open_form(admin, "/check-ins/new/")
    form.get_by_label("Date").fill(midyear.isoformat())
    form.get_by_label("Who took part").fill("HR director, managing director, technical partner")
    form.get_by_label("Summary").fill("Mid-year check-in: the policy is adopted; the fee survey needs a second site.")
    form.get_by_label("Changes to the plan").fill("Fee survey moved to Q4.")
    shot(admin, "checkin-typed")
    admin.submit(form.get_by_role("button", name="Save"), expect_path=plan_path)
    assert "Check-in recorded." in message(admin), message(admin)
    checkin = main.locator("#checkins + .card")
    assert "Mid-year check-in: the policy is adopted" in checkin.inner_text(), checkin.inner_text()
    assert "Fee survey moved to Q4." in checkin.inner_text() and SUPPLIER in checkin.inner_text()
    assert plan.checkins.count() == 1
    shot(admin, "checkin-recorded")

    # --- the plan as of five days ago: only the first row -----------------------------------------------------
    earlier = today - datetime.timedelta(days=5)
    history = main.locator("form[aria-label='History']")
    history.get_by_label("Show the plan as of").fill(earlier.isoformat())
    admin.submit(history.get_by_role("button", name="Show"), expect_path=plan_path)
    assert f"as_of={earlier.isoformat()}" in admin.page.url
    snapshot = main.locator("table").first
    text = snapshot.inner_text()
    assert "The plan as it stood on" in main.locator("h2").first.inner_text()
    assert "WV 1.1-2" in text and "ER 2.6-7" not in text, text
    assert main.get_by_role("link", name="Edit").count() == 0, "the plan as of a date offers to edit"
    assert main.locator("form[action$='/rows/new/']").count() == 0
    shot(admin, "as-of-earlier")
    admin.submit(main.get_by_role("link", name="Back to today"), expect_path=plan_path)
    assert main.locator("#rows tbody tr").count() == 2

    # --- the baseline and its focal points --------------------------------------------------------------------
    baseline_path = f"/plans/businesses/{siam.pk}/baseline/"
    admin.submit(main.get_by_role("link", name="Supply chain, policies, focal points"), expect_path=baseline_path)
    assert "No baseline recorded yet." in main.inner_text()
    assert "No focal points yet." in main.inner_text()
    shot(admin, "baseline-empty")
    admin.submit(main.get_by_role("link", name="Edit the baseline"), expect_path=f"{baseline_path}edit/")
    main.get_by_label("Supply-chain information").fill("Tier 1 exporter; buyers in Europe and North America.")
    main.get_by_label("Labour policies").fill("Code of conduct (2023); employer-pays recruitment policy.")
    main.get_by_label("Policy documents").fill("https://siam-ocean.example.org/policies/employer-pays.pdf")
    main.get_by_label("Grievance mechanism").fill("Welfare committee and the network's independent channels.")
    shot(admin, "baseline-form")
    admin.submit(main.get_by_role("button", name="Save"), expect_path=baseline_path)
    assert "Baseline saved." in message(admin), message(admin)
    facts = main.locator("dl.facts").inner_text()
    assert "Tier 1 exporter" in facts and "employer-pays.pdf" in facts, facts

    def add_focal_point(role: str, purpose: str, name: str, email: str, phone: str) -> None:
        admin.submit(
            main.get_by_role("link", name="Add a focal point"),
            expect_path=f"/plans/businesses/{siam.pk}/focal-points/new/",
        )
        main.get_by_label("Role").fill(role)
        main.get_by_label("Contact for").select_option(purpose)
        main.get_by_label("Name").fill(name)
        main.get_by_label("E-mail").fill(email)
        main.get_by_label("Phone").fill(phone)

    add_focal_point("HR director", "issues", "Kannika Srisuk", "hr@siam-ocean.example.org", "02 123 4567")
    admin.submit(main.get_by_role("button", name="Save"), expect_path=baseline_path)
    assert "Focal point added." in message(admin), message(admin)

    add_focal_point("Managing director", "escalations", "Somchai Wongsa", "md@siam-ocean.example.org", "12345")
    admin.submit(main.get_by_role("button", name="Save"), expect_path=f"/plans/businesses/{siam.pk}/focal-points/new/")
    assert errors(admin), "a bad phone number is accepted"
    assert main.get_by_label("Phone").input_value() == "12345"
    assert main.get_by_label("Name").input_value() == "Somchai Wongsa"
    shot(admin, "focal-point-bad-phone")
    main.get_by_label("Phone").fill("+66 81 234 5678")
    admin.submit(main.get_by_role("button", name="Save"), expect_path=baseline_path)
    focal_points = main.get_by_role("table", name="Focal points")
    points = focal_points.locator("tbody tr")
    assert points.count() == 2, focal_points.inner_text()
    hr = points.filter(has_text="Kannika Srisuk").inner_text()
    md = points.filter(has_text="Somchai Wongsa").inner_text()
    assert "HR director" in hr and "Worker-reported issues" in hr and "+6621234567" in hr, hr
    assert "Managing director" in md and "Escalations" in md and "+66812345678" in md, md
    shot(admin, "baseline-with-focal-points")

    # --- the buyer reads the plan, without edit controls, and downloads it ------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    bmain = buyer.main()
    menu(buyer, "/plans/")
    assert buyer.path() == "/plans/business/"
    listed = bmain.locator("table tbody tr", has=buyer.page.get_by_role("link", name=SUPPLIER))
    assert listed.count() == 1, bmain.locator("table").inner_text()
    shot(buyer, "buyer-list")
    buyer.submit(listed.get_by_role("link", name=SUPPLIER), expect_path=plan_path)
    assert bmain.locator("#rows tbody tr").count() == 2
    assert bmain.get_by_role("link", name="Edit").count() == 0, "the buyer is offered to edit a row"
    assert bmain.locator("form[method=post]").count() == 0, "the buyer sees a form that writes"
    assert bmain.get_by_text("Add a row").count() == 0 and bmain.get_by_text("Record a check-in").count() == 0
    assert "Mid-year check-in" in bmain.locator("#checkins + .card").inner_text()
    shot(buyer, "buyer-plan")

    name, content = download(buyer, bmain.get_by_role("link", name="CSV", exact=True))
    assert name == f"ilm-bap-siam-ocean-foods-{year}.csv", name
    table = csv_rows(content)
    assert table[0] == CSV_HEADER, table[0]
    assert [line[0] for line in table[1:]] == ["WV 1.1-2", "ER 2.6-7"], table
    assert table[2][2] == f"{AGENCY}, Samut Sakhon provincial labour office", table[2]
    name, content = download(buyer, bmain.get_by_role("link", name="XLSX", exact=True))
    assert name == f"ilm-bap-siam-ocean-foods-{year}.xlsx", name
    sheet = xlsx_rows(content)
    assert sheet[0] == CSV_HEADER and len(sheet) == 3, sheet

    buyer.submit(bmain.get_by_role("link", name="Supply chain, policies, focal points"), expect_path=baseline_path)
    assert "Kannika Srisuk" in bmain.inner_text()
    assert bmain.get_by_role("link", name="Edit the baseline").count() == 0
    assert bmain.get_by_role("link", name="Add a focal point").count() == 0
    assert bmain.get_by_role("button", name="Remove").count() == 0
    shot(buyer, "buyer-baseline")
    buyer.goto(f"{baseline_path}edit/", expect_status=403)
    ui.assert_clean()


# --- 3. Progress indicators -----------------------------------------------------------------------------------


def test_progress_indicators(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    siam = Organisation.objects.get(name=SUPPLIER)
    # The demo's trainings may have set or suggested Siam Ocean's indicators: this story starts it afresh.
    IndicatorSuggestion.objects.filter(organisation=siam).delete()
    IndicatorValue.objects.filter(organisation=siam).delete()
    IndicatorValue.history.filter(organisation_id=siam.pk).delete()
    suggestion = services.indicator_suggest(
        organisation=siam,
        indicator="ER7",
        suggested_status="partial",
        reason="Recruiters completed the ethical recruitment training (2.8) on 12 November.",
    )
    assert suggestion is not None
    shot = Shots("progress")

    admin = ui.person("supplier admin")
    admin.sign_in(demo[SUPPLIER_ADMIN])
    main = admin.main()
    menu(admin, "/plans/")
    admin.submit(main.get_by_role("link", name="Progress indicators"), expect_path="/plans/progress/")
    own = main.locator(".grid-table tbody tr")
    assert own.count() == 1 and SUPPLIER in own.inner_text(), main.locator(".grid-table").inner_text()
    assert "1 suggestion" in own.inner_text(), own.inner_text()
    shot(admin, "supplier-grid")
    detail = f"/plans/progress/{siam.pk}/"
    admin.submit(own.get_by_role("link", name=SUPPLIER), expect_path=detail)
    assert main.locator("h1").inner_text().strip() == f"Progress indicators of {SUPPLIER}"
    shot(admin, "supplier-page")

    def update(code: str, status: str, evidence: str) -> None:
        row = main.locator(f"tr#{code}")
        row.locator("summary", has_text="Update").click()
        row.get_by_label("Status").select_option(label=status)
        row.get_by_label("Evidence").fill(evidence)
        admin.submit(row.get_by_role("button", name="Save"), expect_path=detail)
        assert "Progress indicator saved." in message(admin), message(admin)

    update("WV1", "Partial progress", "Worker voice policy adopted by the board in March.")
    wv1 = main.locator("tr#WV1")
    assert "Partial progress" in wv1.locator("td").nth(0).inner_text()
    assert "policy adopted by the board" in wv1.locator("td").nth(1).inner_text()
    update("WV1", "Completed / ongoing", "Policy posted at every site; channels in use since June.")
    cells = wv1.locator("td")
    assert "Completed / ongoing" in cells.nth(0).inner_text(), cells.nth(0).inner_text()
    assert SUPPLIER_ADMIN in cells.nth(2).inner_text()
    trend = wv1.locator("ol.trend li")
    assert trend.count() == 2, wv1.inner_text()
    assert (
        trend.nth(0).locator(".progress").inner_text() == "◐" and trend.nth(1).locator(".progress").inner_text() == "●"
    )
    shot(admin, "wv1-completed")

    card = main.locator(f"#suggestion-{suggestion.pk}")
    assert "ER7" in card.inner_text() and "Partial progress" in card.inner_text()
    assert "ethical recruitment training (2.8)" in card.inner_text()
    admin.submit(card.get_by_role("button", name="Accept"), expect_path=detail)
    assert "Suggestion accepted: the indicator is updated." in message(admin), message(admin)
    assert main.locator(f"#suggestion-{suggestion.pk}").count() == 0
    assert "Partial progress" in main.locator("tr#ER7 td").nth(0).inner_text()
    values = dict(IndicatorValue.objects.filter(organisation=siam).values_list("indicator", "status"))
    assert values == {"WV1": "completed", "ER7": "partial"}, values
    shot(admin, "suggestion-accepted")

    # --- the buyer: the grid of its chain, filtered by country ------------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo[BUYER_ADMIN])
    bmain = buyer.main()
    buyer.goto("/plans/progress/")
    grid = bmain.locator(".grid-table")
    names = grid.locator("tbody th[scope=row] a").all_inner_texts()
    assert SUPPLIER in names and "Penang Circuit Works" not in names, names
    shot(buyer, "buyer-grid")
    no_reload_marker(buyer)
    bmain.locator("form[role=search]").get_by_label("Country").select_option(label="Thailand")
    buyer.page.wait_for_url("**country=TH**")
    buyer.settle()
    assert_not_reloaded(buyer)
    names = grid.locator("tbody th[scope=row] a").all_inner_texts()
    assert SUPPLIER in names and AGENCY in names, names
    assert "Phnom Penh Manpower" not in names, f"the country filter lets a Cambodian agency through: {names}"
    siam_row = grid.locator("tbody tr", has=buyer.page.get_by_role("link", name=SUPPLIER, exact=True))
    head = grid.locator("thead th").all_inner_texts()
    symbols = dict(zip(head[1:], [c.strip() for c in siam_row.locator("td .progress").all_inner_texts()], strict=True))
    assert symbols["WV1"].startswith("●") and symbols["ER7"].startswith("◐"), symbols
    assert all(symbols[code].startswith("·") for code in symbols if code not in ("WV1", "ER7")), symbols
    assert siam_row.locator("td").nth(0).locator(".progress").get_attribute("title") == "Completed / ongoing"
    totals = bmain.locator("h2:has-text('Totals') + .table-wrap table")
    total_head = [t.strip() for t in totals.locator("thead th").all_inner_texts()]
    assert total_head == ["Indicator", "Not yet initiated", "Partial progress", "Completed / ongoing"], total_head
    shown = IndicatorValue.objects.filter(organisation__name__in=names)
    for code in ("WV1", "ER7"):
        counted = [t.strip() for t in totals.locator("tbody tr", has_text=code).locator("td").all_inner_texts()]
        expected = [
            str(shown.filter(indicator=code, status=s).count()) for s in ("not_initiated", "partial", "completed")
        ]
        assert counted == expected, (code, counted, expected)
    assert int(totals.locator("tbody tr", has_text="WV1").locator("td").nth(2).inner_text()) >= 1
    shot(buyer, "buyer-grid-thailand")

    name, content = download(buyer, bmain.get_by_role("link", name="Download CSV"))
    assert name == "ilm-progress-indicators.csv", name
    table = csv_rows(content)
    assert table[0][:3] == ["Business", "Kind", "WV1"] and table[0][-1] == "WORK3", table[0]
    line = next(line for line in table if line[0] == SUPPLIER)
    assert line[1] == "Supplier / employer" and line[2] == "Completed / ongoing", line
    assert line[table[0].index("ER7")] == "Partial progress", line
    assert {line[0] for line in table[1:]} == set(names), "the CSV is not the filtered grid"

    buyer.submit(siam_row.get_by_role("link", name=SUPPLIER), expect_path=detail)
    assert bmain.locator("tr#WV1 td").nth(0).inner_text().strip() == "Completed / ongoing"
    assert bmain.locator("tr#WV1 ol.trend li").count() == 2
    assert bmain.locator("summary", has_text="Update").count() == 0, "the buyer is offered to update an indicator"
    assert bmain.locator("main form[method=post]").count() == 0
    shot(buyer, "buyer-supplier-page")

    # --- the grid on a phone, in Burmese ----------------------------------------------------------------------
    phone = ui.person("buyer on a phone", MOBILE, same_session_as=buyer)
    phone.goto("/plans/progress/?country=TH")
    choose_language(phone, "my")
    assert phone.main().locator(".grid-table tbody tr").count() == len(names)
    shot(phone, "my-grid")
    phone.goto(detail)
    shot(phone, "my-supplier-page")
    choose_language(phone, "en")
    ui.assert_clean()
