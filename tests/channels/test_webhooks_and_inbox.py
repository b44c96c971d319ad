"""Webhooks in, the inbox, replies out: stored once, never lost, seen only by the CSO that runs the channel."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from ilm.channels import services, tasks
from ilm.channels.models import Conversation, Delivery, DeliveryStatus, Message, MessageStatus
from ilm.core.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import ChannelFactory
from tests.worlds import World, build_world

pytestmark = pytest.mark.django_db

WA_SECRETS = {
    "app_secret": "app-secret-1",
    "verify_token": "verify-me",
    "access_token": "tok",
    "phone_number_id": "109",
}
SENDER = "959123456789"
BURMESE = "ကျွန်တော့်ပတ်စ်ပို့ကို အလုပ်ရှင်က သိမ်းထားတယ်။"


def wa_payload(
    message_id: str = "wamid.HBgM001", text: str = BURMESE, sender: str = SENDER, timestamp: str = "1764000000"
) -> bytes:
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "6620000000", "phone_number_id": "109"},
                                "contacts": [{"profile": {"name": "Ko Aung"}, "wa_id": sender}],
                                "messages": [
                                    {
                                        "from": sender,
                                        "id": message_id,
                                        "timestamp": timestamp,
                                        "type": "text",
                                        "text": {"body": text},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def whatsapp_channel(world: World, **extra: Any) -> Any:
    return ChannelFactory(
        cso=world.orgs["cso"], provider="whatsapp", credentials=json.dumps(WA_SECRETS), languages=["my"], **extra
    )


def post(channel: Any, body: bytes, *, secrets: dict[str, str] = WA_SECRETS, headers: dict[str, str] | None = None):
    from ilm.channels.providers import get_provider

    url = f"/channels/hooks/{channel.webhook_key}/"
    signed = get_provider(channel.provider).sign(body, f"http://testserver{url}", secrets)
    return Client().post(url, body, content_type="application/json", headers={**signed, **(headers or {})})


def deliver(channel: Any, body: bytes, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        response = post(channel, body)
    assert response.status_code == 200, response.content
    return response


def test_a_signed_message_is_stored_once_encrypted_and_shown_to_the_cso(django_capture_on_commit_callbacks):
    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload(), django_capture_on_commit_callbacks)
    deliver(channel, wa_payload(), django_capture_on_commit_callbacks)  # the provider retries: a replay
    assert Delivery.objects.filter(channel=channel).count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PROCESSED}
    message = Message.objects.get(channel=channel)
    assert message.text == BURMESE and message.direction == "in"
    conversation = message.conversation
    assert conversation.sender == "+959123456789" and conversation.sender_name == "Ko Aung"
    assert conversation.unread_count == 1 and conversation.cso_id == world.orgs["cso"].pk
    assert conversation.language == "my"  # from the message's script, not the channel's first language
    with connection.cursor() as cursor:  # identity and words are ciphertext at rest
        for table in ("channels_message", "channels_conversation", "channels_delivery"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump = json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)
            for secret in (BURMESE, "959123456789", "Ko Aung"):
                assert secret not in dump, f"{secret!r} in clear in {table}"

    client = sign_in(Client(), world.members[("cso", "caseworker")])
    inbox = client.get("/channels/inbox/").content.decode()
    assert conversation.label in inbox and "959123456789" not in inbox  # the list shows no identity
    page = client.get(f"/channels/inbox/{conversation.pk}/").content.decode()
    assert BURMESE in page and "+959123456789" in page
    assert AuditEvent.objects.filter(action="conversation.viewed", object_id=str(conversation.pk)).count() == 1
    conversation.refresh_from_db()
    assert conversation.unread_count == 0


@pytest.mark.parametrize(
    ("case", "expected"),
    [("wrong key", 403), ("no signature", 403), ("tampered", 403), ("unknown channel", 404), ("disabled", 404)],
)
def test_bad_webhooks_are_refused_and_store_nothing(case, expected):
    world = build_world()
    channel = whatsapp_channel(world, is_active=case != "disabled")
    body = wa_payload()
    if case == "wrong key":
        response = post(channel, body, secrets={**WA_SECRETS, "app_secret": "not-it"})
    elif case == "no signature":
        response = Client().post(f"/channels/hooks/{channel.webhook_key}/", body, content_type="application/json")
    elif case == "tampered":
        from ilm.channels.providers import get_provider

        url = f"/channels/hooks/{channel.webhook_key}/"
        headers = get_provider("whatsapp").sign(body, f"http://testserver{url}", WA_SECRETS)
        response = Client().post(url, body.replace(b"1764000000", b"1764000001"), "application/json", headers=headers)
    elif case == "unknown channel":
        response = Client().post("/channels/hooks/00000000-0000-4000-8000-000000000000/", body, "application/json")
    else:
        response = post(channel, body)
    assert response.status_code == expected
    assert not Delivery.objects.exists() and not Message.objects.filter(channel=channel).exists()


def test_oversized_and_malformed_bodies_never_answer_5xx(settings, django_capture_on_commit_callbacks):
    world = build_world()
    channel = whatsapp_channel(world)
    settings.ILM_CHANNEL_MAX_BODY_BYTES = 2000
    assert post(channel, wa_payload(text="x" * 3000)).status_code == 413
    assert not Delivery.objects.exists()
    assert Client().post("/channels/hooks/not-a-uuid/", b"{}", "application/json").status_code == 404
    # Signed but unreadable: kept (it came from the provider), marked failed, no message, no 5xx.
    with django_capture_on_commit_callbacks(execute=True):
        assert post(channel, b"{not json").status_code == 200
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "PayloadError" in delivery.error
    assert not Message.objects.filter(channel=channel).exists()


def test_whatsapp_verification_handshake():
    world = build_world()
    channel = whatsapp_channel(world)
    url = f"/channels/hooks/{channel.webhook_key}/"
    ok = Client().get(url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = Client().get(url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status_code == 403


def test_a_crash_between_ack_and_parse_loses_nothing(monkeypatch):
    import datetime

    from django.utils import timezone

    world = build_world()
    channel = whatsapp_channel(world)

    def crash(**kwargs: Any) -> int:
        raise RuntimeError("the worker died mid-parse")

    monkeypatch.setattr(services, "delivery_process", crash)
    response = post(channel, wa_payload("wamid.crash"))
    assert response.status_code == 200  # acknowledged: the body is stored before anything is parsed
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.RECEIVED and not Message.objects.filter(channel=channel).exists()
    monkeypatch.undo()
    # The sweep leaves fresh deliveries alone and queues again those left unparsed for a while.
    assert services.deliveries_requeue() == 0
    later = timezone.now() + datetime.timedelta(minutes=6)
    assert services.deliveries_requeue(now=later) == 1
    assert Message.objects.get(channel=channel).provider_message_id == "wamid.crash"
    assert tasks.process_delivery.call(delivery.pk) == 0  # parsed again: still one message
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    # A body that keeps crashing the parser is given up on after five attempts, for a person to look at.
    stuck = Delivery.objects.create(channel=channel, body="{}", content_type="application/json", attempts=5)
    assert services.deliveries_requeue(now=later) == 0
    stuck.refresh_from_db()
    assert stuck.status == DeliveryStatus.FAILED


def test_the_delivery_sweep_runs_again_by_itself(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    assert tasks.requeue_deliveries.call(True) == 0
    waiting = DBTaskResult.objects.filter(task_path__endswith="requeue_deliveries", status="READY")
    assert waiting.count() == 1


def test_members_of_other_organisations_never_see_a_conversation(django_capture_on_commit_callbacks):
    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload(), django_capture_on_commit_callbacks)
    conversation = Conversation.objects.get(channel=channel)
    allowed = {("cso", "caseworker"), ("cso", "case_manager"), ("cso", "admin")}
    for (key, role), membership in world.members.items():
        client = sign_in(Client(), membership)
        response = client.get(f"/channels/inbox/{conversation.pk}/")
        body = response.content.decode()
        if (key, role) in allowed:
            assert response.status_code == 200, (key, role)
            continue
        assert response.status_code == 404, (key, role, response.status_code)
        assert BURMESE not in body and "959123456789" not in body
        inbox = client.get("/channels/inbox/")
        assert inbox.status_code == 403, (key, role)
        assert client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "hi"}).status_code == 404
    assert not Message.objects.filter(channel=channel, direction="out").exists()


def test_a_caseworker_replies_opens_a_case_and_links_the_worker(django_capture_on_commit_callbacks, monkeypatch):
    from ilm.cases import services as cases
    from ilm.cases.models import Contact

    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload(), django_capture_on_commit_callbacks)
    conversation = Conversation.objects.get(channel=channel)
    member = world.members[("cso", "caseworker")]
    worker = cases.worker_create(actor=member, full_name="Aung", identifiers=[("whatsapp", "+959123456789")])
    client = sign_in(Client(), member)
    page = client.get(f"/channels/inbox/{conversation.pk}/").content.decode()
    assert f"Link to worker {worker.label}" in page  # found by the blind index of the phone number
    assert client.post(f"/channels/inbox/{conversation.pk}/link-worker/", {"worker": worker.pk}).status_code == 302
    opened = client.post(f"/channels/inbox/{conversation.pk}/open-case/")
    assert opened.status_code == 302
    conversation.refresh_from_db()
    assert conversation.worker == worker and conversation.case is not None
    contact = Contact.objects.get(case=conversation.case)
    assert contact.channel == channel and contact.purpose == "issue_report" and contact.worker == worker
    assert conversation.case.case_workers.filter(worker=worker).exists()
    case_page = client.get(f"/cases/{conversation.case.pk}/").content.decode()
    assert f'href="/channels/inbox/{conversation.pk}/"' in case_page and BURMESE not in case_page  # a link only

    # An empty reply is refused with the words kept; a good one is queued (sent by the worker).
    views_before = AuditEvent.objects.filter(action="conversation.viewed").count()
    refused = client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "   "})
    assert refused.status_code == 400 and "Write a reply or choose a quick reply." in refused.content.decode()
    assert AuditEvent.objects.filter(action="conversation.viewed").count() == views_before + 1  # shown again
    from ilm.channels import outbound

    sent: list[dict[str, Any]] = []

    def fake_send(**kwargs: Any) -> outbound.SendResult:  # the real adapters are tested against a fake API
        sent.append(kwargs)
        return outbound.SendResult(provider_message_id="wamid.out1")

    monkeypatch.setattr(outbound, "send_text", fake_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "ကျေးဇူးတင်ပါတယ်"}).status_code == 302
    reply = Message.objects.get(channel=channel, direction="out")
    conversation.refresh_from_db()
    assert conversation.assigned_to == member  # who answers an unassigned conversation first takes it
    assert reply.status == MessageStatus.SENT and reply.provider_message_id == "wamid.out1"
    assert sent[0]["recipient"] == "+959123456789" and sent[0]["text"] == "ကျေးဇူးတင်ပါတယ်"
    assert sent[0]["credentials"]["access_token"] == "tok"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_thousand_deliveries_of_one_message_store_one_row():
    """The provider delivers the same message 1,000 times; eight workers parse them at once."""
    import threading

    from django.db import connections

    world = build_world()
    channel = whatsapp_channel(world)
    body = wa_payload("wamid.storm", sender="959777000111")
    # Stored as the webhook stores them, but not parsed yet (the workers below do that).
    Delivery.objects.bulk_create(
        [Delivery(channel=channel, body=body.decode(), content_type="application/json") for _ in range(1000)]
    )
    ids = list(Delivery.objects.filter(channel=channel).values_list("pk", flat=True))
    assert len(ids) == 1000
    created: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def work(share: list[int]) -> None:
        try:
            barrier.wait()
            for pk in share:
                delivery = Delivery.objects.select_related("channel").get(pk=pk)
                n = services.delivery_process(delivery=delivery)
                with lock:
                    created.append(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(ids[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1000 and sum(created) == 1
    assert Message.objects.filter(channel=channel, provider_message_id="wamid.storm").count() == 1
    assert Conversation.objects.filter(channel=channel).count() == 1
    assert Conversation.objects.get(channel=channel).unread_count == 1
    assert not Delivery.objects.exclude(status=DeliveryStatus.PROCESSED).exists()


def test_a_cso_administrator_adds_a_channel_and_sets_its_credentials():
    from ilm.network.models import Channel

    world = build_world()
    admin = sign_in(Client(), world.members[("cso", "admin")])
    assert "Add a channel" in admin.get("/network/channels/").content.decode()
    form = {"provider": "whatsapp", "name": "WhatsApp Mae Sot", "languages": ["my", "th"], "is_active": "on"}
    missing = admin.post("/channels/settings/new/", {**form, "credentials": '{"app_secret": "x"}'})
    assert missing.status_code == 400
    assert "These credentials are missing: verify_token, access_token, phone_number_id." in missing.content.decode()
    assert admin.post("/channels/settings/new/", {**form, "credentials": "{not json"}).status_code == 400
    assert not Channel.objects.filter(name="WhatsApp Mae Sot").exists()  # nothing half-saved
    created = admin.post("/channels/settings/new/", {**form, "credentials": json.dumps(WA_SECRETS)})
    assert created.status_code == 302
    channel = Channel.objects.get(name="WhatsApp Mae Sot")
    assert channel.cso == world.orgs["cso"] and channel.languages == ["my", "th"]
    page = admin.get(f"/channels/settings/{channel.pk}/").content.decode()
    assert f"/channels/hooks/{channel.webhook_key}/" in page and "app-secret-1" not in page  # never shown again
    # Saving without credentials keeps them; switching off makes the webhook answer 404.
    switched_off = {k: v for k, v in form.items() if k != "is_active"}
    assert (
        admin.post(f"/channels/settings/{channel.pk}/", {**switched_off, "name": "WhatsApp Mae Sot 2"}).status_code
        == 302
    )
    channel.refresh_from_db()
    assert channel.name == "WhatsApp Mae Sot 2" and not channel.is_active and services.channel_credentials(channel)
    assert post(channel, wa_payload()).status_code == 404
    # Members who may not manage channels, and other organisations, are refused.
    for key, role in (("cso", "caseworker"), ("supplier", "admin"), ("buyer", "admin")):
        client = sign_in(Client(), world.members[(key, role)])
        assert (
            client.post("/channels/settings/new/", {**form, "credentials": json.dumps(WA_SECRETS)}).status_code == 403
        )
        assert client.get(f"/channels/settings/{channel.pk}/").status_code in (403, 404)
    assert Channel.objects.filter(name__startswith="WhatsApp Mae Sot").count() == 1


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("นายจ้างยึดหนังสือเดินทาง", "th"),
        (BURMESE, "my"),
        ("ថៅកែរក្សាលិខិតឆ្លងដែនរបស់ខ្ញុំ", "km"),
        ("मेरो राहदानी रोकिएको छ", "ne"),
        ("ນາຍຈ້າງຍຶດໜັງສືຜ່ານແດນ", "lo"),
        ("My passport is kept by the boss", ""),
        ("", ""),
    ],
)
def test_the_language_is_read_from_the_script(text, language):
    assert services.guess_language(text) == language


def test_quick_replies_are_kept_per_language_and_sent_from_the_conversation(
    django_capture_on_commit_callbacks, monkeypatch
):
    from ilm.channels import outbound
    from ilm.channels.models import QuickReply

    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload(), django_capture_on_commit_callbacks)
    conversation = Conversation.objects.get(channel=channel)
    client = sign_in(Client(), world.members[("cso", "caseworker")])
    hours_my = "ရုံးဖွင့်ချိန် တနင်္လာမှ သောကြာ ၉ နာရီမှ ၅ နာရီ"
    assert (
        client.post("/channels/quick-replies/", {"language": "my", "title": "Hours", "text": hours_my}).status_code
        == 302
    )
    assert (
        client.post("/channels/quick-replies/", {"language": "th", "title": "Hours", "text": "เปิด 9-17 น."}).status_code
        == 302
    )
    duplicate = client.post("/channels/quick-replies/", {"language": "my", "title": "Hours", "text": "again"})
    assert duplicate.status_code == 400 and "already has a quick reply with this title" in duplicate.content.decode()
    assert QuickReply.objects.filter(cso=world.orgs["cso"]).count() == 2
    page = client.get(f"/channels/inbox/{conversation.pk}/").content.decode()
    assert page.index("Hours (my)") < page.index("Hours (th)")  # the conversation's language first
    burmese = QuickReply.objects.get(cso=world.orgs["cso"], language="my")

    sent: list[dict[str, Any]] = []

    def fake_send(**kwargs: Any) -> outbound.SendResult:
        sent.append(kwargs)
        return outbound.SendResult(provider_message_id="wamid.quick")

    monkeypatch.setattr(outbound, "send_text", fake_send)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "", "quick_reply": burmese.pk})
    assert response.status_code == 302 and sent[0]["text"] == hours_my
    neither = client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": ""})
    assert neither.status_code == 400 and "Write a reply or choose a quick reply." in neither.content.decode()
    # Another CSO's quick reply cannot be used or opened.
    other = world.outsiders["quickreply"][0]
    smuggled = client.post(f"/channels/inbox/{conversation.pk}/reply/", {"text": "", "quick_reply": other.pk})
    assert smuggled.status_code == 400 and len(sent) == 1
    assert client.get(f"/channels/quick-replies/{other.pk}/").status_code == 404
    # Editing and deleting.
    edit = f"/channels/quick-replies/{burmese.pk}/"
    assert client.post(edit, {"language": "my", "title": "Opening hours", "text": hours_my}).status_code == 302
    assert QuickReply.objects.get(pk=burmese.pk).title == "Opening hours"
    assert client.post(edit, {"delete": "1"}).status_code == 302
    assert not QuickReply.objects.filter(pk=burmese.pk).exists()
    # Viewers and businesses have no quick replies.
    for key, role in (("cso", "viewer"), ("supplier", "admin")):
        assert sign_in(Client(), world.members[(key, role)]).get("/channels/quick-replies/").status_code == 403
