"""Telegram Bot API webhooks (`setWebhook` with a `secret_token`).

One `Update` per POST; `message` and `edited_message` carry what a worker sent, other update kinds
(callback queries, chat member changes...) are kept as unsupported. Telegram proves itself by sending
the configured secret in `X-Telegram-Bot-Api-Secret-Token`. Message ids count per chat, so the
provider id is `<chat id>:<message id>`; media are `file_id`s to fetch with `getFile`. No receipts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    InboundEvent,
    PayloadError,
    SignatureError,
    WebhookRequest,
    as_object,
    credential,
    get_float,
    get_object,
    get_objects,
    get_text,
    get_time,
    header,
    load_json_object,
    require_text,
    same,
)

MESSAGE_UPDATES = ("message", "edited_message")
# Checked in this order: an animation also comes with a `document`, a venue with a `location`.
MEDIA_FIELDS = (
    ("voice", "audio"),
    ("audio", "audio"),
    ("video", "video"),
    ("video_note", "video"),
    ("animation", "video"),
    ("document", "document"),
)


class TelegramProvider:
    name: str = "telegram"
    credential_fields: tuple[str, ...] = ("bot_token", "secret_token")

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        expected = credential(credentials, "secret_token")
        if not same(header(request, "X-Telegram-Bot-Api-Secret-Token"), expected):
            raise SignatureError("X-Telegram-Bot-Api-Secret-Token does not match")

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        return None

    def ack(self) -> tuple[bytes, str]:
        return b"", "text/plain; charset=utf-8"

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return {"X-Telegram-Bot-Api-Secret-Token": credential(credentials, "secret_token")}

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        update = load_json_object(body)
        update_id = require_text(update, "update_id")
        for key in MESSAGE_UPDATES:
            if key in update:
                return [_message(as_object(update[key], key), update)]
        kind = next((key for key in update if key != "update_id"), None)
        if kind is None:
            raise PayloadError("update holds nothing")
        return [
            InboundEvent(
                kind="message",
                provider_message_id=f"update:{update_id}",
                sender=_someone(update[kind]),
                message_type="unsupported",
                raw=update,
            )
        ]


def _message(message: dict[str, Any], update: dict[str, Any]) -> InboundEvent:
    chat_id = require_text(get_object(message, "chat"), "id")
    person = get_object(message, "from")
    name = " ".join(part for part in (get_text(person, "first_name"), get_text(person, "last_name")) if part)
    return InboundEvent(
        kind="message",
        provider_message_id=f"{chat_id}:{require_text(message, 'message_id')}",
        sender=chat_id,
        sender_name=name or get_text(person, "username"),
        sent_at=get_time(message, "date", "s"),
        raw=update,
        **_content(message),
    )


def _content(message: dict[str, Any]) -> dict[str, Any]:
    if "text" in message:
        return {"message_type": "text", "text": get_text(message, "text")}
    caption = get_text(message, "caption")
    photos = get_objects(message, "photo")
    if photos:
        largest = max(
            photos, key=lambda size: (_number(size, "width") * _number(size, "height"), _number(size, "file_size"))
        )
        return {
            "message_type": "image",
            "text": caption,
            "media_ref": require_text(largest, "file_id"),
            "media_mime": "image/jpeg",
        }
    if "sticker" in message:
        sticker = get_object(message, "sticker")
        mime = (
            "video/webm"
            if sticker.get("is_video")
            else "application/x-tgsticker"
            if sticker.get("is_animated")
            else "image/webp"
        )
        return {
            "message_type": "sticker",
            "text": get_text(sticker, "emoji"),
            "media_ref": require_text(sticker, "file_id"),
            "media_mime": mime,
        }
    for key, message_type in MEDIA_FIELDS:
        if key in message:
            media = get_object(message, key)
            return {
                "message_type": message_type,
                "text": caption,
                "media_ref": require_text(media, "file_id"),
                "media_mime": get_text(media, "mime_type"),
            }
    if "location" in message:
        location = get_object(message, "location")
        latitude, longitude = get_float(location, "latitude"), get_float(location, "longitude")
        if latitude is not None and longitude is not None:
            venue = get_object(message, "venue")
            label = ", ".join(part for part in (get_text(venue, "title"), get_text(venue, "address")) if part)
            return {"message_type": "location", "latitude": latitude, "longitude": longitude, "text": label}
    return {"message_type": "unsupported", "text": caption}  # contact, poll, dice, service messages...


def _number(parent: Mapping[str, Any], key: str) -> float:
    return get_float(parent, key) or 0.0


def _someone(value: Any) -> str:
    """The chat (or else the user) an update of another kind is about; "" when there is none."""
    if not isinstance(value, dict):
        return ""
    for holder in (value, get_object(value, "message")):
        chat = get_object(holder, "chat")
        if "id" in chat:
            return get_text(chat, "id")
    return get_text(get_object(value, "from"), "id")
