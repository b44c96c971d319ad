"""Raw webhook deliveries are deleted after the retention period; messages stay, unparsed ones wait."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ilm.channels import retention, tasks
from ilm.channels.models import Delivery, DeliveryStatus, Message
from tests.channels.test_webhooks_and_inbox import deliver, wa_payload, whatsapp_channel
from tests.worlds import build_world

pytestmark = pytest.mark.django_db


def test_old_deliveries_are_purged_and_messages_stay(settings, django_capture_on_commit_callbacks):
    settings.ILM_CHANNEL_DELIVERY_RETENTION_DAYS = 30
    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload("wamid.old"), django_capture_on_commit_callbacks)
    deliver(channel, wa_payload("wamid.new"), django_capture_on_commit_callbacks)
    old, new = Delivery.objects.filter(channel=channel).order_by("pk")
    unparsed = Delivery.objects.create(channel=channel, body="{}", status=DeliveryStatus.RECEIVED)
    failed = Delivery.objects.create(channel=channel, body="{}", status=DeliveryStatus.FAILED)
    long_ago = timezone.now() - datetime.timedelta(days=31)
    Delivery.objects.filter(pk__in=[old.pk, unparsed.pk, failed.pk]).update(received_at=long_ago)

    assert retention.deliveries_purge() == 2
    assert set(Delivery.objects.filter(channel=channel).values_list("pk", flat=True)) == {new.pk, unparsed.pk}
    message = Message.objects.get(channel=channel, provider_message_id="wamid.old")
    assert message.delivery_id is None and message.text  # the message outlives its raw delivery
    assert retention.deliveries_purge() == 0


def test_the_sweep_purges(settings, django_capture_on_commit_callbacks):
    settings.ILM_CHANNEL_DELIVERY_RETENTION_DAYS = 1
    world = build_world()
    channel = whatsapp_channel(world)
    deliver(channel, wa_payload("wamid.sweep"), django_capture_on_commit_callbacks)
    Delivery.objects.filter(channel=channel).update(received_at=timezone.now() - datetime.timedelta(days=2))
    tasks.requeue_deliveries.call(False)
    assert not Delivery.objects.filter(channel=channel).exists()
