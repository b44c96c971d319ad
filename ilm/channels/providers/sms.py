"""Twilio Programmable Messaging webhooks (SMS and MMS).

Twilio POSTs `application/x-www-form-urlencoded` forms: an incoming message (`MessageSid`, `From`, `Body`,
`NumMedia`, `MediaUrl<n>`, `MediaContentType<n>`) or a status callback (`MessageStatus` of a message we
sent). `X-Twilio-Signature` is base64 HMAC-SHA1, keyed with the auth token, of the full URL followed by
every form parameter as name + value, sorted by name. Twilio expects TwiML back; an empty `<Response>`
sends no reply. Incoming messages carry no timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .base import (
    InboundEvent,
    PayloadError,
    SignatureError,
    WebhookRequest,
    base64_text,
    credential,
    encode,
    get_float,
    header,
    hmac_digest,
    same,
)

TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed", "undelivered": "failed"}
INBOUND_STATUSES = frozenset({"received", "receiving"})
DEFAULT_PORTS = {"https": 443, "http": 80}
DOCUMENT_TYPES = frozenset({"text/plain", "text/csv", "text/rtf", "text/html"})


class SmsProvider:
    name: str = "sms"
    credential_fields: tuple[str, ...] = ("account_sid", "auth_token", "from_number")

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        token = credential(credentials, "auth_token")
        given = header(request, "X-Twilio-Signature").strip()
        try:
            pairs = _pairs(request.body)
        except PayloadError as exc:
            raise SignatureError("body is not a form Twilio could have signed") from exc
        if not any(same(given, _signature(token, url, pairs)) for url in _url_variants(request.url)):
            raise SignatureError("X-Twilio-Signature does not match")

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        return None

    def ack(self) -> tuple[bytes, str]:
        return TWIML_EMPTY, "text/xml"

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        pairs = list(form.items()) if form is not None else _pairs(request_body)
        return {"X-Twilio-Signature": _signature(credential(credentials, "auth_token"), url, pairs)}

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        form = dict(_pairs(body))
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        if not sid:
            raise PayloadError("form has no MessageSid")
        raw: dict[str, Any] = dict(form)
        status = form.get("MessageStatus") or ""
        if status and status not in INBOUND_STATUSES:
            state = STATUSES.get(status)
            if state is None:
                return []  # queued, sending, accepted, scheduled, canceled: nothing has happened yet
            return [
                InboundEvent(
                    kind="status",
                    provider_message_id=sid,
                    sender=form.get("To", ""),
                    message_type="",
                    status=state,
                    raw=raw,
                )
            ]
        sender = form.get("From", "")
        if not sender:
            raise PayloadError("form has no From")
        text = form.get("Body", "")
        media = _media(form)
        if not media:
            latitude, longitude = get_float(form, "Latitude"), get_float(form, "Longitude")
            if latitude is not None and longitude is not None:  # Twilio's WhatsApp sender shares locations
                return [
                    InboundEvent(
                        kind="message",
                        provider_message_id=sid,
                        sender=sender,
                        message_type="location",
                        text=form.get("Address", "") or form.get("Label", ""),
                        latitude=latitude,
                        longitude=longitude,
                        raw=raw,
                    )
                ]
            return [InboundEvent(kind="message", provider_message_id=sid, sender=sender, text=text, raw=raw)]
        # one event per attachment: the first keeps the sid and the text, the next get `sid#1`, `sid#2`...
        return [
            InboundEvent(
                kind="message",
                provider_message_id=sid if index == 0 else f"{sid}#{index}",
                sender=sender,
                message_type=_media_type(mime),
                text=text if index == 0 else "",
                media_ref=url,
                media_mime=mime,
                raw=raw,
            )
            for index, (url, mime) in enumerate(media)
        ]


def _pairs(body: bytes) -> list[tuple[str, str]]:
    """The form's (name, value) pairs in order, blanks kept; PayloadError when the body is not UTF-8 text."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise PayloadError("body is not bytes")
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError("form is not valid UTF-8 text") from exc
    try:
        return parse_qsl(text, keep_blank_values=True)
    except ValueError as exc:
        raise PayloadError("body is not a form") from exc


def _signature(token: str, url: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Twilio's RequestValidator: the URL, then each distinct name, sorted, with each of its distinct values, sorted."""
    values: dict[str, set[str]] = {}
    for name, value in pairs:
        values.setdefault(name, set()).add(value)
    data = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    return base64_text(hmac_digest(token, encode(data), "sha1"))


def _url_variants(url: str) -> list[str]:
    """The URL as given, and with the scheme's default port removed or added: Twilio may sign either form."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return [url]
    default = DEFAULT_PORTS.get(parts.scheme.lower())
    if default is None or not parts.hostname or port not in (None, default):
        return [url]
    userinfo, _, hostport = parts.netloc.rpartition("@")
    prefix = f"{userinfo}@" if userinfo else ""
    other = prefix + (f"{hostport}:{default}" if port is None else hostport.rsplit(":", 1)[0])
    return [url, urlunsplit(parts._replace(netloc=other))]


def _media(form: Mapping[str, str]) -> list[tuple[str, str]]:
    """(URL, content type) of each attachment of an MMS."""
    count_text = form.get("NumMedia", "") or "0"
    if not (count_text.isascii() and count_text.isdigit()):
        raise PayloadError("NumMedia is not a number")
    count = min(int(count_text), len(form))
    return [
        (form[f"MediaUrl{index}"], form.get(f"MediaContentType{index}", ""))
        for index in range(count)
        if form.get(f"MediaUrl{index}")
    ]


def _media_type(mime: str) -> str:
    major = mime.split("/", 1)[0].lower()
    if major in {"image", "audio", "video"}:
        return major
    if major == "application" or mime.lower() in DOCUMENT_TYPES:
        return "document"
    return "unsupported"  # vCards, calendars...
