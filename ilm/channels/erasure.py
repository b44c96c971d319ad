"""A worker's erasure reaches the inbox: their conversations go, with every message, stored file and the
raw webhook deliveries those messages came in (which hold the same number, name and words).

Conversations are found two ways: linked to the worker, or (not linked) from one of the worker's numbers
or handles on a channel of the worker's CSO (blind index). Connected to `cases.signals.worker_erased` in
`ChannelsConfig.ready`, so it runs inside `cases.services.worker_erase`'s transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from ilm.channels.models import Conversation, Delivery, DeliveryStatus, Message
from ilm.core.fields import blind_index_for


def erase_worker_conversations(*, worker: Any, identifiers: list[str], **_kwargs: Any) -> dict[str, int]:
    indexes = {blind_index_for(Conversation, "sender", value) for value in identifiers if value}
    conversations = Conversation.objects.filter(cso_id=worker.cso_id).filter(
        Q(worker=worker) | Q(sender_index__in=indexes)
    )
    ids = list(conversations.values_list("pk", flat=True))
    if not ids:
        return {"conversations": 0}
    delivery_ids = set(
        Message.objects.filter(conversation_id__in=ids, delivery__isnull=False).values_list("delivery_id", flat=True)
    )
    Delivery.objects.filter(pk__in=delivery_ids).exclude(status=DeliveryStatus.RECEIVED).delete()
    Conversation.objects.filter(pk__in=ids).delete()  # messages, media files and validation requests follow
    return {"conversations": len(ids)}
