"""The webhook endpoint providers call: /channels/hooks/<webhook key>/.

Order matters: find the active channel, refuse oversized bodies, verify the provider's signature, and only
then store anything. Failures answer 4xx without storing (a rate-limited log line is all that remains);
a verified request is stored raw and answered 200 at once, the parsing runs in the task worker.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ilm.channels import selectors, services
from ilm.channels.providers import SignatureError, WebhookRequest, get_provider
from ilm.core import ratelimit

log = logging.getLogger("ilm.channels")


def _log_refusal(key: str, reason: str) -> None:
    """At most 10 lines a minute per webhook key: a flood of forged requests must not fill the disk."""
    if ratelimit.hit("channel-webhook-log", key[:64], limit=10, window=60):
        log.warning("channel webhook %s refused: %s", key[:64], reason)


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
def webhook_view(request: HttpRequest, webhook_key: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _plain(405, "Method not allowed")
    channel = selectors.dangerously_channel_for_webhook(webhook_key)
    if channel is None:
        _log_refusal(webhook_key, "unknown or disabled channel")
        return _plain(404, "Not found")
    try:
        provider = get_provider(channel.provider)
    except KeyError:
        _log_refusal(webhook_key, f"no webhook for provider {channel.provider}")
        return _plain(404, "Not found")
    credentials = services.channel_credentials(channel)
    if request.method == "GET":
        try:
            echo = provider.handshake({k: str(v) for k, v in request.GET.items()}, credentials)
        except SignatureError:
            _log_refusal(webhook_key, "bad verification token")
            return _plain(403, "Forbidden")
        return _plain(200, echo) if echo is not None else _plain(405, "Method not allowed")
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.ILM_CHANNEL_MAX_BODY_BYTES:
        _log_refusal(webhook_key, "body too large")
        return _plain(413, "Payload too large")
    body = request.body
    if len(body) > settings.ILM_CHANNEL_MAX_BODY_BYTES:
        _log_refusal(webhook_key, "body too large")
        return _plain(413, "Payload too large")
    incoming = WebhookRequest(
        body=body,
        headers={k.lower(): v for k, v in request.headers.items()},
        url=request.build_absolute_uri(),
        content_type=request.content_type or "",
    )
    try:
        provider.verify(incoming, credentials)
    except SignatureError:
        _log_refusal(webhook_key, "bad signature")
        return _plain(403, "Forbidden")
    with transaction.atomic():
        services.delivery_receive(channel=channel, body=body, content_type=incoming.content_type)
    content, content_type = provider.ack()
    return HttpResponse(content, status=200, content_type=content_type)
