"""Who reads which conversations. Only the CSO that runs a channel: not the technical partner, not another
CSO, never a business. Inside that CSO, members who work cases (caseworkers, case managers, admins with
the grant); reading a conversation shows worker identity and is audited by the page that shows it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db.models import Q, QuerySet

from ilm.cases.models import ValidationRequest
from ilm.channels.models import Conversation, Delivery, Message, QuickReply
from ilm.core.fields import blind_index_for
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


def search_conversations(conversations: QuerySet[Conversation], query: str) -> QuerySet[Conversation]:
    """Find a conversation by what a caseworker has at hand: its label (M12), the case reference, the worker's
    label (W34), or the sender's exact number or handle (matched by blind index: nothing is decrypted, and a
    partial number finds nothing)."""
    query = query.strip()
    if not query:
        return conversations
    condition = Q(case__reference__iexact=query) | Q(sender_index=blind_index_for(Conversation, "sender", query))
    label = re.fullmatch(r"([MW])(\d{1,12})", query.upper())
    if label:
        condition |= Q(pk=int(label[2])) if label[1] == "M" else Q(worker_id=int(label[2]))
    return conversations.filter(condition)


def message_list(*, membership: Any) -> QuerySet[Message]:
    if not may_use_inbox(membership):
        return Message.objects.none()
    return Message.objects.filter(conversation__cso_id=membership.organisation_id).select_related("sent_by__user")


def quick_reply_list(*, membership: Any) -> QuerySet[QuickReply]:
    if not may_use_inbox(membership):
        return QuickReply.objects.none()
    return QuickReply.objects.filter(cso_id=membership.organisation_id)


def validation_request_list(*, membership: Any) -> QuerySet[ValidationRequest]:
    """Validation questions asked on the CSO's channels: the inbox's members only (the reply is the worker's
    own words)."""
    if not may_use_inbox(membership):
        return ValidationRequest.objects.none()
    return ValidationRequest.objects.filter(case__cso_id=membership.organisation_id).select_related(
        "case", "worker", "conversation__channel", "question", "reply", "asked_by__user"
    )


def dangerously_channel_for_webhook(webhook_key: str) -> Channel | None:
    """The active channel a webhook URL names (no user: the provider calls). Unknown or disabled: None."""
    try:
        key = uuid.UUID(str(webhook_key))
    except ValueError:
        return None
    # Only what the webhook needs: this runs on every provider call, and the ORM's cost grows with columns.
    return (
        Channel.objects.filter(webhook_key=key, is_active=True)
        .only("id", "cso_id", "provider", "credentials", "is_active")
        .order_by()
        .first()
    )


def dangerously_delivery(delivery_id: int) -> Delivery | None:
    """For the task worker, which acts for no user."""
    return Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
