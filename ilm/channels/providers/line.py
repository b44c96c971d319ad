"""LINE Messaging API webhooks.

A POST holds `events[]`; `message` events carry what a worker sent, the others (follow, unfollow,
postback, unsend...) are kept as unsupported. Signed with `X-Line-Signature` (base64 HMAC-SHA256 of
the body with the channel secret). The console's "Verify" button sends an empty `events` list.
Media content is fetched later by message id (or from `originalContentUrl` when the sender's app
hosts it), and LINE sends no delivery or read receipts to bots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    InboundEvent,
    PayloadError,
    SignatureError,
    WebhookRequest,
    base64_text,
    credential,
    get_float,
    get_object,
    get_objects,
    get_text,
    get_time,
    header,
    hmac_digest,
    load_json_object,
    mime_for,
    require_text,
    same,
)

MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio", "file": "document"}


class LineProvider:
    name: str = "line"
    credential_fields: tuple[str, ...] = ("channel_secret", "channel_access_token")

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        secret = credential(credentials, "channel_secret")
        given = header(request, "X-Line-Signature")
        if not same(given.strip(), base64_text(hmac_digest(secret, request.body))):
            raise SignatureError("X-Line-Signature does not match")

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        return None

    def ack(self) -> tuple[bytes, str]:
        return b"", "text/plain; charset=utf-8"

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return {"X-Line-Signature": base64_text(hmac_digest(credential(credentials, "channel_secret"), request_body))}

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        data = load_json_object(body)
        if "events" not in data:
            raise PayloadError("not a LINE webhook: no events")
        return [_event(event) for event in get_objects(data, "events")]


def _event(event: dict[str, Any]) -> InboundEvent:
    source = get_object(event, "source")
    # in a group or room without the user's consent to share the profile, only the group/room id is known
    sender = get_text(source, "userId") or get_text(source, "groupId") or get_text(source, "roomId")
    sent_at = get_time(event, "timestamp", "ms")
    if get_text(event, "type") != "message":
        event_id = (
            get_text(event, "webhookEventId") or f"{get_text(event, 'type')}:{sender}:{get_text(event, 'timestamp')}"
        )
        return InboundEvent(
            kind="message",
            provider_message_id=event_id,
            sender=sender,
            sent_at=sent_at,
            message_type="unsupported",
            raw=event,
        )
    if not sender:
        raise PayloadError("message event without a source")
    message = get_object(event, "message")
    return InboundEvent(
        kind="message",
        provider_message_id=require_text(message, "id"),
        sender=sender,
        sent_at=sent_at,
        raw=event,
        **_content(message),
    )


def _content(message: dict[str, Any]) -> dict[str, Any]:
    kind = get_text(message, "type")
    if kind == "text":
        return {"message_type": "text", "text": get_text(message, "text")}
    if kind in MEDIA_TYPES:
        provider = get_object(message, "contentProvider")
        external = get_text(provider, "type") == "external"
        return {
            "message_type": MEDIA_TYPES[kind],
            "media_ref": get_text(provider, "originalContentUrl") if external else get_text(message, "id"),
            "media_mime": mime_for(get_text(message, "fileName")),
        }
    if kind == "location":
        latitude, longitude = get_float(message, "latitude"), get_float(message, "longitude")
        if latitude is not None and longitude is not None:
            label = ", ".join(part for part in (get_text(message, "title"), get_text(message, "address")) if part)
            return {"message_type": "location", "latitude": latitude, "longitude": longitude, "text": label}
    if kind == "sticker":
        return {"message_type": "sticker", "media_ref": get_text(message, "stickerId")}
    return {"message_type": "unsupported"}
