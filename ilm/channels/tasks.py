"""Background work for channels: parse stored webhook deliveries, send replies and download workers' media
with backoff."""

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
def fetch_message_media(message_id: int) -> str:
    """Download the file of one inbound media message (media_store); try again later while the app is down."""
    from ilm.channels.media_store import message_media_fetch
    from ilm.channels.models import MessageMedia

    media = (
        MessageMedia.objects.select_related("message__channel", "message__conversation")
        .filter(message_id=message_id)
        .first()
    )
    if media is None:
        return "gone"
    retry_in = message_media_fetch(media=media)
    if retry_in is None:
        return "done"
    if fetch_message_media.get_backend().supports_defer:
        fetch_message_media.using(run_after=timezone.now() + retry_in).enqueue(message_id)
    else:  # a backend that runs tasks at once (tests): the next attempt follows now
        fetch_message_media.enqueue(message_id)
    return "retrying"


@task()
def requeue_deliveries(reschedule: bool = True) -> int:
    """Queue again deliveries a crashed worker left unparsed, delete raw deliveries past their retention
    period; then run again in five minutes."""
    from ilm.channels.media_store import message_media_requeue
    from ilm.channels.retention import deliveries_purge
    from ilm.channels.services import deliveries_requeue

    requeued = deliveries_requeue()
    deliveries_purge()
    message_media_requeue()  # media downloads a crashed worker left pending
    if reschedule:
        requeue_deliveries.using(run_after=timezone.now() + SWEEP_EVERY).enqueue(True)
    return requeued
