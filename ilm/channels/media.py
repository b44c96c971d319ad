"""Fetching what a worker sent (photos, voice notes, videos, documents) from the six providers, with the
standard library only. The task worker calls it (`media_store.message_media_fetch`), never a webhook request.

`fetch_media` makes the provider's requests and returns the bytes, or raises `outbound`'s exceptions:

- `ProviderRefused`: retrying will not help. `.reason` is "too_large", "not_found" (expired or deleted at
  the provider), "bad_credentials", "blocked_url" (an address ILM will not call), "unexpected_response" or
  "refused".
- `ProviderUnavailable`: timeout, connection error, 5xx, 429, or media the provider is still preparing.

| provider | how |
|---|---|
| WhatsApp Cloud API | GET `<graph>/<media id>` with the access token → `url`; GET that URL with the token |
| Messenger | GET the attachment's `payload.url` (a signed CDN address) |
| LINE | GET `api-data.line.me/v2/bot/message/<id>/content` with the channel token, or `originalContentUrl` |
| Viber | GET the `media` URL of the message |
| Telegram | `getFile` → `file_path`; GET `<api>/file/bot<token>/<file_path>` |
| Twilio | GET `MediaUrl<n>` with basic auth (account SID, auth token); Twilio redirects to its CDN |

Bodies are read in chunks and the read stops one byte past `max_bytes`. Redirects are followed by hand, at
most MAX_REDIRECTS, and credentials are sent only to the address first called, never to a redirect target
elsewhere. When the provider's API address is overridden (tests, the simulator: `ILM_CHANNEL_API_BASES`),
every URL must be on that address; otherwise only public https addresses are called. Credentials never
reach exception messages (`outbound.exchange` scrubs them and keeps urllib errors out of the chain).
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ilm.channels import outbound
from ilm.channels.outbound import ProviderRefused, ProviderUnavailable

__all__ = ["DEFAULT_MEDIA_BASES", "FetchedMedia", "fetch_media"]

DEFAULT_MEDIA_BASES: dict[str, str] = {**outbound.DEFAULT_API_BASES, "line": "https://api-data.line.me"}
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024
_USER_AGENT = "ILM-media/1"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain")


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str  # what the provider said; never trusted (the store sniffs the bytes)
    file_name: str  # from Content-Disposition or the provider's file path, when there is one


@dataclass(frozen=True)
class _Fetch:
    base: str
    credentials: Mapping[str, str]
    pinned: bool  # the API address is overridden: every URL must be on it
    timeout: float
    max_bytes: int
    secrets: list[str]


def fetch_media(
    *,
    provider: str,
    credentials: Mapping[str, str],
    media_ref: str,
    api_base: str | None = None,
    timeout: float = 10.0,
    max_bytes: int,
) -> FetchedMedia:
    """The bytes of one media message (`media_ref`: the provider's media id or URL, as the adapter parsed it).
    Raise ProviderRefused or ProviderUnavailable; ValueError for a provider without media (hotline...)."""
    try:
        fetch = _FETCHERS[provider]
    except KeyError:
        raise ValueError(f"no media adapter for provider {provider!r}") from None
    ref = media_ref.strip() if isinstance(media_ref, str) else ""
    if not ref:
        raise ProviderRefused("not_found", "no media reference")
    base = (api_base or DEFAULT_MEDIA_BASES[provider]).rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ValueError("the provider API base must be an http(s) URL")
    context = _Fetch(
        base=base,
        credentials=credentials,
        pinned=api_base is not None,
        timeout=timeout,
        max_bytes=max_bytes,
        secrets=outbound._secrets(credentials),
    )
    return fetch(context, ref)


# --- addresses ---------------------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower().rstrip("."), port


def _is_url(ref: str) -> bool:
    return ref.lower().startswith(("https://", "http://"))


def _check_url(context: _Fetch, url: str) -> None:
    """Refuse ("blocked_url") an address ILM must not call: off the overridden API address, not https,
    with user info, or a name or address that is not public (loopback, private, link-local...)."""
    blocked = ProviderRefused("blocked_url", "ILM does not fetch media from this address")
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise blocked
    if context.pinned:
        if _origin(url) != _origin(context.base):
            raise blocked
        return
    scheme, host, port = _origin(url)
    if scheme != "https" or not host or port is None or host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        raise blocked
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        if not literal.is_global:
            raise blocked
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except (OSError, UnicodeError):
        raise ProviderUnavailable("connection", "the media address could not be resolved") from None
    if not addresses or not all(ipaddress.ip_address(str(a).split("%", 1)[0]).is_global for a in addresses):
        raise blocked


# --- requests ----------------------------------------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def _limited(limit: int) -> Callable[[Any], bytes]:
    """A reader that refuses ("too_large") a body over `limit` bytes, reading at most one byte past it."""

    def read(response: Any) -> bytes:
        declared = _header(response.headers, "Content-Length").strip()
        if declared.isdigit() and int(declared) > limit:
            raise ProviderRefused("too_large", f"{declared} bytes, the limit is {limit}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = response.read(min(_CHUNK, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ProviderRefused("too_large", f"more than {limit} bytes")

    return read


def _get(
    context: _Fetch,
    url: str,
    *,
    auth: Mapping[str, str],
    read: Callable[[Any], bytes] | None = None,
) -> tuple[int, bytes, Mapping[str, str], str]:
    """GET `url`, following redirects by hand; `auth` headers go only to the origin of `url`. Returns
    (status, body, headers, the URL that answered)."""
    auth_origin = _origin(url)
    for _hop in range(MAX_REDIRECTS + 1):
        _check_url(context, url)
        headers = {"User-Agent": _USER_AGENT, "Accept": "*/*"}
        if _origin(url) == auth_origin:
            headers.update(auth)
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - checked above
        kwargs: dict[str, Any] = {"read": read} if read is not None else {}
        status, raw, answer = outbound.exchange(request, timeout=context.timeout, secrets=context.secrets, **kwargs)
        if status not in _REDIRECTS:
            return status, raw, answer, url
        location = _header(answer, "Location").strip()
        if not location:
            raise ProviderRefused("unexpected_response", f"HTTP {status} without a Location", status=status)
        url = urllib.parse.urljoin(url, location)
    raise ProviderRefused("unexpected_response", "too many redirects")


def _raise_for(status: int, headers: Mapping[str, str]) -> None:
    """The exception for a media download that did not answer with the bytes; nothing for a 200."""
    if status == 202:  # LINE: the video or audio is still being prepared
        raise ProviderUnavailable("server_error", "the media is not ready yet", status=status)
    if status in (404, 410):
        raise ProviderRefused("not_found", f"HTTP {status}", status=status)
    error = outbound._generic(status, headers, f"HTTP {status}")
    if error is not None:
        raise error


_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


def _file_name(headers: Mapping[str, str]) -> str:
    match = _FILENAME.search(_header(headers, "Content-Disposition"))
    return urllib.parse.unquote(match.group(1)).strip() if match else ""


def _download(context: _Fetch, url: str, *, auth: Mapping[str, str], file_name: str = "") -> FetchedMedia:
    status, raw, headers, _final = _get(context, url, auth=auth, read=_limited(context.max_bytes))
    _raise_for(status, headers)
    if not raw:
        raise ProviderRefused("unexpected_response", "an empty file", status=status)
    content_type = _header(headers, "Content-Type").split(";", 1)[0].strip().lower()
    return FetchedMedia(content=raw, content_type=content_type, file_name=_file_name(headers) or file_name)


# --- the providers -----------------------------------------------------------------------------------------


def _graph_raise(status: int, headers: Mapping[str, str], raw: bytes) -> None:
    code, _subcode, _detail = outbound._graph_error(outbound._json(raw))
    if code in outbound._GRAPH_RATE_LIMITED:
        raise ProviderUnavailable("rate_limited", f"code {code}", status=status)
    if code == 190 or status == 401:
        raise ProviderRefused("bad_credentials", f"HTTP {status}", status=status)
    if code == 100 or status in (404, 410):  # no such media id (expired after 30 days, or never ours)
        raise ProviderRefused("not_found", f"HTTP {status}", status=status)
    _raise_for(status, headers)


def _whatsapp(context: _Fetch, ref: str) -> FetchedMedia:
    (token,) = outbound._required(context.credentials, "access_token")
    auth = {"Authorization": f"Bearer {token}"}
    url = ref
    if not _is_url(ref):
        lookup = f"{context.base}/{urllib.parse.quote(ref, safe='')}"
        status, raw, headers, _final = _get(context, lookup, auth={**auth, "Accept": "application/json"})
        _graph_raise(status, headers, raw)
        body = outbound._json(raw)
        found = body.get("url") if isinstance(body, dict) else None
        if not isinstance(found, str) or not _is_url(found):
            raise ProviderRefused("unexpected_response", "no media URL", status=status)
        url = found
    return _download(context, url, auth=auth)  # Meta's media URL wants the same token


def _messenger(context: _Fetch, ref: str) -> FetchedMedia:
    if not _is_url(ref):
        raise ProviderRefused("not_found", "no attachment URL")
    return _download(context, ref, auth={})  # a signed CDN address: the page token stays home


def _line(context: _Fetch, ref: str) -> FetchedMedia:
    if _is_url(ref):  # contentProvider "external": hosted by the sender's app
        return _download(context, ref, auth={})
    (token,) = outbound._required(context.credentials, "channel_access_token")
    url = f"{context.base}/v2/bot/message/{urllib.parse.quote(ref, safe='')}/content"
    return _download(context, url, auth={"Authorization": f"Bearer {token}"})


def _viber(context: _Fetch, ref: str) -> FetchedMedia:
    if not _is_url(ref):
        raise ProviderRefused("not_found", "no media URL")
    return _download(context, ref, auth={})


def _telegram(context: _Fetch, ref: str) -> FetchedMedia:
    (token,) = outbound._required(context.credentials, "bot_token")
    bot = urllib.parse.quote(token, safe=":")
    lookup = f"{context.base}/bot{bot}/getFile?" + urllib.parse.urlencode({"file_id": ref})
    status, raw, headers, _final = _get(context, lookup, auth={})
    answer = outbound._json(raw)
    answer = answer if isinstance(answer, dict) else {}
    result = answer.get("result")
    if not (200 <= status < 300 and answer.get("ok") is True and isinstance(result, dict)):
        error_code = answer.get("error_code")
        code: int = error_code if isinstance(error_code, int) else status
        description = str(answer.get("description") or "").lower()
        if code in (401, 404) and "file" not in description:  # Telegram answers 404 to a malformed token
            raise ProviderRefused("bad_credentials", f"HTTP {status}", status=status)
        if "too big" in description:  # the Bot API serves files up to 20 MB
            raise ProviderRefused("too_large", "over the Bot API's download limit", status=status)
        if code == 400 or code == 404:
            raise ProviderRefused("not_found", f"HTTP {status}", status=status)
        _raise_for(code, headers)
        raise ProviderRefused("unexpected_response", f"HTTP {status}", status=status)
    path = result.get("file_path")
    size = result.get("file_size")
    if isinstance(size, int) and size > context.max_bytes:
        raise ProviderRefused("too_large", f"{size} bytes, the limit is {context.max_bytes}")
    if not isinstance(path, str) or not path or ".." in path.split("/"):
        raise ProviderRefused("unexpected_response", "no file path", status=status)
    url = f"{context.base}/file/bot{bot}/{urllib.parse.quote(path, safe='/')}"
    return _download(context, url, auth={}, file_name=path.rsplit("/", 1)[-1])


def _sms(context: _Fetch, ref: str) -> FetchedMedia:
    if not _is_url(ref):
        raise ProviderRefused("not_found", "no media URL")
    if _origin(ref) != _origin(context.base):  # the account's credentials go to Twilio's API only
        raise ProviderRefused("blocked_url", "the media URL is not on Twilio's API")
    account_sid, auth_token = outbound._required(context.credentials, "account_sid", "auth_token")
    basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
    return _download(context, ref, auth={"Authorization": f"Basic {basic}"})


_FETCHERS: dict[str, Callable[[_Fetch, str], FetchedMedia]] = {
    "whatsapp": _whatsapp,
    "messenger": _messenger,
    "line": _line,
    "viber": _viber,
    "telegram": _telegram,
    "sms": _sms,
}
