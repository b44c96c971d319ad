"""The inbox through /api/v1/conversations/: no identity in lists, audited reads, the same rules as pages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from ilm.accounts import services as account_services
from ilm.channels import services, simulator
from ilm.channels.models import Conversation, Message
from ilm.core.models import AuditEvent
from tests.factories import ChannelFactory
from tests.worlds import build_world

pytestmark = pytest.mark.django_db

BURMESE = "အလုပ်ရှင်က ကျွန်တော့်ရဲ့ နိုင်ငံကူးလက်မှတ်ကို သိမ်းထားပါတယ်။"
SECRETS = {"app_secret": "a", "verify_token": "v", "access_token": "t", "phone_number_id": "1"}


def bearer(membership) -> dict[str, str]:
    _token, secret = account_services.api_token_create(
        actor=membership, name="inbox", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def conversation_with_a_message(world, django_capture_on_commit_callbacks) -> Conversation:
    channel = ChannelFactory(cso=world.orgs["cso"], provider="whatsapp", credentials=json.dumps(SECRETS))
    body, content_type = simulator.inbound_body("whatsapp", sender="+959111222333", text=BURMESE, name="Ma Aye")
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_receive(channel=channel, body=body, content_type=content_type)
    return Conversation.objects.get(channel=channel)


def test_caseworkers_list_read_reply_and_open_a_case(django_capture_on_commit_callbacks):
    world = build_world()
    conversation = conversation_with_a_message(world, django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    auth = bearer(member)
    client = Client()
    listed = client.get("/api/v1/conversations/", **auth)
    assert listed.status_code == 200
    body = listed.content.decode()
    assert f"M{conversation.pk}" in body and "959111222333" not in body and "Ma Aye" not in body
    assert json.loads(body)["results"][0]["language"] == "my"
    detail = client.get(f"/api/v1/conversations/{conversation.pk}/", **auth).json()
    assert detail["unread_count"] == 1 and "sender" not in detail

    read = client.post(f"/api/v1/conversations/{conversation.pk}/read/", **auth)
    assert read.status_code == 200
    data = read.json()
    assert data["sender"] == "+959111222333" and data["messages"][0]["text"] == BURMESE
    assert AuditEvent.objects.filter(action="conversation.viewed", object_id=str(conversation.pk)).count() == 1
    assert client.get(f"/api/v1/conversations/{conversation.pk}/", **auth).json()["unread_count"] == 0

    empty = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"text": ""}, content_type="application/json", **auth
    )
    assert empty.status_code == 400
    queued = client.post(
        f"/api/v1/conversations/{conversation.pk}/reply/", {"text": "ok"}, content_type="application/json", **auth
    )
    assert queued.status_code == 201 and queued.json()["status"] == "queued"
    assert Message.objects.filter(conversation=conversation, direction="out").count() == 1

    outsider_case = world.outsiders["case"][0]
    refused = client.post(
        f"/api/v1/conversations/{conversation.pk}/attach-case/",
        {"case": outsider_case.pk},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400  # another CSO's case reads as "does not exist"
    opened = client.post(f"/api/v1/conversations/{conversation.pk}/open-case/", **auth)
    assert opened.status_code == 201 and opened.json()["case"] is not None
    assert client.post(f"/api/v1/conversations/{conversation.pk}/open-case/", **auth).status_code == 400
    unassign = client.post(
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assigned_to": None},
        content_type="application/json",
        **auth,
    )
    assert unassign.status_code == 200 and unassign.json()["assigned_to"] is None


def test_nobody_else_reads_the_inbox_through_the_api(django_capture_on_commit_callbacks):
    world = build_world()
    conversation = conversation_with_a_message(world, django_capture_on_commit_callbacks)
    allowed = {("cso", "caseworker"), ("cso", "case_manager"), ("cso", "admin")}
    client = Client()
    for key_role, membership in world.members.items():
        if key_role in allowed:
            continue
        auth = bearer(membership)
        listed = client.get("/api/v1/conversations/", **auth)
        assert listed.status_code == 200 and listed.json()["results"] == [], key_role
        for path in ("read/", "reply/", "open-case/"):
            response = client.post(f"/api/v1/conversations/{conversation.pk}/{path}", **auth)
            assert response.status_code == 404, (key_role, path, response.status_code)
        assert BURMESE not in listed.content.decode()
    assert not AuditEvent.objects.filter(action="conversation.viewed").exists()


def test_channel_credentials_through_the_api_are_checked_like_the_page():
    world = build_world()
    admin = world.members[("cso", "admin")]
    auth = bearer(admin)
    client = Client()
    base = {"cso": world.orgs["cso"].pk, "provider": "line", "name": "LINE Mae Sot"}
    for credentials, message in [
        ("not json", "JSON object"),
        ('["a"]', "JSON object of texts"),
        ('{"channel_secret": "s"}', "These credentials are missing: channel_access_token."),
    ]:
        response = client.post("/api/v1/channels/", {**base, "credentials": credentials}, "application/json", **auth)
        assert response.status_code == 400, credentials
        assert message in json.dumps(response.json()), (credentials, response.json())
    from ilm.network.models import Channel

    assert not Channel.objects.filter(name="LINE Mae Sot").exists()
    ok = client.post(
        "/api/v1/channels/",
        {**base, "credentials": json.dumps({"channel_secret": "s", "channel_access_token": "t"})},
        "application/json",
        **auth,
    )
    assert ok.status_code == 201 and "credentials" not in ok.json()
