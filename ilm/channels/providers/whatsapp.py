"""WhatsApp Business Cloud API webhooks (Meta Graph API, `whatsapp_business_account` object).

A POST holds `entry[].changes[].value` with `messages[]` from workers and `statuses[]` of messages we sent,
signed with `X-Hub-Signature-256`; the subscription is confirmed with a GET `hub.challenge` handshake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    InboundEvent,
    MetaSignedProvider,
    PayloadError,
    e164,
    get_float,
    get_object,
    get_objects,
    get_text,
    get_time,
    load_json_object,
    require_text,
)

# WhatsApp message type -> our message type; the media object sits under the key named like the type.
MEDIA_TYPES = {"image": "image", "audio": "audio", "video": "video", "document": "document", "sticker": "sticker"}
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}


class WhatsAppProvider(MetaSignedProvider):
    name: str = "whatsapp"
    credential_fields: tuple[str, ...] = ("app_secret", "verify_token", "access_token", "phone_number_id")

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        data = load_json_object(body)
        if data.get("object") != "whatsapp_business_account":
            raise PayloadError("not a WhatsApp Business Account notification")
        events: list[InboundEvent] = []
        for entry in get_objects(data, "entry"):
            for change in get_objects(entry, "changes"):
                if change.get("field", "messages") != "messages":
                    continue  # account, template and quality updates: nothing from a worker
                value = get_object(change, "value")
                names = _contact_names(value)
                events.extend(_message(message, names) for message in get_objects(value, "messages"))
                for status in get_objects(value, "statuses"):
                    event = _status(status)
                    if event is not None:
                        events.append(event)
        return events


def _contact_names(value: Mapping[str, Any]) -> dict[str, str]:
    """wa_id -> profile name of the contacts that have one."""
    names: dict[str, str] = {}
    for contact in get_objects(value, "contacts"):
        name = get_text(get_object(contact, "profile"), "name")
        if name:
            names[get_text(contact, "wa_id")] = name
    return names


def _message(message: dict[str, Any], names: Mapping[str, str]) -> InboundEvent:
    sender = require_text(message, "from")
    kind = get_text(message, "type")
    fields: dict[str, Any] = {"message_type": "unsupported"}
    if kind == "text":
        fields = {"message_type": "text", "text": get_text(get_object(message, "text"), "body")}
    elif kind in MEDIA_TYPES:
        media = get_object(message, kind)
        fields = {
            "message_type": MEDIA_TYPES[kind],
            "text": get_text(media, "caption"),
            "media_ref": get_text(media, "id") or get_text(media, "url"),
            "media_mime": get_text(media, "mime_type"),
        }
    elif kind == "location":
        location = get_object(message, "location")
        latitude, longitude = get_float(location, "latitude"), get_float(location, "longitude")
        if latitude is not None and longitude is not None:
            label = ", ".join(part for part in (get_text(location, "name"), get_text(location, "address")) if part)
            fields = {"message_type": "location", "latitude": latitude, "longitude": longitude, "text": label}
    return InboundEvent(
        kind="message",
        provider_message_id=require_text(message, "id"),
        sender=e164(sender),
        # a lone contact names the sender even when its wa_id is written differently (e.g. Brazil's extra 9)
        sender_name=names.get(sender) or (next(iter(names.values())) if len(names) == 1 else ""),
        sent_at=get_time(message, "timestamp", "s"),
        raw=message,
        **fields,
    )


def _status(status: dict[str, Any]) -> InboundEvent | None:
    """A status of a message we sent; None for states we do not track (e.g. `deleted`, `warning`)."""
    state = STATUSES.get(get_text(status, "status"))
    if state is None:
        return None
    return InboundEvent(
        kind="status",
        provider_message_id=require_text(status, "id"),
        sender=e164(get_text(status, "recipient_id")),
        sent_at=get_time(status, "timestamp", "s"),
        message_type="",
        status=state,
        raw=status,
    )
