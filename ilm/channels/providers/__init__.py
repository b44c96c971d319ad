"""Inbound adapters for the messaging providers workers write from: verify a webhook call, read its events.

Pure Python: no Django, no network. `get_provider(channel.provider)` gives the adapter for a channel;
see `base.Provider` for what each one does.
"""

from __future__ import annotations

from .base import MESSAGE_TYPES, STATUSES, InboundEvent, PayloadError, Provider, SignatureError, WebhookRequest
from .line import LineProvider
from .messenger import MessengerProvider
from .sms import SmsProvider
from .telegram import TelegramProvider
from .viber import ViberProvider
from .whatsapp import WhatsAppProvider

PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        WhatsAppProvider(),
        MessengerProvider(),
        LineProvider(),
        ViberProvider(),
        TelegramProvider(),
        SmsProvider(),
    )
}


def get_provider(name: str) -> Provider:
    """The adapter for a provider name (a key of PROVIDERS); KeyError for any other name."""
    return PROVIDERS[name]


__all__ = [
    "MESSAGE_TYPES",
    "PROVIDERS",
    "STATUSES",
    "InboundEvent",
    "LineProvider",
    "MessengerProvider",
    "PayloadError",
    "Provider",
    "SignatureError",
    "SmsProvider",
    "TelegramProvider",
    "ViberProvider",
    "WebhookRequest",
    "WhatsAppProvider",
    "get_provider",
]
