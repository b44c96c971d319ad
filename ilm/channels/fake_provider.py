"""A fake of the six providers' outbound message APIs on one port, for tests and local runs.

Paths, bodies and answers follow `ilm.channels.outbound` and the providers' API references:

    POST /[vNN.N/]{phone_number_id}/messages             WhatsApp Cloud API (body has messaging_product)
    POST /[vNN.N/]me/messages, /[vNN.N/]{page_id}/messages  Messenger Send API
    POST /v2/bot/message/push                            LINE
    POST /pa/send_message                                Viber
    POST /bot{token}/sendMessage                         Telegram
    POST /2010-04-01/Accounts/{sid}/Messages.json        Twilio SMS

Media a worker sent are served on the paths `ilm.channels.media` fetches (GET):

    /[vNN.N/]{media id}  then /_media/whatsapp/{media id}   WhatsApp (bearer token on both)
    /_media/messenger/{name}, /_media/viber/{name}          Messenger, Viber (the URL in the webhook)
    /v2/bot/message/{message id}/content                    LINE (bearer token); /_media/line/{name} external
    /bot{token}/getFile?file_id=...  then /file/bot{token}/media/{file id}   Telegram
    /2010-04-01/Accounts/{sid}/Messages/{sid}/Media/{name}  Twilio (basic auth): redirects to /_media/sms/{name}

A media id or name picks one of `SAMPLE_MEDIA` ("photo": a small PNG, "voice": an Ogg blob, "payslip": a PDF)
by its part before the first "-" ("photo-17" is "photo"), or a file a test added with `add_media`. Each media
request is recorded in `.media_requests` (provider, step, and the authentication, fingerprinted).

A message that is accepted is recorded in `.received` as `{provider, recipient, text, headers,
provider_message_id, received_at}`; `headers` holds only the authentication, with every secret replaced by
`fingerprint(secret)`. `fail_next(provider, kind)` makes the next request for that provider fail in the
provider's own error shape (one failure per call, in order).

Run alone to receive ILM's replies locally; each accepted message is printed as one JSON line:

    python -m ilm.channels.fake_provider --port 8025

In that mode `POST /_fake/fail_next` with `{"provider": ..., "kind": ...}` queues a failure, and
`GET /_fake/messages` lists what was received.
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime
import hashlib
import itertools
import json
import re
import secrets
import signal
import struct
import sys
import threading
import time
import urllib.parse
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FAIL_KINDS", "PROVIDERS", "SAMPLE_MEDIA", "FakeProviderServer", "fingerprint", "main"]

PROVIDERS = ("whatsapp", "messenger", "line", "viber", "telegram", "sms")
FAIL_KINDS = ("refuse_24h", "unavailable", "timeout", "rate_limited", "bad_credentials", "invalid_recipient")
_WINDOWED = frozenset({"whatsapp", "messenger"})  # the providers with a 24-hour customer-service window
_MAX_BODY = 1_000_000

Answer = tuple[int, dict[str, Any]]


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small striped RGB PNG, made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((200, 40 * (y % 6), 90) * width) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# name -> (bytes, Content-Type, file name in Content-Disposition or "")
SAMPLE_MEDIA: dict[str, tuple[bytes, str, str]] = {
    "photo": (_png(), "image/png", ""),
    "voice": (b"OggS\x00\x02" + bytes(22) + b"\x01\x13OpusHead\x01\x01" + bytes(400), "audio/ogg", ""),
    "payslip": (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        "application/pdf",
        "payslip.pdf",
    ),
}


def fingerprint(secret: str) -> str:
    """How a secret appears in recorded headers: a short hash, enough for a test to compare, not to reuse."""
    return "redacted:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def _bearer_auth(headers: Any) -> dict[str, str] | None:
    value = headers.get("Authorization", "")
    if not value.startswith("Bearer ") or not value[7:].strip():
        return None
    return {"Authorization": "Bearer " + fingerprint(value[7:].strip())}


class FakeProviderServer:
    """The fake providers, served from a background thread. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        slow_seconds: float = 30.0,
        on_message: Callable[[dict[str, Any]], None] | None = None,
        control: bool = False,
    ) -> None:
        """`slow_seconds`: how long a "timeout" failure keeps the client waiting (stop() cuts it short).
        `on_message`: called with each accepted message. `control`: serve the /_fake/ endpoints."""
        self.slow_seconds = slow_seconds
        self.on_message = on_message
        self.control = control
        self._received: list[dict[str, Any]] = []
        self._requests = 0
        self._failures: dict[str, collections.deque[str]] = {p: collections.deque() for p in PROVIDERS}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._counter = itertools.count(1001)
        self._media: dict[str, tuple[bytes, str, str]] = dict(SAMPLE_MEDIA)
        self._media_requests: list[dict[str, Any]] = []
        self._thread: threading.Thread | None = None
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        bound_host, bound_port = self._httpd.server_address[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else str(bound_host)  # noqa: S104 - a comparison
        self.base_url = f"http://{shown}:{bound_port}"

    # --- lifecycle ---

    def start(self) -> FakeProviderServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="fake-provider"
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release requests held by a "timeout" failure, and close the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests read and set ---

    @property
    def received(self) -> list[dict[str, Any]]:
        """A copy of the accepted messages, oldest first."""
        with self._changed:
            return list(self._received)

    @property
    def request_count(self) -> int:
        """Every provider API request that reached the server, accepted or not."""
        with self._changed:
            return self._requests

    def fail_next(self, provider: str, kind: str) -> None:
        """Make the next request for `provider` fail as `kind` (see FAIL_KINDS). Calls queue up in order.

        "refuse_24h" exists only for WhatsApp and Messenger (ValueError otherwise); "timeout" answers nothing
        for `slow_seconds`; "unavailable" is HTTP 503; "rate_limited" HTTP 429 (Viber: its status 12).
        """
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}")
        if kind not in FAIL_KINDS:
            raise ValueError(f"unknown failure {kind!r}; one of {', '.join(FAIL_KINDS)}")
        if kind == "refuse_24h" and provider not in _WINDOWED:
            raise ValueError(f"{provider} has no 24-hour window")
        with self._changed:
            self._failures[provider].append(kind)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until `count` messages were accepted; return them. TimeoutError if they do not come in time."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._received) >= count, timeout=timeout):
                raise TimeoutError(f"{len(self._received)} of {count} messages received in {timeout}s")
            return list(self._received)

    @property
    def media_requests(self) -> list[dict[str, Any]]:
        """A copy of the media requests that reached the server: {provider, step, name, auth}, oldest first."""
        with self._changed:
            return list(self._media_requests)

    def add_media(
        self, name: str, content: bytes, content_type: str = "application/octet-stream", file_name: str = ""
    ) -> None:
        """Serve `content` for the media id or name `name` (and "name-anything")."""
        with self._changed:
            self._media[name] = (content, content_type, file_name)

    def clear(self) -> None:
        """Forget received messages, media requests, the request count and queued failures."""
        with self._changed:
            self._received.clear()
            self._media_requests.clear()
            self._requests = 0
            for queue in self._failures.values():
                queue.clear()

    # --- used by the handler ---

    def _take_failure(self, provider: str) -> str | None:
        with self._changed:
            self._requests += 1
            queue = self._failures[provider]
            return queue.popleft() if queue else None

    def _record(self, provider: str, recipient: str, text: str, auth: dict[str, str], message_id: str) -> None:
        record = {
            "provider": provider,
            "recipient": recipient,
            "text": text,
            "headers": auth,
            "provider_message_id": message_id,
            "received_at": _now(),
        }
        with self._changed:
            self._received.append(record)
            self._changed.notify_all()
        if self.on_message is not None:
            self.on_message(dict(record))

    def _next_number(self) -> int:
        return next(self._counter)

    def _media_for(self, name: str) -> tuple[bytes, str, str] | None:
        with self._changed:
            return self._media.get(name) or self._media.get(name.split("-", 1)[0])

    def _record_media(self, provider: str, step: str, name: str, auth: dict[str, str] | None) -> None:
        with self._changed:
            self._media_requests.append({"provider": provider, "step": step, "name": name, "auth": auth})


# --- the providers -----------------------------------------------------------------------------------------


class _Incoming:
    """One request: path, query, headers and the decoded body (JSON or form)."""

    def __init__(self, path: str, query: dict[str, list[str]], headers: Any, body: Any) -> None:
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body


class _Provider(ABC):
    """What one fake provider does: check auth, validate, answer; and its error shapes. Each of the six
    providers below implements the three abstract methods."""

    name = ""

    def auth(self, incoming: _Incoming) -> dict[str, str] | None:
        return _bearer_auth(incoming.headers)

    @abstractmethod
    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        """(recipient, text), or a description of what is wrong with the request."""

    @abstractmethod
    def success(self, incoming: _Incoming, message_id_number: int) -> tuple[str, Answer]:
        """The provider's id for the accepted message, and its success answer."""

    @abstractmethod
    def failure(self, kind: str, problem: str = "") -> Answer:
        """The provider's own error answer for a failure kind (see FAIL_KINDS)."""


def _graph_error(status: int, code: int, message: str, *, subcode: int | None = None, details: str = "") -> Answer:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = secrets.token_urlsafe(12)
    return status, {"error": error}


class _WhatsApp(_Provider):
    name = "whatsapp"

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        body = _dict(incoming.body)
        text = _dict(body.get("text"))
        if body.get("messaging_product") != "whatsapp" or body.get("type") != "text":
            return "messaging_product must be whatsapp and type text"
        if not isinstance(body.get("to"), str) or not re.fullmatch(r"\d{6,15}", body["to"]):
            return "to must be the phone number's digits"
        if not isinstance(text.get("body"), str) or not text["body"]:
            return "text.body is required"
        return body["to"], text["body"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        to = incoming.body["to"]
        message_id = "wamid." + base64.b64encode(f"fake:{number}:{uuid.uuid4().hex}".encode()).decode()
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": message_id}],
        }
        return message_id, (200, answer)

    def failure(self, kind: str, problem: str = "") -> Answer:
        if kind == "refuse_24h":
            return _graph_error(
                400,
                131047,
                "(#131047) Re-engagement message",
                details="Message failed to send because more than 24 hours have passed since the customer last "
                "replied to this number.",
            )
        if kind == "bad_credentials":
            return _graph_error(401, 190, "Error validating access token: Session has expired.", subcode=463)
        if kind == "invalid_recipient":
            return _graph_error(400, 100, "(#100) Invalid parameter", details=problem or "Invalid parameter: to")
        if kind == "rate_limited":
            return _graph_error(
                429, 130429, "(#130429) Rate limit hit", details="Cloud API message throughput reached."
            )
        return _graph_error(503, 2, "Service temporarily unavailable")


class _Messenger(_Provider):
    name = "messenger"

    def auth(self, incoming: _Incoming) -> dict[str, str] | None:
        token = (incoming.query.get("access_token") or [""])[0]
        if token:
            return {"access_token": fingerprint(token)}
        return _bearer_auth(incoming.headers)

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        body = _dict(incoming.body)
        recipient = _dict(body.get("recipient"))
        message = _dict(body.get("message"))
        if body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return "messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG"
        if not isinstance(recipient.get("id"), str) or not recipient["id"]:
            return "recipient.id is required"
        if not isinstance(message.get("text"), str) or not message["text"]:
            return "message.text is required"
        return recipient["id"], message["text"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        message_id = f"m_fake{number}{secrets.token_urlsafe(16)}"
        return message_id, (200, {"recipient_id": incoming.body["recipient"]["id"], "message_id": message_id})

    def failure(self, kind: str, problem: str = "") -> Answer:
        if kind == "refuse_24h":
            return _graph_error(
                400,
                10,
                "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
                "https://developers.facebook.com/docs/messenger-platform/policy-overview",
                subcode=2018278,
            )
        if kind == "bad_credentials":
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if kind == "invalid_recipient":
            if problem:
                return _graph_error(400, 100, f"(#100) {problem}")
            return _graph_error(400, 100, "(#100) No matching user found", subcode=2018001)
        if kind == "rate_limited":
            return _graph_error(429, 613, "(#613) Calls to this api have exceeded the rate limit.")
        return _graph_error(503, 2, "An unexpected error has occurred. Please retry your request later.")


class _Line(_Provider):
    name = "line"

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        body = _dict(incoming.body)
        messages = body.get("messages")
        if not isinstance(body.get("to"), str) or not body["to"]:
            return "The property, 'to', in the request body is invalid (line: -, column: -)"
        if not isinstance(messages, list) or len(messages) != 1 or not isinstance(messages[0], dict):
            return "The request body has 1 error(s)"
        if messages[0].get("type") != "text" or not isinstance(messages[0].get("text"), str):
            return "The request body has 1 error(s)"
        if len(messages[0]["text"].encode("utf-16-le")) // 2 > 5000:
            return "The request body has 1 error(s)"
        return body["to"], messages[0]["text"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        message_id = str(461230966842064897 + number)
        return message_id, (200, {"sentMessages": [{"id": message_id, "quoteToken": secrets.token_urlsafe(24)}]})

    def failure(self, kind: str, problem: str = "") -> Answer:
        if kind == "bad_credentials":
            return 401, {
                "message": "Authentication failed. Confirm that the access token in the authorization header is valid."
            }
        if kind == "invalid_recipient":
            return 400, {
                "message": problem or "The property, 'to', in the request body is invalid (line: -, column: -)"
            }
        if kind == "rate_limited":
            return 429, {"message": "The API rate limit has been exceeded. Try again later."}
        return 503, {"message": "Service Unavailable"}


class _Viber(_Provider):
    name = "viber"

    def auth(self, incoming: _Incoming) -> dict[str, str] | None:
        token = incoming.headers.get("X-Viber-Auth-Token", "").strip()
        return {"X-Viber-Auth-Token": fingerprint(token)} if token else None

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        body = _dict(incoming.body)
        sender = _dict(body.get("sender"))
        if not isinstance(body.get("receiver"), str) or not body["receiver"]:
            return "receiver is required"
        if body.get("type") != "text" or not isinstance(body.get("text"), str) or not body["text"]:
            return "type text and text are required"
        if not isinstance(sender.get("name"), str) or not sender["name"]:
            return "sender.name is required"
        return body["receiver"], body["text"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        token = 5741311803571721087 + number
        answer = {"status": 0, "status_message": "ok", "message_token": token, "chat_hostname": "SN-CHAT-05_"}
        return str(token), (200, answer)

    def failure(self, kind: str, problem: str = "") -> Answer:
        # Viber answers HTTP 200 and puts the error in "status".
        if kind == "bad_credentials":
            return 200, {"status": 2, "status_message": "invalidAuthToken"}
        if kind == "invalid_recipient":
            if problem:
                return 200, {"status": 3, "status_message": f"badData: {problem}"}
            return 200, {"status": 6, "status_message": "notSubscribed"}
        if kind == "rate_limited":
            return 200, {"status": 12, "status_message": "tooManyRequests"}
        return 503, {"status": 999, "status_message": "Service Unavailable"}


class _Telegram(_Provider):
    name = "telegram"

    def auth(self, incoming: _Incoming) -> dict[str, str] | None:
        match = re.match(r"^/bot([^/]+)/", incoming.path)
        token = urllib.parse.unquote(match.group(1)) if match else ""
        return {"bot_token": fingerprint(token)} if re.fullmatch(r"\d+:[\w-]+", token) else None

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        body = _dict(incoming.body)
        if not isinstance(body.get("chat_id"), (str, int)) or body["chat_id"] in ("", 0):
            return "Bad Request: chat_id is empty"
        if not isinstance(body.get("text"), str) or not body["text"]:
            return "Bad Request: message text is empty"
        if len(body["text"].encode("utf-16-le")) // 2 > 4096:
            return "Bad Request: message is too long"
        return str(body["chat_id"]), body["text"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        chat_id = incoming.body["chat_id"]
        result = {
            "message_id": number,
            "from": {"id": 7000000001, "is_bot": True, "first_name": "ILM", "username": "ilm_fake_bot"},
            "chat": {"id": int(chat_id) if str(chat_id).lstrip("-").isdigit() else chat_id, "type": "private"},
            "date": int(time.time()),
            "text": incoming.body["text"],
        }
        return f"{chat_id}:{number}", (200, {"ok": True, "result": result})

    def failure(self, kind: str, problem: str = "") -> Answer:
        if kind == "bad_credentials":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if kind == "invalid_recipient":
            if problem:
                return 400, {"ok": False, "error_code": 400, "description": problem}
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if kind == "rate_limited":
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        return 503, {"ok": False, "error_code": 503, "description": "Service Unavailable"}


class _Twilio(_Provider):
    name = "sms"

    def auth(self, incoming: _Incoming) -> dict[str, str] | None:
        value = incoming.headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(value[6:], validate=True).decode("utf-8").partition(":")
        except ValueError:
            return None
        match = re.search(r"/Accounts/([^/]+)/", incoming.path)
        if not user or not password or not match or urllib.parse.unquote(match.group(1)) != user:
            return None
        return {"Authorization": f"Basic {user}:{fingerprint(password)}"}

    def message(self, incoming: _Incoming) -> tuple[str, str] | str:
        form = _dict(incoming.body)
        if not form.get("To"):
            return "A 'To' phone number is required."
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return "A 'From' phone number is required."
        if not form.get("Body"):
            return "A text message Body or Media Url is required."
        if len(form["Body"]) > 1600:
            return "The concatenated message body exceeds the 1600 character limit."
        return form["To"], form["Body"]

    def success(self, incoming: _Incoming, number: int) -> tuple[str, Answer]:
        sid = "SM" + uuid.uuid4().hex
        form = incoming.body
        match = re.search(r"/Accounts/([^/]+)/", incoming.path)
        account = urllib.parse.unquote(match.group(1)) if match else ""
        now = datetime.datetime.now(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        answer = {
            "sid": sid,
            "account_sid": account,
            "to": form["To"],
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        return sid, (201, answer)

    def failure(self, kind: str, problem: str = "") -> Answer:
        def error(status: int, code: int, message: str) -> Answer:
            info = f"https://www.twilio.com/docs/errors/{code}"
            return status, {"code": code, "message": message, "more_info": info, "status": status}

        if kind == "bad_credentials":
            return error(401, 20003, "Authenticate")
        if kind == "invalid_recipient":
            if problem:
                return error(400, 21602 if "Body" in problem else 21604, problem)
            return error(400, 21211, "The 'To' number is not a valid phone number.")
        if kind == "rate_limited":
            return error(429, 20429, "Too Many Requests")
        return error(503, 20500, "Service Unavailable")


def _media_missing(provider: str) -> Answer:
    """Each provider's answer for a media id it does not know (or no longer has)."""
    if provider in ("whatsapp", "messenger"):
        return _graph_error(404, 100, "(#100) Unsupported get request. Object does not exist")
    if provider == "telegram":
        return 400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
    if provider == "sms":
        return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
    return 404, {"message": "Not found"}


_GRAPH_PATH = re.compile(r"^/(?:v\d+\.\d+/)?([^/]+)/messages$")
_PROVIDERS: dict[str, _Provider] = {
    p.name: p for p in (_WhatsApp(), _Messenger(), _Line(), _Viber(), _Telegram(), _Twilio())
}


def _route(path: str, body: Any) -> _Provider | None:
    """Which fake provider a POST path (and, for the Graph API, its body) is for."""
    graph = _GRAPH_PATH.match(path)
    if graph:
        fields = body if isinstance(body, dict) else {}
        is_whatsapp = "messaging_product" in fields or (graph.group(1) != "me" and "to" in fields)
        return _PROVIDERS["whatsapp" if is_whatsapp else "messenger"]
    if path == "/v2/bot/message/push":
        return _PROVIDERS["line"]
    if path == "/pa/send_message":
        return _PROVIDERS["viber"]
    if re.fullmatch(r"/bot[^/]*/sendMessage", path):
        return _PROVIDERS["telegram"]
    if re.fullmatch(r"/2010-04-01/Accounts/[^/]+/Messages\.json", path):
        return _PROVIDERS["sms"]
    return None


_MEDIA_ROUTES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    # (provider, step, path): the name is the last group
    ("whatsapp", "download", re.compile(r"^/_media/(whatsapp)/([^/]+)$")),
    ("messenger", "download", re.compile(r"^/_media/(messenger)/([^/]+)$")),
    ("viber", "download", re.compile(r"^/_media/(viber)/([^/]+)$")),
    ("line", "download", re.compile(r"^/_media/(line)/([^/]+)$")),
    ("sms", "download", re.compile(r"^/_media/(sms)/([^/]+)$")),
    ("line", "content", re.compile(r"^/v2/bot/message/([^/]+)/content$")),
    ("telegram", "getFile", re.compile(r"^/bot([^/]+)/getFile$")),
    ("telegram", "download", re.compile(r"^/file/bot([^/]+)/media/([^/]+)$")),
    ("sms", "media", re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/[^/]+/Media/([^/]+)$")),
    ("whatsapp", "lookup", re.compile(r"^/(?:v\d+\.\d+/)?([^/_][^/]*)$")),
)


def _media_route(path: str) -> tuple[str, str, str] | None:
    """(provider, step, name or file id) of a media GET path."""
    for provider, step, pattern in _MEDIA_ROUTES:
        match = pattern.match(path)
        if match:
            name = match.group(match.lastindex or 1)
            if step == "getFile":
                name = ""
            return provider, step, urllib.parse.unquote(name)
    return None


def _media_auth(provider: str, step: str, incoming: _Incoming) -> dict[str, str] | None:
    """The authentication a media request carries (fingerprinted), or None."""
    if provider == "telegram":
        match = re.match(r"^/(?:file/)?bot([^/]+)/", incoming.path)
        token = urllib.parse.unquote(match.group(1)) if match else ""
        return {"bot_token": fingerprint(token)} if re.fullmatch(r"\d+:[\w-]+", token) else None
    if provider == "sms" and step == "media":
        return _PROVIDERS["sms"].auth(incoming)
    return _bearer_auth(incoming.headers)


def _make_handler(server: FakeProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeProvider/1"

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: request lines carry Telegram bot tokens."""

        def _answer(self, status: int, payload: Any) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)

        def _read_body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(min(length, _MAX_BODY)) if length > 0 else b""
            content_type = self.headers.get("Content-Type", "")
            text = raw.decode("utf-8")
            if content_type.startswith("application/x-www-form-urlencoded"):
                return {k: v[-1] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
            return json.loads(text) if text else None

        def _answer_bytes(self, content: bytes, content_type: str, file_name: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            if file_name:
                self.send_header("Content-Disposition", f'attachment; filename="{file_name}"')
            self.end_headers()
            self.wfile.write(content)

        def _redirect(self, location: str) -> None:
            self.send_response(307)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if server.control and url.path == "/_fake/messages":
                self._answer(200, {"messages": server.received})
                return
            route = _media_route(url.path)
            if route is None:
                self._answer(404, {"error": "not found"})
                return
            self._media(route, _Incoming(url.path, urllib.parse.parse_qs(url.query), self.headers, None))

        def _media(self, route: tuple[str, str, str], incoming: _Incoming) -> None:
            provider_name, step, name = route
            provider = _PROVIDERS[provider_name]
            if step == "getFile":
                name = (incoming.query.get("file_id") or [""])[0]
            needs_auth = step in ("lookup", "content", "getFile", "media") or provider_name in ("whatsapp", "telegram")
            auth = _media_auth(provider_name, step, incoming)
            server._record_media(provider_name, step, name, auth)
            failure = server._take_failure(provider_name)
            if failure == "timeout":
                server._stopping.wait(server.slow_seconds)
                self.close_connection = True
                return
            if failure is not None:
                self._answer(*provider.failure(failure))
                return
            if needs_auth and auth is None:
                self._answer(*provider.failure("bad_credentials"))
                return
            found = server._media_for(name)
            if found is None:
                self._answer(*_media_missing(provider_name))
                return
            content, content_type, file_name = found
            if step == "lookup":  # WhatsApp: the media's URL, to GET with the same token
                self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "url": f"{server.base_url}/_media/whatsapp/{urllib.parse.quote(name)}",
                        "mime_type": content_type,
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "file_size": len(content),
                        "id": name,
                    },
                )
            elif step == "getFile":
                result = {
                    "file_id": name,
                    "file_unique_id": hashlib.sha256(name.encode()).hexdigest()[:16],
                    "file_size": len(content),
                    "file_path": f"media/{urllib.parse.quote(name)}",
                }
                self._answer(200, {"ok": True, "result": result})
            elif step == "media":  # Twilio: a redirect to its CDN, which wants no credentials
                self._redirect(f"/_media/sms/{urllib.parse.quote(name)}")
            else:
                self._answer_bytes(content, content_type, file_name)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            try:
                body = self._read_body()
            except ValueError:
                self._answer(400, {"error": "the body is not UTF-8 JSON or a form"})
                return
            if server.control and url.path == "/_fake/fail_next":
                try:
                    server.fail_next(str(body.get("provider")), str(body.get("kind")))
                except (ValueError, AttributeError) as exc:
                    self._answer(400, {"error": str(exc)})
                    return
                self._answer(200, {"ok": True})
                return
            provider = _route(url.path, body)
            if provider is None:
                self._answer(404, {"error": "no fake provider at this path"})
                return
            incoming = _Incoming(url.path, urllib.parse.parse_qs(url.query), self.headers, body)
            failure = server._take_failure(provider.name)
            if failure == "timeout":
                server._stopping.wait(server.slow_seconds)
                self.close_connection = True
                return
            if failure is not None:
                self._answer(*provider.failure(failure))
                return
            auth = provider.auth(incoming)
            if auth is None:
                self._answer(*provider.failure("bad_credentials"))
                return
            checked = provider.message(incoming)
            if isinstance(checked, str):
                self._answer(*provider.failure("invalid_recipient", checked))
                return
            recipient, text = checked
            message_id, (status, answer) = provider.success(incoming, server._next_number())
            server._record(provider.name, recipient, text, auth, message_id)
            self._answer(status, answer)

    return Handler


# --- command line ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Serve the fake providers until interrupted, printing each accepted message as a JSON line."""
    parser = argparse.ArgumentParser(prog="python -m ilm.channels.fake_provider", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--slow-seconds", type=float, default=30.0, help='how long a "timeout" failure waits')
    args = parser.parse_args(argv)

    lock = threading.Lock()

    def show(message: dict[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n"
        with lock:  # UTF-8 whatever the locale: the texts are Thai, Burmese, Khmer, Nepali
            sys.stdout.buffer.write(line)
            sys.stdout.flush()

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)

    server = FakeProviderServer(args.host, args.port, slow_seconds=args.slow_seconds, on_message=show, control=True)
    server.start()
    print(f"fake providers listening on {server.base_url}", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
