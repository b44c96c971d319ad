"""Who reads which conversations. Only the CSO that runs a channel: not the technical partner, not another
CSO, never a business. Inside that CSO, members who work cases (caseworkers, case managers, admins with
the grant); reading a conversation shows worker identity and is audited by the page that shows it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from ilm.channels.models import Conversation, Delivery, Message, QuickReply
from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Channel


def may_use_inbox(membership: Any) -> bool:
    return (
        membership is not None
        and membership.organisation_kind == OrgKind.CSO
        and can(membership, Action.WORK_CASES)
        and can(membership, Action.VIEW_WORKER_IDENTITY)
    )


def conversation_list(*, membership: Any) -> QuerySet[Conversation]:
    if not may_use_inbox(membership):
        return Conversation.objects.none()
    return Conversation.objects.filter(cso_id=membership.organisation_id).select_related(
        "channel", "assigned_to__user", "case", "worker"
    )


def message_list(*, membership: Any) -> QuerySet[Message]:
    if not may_use_inbox(membership):
        return Message.objects.none()
    return Message.objects.filter(conversation__cso_id=membership.organisation_id).select_related("sent_by__user")


def quick_reply_list(*, membership: Any) -> QuerySet[QuickReply]:
    if not may_use_inbox(membership):
        return QuickReply.objects.none()
    return QuickReply.objects.filter(cso_id=membership.organisation_id)


def dangerously_channel_for_webhook(webhook_key: str) -> Channel | None:
    """The active channel a webhook URL names (no user: the provider calls). Unknown or disabled: None."""
    try:
        key = uuid.UUID(str(webhook_key))
    except ValueError:
        return None
    return Channel.objects.filter(webhook_key=key, is_active=True).select_related("cso").first()


def dangerously_delivery(delivery_id: int) -> Delivery | None:
    """For the task worker, which acts for no user."""
    return Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
