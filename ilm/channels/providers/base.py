"""What every provider adapter shares: the event and request types, and strict readers for untrusted payloads.

Adapters are pure Python (no Django, no network): `verify` checks a webhook request came from the provider,
`parse` turns its body into `InboundEvent`s. The readers below turn any wrong shape into `PayloadError`,
so a provider's `parse` raises nothing else whatever bytes it is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, Literal, Protocol

MESSAGE_TYPES = frozenset({"text", "image", "audio", "video", "document", "location", "sticker", "unsupported"})
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SignatureError(Exception):
    """The request is not from the provider (wrong/missing signature or token)."""


class PayloadError(Exception):
    """The body cannot be read (malformed JSON/form, wrong shape)."""


@dataclass(frozen=True)
class InboundEvent:
    """One thing a provider told us: a message from a worker, or the status of a message we sent."""

    kind: str  # "message" or "status"
    provider_message_id: str  # for a status: the id of the message it is about
    sender: str  # E.164 phone (WhatsApp/SMS), PSID, LINE userId, Viber user id, Telegram chat id
    sender_name: str = ""
    sent_at: datetime | None = None  # timezone-aware UTC
    message_type: str = "text"  # one of MESSAGE_TYPES; "" for a status
    text: str = ""  # text body or media caption
    media_ref: str = ""  # provider media id or URL to fetch later
    media_mime: str = ""
    latitude: float | None = None
    longitude: float | None = None
    status: str = ""  # for a status: one of STATUSES
    raw: dict[str, Any] = field(default_factory=dict)  # the part of the payload this event came from

    def __post_init__(self) -> None:
        if self.kind == "message":
            if self.message_type not in MESSAGE_TYPES or self.status:
                raise ValueError(f"bad message event: type {self.message_type!r}, status {self.status!r}")
        elif self.kind == "status":
            if self.status not in STATUSES or self.message_type:
                raise ValueError(f"bad status event: status {self.status!r}, type {self.message_type!r}")
        else:
            raise ValueError(f"bad event kind {self.kind!r}")
        if self.sent_at is not None and self.sent_at.utcoffset() != timedelta(0):
            raise ValueError("sent_at must be timezone-aware UTC")


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook call as received, before anything is trusted."""

    body: bytes  # the raw body exactly as received
    headers: Mapping[str, str]  # any case: read them with `header()`
    url: str  # the full URL the provider called (scheme://host/path?query)
    content_type: str


class Provider(Protocol):
    """An inbound adapter for one messaging provider."""

    name: str
    credential_fields: tuple[str, ...]

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        """Return when the request is genuine; raise SignatureError otherwise."""
        ...

    def parse(self, body: bytes, content_type: str) -> list[InboundEvent]:
        """The events in a (verified) body; raise PayloadError when it cannot be read."""
        ...

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        """The text to echo to a GET verification, None without one; raise SignatureError on a wrong token."""
        ...

    def ack(self) -> tuple[bytes, str]:
        """Body and content type of the 200 answer."""
        ...

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The headers a genuine provider would send with this body (for tests and a local simulator)."""
        ...


# --- requests and credentials ---------------------------------------------------------------------------------


def header(request: WebhookRequest, name: str) -> str:
    """The header's value, whatever the case of its name; SignatureError when absent or empty."""
    wanted = name.lower()
    for key, value in request.headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if isinstance(value, str) and value:
                return value
    raise SignatureError(f"missing {name} header")


def credential(credentials: Mapping[str, str], name: str) -> str:
    """A credential's value; SignatureError when it is missing or empty (a channel not fully set up)."""
    value = credentials.get(name) if isinstance(credentials, Mapping) else None
    if not isinstance(value, str) or not value:
        raise SignatureError(f"credential {name!r} is not configured")
    return value


def encode(text: str) -> bytes:
    """UTF-8 bytes of any str (lone surrogates included), for keys and comparisons."""
    return text.encode("utf-8", "surrogatepass")


def hmac_digest(key: str, message: bytes, algorithm: Literal["sha1", "sha256"] = "sha256") -> bytes:
    return hmac.new(encode(key), message, getattr(hashlib, algorithm)).digest()


def same(given: str, expected: str | bytes) -> bool:
    """Constant-time comparison that accepts any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(encode(given), expected if isinstance(expected, bytes) else encode(expected))


def base64_text(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def verify_hub_signature(request: WebhookRequest, credentials: Mapping[str, str]) -> None:
    """Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body, app_secret)>` (WhatsApp, Messenger)."""
    secret = credential(credentials, "app_secret")
    given = header(request, "X-Hub-Signature-256")
    scheme, _, signature = given.partition("=")
    if scheme.strip().lower() != "sha256" or not same(
        signature.strip().lower(), hmac_digest(secret, request.body).hex()
    ):
        raise SignatureError("X-Hub-Signature-256 does not match")


def sign_hub(request_body: bytes, credentials: Mapping[str, str]) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac_digest(credential(credentials, "app_secret"), request_body).hex()}


def hub_handshake(query: Mapping[str, str], credentials: Mapping[str, str]) -> str:
    """Meta's GET verification: `hub.mode=subscribe` with the configured `hub.verify_token` echoes `hub.challenge`."""
    expected = credential(credentials, "verify_token")
    mode = query.get("hub.mode")
    token = query.get("hub.verify_token")
    if mode != "subscribe" or not isinstance(token, str) or not same(token, expected):
        raise SignatureError("hub.verify_token does not match")
    challenge = query.get("hub.challenge")
    return challenge if isinstance(challenge, str) else ""


class MetaSignedProvider:
    """What WhatsApp and Messenger share: Meta's hub signature, hub handshake and empty acknowledgement."""

    def verify(self, request: WebhookRequest, credentials: Mapping[str, str]) -> None:
        verify_hub_signature(request, credentials)

    def handshake(self, query: Mapping[str, str], credentials: Mapping[str, str]) -> str | None:
        return hub_handshake(query, credentials)

    def ack(self) -> tuple[bytes, str]:
        return b"", "text/plain; charset=utf-8"

    def sign(
        self, request_body: bytes, url: str, credentials: Mapping[str, str], form: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return sign_hub(request_body, credentials)


# --- payload readers ------------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise PayloadError(f"JSON holds {name}")


def load_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object: UTF-8, no NaN/Infinity, no lone surrogates; PayloadError otherwise."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise PayloadError("body is not bytes")
    try:
        data = json.loads(bytes(body).decode("utf-8"), parse_constant=_no_constant)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # refuses lone surrogates from \ud800 escapes
    except UnicodeError as exc:
        raise PayloadError("body is not valid UTF-8 text") from exc
    except ValueError as exc:
        raise PayloadError("body is not valid JSON") from exc
    except RecursionError as exc:
        raise PayloadError("JSON is nested too deeply") from exc
    if not isinstance(data, dict):
        raise PayloadError("JSON body is not an object")
    return data


def as_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{what} is not an object")
    return value


def get_object(parent: Mapping[str, Any], key: str) -> dict[str, Any]:
    """parent[key] as an object; {} when absent or null."""
    value = parent.get(key)
    return {} if value is None else as_object(value, key)


def get_list(parent: Mapping[str, Any], key: str) -> list[Any]:
    """parent[key] as a list; [] when absent or null."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{key} is not a list")
    return value


def get_objects(parent: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """parent[key] as a list of objects; [] when absent or null."""
    return [as_object(item, key) for item in get_list(parent, key)]


def as_text(value: Any, what: str) -> str:
    """A string, or an integer written in decimal (providers send ids as either); "" for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PayloadError(f"{what} is not text")


def get_text(parent: Mapping[str, Any], key: str) -> str:
    """parent[key] as text; "" when absent or null."""
    return as_text(parent.get(key), key)


def require_text(parent: Mapping[str, Any], key: str) -> str:
    """parent[key] as non-empty text; PayloadError otherwise."""
    value = get_text(parent, key)
    if not value:
        raise PayloadError(f"{key} is missing")
    return value


def get_float(parent: Mapping[str, Any], key: str) -> float | None:
    """parent[key] as a finite number (numeric strings accepted); None when absent or null."""
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(f"{key} is not a number")
    try:
        number = float(value)
    except (ValueError, OverflowError) as exc:
        raise PayloadError(f"{key} is not a number") from exc
    if not math.isfinite(number):
        raise PayloadError(f"{key} is not a finite number")
    return number


def get_time(parent: Mapping[str, Any], key: str, unit: Literal["s", "ms"]) -> datetime | None:
    """parent[key], a Unix time in seconds or milliseconds (number or digits), as UTC; None when absent."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(f"{key} is not a time")
    try:
        number: int | float = int(value) if isinstance(value, str) and value.isdigit() else float(value)
        if isinstance(number, float) and not math.isfinite(number):
            raise ValueError(key)
        return EPOCH + (timedelta(seconds=number) if unit == "s" else timedelta(milliseconds=number))
    except (ValueError, OverflowError) as exc:
        raise PayloadError(f"{key} is not a valid time") from exc


def e164(digits: str) -> str:
    """A phone number as sent without the plus ("66812345678") in E.164 form ("+66812345678")."""
    number = digits.strip()
    if number.isascii() and number.isdigit():
        return "+" + number
    return number


def mime_for(file_name: str) -> str:
    """The usual MIME type of a file name's extension ("" when unknown), for providers that send only the name."""
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower() if file_name else ""
    return (mimetypes.guess_type("file" + suffix)[0] or "") if suffix else ""
