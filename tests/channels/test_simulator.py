"""The local loop: the simulator's signed messages reach a running ILM, and ILM's replies reach the fake API."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ilm.channels import simulator
from ilm.channels.fake_provider import FakeProviderServer
from ilm.channels.models import Conversation, Message
from ilm.channels.providers import PROVIDERS, get_provider
from tests.conftest import sign_in
from tests.factories import ChannelFactory
from tests.worlds import build_world

THAI = "นายจ้างยึดหนังสือเดินทางของฉัน"
BURMESE_REPLY = "မင်္ဂလာပါ၊ သင့်အမှုကို ကျွန်ုပ်တို့ လက်ခံရရှိပါပြီ။"
SENDERS = {
    "whatsapp": ("+959123456789", "+959123456789"),
    "messenger": ("7384920165432198", "7384920165432198"),
    "line": ("U4af4980629a1b2c3d4e5f60718293a4b", "U4af4980629a1b2c3d4e5f60718293a4b"),
    "viber": ("01234567890A=", "01234567890A="),
    "telegram": ("523456789", "523456789"),
    "sms": ("+66812345678", "+66812345678"),
}


def credentials(provider: str) -> dict[str, str]:
    values = {field: f"{provider}-{field}-secret" for field in PROVIDERS[provider].credential_fields}
    if "bot_token" in values:
        values["bot_token"] = "123456789:AAH-simulated_bot-token"  # Telegram's shape: <bot id>:<secret>
    return values


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_simulated_messages_are_what_the_adapters_read(provider):
    sender, expected_sender = SENDERS[provider]
    url = "http://127.0.0.1:8000/channels/hooks/k/"
    request = simulator.inbound_request(provider, url=url, credentials=credentials(provider), sender=sender, text=THAI)
    adapter = get_provider(provider)
    from ilm.channels.providers import WebhookRequest

    adapter.verify(
        WebhookRequest(
            body=request.body,
            headers={k.lower(): v for k, v in request.headers.items()},
            url=url,
            content_type=request.content_type,
        ),
        credentials(provider),
    )
    events = adapter.parse(request.body, request.content_type)
    assert [(e.kind, e.message_type, e.sender, e.text) for e in events] == [("message", "text", expected_sender, THAI)]
    again = simulator.inbound_request(provider, url=url, credentials=credentials(provider), sender=sender, text=THAI)
    assert adapter.parse(again.body, again.content_type)[0].provider_message_id != events[0].provider_message_id


@pytest.mark.django_db(transaction=True)
def test_the_command_delivers_each_provider_to_a_running_ilm(live_server):
    world = build_world()
    for provider in sorted(PROVIDERS):
        channel = ChannelFactory(
            cso=world.orgs["cso"], provider=provider, credentials=json.dumps(credentials(provider))
        )
        out = StringIO()
        call_command(
            "channel_simulator",
            "send",
            "--channel",
            str(channel.pk),
            "--text",
            THAI,
            "--url",
            live_server.url,
            stdout=out,
        )
        assert "ILM answered 200" in out.getvalue()
        message = Message.objects.get(channel=channel)
        assert message.text == THAI and message.conversation.sender == SENDERS[provider][1]
    listed = StringIO()
    call_command("channel_simulator", "list", stdout=listed)
    assert "whatsapp" in listed.getvalue() and "telegram" in listed.getvalue()
    with pytest.raises(CommandError, match="No channel"):
        call_command("channel_simulator", "send", "--channel", "999999", "--text", "x", "--url", live_server.url)


@pytest.mark.django_db
@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_reply_from_the_inbox_reaches_the_simulator(provider, settings, django_capture_on_commit_callbacks):
    from ilm.channels import services

    world = build_world()
    channel = ChannelFactory(cso=world.orgs["cso"], provider=provider, credentials=json.dumps(credentials(provider)))
    body, content_type = simulator.inbound_body(provider, sender=SENDERS[provider][0], text=THAI)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_receive(channel=channel, body=body, content_type=content_type)
    conversation = Conversation.objects.get(channel=channel)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    with FakeProviderServer(port=0) as fake:
        settings.ILM_CHANNEL_API_BASES = {provider: fake.base_url}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": BURMESE_REPLY})
        assert response.status_code == 302
        received: list[dict[str, Any]] = fake.wait_for(1, timeout=5)
    assert received[0]["text"] == BURMESE_REPLY and received[0]["provider"] == provider
    reply = Message.objects.get(channel=channel, direction="out")
    assert reply.status == "sent" and reply.provider_message_id


@pytest.mark.django_db
def test_a_refused_reply_says_why_in_the_readers_language(settings, django_capture_on_commit_callbacks):
    from ilm.channels import services

    world = build_world()
    channel = ChannelFactory(
        cso=world.orgs["cso"], provider="whatsapp", credentials=json.dumps(credentials("whatsapp"))
    )
    body, content_type = simulator.inbound_body("whatsapp", sender="+959123456789", text=THAI)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_receive(channel=channel, body=body, content_type=content_type)
    conversation = Conversation.objects.get(channel=channel)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    with FakeProviderServer(port=0) as fake:
        settings.ILM_CHANNEL_API_BASES = {"whatsapp": fake.base_url}
        fake.fail_next("whatsapp", "refuse_24h")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "Hello"})
        reply = Message.objects.get(channel=channel, direction="out")
        assert reply.status == "failed" and reply.error == "outside_24h_window"
        page = client.get(f"/channels/inbox/{conversation.pk}/").content.decode()
        assert "within 24 hours" in page
        # Unavailable: the reply waits for another try instead of failing.
        fake.fail_next("whatsapp", "unavailable")
        message = services.conversation_reply(
            actor=world.members[("cso", "caseworker")], conversation=conversation, text="Again"
        )
        delay = services.message_send(message=message)
        assert delay is not None and delay.total_seconds() > 0
        message.refresh_from_db()
        assert message.status == "queued" and message.attempts == 1
        assert services.message_send(message=message) is None
        message.refresh_from_db()
        assert message.status == "sent"
