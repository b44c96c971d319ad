"""How long raw webhook deliveries are kept.

A delivery's body is the provider's payload as it came: the worker's number, name and words (encrypted at
rest). Once parsed, everything ILM needs is in the messages and conversations, so the raw body is only kept
for a while to reprocess or investigate (`ILM_CHANNEL_DELIVERY_RETENTION_DAYS`, 30 by default), then
deleted. Unparsed deliveries (still `received`) are never deleted here: the sweep parses them first.
Messages keep working without their delivery (the link is set to null).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from ilm.channels.models import Delivery, DeliveryStatus

log = logging.getLogger("ilm.channels")
BATCH = 5000


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=max(1, int(settings.ILM_CHANNEL_DELIVERY_RETENTION_DAYS)))


def deliveries_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the deliveries received (and since parsed or given up on) longer ago than the retention period.
    Returns how many, at most BATCH per call (the sweep that calls it runs every few minutes)."""
    cutoff = (now or timezone.now()) - retention()
    ids = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PROCESSED, DeliveryStatus.FAILED], received_at__lt=cutoff
        ).values_list("pk", flat=True)[:BATCH]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).delete()
    log.info("deleted %s raw deliveries older than the retention period", len(ids))
    return len(ids)
