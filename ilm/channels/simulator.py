"""A local stand-in for the six providers, so the whole loop runs on one machine without the internet.

`inbound_request` builds what a provider would POST for one message from a worker (text, or a photo, voice
note or payslip PDF that `fake_provider` serves), shaped like the provider's webhook reference and signed with
the channel's own secrets; `send_inbound` posts it to a
running ILM. Replies come back to `fake_provider.FakeProviderServer`, which imitates the providers' send
APIs (dev settings point ILM_CHANNEL_API_BASES at it). `manage.py channel_simulator` drives both.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from ilm.channels.providers import get_provider

_counter = itertools.count(int(time.time()))


@dataclass(frozen=True)
class SimulatedRequest:
    body: bytes
    content_type: str
    headers: dict[str, str]


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


MEDIA = ("photo", "voice", "payslip")  # the fake provider's SAMPLE_MEDIA
_MIME = {"photo": "image/png", "voice": "audio/ogg", "payslip": "application/pdf"}


def inbound_body(
    provider: str, *, sender: str, text: str, name: str = "", media: str = "", media_base: str = ""
) -> tuple[bytes, str]:
    """The body (and its content type) a provider sends for one message from `sender`: text, or with `media`
    one of MEDIA (captioned with `text`) that the fake provider at `media_base` serves."""
    now_ms = int(time.time() * 1000)
    n = next(_counter)
    if media:
        if media not in MEDIA:
            raise ValueError(f"media must be one of {', '.join(MEDIA)}")
        return _media_body(provider, sender=sender, text=text, name=name, media=media, base=media_base, n=n)
    if provider == "whatsapp":
        digits = sender.lstrip("+")
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "66800001300", "phone_number_id": "109000000000001"},
            "contacts": [{"profile": {"name": name or "Worker"}, "wa_id": digits}],
            "messages": [
                {
                    "from": digits,
                    "id": f"wamid.SIM{n}",
                    "timestamp": str(now_ms // 1000),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        }
        entry: dict[str, object] = {"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}
        return _json({"object": "whatsapp_business_account", "entry": [entry]}), "application/json"
    if provider == "messenger":
        event: dict[str, object] = {
            "sender": {"id": sender},
            "recipient": {"id": "106000000000001"},
            "timestamp": now_ms,
            "message": {"mid": f"m_SIM{n}", "text": text},
        }
        entry = {"id": "106000000000001", "time": now_ms, "messaging": [event]}
        return _json({"object": "page", "entry": [entry]}), "application/json"
    if provider == "line":
        event = {
            "type": "message",
            "message": {"type": "text", "id": str(n), "text": text},
            "replyToken": uuid.uuid4().hex,
            "webhookEventId": f"01SIM{n}",
            "deliveryContext": {"isRedelivery": False},
            "timestamp": now_ms,
            "source": {"type": "user", "userId": sender},
            "mode": "active",
        }
        return _json({"destination": "U0000000000000000000000000000sim", "events": [event]}), "application/json"
    if provider == "viber":
        payload = {
            "event": "message",
            "timestamp": now_ms,
            "chat_hostname": "SN-SIM",
            "message_token": n,
            "sender": {"id": sender, "name": name or "Worker", "language": "my", "country": "MM", "api_version": 10},
            "message": {"type": "text", "text": text},
            "silent": False,
        }
        return _json(payload), "application/json"
    if provider == "telegram":
        chat = int(sender)
        payload = {
            "update_id": n,
            "message": {
                "message_id": n % 1_000_000,
                "from": {"id": chat, "is_bot": False, "first_name": name or "Worker"},
                "chat": {"id": chat, "type": "private", "first_name": name or "Worker"},
                "date": now_ms // 1000,
                "text": text,
            },
        }
        return _json(payload), "application/json"
    if provider == "sms":
        form = {
            "ToCountry": "TH",
            "SmsMessageSid": f"SM{n:032d}"[:34],
            "NumMedia": "0",
            "SmsSid": f"SM{n:032d}"[:34],
            "SmsStatus": "received",
            "Body": text,
            "To": "+66800001300",
            "NumSegments": "1",
            "MessageSid": f"SM{n:032d}"[:34],
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "ApiVersion": "2010-04-01",
        }
        return urllib.parse.urlencode(form).encode("ascii"), "application/x-www-form-urlencoded"
    raise ValueError(f"no simulator for provider {provider!r}")


def _media_body(
    provider: str, *, sender: str, text: str, name: str, media: str, base: str, n: int
) -> tuple[bytes, str]:
    """A photo, voice note or document message, shaped like each provider's webhook."""
    now_ms = int(time.time() * 1000)
    media_id = f"{media}-{n}"
    base = base.rstrip("/")
    kind = {"photo": "image", "voice": "audio", "payslip": "document"}[media]
    if provider == "whatsapp":
        digits = sender.lstrip("+")
        item: dict[str, object] = {"id": media_id, "mime_type": _MIME[media]}
        if text and kind != "audio":
            item["caption"] = text
        if kind == "document":
            item["filename"] = "payslip.pdf"
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "66800001300", "phone_number_id": "109000000000001"},
            "contacts": [{"profile": {"name": name or "Worker"}, "wa_id": digits}],
            "messages": [
                {"from": digits, "id": f"wamid.SIM{n}", "timestamp": str(now_ms // 1000), "type": kind, kind: item}
            ],
        }
        entry: dict[str, object] = {"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}
        return _json({"object": "whatsapp_business_account", "entry": [entry]}), "application/json"
    if provider == "messenger":
        attachment = {
            "type": "file" if kind == "document" else kind,
            "payload": {"url": f"{base}/_media/messenger/{media_id}"},
        }
        event: dict[str, object] = {
            "sender": {"id": sender},
            "recipient": {"id": "106000000000001"},
            "timestamp": now_ms,
            "message": {"mid": f"m_SIM{n}", "attachments": [attachment]},
        }
        entry = {"id": "106000000000001", "time": now_ms, "messaging": [event]}
        return _json({"object": "page", "entry": [entry]}), "application/json"
    if provider == "line":
        message: dict[str, object] = {
            "type": "file" if kind == "document" else kind,
            "id": media_id,
            "contentProvider": {"type": "line"},
        }
        if kind == "document":
            message["fileName"] = "payslip.pdf"
        event = {
            "type": "message",
            "message": message,
            "replyToken": uuid.uuid4().hex,
            "webhookEventId": f"01SIM{n}",
            "deliveryContext": {"isRedelivery": False},
            "timestamp": now_ms,
            "source": {"type": "user", "userId": sender},
            "mode": "active",
        }
        return _json({"destination": "U0000000000000000000000000000sim", "events": [event]}), "application/json"
    if provider == "viber":  # Viber sends bots no voice messages: the sound comes as a file
        url = f"{base}/_media/viber/{media_id}"
        viber: dict[str, object] = (
            {"type": "picture", "media": url, "text": text}
            if kind == "image"
            else {
                "type": "file",
                "media": url,
                "file_name": "payslip.pdf" if kind == "document" else "voice.ogg",
            }
        )
        payload = {
            "event": "message",
            "timestamp": now_ms,
            "chat_hostname": "SN-SIM",
            "message_token": n,
            "sender": {"id": sender, "name": name or "Worker", "language": "my", "country": "MM", "api_version": 10},
            "message": viber,
            "silent": False,
        }
        return _json(payload), "application/json"
    if provider == "telegram":
        chat = int(sender)
        telegram: dict[str, object] = {
            "message_id": n % 1_000_000,
            "from": {"id": chat, "is_bot": False, "first_name": name or "Worker"},
            "chat": {"id": chat, "type": "private", "first_name": name or "Worker"},
            "date": now_ms // 1000,
        }
        if kind == "image":
            telegram["photo"] = [{"file_id": media_id, "file_unique_id": f"u{n}", "width": 8, "height": 8}]
        elif kind == "audio":
            telegram["voice"] = {
                "file_id": media_id,
                "file_unique_id": f"u{n}",
                "duration": 2,
                "mime_type": "audio/ogg",
            }
        else:
            telegram["document"] = {"file_id": media_id, "file_unique_id": f"u{n}", "file_name": "payslip.pdf"}
        if text:
            telegram["caption"] = text
        return _json({"update_id": n, "message": telegram}), "application/json"
    if provider == "sms":
        sid = f"MM{n:032d}"[:34]
        account = "AC" + "0" * 32
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "AccountSid": account,
            "From": sender,
            "To": "+66800001300",
            "Body": text,
            "NumMedia": "1",
            "MediaUrl0": f"{base}/2010-04-01/Accounts/{account}/Messages/{sid}/Media/{media_id}",
            "MediaContentType0": _MIME[media],
            "ApiVersion": "2010-04-01",
        }
        return urllib.parse.urlencode(form).encode("ascii"), "application/x-www-form-urlencoded"
    raise ValueError(f"no simulator for provider {provider!r}")


def inbound_request(
    provider: str,
    *,
    url: str,
    credentials: Mapping[str, str],
    sender: str,
    text: str,
    name: str = "",
    media: str = "",
    media_base: str = "",
) -> SimulatedRequest:
    """The body and signed headers a genuine provider would send to `url`."""
    body, content_type = inbound_body(provider, sender=sender, text=text, name=name, media=media, media_base=media_base)
    form = dict(urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True)) if provider == "sms" else None
    headers = get_provider(provider).sign(body, url, credentials, form)
    return SimulatedRequest(body=body, content_type=content_type, headers=headers)


def send_inbound(url: str, request: SimulatedRequest, *, timeout: float = 10.0) -> tuple[int, bytes]:
    """POST a simulated webhook to a running ILM; returns the status and body ILM answered."""
    outgoing = urllib.request.Request(  # noqa: S310 - the URL is the operator's own ILM
        url, data=request.body, method="POST", headers={"Content-Type": request.content_type, **request.headers}
    )
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
