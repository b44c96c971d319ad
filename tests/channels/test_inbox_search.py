"""Inbox search and filters: by label, case reference, worker label or the sender's whole number (blind
index), by channel and language; a search is audited, and never reaches another CSO's conversations."""

from __future__ import annotations

import pytest
from django.test import Client

from ilm.channels import services
from ilm.channels.models import Conversation
from ilm.core.models import AuditEvent
from tests.cases.helpers import canary_worker, open_case
from tests.channels.test_webhooks_and_inbox import deliver, wa_payload, whatsapp_channel
from tests.conftest import sign_in
from tests.worlds import OUTSIDER_SENDER, build_world

pytestmark = pytest.mark.django_db


def rows(client: Client, query: str) -> str:
    response = client.get("/channels/inbox/?" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_search_and_filters(django_capture_on_commit_callbacks):
    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload("wamid.a", sender="959111111111"), django_capture_on_commit_callbacks)
    deliver(channel, wa_payload("wamid.b", "สวัสดีครับ", sender="66812345678"), django_capture_on_commit_callbacks)
    burmese = Conversation.objects.get(channel=channel, language="my")
    thai = Conversation.objects.get(channel=channel, language="th")
    member = world.members[("cso", "caseworker")]
    worker = canary_worker(world)
    case = open_case(world, worker=worker)
    services.conversation_link_worker(actor=member, conversation=thai, worker=worker)
    services.conversation_attach_case(actor=member, conversation=burmese, case=case)
    client = sign_in(Client(), member)

    def found(query: str) -> set[str]:
        page = rows(client, query)
        return {c.label for c in (burmese, thai) if f">{c.label}</a>" in page}

    assert found("") == {burmese.label, thai.label}
    assert found(f"q={burmese.label}") == {burmese.label}
    assert found(f"q={case.reference.lower()}") == {burmese.label}
    assert found(f"q={worker.label}") == {thai.label}
    assert found("q=%2B66+81+234+5678") == {thai.label}  # the whole number, however it is written
    assert found("q=0812345") == set()  # part of a number finds nothing: nothing is decrypted to search
    assert found("language=th") == {thai.label}
    assert found(f"channel={channel.pk}&language=my") == {burmese.label}
    assert AuditEvent.objects.filter(action="conversation.searched", membership_id=member.pk).count() == 5
    assert found("q=" + OUTSIDER_SENDER.replace("+", "%2B").replace(" ", "+")) == set()
    assert "Outsider" not in rows(client, "q=" + OUTSIDER_SENDER.replace("+", "%2B").replace(" ", "+"))


def test_a_caseworker_sets_the_language_and_later_messages_keep_it(django_capture_on_commit_callbacks):
    from tests.channels.test_api import bearer

    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload("wamid.l1"), django_capture_on_commit_callbacks)  # Burmese script
    conversation = Conversation.objects.get(channel=channel)
    assert conversation.language == "my"
    member = world.members[("cso", "caseworker")]
    client = sign_in(Client(), member)
    # A Shan speaker writing in Burmese script: the caseworker knows better.
    assert client.post(f"/channels/inbox/{conversation.pk}/language/", {"language": "th"}).status_code == 302
    deliver(channel, wa_payload("wamid.l2", "ကျေးဇူးပါ"), django_capture_on_commit_callbacks)
    conversation.refresh_from_db()
    assert conversation.language == "th" and conversation.language_by_hand
    assert "set by a caseworker" in client.get(f"/channels/inbox/{conversation.pk}/").content.decode()
    refused = client.post(f"/channels/inbox/{conversation.pk}/language/", {"language": "xx"}, follow=True)
    assert "Choose one of the languages in the list." in refused.content.decode()
    conversation.refresh_from_db()
    assert conversation.language == "th"
    # Back to automatic through the API: read again from the latest message.
    response = Client().post(
        f"/api/v1/conversations/{conversation.pk}/language/", {"language": ""}, "application/json", **bearer(member)
    )
    assert response.status_code == 200 and response.json()["language"] == "my"
    assert not response.json()["language_by_hand"]
    assert AuditEvent.objects.filter(action="conversation.language_set").count() == 2
    # Nobody outside the inbox sets it.
    outsider = sign_in(Client(), world.members[("supplier", "admin")])
    assert outsider.post(f"/channels/inbox/{conversation.pk}/language/", {"language": "th"}).status_code == 404
