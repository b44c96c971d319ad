"""A CSO administrator connects a new LINE channel, and a caseworker keeps and sends a quick reply in Burmese."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from ilm.channels.fake_provider import FakeProviderServer
from ilm.channels.models import Conversation, Message, QuickReply
from ilm.network.models import Channel
from tests.e2e.conftest import UI

pytestmark = pytest.mark.e2e

HOURS_MY = "ရုံးဖွင့်ချိန်– တနင်္လာမှ သောကြာ၊ နံနက် ၉ နာရီမှ ညနေ ၅ နာရီ။"
LINE_SECRETS = {"channel_secret": "line-secret-e2e", "channel_access_token": "line-token-e2e"}


def test_admin_connects_a_channel_and_caseworker_sends_a_quick_reply(
    ui: UI, demo: dict[str, dict[str, Any]], live_server: Any, settings: Any
) -> None:
    fake = FakeProviderServer(port=0).start()
    settings.ILM_CHANNEL_API_BASES = {"line": fake.base_url}
    admin = ui.person("cso admin")
    admin.sign_in(demo["th-voice-admin"])
    admin.goto("/network/channels/")
    main = admin.main()
    admin.submit(main.get_by_role("link", name="Add a channel"), expect_path="/channels/settings/new/")
    main.get_by_label("Provider").select_option("line")
    main.get_by_label("Name").fill("LINE Mae Sot")
    main.get_by_label("Number or handle workers use").fill("@maesot")
    main.get_by_label("Credentials").fill('{"channel_secret": "only-this"}')
    admin.submit(main.get_by_role("button", name="Add the channel"), expect_path="/channels/settings/new/")
    assert "These credentials are missing: channel_access_token." in main.inner_text()
    assert not Channel.objects.filter(name="LINE Mae Sot").exists()
    admin.snap("channel-add-refused")
    main.get_by_label("Credentials").fill(json.dumps(LINE_SECRETS))
    admin.submit(main.get_by_role("button", name="Add the channel"), expect_path=r"/channels/settings/\d+/")
    channel = Channel.objects.get(name="LINE Mae Sot")
    webhook = main.locator("code.webhook").inner_text()
    assert webhook == f"{live_server.url}/channels/hooks/{channel.webhook_key}/"
    assert "line-secret-e2e" not in admin.page.content()  # secrets are never shown again
    admin.snap("channel-settings")

    # The simulator, playing LINE, reaches the new channel with its secrets.
    out = StringIO()
    call_command(
        "channel_simulator",
        "send",
        "--channel",
        str(channel.pk),
        "--text",
        "ฉันต้องการความช่วยเหลือ",
        "--url",
        live_server.url,
        stdout=out,
    )
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.language == "th"

    caseworker = ui.person("caseworker")
    caseworker.sign_in(demo["th-voice-caseworker"])
    caseworker.goto("/channels/inbox/")
    work = caseworker.main()
    caseworker.submit(work.get_by_role("link", name="Quick replies"), expect_path="/channels/quick-replies/")
    work.get_by_label("Language").select_option("my")
    work.get_by_label("Title").fill("Opening hours")
    work.get_by_label("Text").fill(HOURS_MY)
    caseworker.submit(work.get_by_role("button", name="Save"), expect_path="/channels/quick-replies/")
    assert "Opening hours" in work.locator("table").inner_text()
    caseworker.snap("quick-replies")
    reply = QuickReply.objects.get(title="Opening hours")

    caseworker.goto(f"/channels/inbox/{conversation.pk}/")
    work.get_by_label("Or send a quick reply").select_option(str(reply.pk))
    caseworker.submit(work.get_by_role("button", name="Send reply"), expect_path=f"/channels/inbox/{conversation.pk}/")
    sent = Message.objects.get(conversation=conversation, direction="out")
    assert sent.text == HOURS_MY
    received = fake.wait_for(1, timeout=10)
    fake.stop()
    assert received[0]["provider"] == "line" and received[0]["text"] == HOURS_MY
    assert HOURS_MY in work.inner_text()
    caseworker.snap("quick-reply-sent")
    ui.assert_clean()
