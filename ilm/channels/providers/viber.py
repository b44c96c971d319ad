"""Viber REST Bot API callbacks.

One event per POST, named by `event`: `message` from a worker, `delivered`/`seen`/`failed` for a message
we sent, and `webhook`, `subscribed`, `unsubscribed`, `conversation_started` which hold no message.
Signed with `X-Viber-Content-Signature` (hex HMAC-SHA256 of the body with the bot's auth token).
Message tokens are 64-bit numbers: they become decimal strings. Viber sends no voice messages to bots.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    InboundEvent,
    SignatureError,
    WebhookRequest,
    credential,
    get_float,
    get_object,
    get_text,
    get_time,
    header,
    hmac_digest,
    load_json_object,
    mime_for,
    require_text,
    same,
)

MEDIA_TYPES = {"picture": "image", "video": "video", "file": "document"}
STATUS_EVENTS = {"delivered": "delivered", "seen": "read", "failed": "failed"}


class ViberProvider:
    name: str = "viber"
    credential_fields: tuple[str, ...] = ("auth_token",)

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        token = credential(credentials, "auth_token")
        given = header(request, "X-Viber-Content-Signature")
        if not same(given.strip().lower(), hmac_digest(token, request.body).hex()):
            raise SignatureError("X-Viber-Content-Signature does not match")

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        return None  # Viber checks a new webhook with a signed POST `webhook` event instead

    def ack(self) -> tuple[bytes, str]:
        return b"", "text/plain; charset=utf-8"

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return {"X-Viber-Content-Signature": hmac_digest(credential(credentials, "auth_token"), request_body).hex()}

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        data = load_json_object(body)
        event = require_text(data, "event")
        sent_at = get_time(data, "timestamp", "ms")
        if event == "message":
            sender = get_object(data, "sender")
            return [
                InboundEvent(
                    kind="message",
                    provider_message_id=require_text(data, "message_token"),
                    sender=require_text(sender, "id"),
                    sender_name=get_text(sender, "name"),
                    sent_at=sent_at,
                    raw=data,
                    **_content(get_object(data, "message")),
                )
            ]
        if event in STATUS_EVENTS:
            return [
                InboundEvent(
                    kind="status",
                    provider_message_id=require_text(data, "message_token"),
                    sender=get_text(data, "user_id"),
                    sent_at=sent_at,
                    message_type="",
                    status=STATUS_EVENTS[event],
                    raw=data,
                )
            ]
        return []  # webhook, subscribed, unsubscribed, conversation_started, and events Viber may add


def _content(message: dict[str, Any]) -> dict[str, Any]:
    kind = get_text(message, "type")
    if kind == "text":
        return {"message_type": "text", "text": get_text(message, "text")}
    if kind == "url":
        return {"message_type": "text", "text": get_text(message, "media")}
    if kind in MEDIA_TYPES:
        return {
            "message_type": MEDIA_TYPES[kind],
            "text": get_text(message, "text"),
            "media_ref": get_text(message, "media"),
            "media_mime": mime_for(get_text(message, "file_name")),
        }
    if kind == "location":
        location = get_object(message, "location")
        latitude, longitude = get_float(location, "lat"), get_float(location, "lon")
        if latitude is not None and longitude is not None:
            return {"message_type": "location", "latitude": latitude, "longitude": longitude}
    if kind == "sticker":
        return {"message_type": "sticker", "media_ref": get_text(message, "media") or get_text(message, "sticker_id")}
    return {"message_type": "unsupported"}  # contact, and types Viber may add
