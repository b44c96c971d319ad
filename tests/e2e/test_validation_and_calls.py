"""Browser tests for three newer pages: worker validation by message, the hotline's call log, inbox search.

1. A shared case's worker (who agreed to be contacted for validation) wrote on WhatsApp. The caseworker
   links the conversation to the worker, asks for the validation by message from the case page (the
   question reaches the fake WhatsApp API), the worker's reply comes back as a signed webhook
   (`manage.py channel_simulator send`; the test settings run the task at once), and the caseworker reads it,
   records the validation ("Message") and closes the case as resolved.
2. The hotline's page on a 360 px phone: a known number finds its worker; an unknown one is refused until
   the caseworker ticks "Record the caller…" (what was typed is kept); "Log and open a case".
3. The inbox found by the sender's full number and by case reference; the language set by hand.

Every page is screenshotted to var/screenshots/validation-calls-*.png (see tests/e2e/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from ilm.accounts.models import Membership
from ilm.cases import services as cases
from ilm.cases.models import Case, CaseStatus, Contact, IssueCategory, ValidationRequest, Worker, WorkerValidation
from ilm.channels import services as channels
from ilm.channels.fake_provider import FakeProviderServer
from ilm.channels.models import Conversation
from ilm.network.models import Channel, Site
from tests.e2e.conftest import MOBILE, UI, Person

pytestmark = pytest.mark.e2e

CSO = "Migrant Worker Voice Thailand"
CASEWORKER = "th-voice-caseworker"
WHATSAPP = "WhatsApp Thailand"
HOTLINE = "Hotline 1300"
SITE = "Samut Sakhon Plant 1"
# "My employer still keeps my passport." / "I got my passport back. Thank you. 5"
FIRST_MESSAGE_MY = "အလုပ်ရှင်က ကျွန်တော့် နိုင်ငံကူးလက်မှတ်ကို သိမ်းထားဆဲပါ။"
REPLY_MY = "ပတ်စ်ပို့ ပြန်ရပါပြီ။ ကျေးဇူးတင်ပါတယ်။ 5"


@pytest.fixture
def fake_whatsapp(settings: Any) -> Iterator[FakeProviderServer]:
    """The fake providers' send APIs; the live server (same process) sends WhatsApp messages there."""
    with FakeProviderServer(port=0) as fake:
        settings.ILM_CHANNEL_API_BASES = {"whatsapp": fake.base_url}
        yield fake


# --- helpers -------------------------------------------------------------------------------------------


class Shots:
    """Numbered screenshots: var/screenshots/validation-calls-<prefix>-NN-<name>.png (-360px on phones)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = f"validation-calls-{prefix}"
        self.n = 0

    def __call__(self, person: Person, name: str) -> None:
        self.n += 1
        person.snap(f"{self.prefix}-{self.n:02d}-{name}")
        if person.viewport["width"] < 500:
            overflow = person.horizontal_overflow()
            person.ui.check(overflow <= 0, f"{self.prefix} {name}: the page is {overflow} px wider than the phone")


def caseworker() -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=CASEWORKER)


def message(person: Person) -> str:
    return person.page.locator(".messages").inner_text() if person.page.locator(".messages").count() else ""


def choose_language(person: Person, code: str) -> None:
    """The header's language selector submits its form by itself (ilm/js/app.js)."""
    with person.page.expect_navigation():
        person.page.locator("header select#language").select_option(code)
    person.page.wait_for_load_state("load")
    assert person.page.locator("html").get_attribute("lang") == code


def open_form(person: Person, action_suffix: str) -> Any:
    """The form posting to .../<action_suffix>, opening the <details> it is folded in first."""
    form = person.main().locator(f"form[action$='{action_suffix}']")
    assert form.count() == 1, f"no form posting to {action_suffix} on {person.path()}"
    details = person.main().locator(f"details:has(form[action$='{action_suffix}'])")
    if details.count() and not details.first.evaluate("d => d.open"):
        details.first.locator("summary").first.click()
    return form


def worker_writes(live_server: Any, channel: Channel, sender: str, text: str) -> None:
    """A WhatsApp message, signed as Meta would sign it, posted to the live server's webhook."""
    out = StringIO()
    call_command(
        "channel_simulator",
        "send",
        "--channel",
        str(channel.pk),
        "--sender",
        sender,
        "--text",
        text,
        "--url",
        live_server.url,
        stdout=out,
    )
    assert "ILM answered 200" in out.getvalue(), out.getvalue()


def shared_case(member: Membership, worker: Worker, summary: str) -> Case:
    """A case of the worker, with a business and an issue, assessed and shared (the business may act)."""
    case = cases.case_open(actor=member, summary=summary, workers=[worker])
    cases.case_add_business(actor=member, case=case, site=Site.objects.get(name=SITE))
    cases.issue_add(
        actor=member,
        case=case,
        category=IssueCategory.objects.get(code="retention_of_documents"),
        workers_affected=3,
        shareable_description="Passports are kept by the HR office.",
    )
    cases.case_assess(actor=member, case=case)
    cases.case_share(actor=member, case=Case.objects.get(pk=case.pk), acknowledge_small_groups=True)
    return Case.objects.get(pk=case.pk)


def validations_section(person: Person) -> Any:
    return person.main().locator("section#validations")


# --- 1. worker validation by message -------------------------------------------------------------------


def test_worker_validation_by_message_from_question_to_resolved_closure(
    ui: UI, demo: dict[str, dict[str, Any]], fake_whatsapp: FakeProviderServer, live_server: Any
) -> None:
    sender, sender_digits = "+959250007777", "959250007777"
    channel = Channel.objects.get(name=WHATSAPP, cso__name=CSO)
    member = caseworker()
    worker = cases.worker_create(
        actor=member,
        full_name="Ko Validation Message",
        identifiers=[("phone", sender)],
        consents={"contact_for_validation": True, "statistics": True},
    )
    case = shared_case(member, worker, "Passports of night-shift workers are kept by the HR office.")
    assert case.status == CaseStatus.SHARED
    detail = f"/cases/{case.pk}/"
    shot = Shots("validation")

    # The worker wrote on WhatsApp earlier; the conversation is not linked to them yet.
    worker_writes(live_server, channel, sender, FIRST_MESSAGE_MY)
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.sender == sender and conversation.language == "my"

    cso = ui.person("caseworker")
    cso.sign_in(demo[CASEWORKER])
    main = cso.main()

    # Without a linked conversation, the case page does not offer to ask by message.
    cso.goto(detail)
    assert validations_section(cso).get_by_role("link", name="Ask the worker by message").count() == 0
    shot(cso, "case-before-link")

    # --- the caseworker links the conversation to the worker (the inbox suggests them by number) --------
    cso.goto(f"/channels/inbox/{conversation.pk}/")
    link = main.get_by_role("button", name=f"Link to worker {worker.label}")
    assert link.count() == 1, f"the conversation does not suggest {worker.label}: {main.inner_text()[:800]}"
    shot(cso, "conversation-suggests-worker")
    cso.submit(link, expect_path=f"/channels/inbox/{conversation.pk}/")
    assert f"The sender is now linked to worker {worker.label}." in message(cso), message(cso)
    assert worker.label in main.locator("dl.facts").inner_text()

    # --- the case page: "Ask the worker by message" ---------------------------------------------------
    cso.goto(detail)
    ask = validations_section(cso).get_by_role("link", name="Ask the worker by message")
    assert ask.count() == 1, validations_section(cso).inner_text()
    shot(cso, "case-may-ask-by-message")
    cso.submit(ask, expect_path=f"/channels/cases/{case.pk}/ask-validation/")
    assert main.locator("h1").inner_text().strip() == "Ask the worker to validate by message"
    chosen = main.get_by_label("Ask on")
    chosen_text = chosen.locator("option:checked").inner_text()
    assert worker.label in chosen_text and WHATSAPP in chosen_text and "WhatsApp" in chosen_text, chosen_text
    question = main.get_by_label("Validation question").input_value()
    assert case.reference in question, f"the default question does not name the report: {question!r}"
    assert main.get_by_role("button", name="Send the question").count() == 1
    shot(cso, "ask-form")

    # The same page in the Burmese interface, on a phone (a look: the catalogues are being translated).
    phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    phone.goto(f"/channels/cases/{case.pk}/ask-validation/")
    choose_language(phone, "my")
    assert case.reference in phone.main().locator("textarea").input_value()
    shot(phone, "ask-form-my")
    choose_language(phone, "en")  # the language is saved on the account: back to English for the rest
    cso.goto(f"/channels/cases/{case.pk}/ask-validation/")
    question = main.get_by_label("Validation question").input_value()

    # --- send it: the question reaches the worker's WhatsApp ------------------------------------------
    cso.submit(main.get_by_role("button", name="Send the question"), expect_path=detail)
    assert "Validation question queued" in message(cso), message(cso)
    received = fake_whatsapp.wait_for(1, timeout=10)
    assert len(received) == 1, received
    assert received[0]["provider"] == "whatsapp" and received[0]["recipient"] == sender_digits, received[0]
    assert received[0]["text"] == question
    section = validations_section(cso)
    asked = section.locator("li.card", has_text=worker.label)
    assert "Asked by message" in section.inner_text()
    assert asked.count() == 1 and "Waiting for the worker's reply" in asked.inner_text(), section.inner_text()
    assert "Awaiting" in main.locator("h1").inner_text(), main.locator("h1").inner_text()
    shot(cso, "case-question-sent")
    request = ValidationRequest.objects.get(case=case)

    # --- the worker answers on WhatsApp --------------------------------------------------------------
    worker_writes(live_server, channel, sender, REPLY_MY)
    request.refresh_from_db()
    assert request.status == "answered", f"the reply was not kept as the answer (status {request.status})"

    cso.goto(detail)
    section = validations_section(cso)
    answered = section.locator("li.card", has_text=worker.label)
    assert "The worker replied: to confirm" in answered.inner_text(), answered.inner_text()
    assert REPLY_MY in answered.locator("blockquote").inner_text()
    assert not WorkerValidation.objects.filter(case=case).exists(), "a reply alone recorded a validation"
    shot(cso, "case-reply-arrived")
    cso.goto("/cases/notifications/")
    note = main.locator("li", has_text=case.reference)
    assert "answered the validation question" in note.first.inner_text(), main.inner_text()[:800]
    shot(cso, "notifications")
    cso.goto(detail)

    # --- read the reply and record the validation ----------------------------------------------------
    read = validations_section(cso).get_by_role("link", name="Read the reply and record the validation")
    cso.submit(read, expect_path=f"/channels/validation-requests/{request.pk}/")
    assert main.locator("h1").inner_text().strip() == "Record the worker's validation from their reply"
    assert REPLY_MY in main.locator("blockquote").inner_text()
    assert question[:60] in main.inner_text(), "the question sent is not shown above the reply"
    assert worker.label in main.inner_text()
    shot(cso, "confirm-form")
    phone.goto(f"/channels/validation-requests/{request.pk}/")
    shot(phone, "confirm-form")
    main.get_by_label("Satisfaction").select_option("5")
    main.get_by_label("The worker confirms the remediation").check()
    main.get_by_label("Comments (CSO only)").fill("Passport back, says the worker on WhatsApp.")
    cso.submit(main.get_by_role("button", name="Record", exact=True), expect_path=detail)
    assert "Worker validation recorded." in message(cso), message(cso)
    rows = validations_section(cso).locator("table tbody tr")
    assert rows.count() == 1, validations_section(cso).inner_text()
    row = rows.first.inner_text()
    assert worker.label in row and "Message" in row and "5/5" in row and "yes" in row, row
    recorded = validations_section(cso).locator("li.card", has_text=worker.label)
    assert "Recorded as the worker's validation" in recorded.inner_text(), recorded.inner_text()
    assert recorded.get_by_role("button", name="Withdraw the question").count() == 0
    shot(cso, "case-validation-recorded")

    # --- close the case as resolved -----------------------------------------------------------------
    form = open_form(cso, "/close/")
    form.locator("#close_closure").select_option("resolved")
    cso.submit(form.get_by_role("button", name="Close"), expect_path=detail)
    assert "Case closed." in message(cso), message(cso)
    assert "Closed" in main.locator("h1").inner_text()
    assert "Resolved" in main.locator("dl.facts").first.inner_text()
    case.refresh_from_db()
    assert (case.status, case.closure) == (CaseStatus.CLOSED, "resolved")
    shot(cso, "case-closed-resolved")
    phone.goto(detail)
    shot(phone, "case-closed-resolved")
    ui.assert_clean()


# --- 2. the hotline and walk-ins page, on a phone ------------------------------------------------------


def test_hotline_call_log_on_a_phone(ui: UI, demo: dict[str, dict[str, Any]]) -> None:
    member = caseworker()
    known_number = "+66 81 444 0177"
    known = cases.worker_create(
        actor=member, identifiers=[("phone", known_number)], consents={"contact_for_validation": True}
    )
    new_number = "+95 9 420 333 555"
    hotline = Channel.objects.get(name=HOTLINE, cso__name=CSO)
    shot = Shots("calls")

    cso = ui.person("caseworker on a phone", MOBILE)
    cso.sign_in(demo[CASEWORKER])
    main = cso.main()
    cso.goto("/cases/")
    cso.submit(main.get_by_role("link", name="Hotline and walk-ins"), expect_path="/cases/calls/")
    assert main.locator("h1").inner_text().strip() == "Hotline and walk-ins"
    channel_choice = main.get_by_label("Channel")
    assert channel_choice.locator("option:checked").inner_text().strip().startswith(HOTLINE)
    assert WHATSAPP not in channel_choice.inner_text(), "the call log offers a messaging channel"
    shot(cso, "empty-form")

    # A known number (typed as a Thai caseworker would): the call is logged for its worker.
    main.get_by_label("Language").select_option("th")
    main.get_by_label("Who contacted").select_option("worker")
    main.get_by_label("Purpose").select_option("information")
    main.get_by_label("Caller's number").fill("081-444-0177")
    main.get_by_label("Notes (CSO only)").fill("Asked about overtime pay rules.")
    cso.submit(main.get_by_role("button", name="Log the call"), expect_path="/cases/calls/")
    assert f"Call logged for {known.label} (same number)." in message(cso), message(cso)
    assert main.get_by_label("Caller's number").input_value() == "", "the form keeps the last caller's number"
    row = main.locator("table tbody tr", has=cso.page.get_by_role("link", name=known.label, exact=True))
    assert row.count() == 1, f"today's calls do not list {known.label}: {main.locator('table').inner_text()}"
    assert HOTLINE in row.inner_text() and CASEWORKER in row.inner_text(), row.inner_text()
    assert "overtime" not in main.locator("table").inner_text(), "the notes are in the list"
    shot(cso, "known-number-logged")

    # An unknown number without the tick: refused, and nothing typed is lost.
    notes = "Recruitment fee of 30,000 baht deducted from wages; wants to complain."
    main.get_by_label("Purpose").select_option("issue_report")
    main.get_by_label("Caller's number").fill(new_number)
    main.get_by_label("Notes (CSO only)").fill(notes)
    before = Worker.objects.count()
    cso.submit(main.get_by_role("button", name="Log the call"), expect_path="/cases/calls/")
    assert "No worker of your CSO has this number" in main.locator(".errorlist").inner_text()
    assert main.get_by_label("Notes (CSO only)").input_value() == notes
    assert main.get_by_label("Caller's number").input_value() == new_number
    assert main.get_by_label("Purpose").input_value() == "issue_report"
    assert Worker.objects.count() == before
    shot(cso, "unknown-number-refused")

    # ... ticked, with the consents the caller gave: "Log and open a case".
    main.get_by_label("Record the caller as a new worker with this number").check()
    main.get_by_label("May be contacted to validate remediation").check()
    main.get_by_label("May be counted in anonymised statistics").check()
    shot(cso, "unknown-number-ticked")
    cso.submit(main.get_by_role("button", name="Log and open a case"), expect_path="/cases/new/")
    assert "Call logged." in message(cso), message(cso)
    assert main.locator("h1").inner_text().strip() == "Open a case"
    contact = Contact.objects.filter(cso=member.organisation, worker__isnull=False).exclude(worker=known).latest("pk")
    assert contact.notes == notes
    assert f"contact={contact.pk}" in cso.page.url
    new_worker = contact.worker
    assert new_worker is not None and Worker.objects.count() == before + 1
    assert new_worker.consent_contact_for_validation and new_worker.consent_statistics
    assert not new_worker.consent_share_identity
    assert new_worker.label in main.inner_text(), "the case form does not name the caller's worker"
    shot(cso, "open-case-form")

    # Today's list shows both calls; the new caller's still waits for a case.
    cso.goto("/cases/calls/")
    table = main.locator("table tbody")
    assert table.get_by_role("link", name=known.label, exact=True).count() == 1
    new_row = table.locator("tr", has=cso.page.get_by_role("link", name=new_worker.label, exact=True))
    assert new_row.count() == 1, table.inner_text()
    assert "Issue report" in new_row.inner_text(), new_row.inner_text()
    open_link = new_row.get_by_role("link", name="Open a case")
    assert open_link.count() == 1 and open_link.get_attribute("href") == f"/cases/new/?contact={contact.pk}"
    shot(cso, "todays-calls")
    desktop = ui.person("caseworker at a desk", same_session_as=cso)
    desktop.goto("/cases/calls/")
    shot(desktop, "todays-calls")
    assert Contact.objects.filter(channel=hotline, worker__in=[known, new_worker]).count() == 2
    ui.assert_clean()


# --- 3. inbox search and the conversation's language -----------------------------------------------------


def test_inbox_search_by_number_and_case_and_language_set_by_hand(
    ui: UI, demo: dict[str, dict[str, Any]], fake_whatsapp: FakeProviderServer, live_server: Any
) -> None:
    channel = Channel.objects.get(name=WHATSAPP, cso__name=CSO)
    member = caseworker()
    first_sender, second_sender = "+959250008881", "+959250008882"
    worker_writes(live_server, channel, first_sender, FIRST_MESSAGE_MY)
    # Burmese written in Latin letters: read from the script, it is not taken for Burmese.
    worker_writes(live_server, channel, second_sender, "Mingalaba. Salary not paid for two months, please help.")
    with_case = Conversation.objects.get(channel=channel, language="my")
    other = Conversation.objects.exclude(pk=with_case.pk).get(channel=channel)
    assert other.sender == second_sender
    case = channels.conversation_open_case(actor=member, conversation=with_case)
    shot = Shots("inbox")

    cso = ui.person("caseworker")
    cso.sign_in(demo[CASEWORKER])
    main = cso.main()
    cso.goto("/channels/inbox/")
    search = main.locator("form[role=search]")
    box = search.get_by_label("Search")

    def results() -> list[str]:
        links = main.locator("table tbody tr td:first-child a")
        return [text.strip() for text in links.all_inner_texts()]

    def find(query: str) -> list[str]:
        box.fill(query)
        cso.submit(search.get_by_role("button", name="Filter"), expect_path="/channels/inbox/")
        assert box.input_value() == query, "the search box does not keep the search"
        return results()

    assert {with_case.label, other.label} <= set(results())
    shot(cso, "list")

    # The sender's full number, as a caseworker would type it (spaces) and as the app shows it.
    assert find("+95 9 250 008 882") == [other.label]
    assert find(second_sender) == [other.label]
    shot(cso, "found-by-number")
    # A part of a number finds nothing (and does not show the other senders).
    assert find("250008") == []
    assert "No conversations yet." in main.locator("table").inner_text()
    # The case reference, in small letters too.
    assert find(case.reference.lower()) == [with_case.label]
    row = main.locator("table tbody tr").first
    assert row.get_by_role("link", name=case.reference).get_attribute("href") == f"/cases/{case.pk}/"
    shot(cso, "found-by-case")
    phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    phone.goto(f"/channels/inbox/?q={case.reference}")
    shot(phone, "found-by-case")

    # The conversation's language, set by hand.
    cso.goto("/channels/inbox/")
    cso.submit(main.get_by_role("link", name=other.label), expect_path=f"/channels/inbox/{other.pk}/")
    facts = main.locator("dl.facts")
    language_row = facts.locator("dt:has-text('Language') + dd")
    assert "set by a caseworker" not in language_row.inner_text()
    shot(cso, "conversation-language-read")
    form = main.locator(f"form[action$='/inbox/{other.pk}/language/']")
    assert form.count() == 1, "no language form on the conversation page"
    form.get_by_label("Language").select_option("my")
    cso.submit(form.get_by_role("button", name="Set the language"), expect_path=f"/channels/inbox/{other.pk}/")
    assert "Language saved." in message(cso), message(cso)
    assert "set by a caseworker" in language_row.inner_text(), language_row.inner_text()
    assert form.get_by_label("Language").input_value() == "my", "the form does not show the language chosen"
    shot(cso, "conversation-language-set")
    phone.goto(f"/channels/inbox/{other.pk}/")
    shot(phone, "conversation-language-set")
    assert "မြန်မာ" in language_row.inner_text()  # the language by its own name, not the bare code "my"

    # A later message in Latin letters does not change a language set by hand.
    worker_writes(live_server, channel, second_sender, "Thank you, I will wait for your call.")
    cso.goto(f"/channels/inbox/{other.pk}/")
    assert "set by a caseworker" in language_row.inner_text(), language_row.inner_text()
    assert "မြန်မာ" in language_row.inner_text(), language_row.inner_text()
    # ... and the inbox's language filter finds it with the Burmese conversations.
    cso.goto("/channels/inbox/?language=my")
    assert {other.label, with_case.label} <= set(results())
    ui.assert_clean()
