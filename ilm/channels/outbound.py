"""Outbound text messages to the six messaging providers ILM channels run on, with the standard library only.

`send_text` makes one request and either returns the provider's message id or raises:

- `ProviderRefused`: the provider answered and said no (or the message could never be sent: missing
  credentials, text over the provider's limit). Retrying will not help; `.reason` says why.
- `ProviderUnavailable`: timeout, connection error, 5xx, 429 or the provider's own rate-limit codes.
  Worth retrying later: `with_retries` does it in-process, a task worker reschedules with `next_retry_delay`.

Credentials, message texts and recipients are never logged nor put in exception messages; secrets that
travel in a URL (Telegram's bot token) are kept out of every exception chain.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_API_BASES",
    "MAX_TEXT_LENGTH",
    "ProviderRefused",
    "ProviderUnavailable",
    "SendResult",
    "next_retry_delay",
    "send_text",
    "with_retries",
]

log = logging.getLogger("ilm.channels.outbound")

DEFAULT_API_BASES: dict[str, str] = {
    "whatsapp": "https://graph.facebook.com/v21.0",
    "messenger": "https://graph.facebook.com/v21.0",
    "line": "https://api.line.me",
    "viber": "https://chatapi.viber.com",
    "telegram": "https://api.telegram.org",
    "sms": "https://api.twilio.com",
}

# Each provider's documented limit on one text message. Longer texts are refused here ("too_long"), never cut;
# some providers would otherwise answer with a generic "invalid parameter" that reads like a bad recipient.
MAX_TEXT_LENGTH: dict[str, int] = {
    "whatsapp": 4096,
    "messenger": 2000,
    "line": 5000,  # counted in UTF-16 code units, as LINE does
    "viber": 7000,
    "telegram": 4096,  # counted in UTF-16 code units, as Telegram does
    "sms": 1600,
}
_UTF16_COUNTED = frozenset({"line", "telegram"})

_MAX_RESPONSE_BYTES = 1_000_000
_MAX_DETAIL = 300
_USER_AGENT = "ILM-outbound/1"


class ProviderRefused(Exception):
    """The provider answered and refused the message (4xx other than 429): not retried.

    `.reason` is a short English code ("outside_24h_window", "invalid_recipient", "bad_credentials",
    "too_long", "unexpected_response", "refused"); `.detail` the provider's message, if any.
    """

    def __init__(self, reason: str, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status


class ProviderUnavailable(Exception):
    """Timeout, connection error, 5xx or 429: worth retrying later.

    `.reason` is "timeout", "connection", "rate_limited" or "server_error"; `.retry_after` the seconds the
    provider asked to wait, when it said.
    """

    def __init__(
        self, reason: str, detail: str = "", *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class SendResult:
    """The provider's id for the sent message (used to match delivery receipts)."""

    provider_message_id: str


# --- sending -----------------------------------------------------------------------------------------------


def send_text(
    *,
    provider: str,
    credentials: Mapping[str, str],
    recipient: str,
    text: str,
    api_base: str | None = None,
    timeout: float = 10.0,
    reply_context: Mapping[str, str] | None = None,
) -> SendResult:
    """Send one text message through `provider` and return its id; raise ProviderRefused or ProviderUnavailable.

    `recipient` is the provider's address for the worker (WhatsApp phone number, Messenger PSID, LINE userId,
    Viber user id, Telegram chat id, E.164 number for SMS). `reply_context` is optional and provider-specific:
    WhatsApp "message_id" (quote that message), Telegram "message_id" (reply to it), Messenger "tag" (send
    with a message tag such as "HUMAN_AGENT"). Other keys and providers ignore it.
    Raises ValueError for a provider ILM cannot send to (hotline, in person, unknown).
    """
    try:
        build = _BUILDERS[provider]
    except KeyError:
        raise ValueError(f"no outbound adapter for provider {provider!r}") from None
    if not recipient or not recipient.strip():
        raise ProviderRefused("invalid_recipient", "no recipient")
    if not text:
        raise ProviderRefused("refused", "empty text")
    limit = MAX_TEXT_LENGTH[provider]
    length = len(text.encode("utf-16-le")) // 2 if provider in _UTF16_COUNTED else len(text)
    if length > limit:
        raise ProviderRefused("too_long", f"{length} characters, the limit is {limit}")
    base = (api_base or DEFAULT_API_BASES[provider]).rstrip("/")
    request = build(base, credentials, recipient.strip(), text, reply_context or {})
    status, body, headers = _perform(request, timeout=timeout, secrets=_secrets(credentials))
    message_id = request.parse(status, body, headers)
    log.info("outbound %s: sent (HTTP %s)", provider, status)
    return SendResult(provider_message_id=message_id)


@dataclass(frozen=True)
class _Request:
    url: str
    body: bytes
    headers: dict[str, str]
    parse: Callable[[int, Any, Mapping[str, str]], str]


def _perform(request: _Request, *, timeout: float, secrets: list[str]) -> tuple[int, Any, Mapping[str, str]]:
    """POST the request; return (status, parsed JSON body or None, headers) for any HTTP answer."""
    if not request.url.startswith(("https://", "http://")):
        raise ValueError("the provider API base must be an http(s) URL")
    http_request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    status, raw, headers = exchange(http_request, timeout=timeout, secrets=secrets)
    return status, _json(raw), headers


def _read_capped(response: Any) -> bytes:
    return bytes(response.read(_MAX_RESPONSE_BYTES))


def exchange(
    http_request: urllib.request.Request,
    *,
    timeout: float,
    secrets: list[str],
    read: Callable[[Any], bytes] = _read_capped,
) -> tuple[int, bytes, Mapping[str, str]]:
    """Make one request without following redirects; return (status, body, headers) for any HTTP answer
    (`read` reads a successful body; an error body is read up to 1 MB). Raise ProviderUnavailable when
    there is no answer. Shared with `media`, which reads large bodies in a streamed, limited way."""
    # Errors are raised outside the except blocks, so no exception chain (or __context__) keeps the urllib
    # error, which carries the URL and with it Telegram's bot token.
    failure: ProviderUnavailable | None = None
    try:
        with _OPENER.open(http_request, timeout=timeout) as response:
            return response.status, read(response), dict(response.headers)
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(_MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException):
            raw = b""
        status, headers = exc.code, dict(exc.headers or {})
        exc.close()
    except TimeoutError:
        failure = ProviderUnavailable("timeout", "no answer in time")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            failure = ProviderUnavailable("timeout", "no answer in time")
        else:
            failure = ProviderUnavailable("connection", _scrub(str(exc.reason), secrets))
    except (OSError, http.client.HTTPException) as exc:
        failure = ProviderUnavailable("connection", type(exc).__name__)
    if failure is not None:
        raise failure
    return status, raw, headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow redirects: an API endpoint that redirects is misconfigured, and a POST would become a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        return None


def _secrets(credentials: Mapping[str, str]) -> list[str]:
    return [v for k, v in credentials.items() if k not in _NOT_SECRET and isinstance(v, str) and len(v) >= 6]


_NOT_SECRET = frozenset({"sender_name", "from_number", "phone_number_id"})


def _scrub(detail: str, secrets: list[str]) -> str:
    """A provider's message, short, with any credential it echoed removed."""
    for secret in secrets:
        detail = detail.replace(secret, "[redacted]")
    return detail[:_MAX_DETAIL]


def _required(credentials: Mapping[str, str], *names: str) -> list[str]:
    """The named credentials, stripped; ProviderRefused("bad_credentials") if one is missing or unusable."""
    values = []
    for name in names:
        value = credentials.get(name)
        value = value.strip() if isinstance(value, str) else ""
        # Control or non-Latin-1 characters would make http.client raise with the value in the message.
        if not value or not value.isprintable() or not value.isascii():
            raise ProviderRefused("bad_credentials", f"missing or unusable credential {name!r}")
        values.append(value)
    return values


def _first(credentials: Mapping[str, str], *names: str) -> str:
    """The first of `names` present in credentials (for alternative spellings), or the first name."""
    return next((n for n in names if (credentials.get(n) or "").strip()), names[0])


def _json_request(url: str, payload: Mapping[str, Any], headers: Mapping[str, str], parse: Any) -> _Request:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": _USER_AGENT,
        **headers,
    }
    return _Request(url=url, body=body, headers=all_headers, parse=parse)


def _unexpected(status: int) -> ProviderRefused:
    return ProviderRefused("unexpected_response", f"HTTP {status} without a message id", status=status)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _generic(status: int, headers: Mapping[str, str], detail: str) -> Exception | None:
    """The exception every provider shares: 429, 408 and 5xx are retried; None for a 2xx."""
    if status == 429:
        return ProviderUnavailable("rate_limited", detail, status=status, retry_after=_retry_after(headers))
    if status == 408 or status >= 500:
        return ProviderUnavailable("server_error", detail, status=status, retry_after=_retry_after(headers))
    if 200 <= status < 300:
        return None
    if status == 401:
        return ProviderRefused("bad_credentials", detail, status=status)
    return ProviderRefused("refused", detail, status=status)


# --- WhatsApp Cloud API and Messenger Send API (Meta Graph API) ---------------------------------------------

# Graph API throttling codes come with HTTP 400 as often as with 429: all worth retrying.
_GRAPH_RATE_LIMITED = frozenset({4, 17, 32, 613, 80007, 130429, 131056})
_GRAPH_TRANSIENT = frozenset({1, 2, 131000, 131016})


def _graph_error(body: Any) -> tuple[int | None, int | None, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None, ""
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    detail = str(error.get("message") or "")
    data = error.get("error_data")
    if isinstance(data, dict) and data.get("details"):
        detail = f"{detail} ({data['details']})"
    return code, subcode, detail


def _graph_raise(status: int, headers: Mapping[str, str], body: Any, secrets: list[str], provider: str) -> None:
    code, subcode, detail = _graph_error(body)
    detail = _scrub(detail or f"HTTP {status}", secrets)
    if code in _GRAPH_RATE_LIMITED:
        raise ProviderUnavailable("rate_limited", detail, status=status, retry_after=_retry_after(headers))
    if code in _GRAPH_TRANSIENT and status >= 400:
        raise ProviderUnavailable("server_error", detail, status=status, retry_after=_retry_after(headers))
    generic = _generic(status, headers, detail)
    if isinstance(generic, ProviderUnavailable):
        raise generic
    if generic is None and code is None:
        return
    if code == 190 or status == 401:
        raise ProviderRefused("bad_credentials", detail, status=status)
    if provider == "whatsapp":
        if code in (131047, 470):
            raise ProviderRefused("outside_24h_window", detail, status=status)
        if code == 100 and subcode == 33:  # the phone number id does not exist or the token cannot see it
            raise ProviderRefused("bad_credentials", detail, status=status)
        if code in (100, 131026, 131030):
            raise ProviderRefused("invalid_recipient", detail, status=status)
        if code in (10, 200):  # the token lacks the whatsapp_business_messaging permission
            raise ProviderRefused("bad_credentials", detail, status=status)
    else:
        if subcode == 2018278 or (code == 10 and "window" in detail.lower()):
            raise ProviderRefused("outside_24h_window", detail, status=status)
        if code == 551 or (code == 100 and subcode in (2018001, 2018109)):
            raise ProviderRefused("invalid_recipient", detail, status=status)
    raise generic or ProviderRefused("refused", detail, status=status)


def _whatsapp(base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]) -> _Request:
    phone_number_id, token = _required(credentials, "phone_number_id", "access_token")
    digits = re.sub(r"\D", "", recipient)
    if not digits:
        raise ProviderRefused("invalid_recipient", "no digits in the phone number")
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": digits,
        "type": "text",
        "text": {"body": text},
    }
    if ctx.get("message_id"):
        payload["context"] = {"message_id": ctx["message_id"]}
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        _graph_raise(status, headers, body, secrets, "whatsapp")
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise _unexpected(status) from None

    url = f"{base}/{urllib.parse.quote(phone_number_id, safe='')}/messages"
    return _json_request(url, payload, {"Authorization": f"Bearer {token}"}, parse)


def _messenger(
    base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]
) -> _Request:
    # The token travels as a Bearer header (the Graph API accepts both), not in the URL's query string.
    (token,) = _required(credentials, _first(credentials, "page_access_token", "access_token"))
    payload: dict[str, Any] = {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": text}}
    if ctx.get("tag"):
        payload["messaging_type"] = "MESSAGE_TAG"
        payload["tag"] = ctx["tag"]
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        _graph_raise(status, headers, body, secrets, "messenger")
        if isinstance(body, dict) and body.get("message_id"):
            return str(body["message_id"])
        raise _unexpected(status)

    return _json_request(f"{base}/me/messages", payload, {"Authorization": f"Bearer {token}"}, parse)


# --- LINE Messaging API ------------------------------------------------------------------------------------


def _line(base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]) -> _Request:
    (token,) = _required(credentials, "channel_access_token")
    payload = {"to": recipient, "messages": [{"type": "text", "text": text}]}
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        detail = str(body.get("message") or "") if isinstance(body, dict) else ""
        if isinstance(body, dict) and isinstance(body.get("details"), list):
            extra = "; ".join(str(d.get("message", "")) for d in body["details"] if isinstance(d, dict))
            detail = f"{detail} ({extra})" if extra else detail
        detail = _scrub(detail or f"HTTP {status}", secrets)
        if status == 429 and "monthly limit" in detail.lower():  # the plan's quota: waiting minutes will not help
            raise ProviderRefused("quota_exceeded", detail, status=status)
        if status == 400 and ("'to'" in detail or "property, to" in detail.lower()):
            raise ProviderRefused("invalid_recipient", detail, status=status)
        error = _generic(status, headers, detail)
        if error is not None:
            raise error
        sent = body.get("sentMessages") if isinstance(body, dict) else None
        if isinstance(sent, list) and sent and isinstance(sent[0], dict) and sent[0].get("id"):
            return str(sent[0]["id"])
        return f"line:{uuid.uuid4()}"  # older API versions answer {} on success

    return _json_request(f"{base}/v2/bot/message/push", payload, {"Authorization": f"Bearer {token}"}, parse)


# --- Viber REST bot API ------------------------------------------------------------------------------------

_VIBER_INVALID_RECIPIENT = frozenset({5, 6, 11})  # not registered, not subscribed, no suitable device
_VIBER_BAD_CREDENTIALS = frozenset({2, 8})  # invalid auth token, bot account not found


def _viber(base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]) -> _Request:
    (token,) = _required(credentials, "auth_token")
    sender_name = (credentials.get("sender_name") or "").strip() or "ILM"
    payload = {
        "receiver": recipient,
        "min_api_version": 1,
        "sender": {"name": sender_name},
        "type": "text",
        "text": text,
    }
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        code = body.get("status") if isinstance(body, dict) else None
        detail = _scrub(str(body.get("status_message") or "") if isinstance(body, dict) else f"HTTP {status}", secrets)
        error = _generic(status, headers, detail)
        if error is not None:
            raise error
        # Viber answers HTTP 200 and puts the outcome in "status".
        if code == 0 and isinstance(body, dict) and body.get("message_token") is not None:
            return str(body["message_token"])
        if code == 0:
            raise _unexpected(status)
        detail = f"status {code}: {detail}"
        if code in _VIBER_BAD_CREDENTIALS:
            raise ProviderRefused("bad_credentials", detail, status=status)
        if code in _VIBER_INVALID_RECIPIENT:
            raise ProviderRefused("invalid_recipient", detail, status=status)
        if code == 12:  # tooManyRequests
            raise ProviderUnavailable("rate_limited", detail, status=status)
        raise ProviderRefused("refused", detail, status=status)

    return _json_request(f"{base}/pa/send_message", payload, {"X-Viber-Auth-Token": token}, parse)


# --- Telegram Bot API --------------------------------------------------------------------------------------


def _telegram(base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]) -> _Request:
    (token,) = _required(credentials, "bot_token")
    payload: dict[str, Any] = {"chat_id": recipient, "text": text}
    if (ctx.get("message_id") or "").isdigit():
        payload["reply_parameters"] = {"message_id": int(ctx["message_id"]), "allow_sending_without_reply": True}
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        answer = body if isinstance(body, dict) else {}
        result = answer.get("result")
        if 200 <= status < 300 and answer.get("ok") is True and isinstance(result, dict):
            if result.get("message_id") is not None:
                return f"{recipient}:{result['message_id']}"
            raise _unexpected(status)
        error_code = answer.get("error_code")
        code: int = error_code if isinstance(error_code, int) else status
        detail = _scrub(str(answer.get("description") or f"HTTP {status}"), secrets)
        if code == 429:
            params = answer.get("parameters")
            wait = params.get("retry_after") if isinstance(params, dict) else None
            retry_after = float(wait) if isinstance(wait, (int, float)) else _retry_after(headers)
            raise ProviderUnavailable("rate_limited", detail, status=status, retry_after=retry_after)
        if code in (401, 404):  # Telegram answers 404 to a malformed bot token
            raise ProviderRefused("bad_credentials", detail, status=status)
        if code == 403:  # blocked by the user, or the user deactivated their account
            raise ProviderRefused("invalid_recipient", detail, status=status)
        if code == 400 and "chat not found" in detail.lower():
            raise ProviderRefused("invalid_recipient", detail, status=status)
        if code == 400 and "too long" in detail.lower():
            raise ProviderRefused("too_long", detail, status=status)
        raise _generic(code, headers, detail) or _unexpected(status)

    url = f"{base}/bot{urllib.parse.quote(token, safe=':')}/sendMessage"
    return _json_request(url, payload, {}, parse)


# --- Twilio Programmable Messaging (SMS) -------------------------------------------------------------------

_TWILIO_INVALID_RECIPIENT = frozenset({21211, 21214, 21610, 21612, 21614})  # invalid, unreachable, opted out
_TWILIO_BAD_CREDENTIALS = frozenset({20003, 20404, 21606, 21659})  # auth, unknown account, bad sender


def _sms(base: str, credentials: Mapping[str, str], recipient: str, text: str, ctx: Mapping[str, str]) -> _Request:
    account_sid, auth_token = _required(credentials, "account_sid", "auth_token")
    sender_key = _first(credentials, "from_number", "messaging_service_sid")
    (sender,) = _required(credentials, sender_key)
    form = {"To": recipient, "Body": text}
    form["MessagingServiceSid" if sender_key == "messaging_service_sid" else "From"] = sender
    secrets = _secrets(credentials)

    def parse(status: int, body: Any, headers: Mapping[str, str]) -> str:
        code = body.get("code") if isinstance(body, dict) else None
        detail = _scrub(str(body.get("message") or "") if isinstance(body, dict) else f"HTTP {status}", secrets)
        error = _generic(status, headers, detail)
        if isinstance(error, ProviderRefused):
            if code in _TWILIO_BAD_CREDENTIALS:
                error = ProviderRefused("bad_credentials", detail, status=status)
            elif code in _TWILIO_INVALID_RECIPIENT:
                error = ProviderRefused("invalid_recipient", detail, status=status)
            elif code == 21617:
                error = ProviderRefused("too_long", detail, status=status)
        if error is not None:
            raise error
        if isinstance(body, dict) and body.get("sid"):
            return str(body["sid"])
        raise _unexpected(status)

    basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
    url = f"{base}/2010-04-01/Accounts/{urllib.parse.quote(account_sid, safe='')}/Messages.json"
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": _USER_AGENT,
    }
    return _Request(url=url, body=urllib.parse.urlencode(form).encode("ascii"), headers=headers, parse=parse)


_BUILDERS: dict[str, Callable[[str, Mapping[str, str], str, str, Mapping[str, str]], _Request]] = {
    "whatsapp": _whatsapp,
    "messenger": _messenger,
    "line": _line,
    "viber": _viber,
    "telegram": _telegram,
    "sms": _sms,
}


# --- retries -----------------------------------------------------------------------------------------------


def next_retry_delay(attempt: int, *, base_delay: float = 1.0, max_delay: float = 900.0) -> float:
    """Seconds to wait after `attempt` failed attempts (1 = the first failed): exponential with jitter.

    The delay is base_delay * 2**(attempt-1), stretched by a random 0-50 %, so successive delays always
    grow until `max_delay` caps them.
    """
    exponent = min(max(attempt, 1) - 1, 30)
    return min(max_delay, base_delay * (2**exponent) * (1.0 + random.random() / 2))


def with_retries(
    send: Callable[[], SendResult],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Call `send` up to `attempts` times, sleeping with backoff after each ProviderUnavailable.

    ProviderRefused (and any other exception) is raised at once; the last ProviderUnavailable is raised when
    attempts run out. A provider's own Retry-After is honoured when it is longer than the backoff.
    """
    for attempt in range(1, attempts + 1):
        try:
            return send()
        except ProviderUnavailable as exc:
            if attempt >= attempts:
                raise
            delay = next_retry_delay(attempt, base_delay=base_delay)
            if exc.retry_after is not None:
                delay = max(delay, min(exc.retry_after, 900.0))
            log.info(
                "outbound: unavailable (%s), attempt %s of %s, retrying in %.1fs", exc.reason, attempt, attempts, delay
            )
            sleep(delay)
    raise ValueError("attempts must be at least 1")
