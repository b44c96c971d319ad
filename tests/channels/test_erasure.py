"""Erasing a worker erases their conversations: messages, stored files, raw deliveries; nobody else's."""

from __future__ import annotations

import pytest

from ilm.cases import services as cases
from ilm.channels import services
from ilm.channels.models import Conversation, Delivery, Message
from ilm.core.models import AuditEvent
from tests.channels.test_webhooks_and_inbox import deliver, wa_payload, whatsapp_channel
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_erasure_removes_the_workers_conversations_and_nothing_else(django_capture_on_commit_callbacks):
    world = build_world()
    channel = whatsapp_channel(world)
    other_channel = whatsapp_channel(world, name="Second WhatsApp")
    deliver(channel, wa_payload("wamid.e1", sender="959111111111"), django_capture_on_commit_callbacks)
    deliver(other_channel, wa_payload("wamid.e2", sender="959111111111"), django_capture_on_commit_callbacks)
    deliver(channel, wa_payload("wamid.e3", sender="959222222222"), django_capture_on_commit_callbacks)
    member = world.members[("cso", "caseworker")]
    linked = Conversation.objects.get(channel=channel, messages__provider_message_id="wamid.e1")
    same_number = Conversation.objects.get(channel=other_channel)  # not linked, but the same number
    someone_else = Conversation.objects.get(channel=channel, messages__provider_message_id="wamid.e3")
    worker = cases.worker_create(actor=member, full_name="Aung Erase", identifiers=[("whatsapp", "+959111111111")])
    services.conversation_link_worker(actor=member, conversation=linked, worker=worker)
    their_deliveries = set(
        Message.objects.filter(conversation__in=[linked, same_number]).values_list("delivery_id", flat=True)
    )

    cases.worker_erase(actor=world.members[("cso", "admin")], worker=worker, reason="The worker asked.")

    assert not Conversation.objects.filter(pk__in=[linked.pk, same_number.pk]).exists()
    assert not Message.objects.filter(provider_message_id__in=["wamid.e1", "wamid.e2"]).exists()
    assert not Delivery.objects.filter(pk__in=their_deliveries).exists()
    assert Conversation.objects.filter(pk=someone_else.pk).exists()
    assert Message.objects.filter(provider_message_id="wamid.e3").exists()
    event = AuditEvent.objects.get(action="worker.erased", object_id=str(worker.pk))
    assert event.detail["conversations"] == 2
