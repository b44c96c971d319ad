"""Background work for channels: parse stored webhook deliveries, send replies with backoff."""

from __future__ import annotations

import datetime

from django.tasks import task
from django.utils import timezone

SWEEP_EVERY = datetime.timedelta(minutes=5)


@task()
def process_delivery(delivery_id: int) -> int:
    from ilm.channels import selectors, services

    delivery = selectors.dangerously_delivery(delivery_id)
    if delivery is None:
        return 0
    return services.delivery_process(delivery=delivery)


@task()
def send_message(message_id: int) -> str:
    from ilm.channels.models import Message
    from ilm.channels.services import message_send

    message = Message.objects.select_related("channel", "conversation").filter(pk=message_id).first()
    if message is None:
        return "gone"
    retry_in = message_send(message=message)
    if retry_in is not None:
        send_message.using(run_after=timezone.now() + retry_in).enqueue(message_id)
        return "retrying"
    return "done"


@task()
def requeue_deliveries(reschedule: bool = True) -> int:
    """Queue again deliveries a crashed worker left unparsed; then run again in five minutes."""
    from ilm.channels.services import deliveries_requeue

    requeued = deliveries_requeue()
    if reschedule:
        requeue_deliveries.using(run_after=timezone.now() + SWEEP_EVERY).enqueue(True)
    return requeued
