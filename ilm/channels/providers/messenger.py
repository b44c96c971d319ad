"""Facebook Messenger Platform webhooks (`page` object).

A POST holds `entry[].messaging[]` events: `message` (text and/or attachments), `delivery` and `read`
receipts, and others (postbacks, reactions, referrals...). Signed and confirmed like WhatsApp (Meta's
`X-Hub-Signature-256` and `hub.challenge`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import (
    InboundEvent,
    MetaSignedProvider,
    PayloadError,
    as_text,
    get_float,
    get_list,
    get_object,
    get_objects,
    get_text,
    get_time,
    load_json_object,
    require_text,
)

ATTACHMENT_TYPES = {"image": "image", "audio": "audio", "video": "video", "file": "document"}


class MessengerProvider(MetaSignedProvider):
    name: str = "messenger"
    credential_fields: tuple[str, ...] = ("app_secret", "verify_token", "page_access_token", "page_id")

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        data = load_json_object(body)
        if data.get("object") != "page":
            raise PayloadError("not a Messenger page notification")
        events: list[InboundEvent] = []
        for entry in get_objects(data, "entry"):
            for item in get_objects(entry, "messaging"):
                events.extend(_events(item))
        return events


def _events(item: dict[str, Any]) -> list[InboundEvent]:
    sender = require_text(get_object(item, "sender"), "id")
    sent_at = get_time(item, "timestamp", "ms")
    if "message" in item:
        return _message(item, sender, sent_at)
    if "delivery" in item:
        delivery = get_object(item, "delivery")
        watermark = get_text(delivery, "watermark")
        mids = [as_text(mid, "mids") for mid in get_list(delivery, "mids")]
        ids = [mid for mid in mids if mid] or ([f"delivery:{watermark}"] if watermark else [])
        at = sent_at or get_time(delivery, "watermark", "ms")
        return [_status(mid, "delivered", sender, at, item) for mid in ids]
    if "read" in item:
        read = get_object(item, "read")
        watermark = get_text(read, "watermark")
        mid = get_text(read, "mid") or (f"read:{watermark}" if watermark else "")
        if not mid:
            raise PayloadError("read receipt without watermark")
        return [_status(mid, "read", sender, sent_at or get_time(read, "watermark", "ms"), item)]
    # postback, reaction, referral, optin, account_linking...: kept, but nothing we can show as a message
    kind = next((key for key in item if key not in {"sender", "recipient", "timestamp"}), "event")
    return [
        InboundEvent(
            kind="message",
            provider_message_id=f"{kind}:{sender}:{get_text(item, 'timestamp')}",
            sender=sender,
            sent_at=sent_at,
            message_type="unsupported",
            raw=item,
        )
    ]


def _message(item: dict[str, Any], sender: str, sent_at: datetime | None) -> list[InboundEvent]:
    """One event per attachment (the first keeps the mid, the next get `mid#1`, `mid#2`...), or one for text."""
    message = get_object(item, "message")
    if message.get("is_echo"):
        return []  # our own outgoing message, echoed back
    mid = require_text(message, "mid")
    text = get_text(message, "text")
    attachments = get_objects(message, "attachments")
    if not attachments:
        return [
            InboundEvent(kind="message", provider_message_id=mid, sender=sender, sent_at=sent_at, text=text, raw=item)
        ]
    events = []
    for index, attachment in enumerate(attachments):
        events.append(
            InboundEvent(
                kind="message",
                provider_message_id=mid if index == 0 else f"{mid}#{index}",
                sender=sender,
                sent_at=sent_at,
                text=text if index == 0 else "",
                raw=item,
                **_attachment(attachment, has_sticker=bool(message.get("sticker_id"))),
            )
        )
    return events


def _attachment(attachment: dict[str, Any], *, has_sticker: bool) -> dict[str, Any]:
    kind = get_text(attachment, "type")
    payload = get_object(attachment, "payload")
    if kind == "image" and (has_sticker or payload.get("sticker_id")):
        return {"message_type": "sticker", "media_ref": get_text(payload, "url")}
    if kind in ATTACHMENT_TYPES:
        return {"message_type": ATTACHMENT_TYPES[kind], "media_ref": get_text(payload, "url")}
    if kind == "location":
        coordinates = get_object(payload, "coordinates")
        latitude, longitude = get_float(coordinates, "lat"), get_float(coordinates, "long")
        if latitude is not None and longitude is not None:
            return {"message_type": "location", "latitude": latitude, "longitude": longitude}
    return {"message_type": "unsupported"}  # fallback (shared links), template, reel, product...


def _status(mid: str, state: str, sender: str, at: datetime | None, item: dict[str, Any]) -> InboundEvent:
    return InboundEvent(
        kind="status", provider_message_id=mid, sender=sender, sent_at=at, message_type="", status=state, raw=item
    )
