"""Scenario 6: a worker's case, from the first call to a worker-validated closure, through the real pages.

A caseworker of Migrant Worker Voice Thailand logs a call from a new worker (a canary: a name, a phone and a
LINE handle nobody else has), opens a case, names the site, adds an issue, assesses it and shares it (the
small-group warning appears, because no Nepali women are counted at the site); Siam Ocean's responder
responds, plans an action and uploads a photo as evidence; the caseworker asks for and records the
worker's validation and closes the case as resolved; Northwind's administrator sees it closed. Every page
a business sees, and every e-mail sent, is searched for the canary.

The second test is the business's part again, in Thai (and the caseworker's view of it in Burmese).
The catalogues are being translated, so no translated word is asserted there: only the language of the
page, that it works, and screenshots to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image

from ilm.cases.models import Attachment, Case, CaseStatus, IssueCategory, Worker
from ilm.network.models import Channel, HeadcountSnapshot, Site
from tests.e2e.conftest import MOBILE, Person

pytestmark = pytest.mark.e2e

CANARY_NAME = "Canary Thida Story"
CANARY_PHONE = "+977 980 555 0142"
CANARY_HANDLE = "thida.canary.story"
# Every way the canary could be written out: as typed, in E.164, digits only, and case-folded.
CANARY_FORMS = [CANARY_NAME, "Thida Story", CANARY_PHONE, "+9779805550142", "9805550142", "980 555 0142", CANARY_HANDLE]
SITE = "Samut Sakhon Plant 1"  # Siam Ocean Foods; its headcount counts Myanmar, Cambodian and Thai workers only
ACK_TH = "\u0e23\u0e31\u0e1a\u0e17\u0e23\u0e32\u0e1a\u0e41\u0e25\u0e49\u0e27"  # "acknowledged"
LOCKERS_TH = "\u0e15\u0e39\u0e49\u0e25\u0e47\u0e2d\u0e01\u0e40\u0e01\u0e2d\u0e23\u0e4c"  # "lockers"
EVIDENCE_TH = "\u0e2b\u0e25\u0e31\u0e01\u0e10\u0e32\u0e19"  # "evidence"
SUMMARY = "A worker reports that the employer keeps the passports of migrant workers on the packing line."


@pytest.fixture
def private_storage(tmp_path: Path, settings: Any) -> Path:
    """Uploaded files go to a temporary directory, not to var/private."""
    location = tmp_path / "private"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


def evidence_png(tmp_path: Path) -> Path:
    """A small photo of 'the returned passports': a PNG made here, with a text chunk the upload must strip."""
    from PIL import PngImagePlugin

    path = tmp_path / "passports-returned.png"
    image = Image.new("RGB", (160, 120), (40, 110, 160))
    for x in range(20, 140):
        for y in range(30, 90):
            image.putpixel((x, y), (230, 200, 60))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at the packing line")
    image.save(path, pnginfo=info)
    return path


# --- helpers -------------------------------------------------------------------------------------------


class Shots:
    """Numbered screenshots: var/screenshots/<prefix>-NN-<name>.png (and -360px on phones)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.n = 0

    def __call__(self, person: Person, name: str) -> None:
        self.n += 1
        person.snap(f"{self.prefix}-{self.n:02d}-{name}")
        if person.viewport["width"] < 500:
            person.ui.check(
                person.horizontal_overflow() <= 0,
                f"{self.prefix} {name}: the page is {person.horizontal_overflow()} px wider than a 360 px phone",
            )


def sign_in_with_password_only(person: Person, credentials: dict[str, Any]) -> None:
    """A business responder has no authenticator (two-factor is for CSOs, the secretariat and admins)."""
    assert not credentials["totp_secret"], f"{credentials['username']} has an authenticator: use sign_in()"
    person.goto("/accounts/login/")
    main = person.main()
    main.locator("#id_username").fill(credentials["username"])
    main.locator("#id_password").fill(credentials["password"])
    person.submit(main.locator("form button[type=submit]"), expect_path="/")


def choose_language(person: Person, code: str) -> None:
    """The header's language selector submits its form by itself (ilm/js/app.js)."""
    with person.page.expect_navigation():
        person.page.locator("header select#language").select_option(code)
    person.page.wait_for_load_state("load")
    assert person.page.locator("html").get_attribute("lang") == code


def nav(person: Person, name: str) -> None:
    with person.page.expect_navigation():
        person.menu_link(name=name).click()
    person.page.wait_for_load_state("load")


def message(person: Person) -> str:
    return person.page.locator(".messages").inner_text() if person.page.locator(".messages").count() else ""


def open_form(person: Person, action_suffix: str) -> Any:
    """The form posting to .../<action_suffix>, opening the <details> it is folded in first."""
    form = person.main().locator(f"form[action$='{action_suffix}']")
    assert form.count() == 1, f"no form posting to {action_suffix} on {person.path()}"
    details = person.main().locator(f"details:has(form[action$='{action_suffix}'])")
    if details.count() and not details.first.evaluate("d => d.open"):
        details.first.locator("summary").first.click()
    return form


def case_path(case: Case) -> str:
    return f"/cases/{case.pk}/"


def leaks(html: str, forms: list[str]) -> list[str]:
    low = html.casefold()
    return [form for form in forms if form.casefold() in low]


class Watch:
    """Keeps the HTML of every page a business person saw, to search it for the canary at the end."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str, str]] = []

    def __call__(self, person: Person) -> str:
        person.settle()
        html = person.page.content()
        self.pages.append((person.name, person.path(), html))
        return html

    def assert_nothing_of(self, forms: list[str]) -> None:
        found = [f"{who} at {path}: {leaks(html, forms)}" for who, path, html in self.pages if leaks(html, forms)]
        assert not found, "worker identity on a business page:\n  " + "\n  ".join(found)


# --- the story -----------------------------------------------------------------------------------------


def test_case_story_from_contact_to_resolved_closure(ui, demo, private_storage, tmp_path):
    mail.outbox.clear()
    site = Site.objects.get(name=SITE)
    # The worker's group (Nepali women) has no row in the site's latest headcount: the share must warn.
    assert not HeadcountSnapshot.objects.filter(site=site, nationality_id="NP").exists()
    category = IssueCategory.objects.get(code="retention_of_documents")
    shot = Shots("case-story")
    business_pages = Watch()

    # --- 1. The caseworker logs the call, with a new worker --------------------------------------------
    cso = ui.person("caseworker")
    cso.sign_in(demo["th-voice-caseworker"])
    main = cso.main()
    nav(cso, "Cases")
    assert cso.path() == "/cases/"
    shot(cso, "cso-case-list")
    cso.submit(main.get_by_role("link", name="Log a contact"), expect_path="/cases/contacts/new/")
    main.locator("#id_channel").select_option(str(Channel.objects.get(name="Hotline 1300").pk))
    main.locator("#id_language").fill("ne")
    main.locator("#id_who").select_option("worker")
    main.locator("#id_purpose").select_option("issue_report")
    main.locator("#id_notes").fill(f"{CANARY_NAME} called from the dormitory; her passport is kept by the HR office.")
    main.locator("#id_new_worker").check()
    main.locator("#id_full_name").fill(CANARY_NAME)
    main.locator("#id_gender").select_option("female")
    main.locator("#id_nationality").select_option("NP")
    main.locator("#id_age_band").select_option("25_34")
    main.locator("#id_job").fill("Packer")
    main.locator("#id_site").select_option(str(site.pk))
    main.locator("#id_ids-0-kind").select_option("phone")
    main.locator("#id_ids-0-value").fill(CANARY_PHONE)
    main.locator("#id_ids-1-kind").select_option("line")
    main.locator("#id_ids-1-value").fill(CANARY_HANDLE)
    main.locator("#id_consent_contact_for_validation").check()
    main.locator("#id_consent_statistics").check()
    shot(cso, "cso-contact-form")
    cso_phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    cso_phone.goto("/cases/contacts/new/")
    shot(cso_phone, "cso-contact-form")
    cso.submit(main.locator("form button[type=submit]").first, expect_path="/cases/new/")
    assert "Contact logged." in message(cso)
    worker = Worker.objects.filter(cso__name="Migrant Worker Voice Thailand").latest("pk")
    assert worker.full_name == CANARY_NAME  # stored (encrypted) as typed
    assert CANARY_NAME not in cso.page.content(), "the case form shows the worker's name"
    assert worker.label in main.inner_text(), "the case form names the contact's worker by label"

    # --- 2. ... opens a case from the contact ----------------------------------------------------------
    main.locator("#id_summary").fill(SUMMARY)
    # Free text the caseworker writes may name the worker; here only later, CSO-only fields do (so that the
    # identity check below is about the identity fields).
    main.locator("#id_internal_notes").fill("Fears dismissal. Call back after 6 pm only.")
    main.locator("#id_risk_level").select_option("high")
    shot(cso, "cso-case-open-form")
    cso.submit(main.get_by_role("button", name="Open the case"), expect_path=r"/cases/\d+/")
    case = Case.objects.get(pk=int(cso.path().strip("/").split("/")[-1]))
    assert f"Case {case.reference} opened." in message(cso)
    assert case.status == CaseStatus.INTAKE and list(case.case_workers.values_list("worker_id", flat=True)) == [
        worker.pk
    ]
    detail = case_path(case)

    # The worker's identity is on the CSO's page only after "Show identity".
    html = cso.page.content()
    assert not leaks(html, [CANARY_NAME, CANARY_PHONE, "+9779805550142"]), "identity shown before asking"
    assert worker.label in main.locator("#workers").inner_text()
    main.locator("#workers").get_by_role("button", name="Show identity").click()
    panel = main.locator("#identity-panel")
    panel.locator(".identity").wait_for()
    cso.settle()
    identity = panel.inner_text()
    assert CANARY_NAME in identity and CANARY_HANDLE in identity, identity
    assert "980" in identity and "0142" in identity, f"the phone is not in the identity panel: {identity!r}"
    assert cso.path() == detail, "Show identity should swap the panel in, not leave the page"
    shot(cso, "cso-case-intake-identity-shown")

    # --- 3. ... names the site, adds an issue, assesses ------------------------------------------------
    form = open_form(cso, "/businesses/add/")
    form.locator("#business_site").select_option(str(site.pk))
    cso.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert "Business added." in message(cso)
    form = open_form(cso, "/issues/add/")
    form.locator("#issue_category").select_option(str(category.pk))
    form.locator("#issue_workers_affected").fill("12")
    form.locator("#issue_description").fill(f"{CANARY_NAME} and eleven others on the night shift.")
    form.locator("#issue_shareable_description").fill("Passports of workers on the packing line are kept by HR.")
    cso.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert "Issue added." in message(cso)
    shot(cso, "cso-case-business-and-issue")
    cso.submit(main.get_by_role("button", name="Mark as assessed"), expect_path=detail)
    assert "Case assessed." in message(cso)

    # --- 4. ... tries to share: the small-group warning -------------------------------------------------
    warning = main.locator(".next-step .notice[role=alert]")
    assert warning.is_visible(), "the case page does not warn about the small group before sharing"
    assert "identifiable" in warning.inner_text() and SITE in warning.inner_text(), warning.inner_text()
    assert "Nepal" in warning.inner_text(), warning.inner_text()
    shot(cso, "cso-case-assessed-small-group-warning")
    cso_phone.goto(detail)
    assert cso_phone.main().locator(".next-step .notice[role=alert]").is_visible()
    shot(cso_phone, "cso-case-assessed-small-group-warning")
    cso.submit(main.get_by_role("button", name="Share with the business"), expect_path=f"/cases/{case.pk}/share/")
    assert main.locator(".notice[role=alert]").is_visible(), "the refused share does not show the warning again"
    assert main.locator(".errorlist").count() >= 1, "the refused share does not say what to do"
    assert SUMMARY in main.inner_text(), "the share page shows the summary to check"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED and case.shared_at is None
    shot(cso, "cso-share-refused-until-confirmed")
    main.locator("#id_acknowledge_small_groups").check()
    cso.submit(main.locator("form.card button[type=submit]"), expect_path=detail)
    assert "Case shared with the businesses concerned." in message(cso)
    case.refresh_from_db()
    assert case.status == CaseStatus.SHARED
    shot(cso, "cso-case-shared")

    # --- 5. The supplier's responder responds, plans an action, uploads evidence -------------------------
    supplier = ui.person("supplier responder")
    sign_in_with_password_only(supplier, demo["siam-ocean-responder"])
    smain = supplier.main()
    business_pages(supplier)
    nav(supplier, "Notifications")
    business_pages(supplier)
    note = smain.locator("li", has_text=case.reference)
    assert note.count() == 1, "the responder was not notified of the shared case"
    shot(supplier, "supplier-notifications")
    supplier.submit(note.get_by_role("button", name=f"Open case {case.reference}"), expect_path=detail)
    html = business_pages(supplier)
    assert case.reference in smain.locator("h1").inner_text()
    assert SUMMARY in smain.inner_text()
    assert "Passports of workers on the packing line are kept by HR." in smain.inner_text()
    assert "eleven others" not in html, "the CSO-only issue description is on the business page"
    assert "Fears dismissal" not in html, "the internal notes are on the business page"
    shot(supplier, "supplier-case-shared")
    nav(supplier, "Cases")
    row = smain.locator("table tbody tr", has_text=case.reference)
    assert row.count() == 1, "the shared case is not in the supplier's case list"
    business_pages(supplier)
    shot(supplier, "supplier-case-list")
    supplier.submit(row.get_by_role("link", name=case.reference), expect_path=detail)

    form = smain.locator("form[action$='/respond/']")
    form.locator("#respond_kind").select_option("response")
    form.locator("#respond_text").fill("We have returned every passport and moved the safe to the workers' lockers.")
    supplier.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert "Your response was sent to the CSO." in message(supplier)
    form = open_form(supplier, "/actions/add/")
    form.locator("#action_description").fill("Personal lockers for documents; HR keeps no passports.")
    form.locator("#action_due_date").fill("2026-12-15")
    form.locator("#action_issue").select_option(index=1)
    supplier.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert "Action added." in message(supplier)
    assert "Personal lockers" in smain.locator("#actions").inner_text()
    business_pages(supplier)
    shot(supplier, "supplier-responded-action-planned")

    # Evidence, through the attachment page.
    upload_link = smain.locator(f"a[href*='/cases/{case.pk}/attachments/new/']")
    ui.check(
        upload_link.count() >= 1,
        "the business's case page has no link to add a file (cases:attachment_add): the responder cannot "
        "reach the upload page without typing its address",
    )
    if upload_link.count():
        supplier.submit(upload_link.first)
    else:
        supplier.goto(f"/cases/{case.pk}/attachments/new/?next={detail}")
    assert supplier.path() == f"/cases/{case.pk}/attachments/new/"
    business_pages(supplier)
    shot(supplier, "supplier-attachment-form")
    smain.locator("#id_file").set_input_files(str(evidence_png(tmp_path)))
    smain.locator("#id_description").fill("Lockers installed, passports returned")
    supplier.submit(smain.get_by_role("button", name="Upload"))
    assert f"File added to case {case.reference}." in message(supplier)
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "image/png"
    business_pages(supplier)
    if supplier.path() == detail:
        assert "Lockers installed, passports returned" in smain.inner_text()
    shot(supplier, "supplier-evidence-uploaded")

    # The supplier on a phone.
    phone = ui.person("supplier responder on a phone", MOBILE, same_session_as=supplier)
    phone.goto(detail)
    business_pages(phone)
    shot(phone, "supplier-case-in-remediation")

    # --- 6. The caseworker sees the response and the evidence, records the validation, closes -----------
    cso.goto(detail)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REMEDIATION and case.first_response_at is not None
    assert "We have returned every passport" in main.locator("#timeline").inner_text()
    assert "Personal lockers" in main.locator("#actions").inner_text()
    attachments = main.locator("section[aria-labelledby=attachments-h]").inner_text()
    assert "Lockers installed, passports returned" in attachments, attachments
    shot(cso, "cso-sees-response-and-evidence")
    # ... and opens the photo (served as a download, re-encoded).
    cso.goto(f"/cases/{case.pk}/attachments/new/")
    shot(cso, "cso-case-files")
    # The file is fetched with the caseworker's cookies but not as a page (it is a download, served in a
    # sandbox, which the strict-CSP check on pages would rightly not accept).
    href = cso.main().locator("#case-files a").first.get_attribute("href")
    response = cso.page.request.get(href)
    assert response.status == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["x-content-type-options"] == "nosniff"
    data = response.body()
    assert data.startswith(b"\x89PNG"), "the evidence is not downloaded as a PNG"
    assert b"packing line" not in data, "the photo's text chunk was not stripped"
    cso.goto(detail)

    cso.submit(main.get_by_role("button", name="Ask the worker to validate"), expect_path=detail)
    assert "The case now waits for the worker's validation." in message(cso)
    form = open_form(cso, "/validation/")
    form.locator("#validation_worker").select_option(str(worker.pk))
    form.locator("#validation_method").select_option("phone")
    form.locator("#validation_satisfaction").select_option("5")
    form.locator("#validation_confirms_remediation").check()
    form.locator("#validation_comments").fill(f"{CANARY_NAME} has her passport back and a locker key.")
    shot(cso, "cso-validation-form")
    cso.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert "Worker validation recorded." in message(cso)
    assert "5/5" in main.locator("#validations").inner_text()

    form = open_form(cso, "/close/")
    form.locator("#close_closure").select_option("resolved")
    shot(cso, "cso-close-form")
    cso.submit(form.get_by_role("button", name="Close"), expect_path=detail)
    assert "Case closed." in message(cso)
    case.refresh_from_db()
    assert (case.status, case.closure) == (CaseStatus.CLOSED, "resolved")
    assert "Closed" in main.locator("h1").inner_text()
    assert "Resolved" in main.locator("dl.facts").first.inner_text()
    shot(cso, "cso-case-closed-resolved")
    cso_phone.goto(detail)
    shot(cso_phone, "cso-case-closed-resolved")

    # --- 7. The buyer sees the case closed, without identity ------------------------------------------
    buyer = ui.person("buyer admin")
    buyer.sign_in(demo["northwind-admin"])
    bmain = buyer.main()
    nav(buyer, "Cases")
    business_pages(buyer)
    form = bmain.locator("form.filters")
    form.locator("[name=q]").fill(case.reference)
    form.locator("[name=status]").select_option("closed")
    buyer.settle()
    form.locator("button[type=submit]").click()
    buyer.settle()
    row = bmain.locator("#results table tbody tr", has_text=case.reference)
    assert row.count() == 1, f"the buyer's list does not show {case.reference}: {bmain.inner_text()[:500]}"
    assert "Closed" in row.inner_text() and "Resolved" in row.inner_text(), row.inner_text()
    business_pages(buyer)
    shot(buyer, "buyer-case-list-closed")
    buyer.submit(row.get_by_role("link", name=case.reference), expect_path=detail)
    html = business_pages(buyer)
    assert "Closed" in bmain.locator("h1").inner_text(), bmain.locator("h1").inner_text()
    assert "Resolved" in bmain.locator("dl.facts").first.inner_text()
    assert SUMMARY in bmain.inner_text()
    assert not leaks(html, CANARY_FORMS), f"the buyer's case page shows worker identity: {leaks(html, CANARY_FORMS)}"
    assert "has her passport back" not in html, "the validation comments (CSO only) are on the buyer's page"
    assert bmain.get_by_role("button", name=re.compile("Show identity")).count() == 0
    shot(buyer, "buyer-case-closed")
    buyer_phone = ui.person("buyer admin on a phone", MOBILE, same_session_as=buyer)
    buyer_phone.goto(detail)
    business_pages(buyer_phone)
    shot(buyer_phone, "buyer-case-closed")

    # The identity is nowhere a business looked, nor in any e-mail sent during the story.
    business_pages.assert_nothing_of(CANARY_FORMS)
    assert len(business_pages.pages) >= 12
    for email in mail.outbox:
        bodies = [email.subject, email.body] + [content for content, _type in getattr(email, "alternatives", [])]
        assert not leaks("\n".join(map(str, bodies)), CANARY_FORMS), f"e-mail to {email.to} names the worker"
    ui.assert_clean()


# --- the business's part in Thai, the caseworker's view in Burmese --------------------------------------


def test_case_story_in_thai_and_burmese(ui, demo, private_storage, tmp_path):
    # A demo case shared with Siam Ocean (and not answered yet, if there is one), with a named worker.
    cases = (
        Case.objects.filter(businesses__organisation__name="Siam Ocean Foods", case_workers__isnull=False)
        .filter(status__in=[CaseStatus.SHARED, CaseStatus.IN_REMEDIATION])
        .select_related("cso")
        .distinct()
    )
    case = min(cases, key=lambda c: (c.status != CaseStatus.SHARED, c.pk), default=None)
    assert case is not None, "the demo has no case shared with Siam Ocean Foods"
    caseworker = next(c for c in demo.values() if c["org"] == case.cso.name and c["role"] == "caseworker")
    detail = case_path(case)
    # This case's workers, as the CSO knows them: none of it may reach the business's pages.
    identity = []
    for link in case.case_workers.select_related("worker"):
        identity.append(link.worker.full_name)
        identity += [i.value for i in link.worker.identifiers.all()]
    identity = [value for value in identity if value]
    assert identity
    shot = Shots("case-story-th")
    business_pages = Watch()

    supplier = ui.person("supplier admin")
    supplier.sign_in(demo["siam-ocean-admin"])
    choose_language(supplier, "th")
    main = supplier.main()
    supplier.goto("/cases/")  # by address: the menu's words are being translated
    assert supplier.page.locator("html").get_attribute("lang") == "th"
    business_pages(supplier)
    shot(supplier, "supplier-case-list")
    row = main.locator("table tbody tr", has_text=case.reference)
    assert row.count() == 1, f"{case.reference} is not in the supplier's list"
    supplier.submit(row.get_by_role("link", name=case.reference), expect_path=detail)
    business_pages(supplier)
    shot(supplier, "supplier-case-shared")

    form = main.locator("form[action$='/respond/']")
    form.locator("#respond_kind").select_option("acknowledgement")
    form.locator("#respond_text").fill(ACK_TH)
    supplier.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert main.locator(".messages").count() == 1
    form = open_form(supplier, "/actions/add/")
    form.locator("#action_description").fill(LOCKERS_TH)
    form.locator("#action_due_date").fill("2026-12-31")
    supplier.submit(form.locator("button[type=submit]"), expect_path=detail)
    assert LOCKERS_TH in main.locator("#actions").inner_text()
    business_pages(supplier)
    shot(supplier, "supplier-responded")

    supplier.goto(f"/cases/{case.pk}/attachments/new/?next={detail}")
    business_pages(supplier)
    shot(supplier, "supplier-attachment-form")
    main.locator("#id_file").set_input_files(str(evidence_png(tmp_path)))
    main.locator("#id_description").fill(EVIDENCE_TH)
    supplier.submit(main.locator("form.card button[type=submit]"), expect_path=detail)
    business_pages(supplier)
    shot(supplier, "supplier-evidence-uploaded")

    phone = ui.person("supplier admin on a phone", MOBILE, same_session_as=supplier)
    for path, name in [("/cases/", "supplier-case-list"), (detail, "supplier-case")]:
        phone.goto(path)
        assert phone.page.locator("html").get_attribute("lang") == "th"
        business_pages(phone)
        shot(phone, name)
    business_pages.assert_nothing_of(identity)

    # The case's caseworker, in Burmese, sees the acknowledgement, the action and the file.
    cso = ui.person("caseworker")
    cso.sign_in(caseworker)
    choose_language(cso, "my")
    cso.goto(detail)
    cmain = cso.main()
    assert ACK_TH in cmain.locator("#timeline").inner_text()
    assert EVIDENCE_TH in cmain.inner_text()
    cso.snap("case-story-my-cso-case")
    cmain.locator("#workers form button[type=submit]").first.click()
    cmain.locator("#identity-panel .identity").wait_for()
    cso.settle()
    assert any(value in cmain.locator("#identity-panel").inner_text() for value in identity)
    cso.snap("case-story-my-cso-identity-shown")
    cso_phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    cso_phone.goto(detail)
    assert cso_phone.page.locator("html").get_attribute("lang") == "my"
    Shots("case-story-my")(cso_phone, "cso-case")
    ui.assert_clean()
