"""The one write path for channels: receiving webhooks, parsing them, replying, and working the inbox.

Webhook requests come from providers, not users: `delivery_receive` stores the verified raw body and queues
`tasks.process_delivery`; `delivery_process` parses it (again, if the worker died half-way: every write
is idempotent on the provider's message id). Replies are queued as messages and sent by `tasks.send_message`
with backoff; a provider's refusal is shown to the caseworker in their language.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.channels.models import (
    Conversation,
    Delivery,
    DeliveryStatus,
    Direction,
    Message,
    MessageStatus,
    MessageType,
    QuickReply,
)
from ilm.channels.providers import InboundEvent, PayloadError, get_provider
from ilm.core import audit
from ilm.core.fields import blind_index_for
from ilm.network.models import Channel

log = logging.getLogger("ilm.channels")

MAX_REPLY_LENGTH = 1600  # the shortest provider limit (Twilio SMS); longer replies are refused, never cut
STATUS_ORDER: list[str] = [MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ]


def channel_credentials(channel: Channel) -> dict[str, str]:
    """The channel's provider secrets: a JSON object of strings (see docs/channels.md). Anything else: {}."""
    try:
        data = json.loads(channel.credentials or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int))}


def credentials_problem(provider: str, text: str) -> str:
    """What is wrong with credentials typed for a channel, in the reader's language ("" when nothing)."""
    from ilm.channels.providers import PROVIDERS

    try:
        data = json.loads(text)
    except ValueError:
        return _('Enter the credentials as a JSON object, e.g. {"app_secret": "…"}.')
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return _('Enter the credentials as a JSON object of texts, e.g. {"app_secret": "…"}.')
    adapter = PROVIDERS.get(provider)
    missing = [f for f in (adapter.credential_fields if adapter else ()) if not str(data.get(f, "")).strip()]
    if missing:
        return _("These credentials are missing: %(fields)s.") % {"fields": ", ".join(missing)}
    return ""


# --- inbound ----------------------------------------------------------------------------------------


@transaction.atomic
def delivery_receive(*, channel: Channel, body: bytes, content_type: str) -> Delivery:
    """Keep a verified webhook body and queue its parsing in the same transaction (the database task queue
    commits both or neither). If a worker dies while parsing, `deliveries_requeue` queues it again."""
    from ilm.channels import tasks

    delivery = Delivery.objects.create(
        channel=channel, body=body.decode("utf-8", errors="replace"), content_type=content_type[:120]
    )
    tasks.process_delivery.enqueue(delivery.pk)
    return delivery


REQUEUE_AFTER = datetime.timedelta(minutes=5)
MAX_PARSE_ATTEMPTS = 5


def deliveries_requeue(*, now: datetime.datetime | None = None) -> int:
    """Queue again the deliveries still unparsed a while after they came (a worker crashed or was stopped
    mid-parse). Parsing is idempotent, so a delivery queued twice still stores each message once. After
    MAX_PARSE_ATTEMPTS a delivery is marked failed for a person to look at."""
    from ilm.channels import tasks

    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    stuck = Delivery.objects.filter(status=DeliveryStatus.RECEIVED, received_at__lt=cutoff)
    stuck.filter(attempts__gte=MAX_PARSE_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, error="gave up after repeated parse attempts", processed_at=timezone.now()
    )
    ids = list(stuck.filter(attempts__lt=MAX_PARSE_ATTEMPTS).values_list("pk", flat=True)[:1000])
    for pk in ids:
        tasks.process_delivery.enqueue(pk)
    if ids:
        log.warning("requeued %s unparsed deliveries", len(ids))
    return len(ids)


def delivery_process(*, delivery: Delivery) -> int:
    """Parse one delivery and store what it holds. Returns the number of new messages. Safe to repeat."""
    channel = delivery.channel
    Delivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    try:
        events = get_provider(channel.provider).parse(delivery.body.encode("utf-8"), delivery.content_type)
    except (PayloadError, KeyError) as exc:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, error=f"{type(exc).__name__}: {str(exc)[:200]}", processed_at=timezone.now()
        )
        log.warning("channel %s: delivery %s could not be parsed", channel.pk, delivery.pk)
        return 0
    created = 0
    for event in events:
        if event.kind == "status":
            _apply_status(channel, event)
        elif _store_inbound(channel, delivery, event):
            created += 1
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PROCESSED, processed_at=timezone.now())
    return created


def _details(event: InboundEvent) -> str:
    data: dict[str, Any] = {}
    if event.media_ref:
        data["media_ref"] = event.media_ref
    if event.media_mime:
        data["media_mime"] = event.media_mime
    if event.latitude is not None and event.longitude is not None:
        data["latitude"], data["longitude"] = event.latitude, event.longitude
    return json.dumps(data) if data else ""


def _conversation_for(channel: Channel, sender: str, sender_name: str) -> Conversation:
    index = blind_index_for(Conversation, "sender", sender)
    conversation = Conversation.objects.filter(channel=channel, sender_index=index).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                channel=channel,
                cso_id=channel.cso_id,
                sender=sender,
                sender_name=sender_name,
            )
    except IntegrityError:  # another worker created it a moment ago
        return Conversation.objects.get(channel=channel, sender_index=index)


# Scripts that name a worker language unambiguously (Latin could be any: it names none).
SCRIPTS = (
    ("th", 0x0E00, 0x0E7F),
    ("lo", 0x0E80, 0x0EFF),
    ("my", 0x1000, 0x109F),
    ("km", 0x1780, 0x17FF),
    ("ne", 0x0900, 0x097F),
)


def guess_language(text: str) -> str:
    """The language whose script most letters of `text` are in, or "" (a caseworker can tell better)."""
    counts: dict[str, int] = {}
    for char in text:
        code = ord(char)
        for language, low, high in SCRIPTS:
            if low <= code <= high:
                counts[language] = counts.get(language, 0) + 1
                break
    if not counts:
        return ""
    return max(counts.items(), key=lambda item: item[1])[0]


def _store_inbound(channel: Channel, delivery: Delivery, event: InboundEvent) -> bool:
    if not event.sender:
        return False
    known = MessageType.values
    sent_at = event.sent_at or timezone.now()
    with transaction.atomic():
        conversation = _conversation_for(channel, event.sender, event.sender_name)
        if (
            event.provider_message_id
            and Message.objects.filter(
                channel=channel, direction=Direction.IN, provider_message_id=event.provider_message_id
            ).exists()
        ):
            return False
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    conversation=conversation,
                    channel=channel,
                    direction=Direction.IN,
                    provider_message_id=event.provider_message_id[:200],
                    message_type=event.message_type if event.message_type in known else MessageType.UNSUPPORTED,
                    text=event.text,
                    details=_details(event),
                    sent_at=sent_at,
                    status=MessageStatus.RECEIVED,
                    delivery=delivery,
                )
        except IntegrityError:  # a concurrent duplicate delivery stored it first
            return False
        from ilm.channels.media_store import message_media_queue

        message_media_queue(message=message)  # a photo, voice note...: the task worker downloads it
        changes: dict[str, Any] = {
            "unread_count": F("unread_count") + 1,
            "last_message_at": sent_at,
            "last_inbound_at": sent_at,
            "updated_at": timezone.now(),
        }
        language = guess_language(event.text)
        if language:  # the latest message's script (unless a caseworker set it): workers switch languages
            changes["language"] = SqlCase(When(language_by_hand=True, then=F("language")), default=Value(language))
        Conversation.objects.filter(pk=conversation.pk).update(**changes)
        if event.text and conversation.worker_id:  # an answer to a validation question (asked of a linked worker)
            from ilm.channels.validation import validation_reply_received

            validation_reply_received(conversation=conversation, message=message)
    return True


def _apply_status(channel: Channel, event: InboundEvent) -> None:
    """Delivery and read receipts move an outbound message forward, never back (they arrive out of order)."""
    if not event.provider_message_id or event.status not in {*MessageStatus.values}:
        return
    message = Message.objects.filter(
        channel=channel, direction=Direction.OUT, provider_message_id=event.provider_message_id
    ).first()
    if message is None:
        return
    if event.status == MessageStatus.FAILED:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="undelivered")
        return
    current = STATUS_ORDER.index(message.status) if message.status in STATUS_ORDER else -1
    if STATUS_ORDER.index(event.status) > current:
        Message.objects.filter(pk=message.pk).update(status=event.status)


# --- the inbox --------------------------------------------------------------------------------------


def _require_inbox(actor: Any, conversation: Conversation) -> None:
    from ilm.channels.selectors import may_use_inbox

    if not may_use_inbox(actor) or conversation.cso_id != actor.organisation_id:
        raise PermissionDenied(_("Only caseworkers of the CSO that runs this channel can do this."))


def conversation_viewed(*, actor: Any, conversation: Conversation) -> None:
    """Record that the member read the conversation (the sender's identity and messages), and mark it read."""
    _require_inbox(actor, conversation)
    audit.record("conversation.viewed", membership=actor, obj=conversation)
    if conversation.unread_count:
        Conversation.objects.filter(pk=conversation.pk).update(unread_count=0)
        conversation.unread_count = 0


def _take_if_unassigned(actor: Any, conversation: Conversation) -> None:
    """Whoever answers an unassigned conversation first takes it (shown in the inbox; reassign at will)."""
    if conversation.assigned_to_id is None:
        Conversation.objects.filter(pk=conversation.pk, assigned_to__isnull=True).update(assigned_to=actor)
        conversation.assigned_to = actor


@transaction.atomic
def conversation_assign(*, actor: Any, conversation: Conversation, assignee: Any) -> Conversation:
    _require_inbox(actor, conversation)
    from ilm.channels.selectors import may_use_inbox

    if assignee is not None and (assignee.organisation_id != conversation.cso_id or not may_use_inbox(assignee)):
        raise ValidationError({"assigned_to": _("Assign the conversation to a caseworker of its CSO.")})
    conversation.assigned_to = assignee
    conversation.save(update_fields=["assigned_to", "updated_at"])
    audit.record(
        "conversation.assigned", membership=actor, obj=conversation, detail={"to": getattr(assignee, "pk", None)}
    )
    return conversation


@transaction.atomic
def conversation_set_language(*, actor: Any, conversation: Conversation, language: str) -> Conversation:
    """The caseworker knows the worker's language better than the script of their messages: it stays as set.
    An empty language goes back to reading it from the messages."""
    from ilm.channels.forms import CHANNEL_LANGUAGES

    _require_inbox(actor, conversation)
    if language and language not in CHANNEL_LANGUAGES:
        raise ValidationError({"language": _("Choose one of the languages in the list.")})
    if not language:  # back to automatic: read it from the worker's latest message
        latest = conversation.messages.filter(direction=Direction.IN).exclude(text="").order_by("-sent_at").first()
        conversation.language, conversation.language_by_hand = guess_language(latest.text if latest else ""), False
    else:
        conversation.language, conversation.language_by_hand = language, True
    conversation.save(update_fields=["language", "language_by_hand", "updated_at"])
    audit.record("conversation.language_set", membership=actor, obj=conversation, detail={"language": language})
    return conversation


@transaction.atomic
def conversation_reply(*, actor: Any, conversation: Conversation, text: str) -> Message:
    """Queue a reply to the worker on the channel they wrote on; the task worker sends it."""
    from ilm.channels import tasks

    _require_inbox(actor, conversation)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a reply first.")})
    if len(text) > MAX_REPLY_LENGTH:
        raise ValidationError({"text": _("Keep the reply under %(limit)s characters.") % {"limit": MAX_REPLY_LENGTH}})
    if not conversation.channel.is_active:
        raise ValidationError(_("This channel is switched off: replies cannot be sent."))
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUT,
        message_type=MessageType.TEXT,
        text=text,
        sent_at=now,
        status=MessageStatus.QUEUED,
        sent_by=actor,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now, updated_at=now)
    _take_if_unassigned(actor, conversation)
    audit.record("conversation.replied", membership=actor, obj=conversation, detail={"message": message.pk})
    transaction.on_commit(lambda: tasks.send_message.enqueue(message.pk))
    return message


def refusal_text(reason: str) -> str:
    """What a caseworker reads when the provider refused a reply."""
    texts: Mapping[str, str] = {
        "outside_24h_window": _(
            "The app accepts replies only within 24 hours of the worker's last message. Ask the worker to "
            "write again, or use an approved message template."
        ),
        "invalid_recipient": _(
            "The app says this person cannot receive messages from the channel (blocked or unknown)."
        ),
        "bad_credentials": _("The channel's credentials were refused. Ask your administrator to check them."),
        "too_long": _("The reply is too long for this app."),
        "quota_exceeded": _("The channel has used up its message allowance with the app for now."),
        "unavailable": _("The app could not be reached after several tries."),
        "undelivered": _("The app accepted the reply but could not deliver it to the worker."),
        "unsupported_provider": _("ILM cannot send replies on this kind of channel."),
    }
    return texts.get(reason, _("The app refused the message."))


def message_send(*, message: Message) -> datetime.timedelta | None:
    """Send one queued reply. Returns the delay before the next attempt, or None when done (sent or failed)."""
    from ilm.channels import outbound

    if message.status != MessageStatus.QUEUED:
        return None
    channel = message.channel
    attempt = message.attempts + 1
    Message.objects.filter(pk=message.pk).update(attempts=attempt)
    api_base = settings.ILM_CHANNEL_API_BASES.get(channel.provider) or None
    try:
        result = outbound.send_text(
            provider=channel.provider,
            credentials=channel_credentials(channel),
            recipient=message.conversation.sender,
            text=message.text,
            api_base=api_base,
            timeout=settings.ILM_CHANNEL_SEND_TIMEOUT,
        )
    except ValueError:  # a hotline or in-person channel: nothing to send through
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="unsupported_provider")
        return None
    except outbound.ProviderRefused as exc:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error=exc.reason[:300])
        log.warning("channel %s: reply %s refused (%s)", channel.pk, message.pk, exc.reason)
        return None
    except outbound.ProviderUnavailable:
        if attempt >= settings.ILM_CHANNEL_SEND_ATTEMPTS:
            Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="unavailable")
            return None
        return datetime.timedelta(seconds=outbound.next_retry_delay(attempt))
    # A delivery receipt may have arrived first: never move the status back.
    Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(status=MessageStatus.SENT)
    try:
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).update(provider_message_id=result.provider_message_id[:200])
    except IntegrityError:
        log.warning("channel %s: provider id of reply %s already used", channel.pk, message.pk)
    return None


@transaction.atomic
def conversation_open_case(*, actor: Any, conversation: Conversation, who: str = "worker") -> Any:
    """Log the conversation as a contact that reports an issue and open a case from it (CSO side only)."""
    from ilm.cases import services as cases
    from ilm.cases.models import ContactPurpose

    _require_inbox(actor, conversation)
    if conversation.case_id is not None:
        raise ValidationError(_("This conversation already belongs to a case."))
    first = conversation.messages.filter(direction=Direction.IN).order_by("sent_at").first()
    contact = cases.contact_log(
        actor=actor,
        occurred_at=first.sent_at if first else timezone.now(),
        who=who,
        purpose=ContactPurpose.ISSUE_REPORT,
        channel=conversation.channel,
        language=conversation.language,
        worker=conversation.worker,
    )
    case = cases.case_open(actor=actor, contact=contact)
    conversation.case = case
    conversation.save(update_fields=["case", "updated_at"])
    _take_if_unassigned(actor, conversation)
    audit.record("conversation.case_opened", membership=actor, obj=conversation, detail={"case": case.pk})
    return case


@transaction.atomic
def conversation_attach_case(*, actor: Any, conversation: Conversation, case: Any) -> Conversation:
    """Attach the conversation to one of the CSO's cases (its messages then show in the case, CSO side)."""
    _require_inbox(actor, conversation)
    if case.cso_id != conversation.cso_id:
        raise ValidationError({"case": _("Choose one of your CSO's cases.")})
    conversation.case = case
    conversation.save(update_fields=["case", "updated_at"])
    if conversation.worker_id is not None:
        from ilm.cases.models import CaseWorker

        CaseWorker.objects.get_or_create(case=case, worker_id=conversation.worker_id)
    audit.record("conversation.case_attached", membership=actor, obj=conversation, detail={"case": case.pk})
    return conversation


@transaction.atomic
def conversation_link_worker(*, actor: Any, conversation: Conversation, worker: Any) -> Conversation:
    """Say who the sender is: one of the CSO's workers. The handle is added to the worker's identifiers."""
    from ilm.cases.models import IdentifierKind, WorkerIdentifier

    _require_inbox(actor, conversation)
    if worker.cso_id != conversation.cso_id:
        raise ValidationError({"worker": _("Choose one of your CSO's workers.")})
    conversation.worker = worker
    conversation.save(update_fields=["worker", "updated_at"])
    kind = conversation.channel.provider if conversation.channel.provider in IdentifierKind.values else "other"
    if kind == "sms":
        kind = IdentifierKind.PHONE
    index = blind_index_for(WorkerIdentifier, "value", conversation.sender)
    if not WorkerIdentifier.objects.filter(worker=worker, value_index=index).exists():
        WorkerIdentifier.objects.create(worker=worker, kind=kind, value=conversation.sender)
    audit.record("conversation.worker_linked", membership=actor, obj=conversation, detail={"worker": worker.pk})
    return conversation


def suggested_workers(*, actor: Any, conversation: Conversation) -> list[Any]:
    """The CSO's workers whose recorded phone or handle is the sender's (blind index match)."""
    from ilm.cases.models import WorkerIdentifier
    from ilm.cases.selectors import worker_list

    _require_inbox(actor, conversation)
    index = blind_index_for(WorkerIdentifier, "value", conversation.sender)
    return list(worker_list(membership=actor).filter(identifiers__value_index=index).distinct()[:5])


# --- quick replies ------------------------------------------------------------------------------------


@transaction.atomic
def quick_reply_save(
    *, actor: Any, language: str, title: str, text: str, quick_reply: QuickReply | None = None
) -> QuickReply:
    """Add (or change) one of the CSO's canned answers."""
    from ilm.channels.selectors import may_use_inbox

    if not may_use_inbox(actor) or (quick_reply is not None and quick_reply.cso_id != actor.organisation_id):
        raise PermissionDenied(_("Only caseworkers of a CSO keep its quick replies."))
    reply = quick_reply or QuickReply(cso_id=actor.organisation_id)
    reply.language, reply.title, reply.text = language.strip(), title.strip(), text.strip()
    reply.full_clean(validate_constraints=True)
    reply.save()
    audit.record(
        "quick_reply.saved",
        membership=actor,
        obj=reply,
        detail={"language": reply.language, "new": quick_reply is None},
    )
    return reply


@transaction.atomic
def quick_reply_delete(*, actor: Any, quick_reply: QuickReply) -> None:
    from ilm.channels.selectors import may_use_inbox

    if not may_use_inbox(actor) or quick_reply.cso_id != actor.organisation_id:
        raise PermissionDenied(_("Only caseworkers of a CSO keep its quick replies."))
    audit.record("quick_reply.deleted", membership=actor, obj=quick_reply, detail={"title": quick_reply.title})
    quick_reply.delete()
