"""Scenario: the Channels inbox, from a worker's WhatsApp message to a case, through the real pages.

A worker writes in Burmese to Migrant Worker Voice Thailand's "WhatsApp Thailand" channel: the message is
posted, signed as WhatsApp would sign it, by `manage.py channel_simulator send` to the live server, which
parses it at once (the test settings run tasks immediately). The CSO's caseworker finds the conversation
in the Inbox, opens it (the view is audited), replies in Burmese (the reply reaches the fake WhatsApp API
and shows as "Sent"), and opens a case from it. The same caseworker then reads it in Burmese on a 360 px
phone, and a supplier's responder can neither see the Inbox nor reach the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from ilm.cases.models import Case, Contact
from ilm.channels.fake_provider import FakeProviderServer
from ilm.channels.models import Conversation, Direction, Message, MessageStatus
from ilm.core.models import AuditEvent
from ilm.network.models import Channel
from tests.e2e.conftest import MOBILE, UI, Person

pytestmark = pytest.mark.e2e

CSO = "Migrant Worker Voice Thailand"
CHANNEL = "WhatsApp Thailand"
SENDER = "+959250001111"
SENDER_DIGITS = "959250001111"
SENDER_NAME = "Ko Min"
# "My employer has taken my passport and will not give it back. Please help me."
COMPLAINT_MY = "အလုပ်ရှင်က ကျွန်တော်ရဲ့ နိုင်ငံကူးလက်မှတ်ကို သိမ်းထားပြီး ပြန်မပေးပါဘူး။ ကူညီပေးပါ။"
# "Hello Ko Min, we have received your complaint. We will call you tomorrow."
REPLY_MY = "မင်္ဂလာပါ ကိုမင်း၊ သင့်ရဲ့ တိုင်ကြားချက်ကို လက်ခံရရှိပါပြီ။ မနက်ဖြန် ဖုန်းဆက်ပါမည်။"
REFERENCE = re.compile(r"C-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def fake_whatsapp(settings: Any) -> Iterator[FakeProviderServer]:
    """The fake providers' send APIs; the live server (same process) sends WhatsApp replies there."""
    with FakeProviderServer(port=0) as fake:
        settings.ILM_CHANNEL_API_BASES = {"whatsapp": fake.base_url}
        yield fake


# --- helpers -------------------------------------------------------------------------------------------


def nav_links(person: Person) -> list[str]:
    links = person.page.get_by_role("navigation", name="Main").get_by_role("link")
    return [text.strip() for text in links.all_inner_texts()]


def nav(person: Person, name: str) -> None:
    with person.page.expect_navigation():
        person.menu_link(name=name, exact=True).click()
    person.page.wait_for_load_state("load")


def message(person: Person) -> str:
    return person.page.locator(".messages").inner_text() if person.page.locator(".messages").count() else ""


def choose_language(person: Person, code: str) -> None:
    """The header's language selector submits its form by itself (ilm/js/app.js)."""
    with person.page.expect_navigation():
        person.page.locator("header select#language").select_option(code)
    person.page.wait_for_load_state("load")
    assert person.page.locator("html").get_attribute("lang") == code


def sign_in_with_password_only(person: Person, credentials: dict[str, Any]) -> None:
    """A business responder has no authenticator (two-factor is for CSOs, the secretariat and admins)."""
    assert not credentials["totp_secret"], f"{credentials['username']} has an authenticator: use sign_in()"
    person.goto("/accounts/login/")
    main = person.main()
    main.locator("#id_username").fill(credentials["username"])
    main.locator("#id_password").fill(credentials["password"])
    person.submit(main.locator("form button[type=submit]"), expect_path="/")


def inbox_row(person: Person, conversation: Conversation) -> Any:
    row = person.main().locator("table tbody tr", has=person.page.locator(f"a[href$='/inbox/{conversation.pk}/']"))
    assert row.count() == 1, f"{conversation.label} is not in the inbox: {person.main().inner_text()[:600]}"
    return row


def thread_entries(person: Person) -> Any:
    return person.main().locator("ol.thread > li.message")


# --- the story -----------------------------------------------------------------------------------------


def test_inbox_from_whatsapp_message_to_case(
    ui: UI, demo: dict[str, dict[str, Any]], fake_whatsapp: FakeProviderServer, live_server: Any
) -> None:
    channel = Channel.objects.get(name=CHANNEL, cso__name=CSO)
    assert channel.provider == "whatsapp" and channel.is_active
    assert not Conversation.objects.filter(channel=channel).exists()

    # --- 1. The worker writes on WhatsApp (the simulator signs the webhook as Meta would) ----------------
    out = StringIO()
    call_command(
        "channel_simulator",
        "send",
        "--channel",
        str(channel.pk),
        "--text",
        COMPLAINT_MY,
        "--sender",
        SENDER,
        "--name",
        SENDER_NAME,
        "--url",
        live_server.url,
        stdout=out,
    )
    assert "ILM answered 200" in out.getvalue(), out.getvalue()
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.sender == SENDER and conversation.unread_count == 1
    inbound = Message.objects.get(conversation=conversation)
    assert (inbound.direction, inbound.text) == (Direction.IN, COMPLAINT_MY)
    conversation_path = f"/channels/inbox/{conversation.pk}/"

    # --- 2. The caseworker finds it in the Inbox ------------------------------------------------------
    cso = ui.person("caseworker")
    cso.sign_in(demo["th-voice-caseworker"])
    main = cso.main()
    assert "Inbox" in nav_links(cso), f"no Inbox in the caseworker's menu: {nav_links(cso)}"
    nav(cso, "Inbox")
    assert cso.path() == "/channels/inbox/"
    assert main.locator("h1").inner_text().strip() == "Inbox"
    row = inbox_row(cso, conversation)
    row_text = row.inner_text()
    assert conversation.label in row_text and CHANNEL in row_text and "WhatsApp" in row_text, row_text
    badge = row.locator(".badge")
    assert badge.count() == 1 and badge.inner_text().strip() == "1 unread", row_text
    assert "Nobody" in row_text, "a new conversation is assigned to nobody"
    # The list shows no identity: neither the number nor the name on the app, nor the message.
    listing = main.inner_text()
    assert SENDER_DIGITS not in listing and SENDER_NAME not in listing and COMPLAINT_MY not in listing
    cso.snap("inbox-list")

    # --- 3. ... opens it: the sender and the Burmese text, and the view is audited ---------------------
    assert not AuditEvent.objects.filter(action="conversation.viewed", object_id=str(conversation.pk)).exists()
    cso.submit(row.get_by_role("link", name=conversation.label), expect_path=conversation_path)
    assert conversation.label in main.locator("h1").inner_text()
    facts = main.locator("dl.facts").inner_text()
    assert SENDER in facts and SENDER_NAME in facts, facts
    assert CHANNEL in facts, facts
    entries = thread_entries(cso)
    assert entries.count() == 1
    assert COMPLAINT_MY in entries.first.inner_text()
    assert entries.first.evaluate("li => li.classList.contains('in')")
    viewed = AuditEvent.objects.filter(
        action="conversation.viewed", object_type="channels.conversation", object_id=str(conversation.pk)
    )
    assert viewed.count() == 1
    assert viewed.get().actor_label == demo["th-voice-caseworker"]["username"]
    conversation.refresh_from_db()
    assert conversation.unread_count == 0, "opening the conversation did not mark it read"
    cso.snap("inbox-conversation")

    # --- 4. ... replies in Burmese: the fake WhatsApp API receives it, the page shows it sent -----------
    reply = main.locator(f"form[action$='/inbox/{conversation.pk}/reply/']")
    reply.get_by_label("Message to the worker").fill(REPLY_MY)
    cso.submit(reply.get_by_role("button", name="Send reply"), expect_path=conversation_path)
    assert "Reply queued" in message(cso), message(cso)
    received = fake_whatsapp.wait_for(1, timeout=10)
    assert len(received) == 1, received
    assert received[0]["provider"] == "whatsapp"
    assert received[0]["recipient"] == SENDER_DIGITS, received[0]
    assert received[0]["text"] == REPLY_MY
    sent = Message.objects.get(conversation=conversation, direction=Direction.OUT)
    assert sent.status == MessageStatus.SENT and sent.text == REPLY_MY
    assert AuditEvent.objects.filter(action="conversation.replied", object_id=str(conversation.pk)).count() == 1
    cso.goto(conversation_path)
    entries = thread_entries(cso)
    assert entries.count() == 2
    last = entries.last
    assert REPLY_MY in last.inner_text()
    assert last.evaluate("li => li.classList.contains('out')")
    assert last.locator(".badge").inner_text().strip() == "Sent", last.inner_text()
    assert demo["th-voice-caseworker"]["username"] in last.inner_text(), "the reply does not say who sent it"
    assert reply.get_by_label("Message to the worker").input_value() == "", "the reply box keeps the text that was sent"
    cso.snap("inbox-replied")

    # --- 5. ... opens a case from the conversation ---------------------------------------------------
    cso.submit(main.get_by_role("button", name="Open a case from this conversation"), expect_path=r"/cases/\d+/")
    case = Case.objects.get(pk=int(cso.path().strip("/").split("/")[-1]))
    assert f"Case {case.reference} opened from the conversation." in message(cso), message(cso)
    assert REFERENCE.fullmatch(case.reference) and case.reference in main.locator("h1").inner_text()
    assert case.cso.name == CSO
    contacts = Contact.objects.filter(case=case)
    assert contacts.count() == 1
    contact = contacts.get()
    assert contact.channel_id == channel.pk and contact.purpose == "issue_report"
    conversation.refresh_from_db()
    assert conversation.case_id == case.pk
    assert AuditEvent.objects.filter(action="conversation.case_opened", object_id=str(conversation.pk)).count() == 1
    shown = main.locator("section[aria-labelledby=contacts-h] li").all_inner_texts()
    assert len(shown) == 1 and "Issue report" in shown[0] and CHANNEL in shown[0], shown
    cso.snap("inbox-case-opened")

    nav(cso, "Inbox")
    row = inbox_row(cso, conversation)
    assert row.locator(".badge").count() == 0, "the conversation still shows unread messages"
    case_link = row.get_by_role("link", name=case.reference)
    assert case_link.count() == 1, f"the inbox row does not link {case.reference}: {row.inner_text()}"
    assert case_link.get_attribute("href") == f"/cases/{case.pk}/"
    cso.snap("inbox-list-with-case")
    cso.goto(conversation_path)
    facts = main.locator("dl.facts").inner_text()
    assert case.reference in facts, facts
    assert main.get_by_role("button", name="Open a case from this conversation").count() == 0

    # --- 6. The same caseworker, in Burmese, on a 360 px phone -----------------------------------------
    choose_language(cso, "my")
    phone = ui.person("caseworker on a phone", MOBILE, same_session_as=cso)
    views_before = viewed.count()
    phone.goto(conversation_path)
    assert viewed.count() == views_before + 1, "opening the conversation again was not audited"
    assert phone.page.locator("html").get_attribute("lang") == "my"
    pmain = phone.main()
    assert conversation.label in pmain.locator("h1").inner_text()
    assert SENDER in pmain.locator("dl.facts").inner_text()
    texts = thread_entries(phone).all_inner_texts()
    assert len(texts) == 2 and COMPLAINT_MY in texts[0] and REPLY_MY in texts[1], texts
    overflow = phone.horizontal_overflow()
    phone.snap("inbox-conversation-my")
    assert overflow <= 0, f"the conversation in Burmese is {overflow} px wider than a 360 px phone"
    phone.goto("/channels/inbox/")
    assert case.reference in inbox_row(phone, conversation).inner_text()
    phone.snap("inbox-list-my")
    ui.check(phone.horizontal_overflow() <= 0, "the inbox list in Burmese is wider than a 360 px phone")

    # --- 7. A supplier's responder: no Inbox, and the conversation does not exist for them ---------------
    supplier = ui.person("supplier responder")
    sign_in_with_password_only(supplier, demo["siam-ocean-responder"])
    links = nav_links(supplier)
    assert links, "the supplier's menu is empty"
    assert "Inbox" not in links, f"the supplier's menu has an Inbox: {links}"
    supplier.goto(conversation_path, expect_status=404)
    html = supplier.page.content()
    assert SENDER not in html and COMPLAINT_MY not in html and REPLY_MY not in html
    supplier.goto("/channels/inbox/", expect_status=403)
    assert SENDER not in supplier.page.content()
    assert viewed.count() == views_before + 1, "the supplier's refused request was recorded as a view"

    ui.assert_clean()
