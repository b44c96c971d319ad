"""Worker validation by message: the validation question sent on the worker's own channel, and their reply.

1. `validation_ask`: a caseworker sends the question to a worker of a shared case who agreed to be
   contacted for validation, on a conversation linked to that worker. The case then awaits validation.
2. `validation_reply_received` (called as an inbound message is stored): the next text the worker sends on
   that conversation is kept as the reply, and the caseworker who asked is notified.
3. `validation_reply_confirm`: the caseworker reads the reply and records the worker's verdict (method
   "message", satisfaction, confirms or not). Only this creates a `WorkerValidation`; a reply alone never
   closes a case. `validation_reply_set_aside` keeps waiting when the message was not an answer;
   `validation_request_withdraw` stops waiting.

One open question per conversation (a database constraint), so an inbound message answers one case.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ilm.cases import notifications
from ilm.cases import services as case_services
from ilm.cases.models import (
    Case,
    CaseStatus,
    ValidationMethod,
    ValidationRequest,
    ValidationRequestStatus,
    WorkerValidation,
)
from ilm.channels.models import Conversation, Message
from ilm.channels.services import _require_inbox, conversation_reply
from ilm.core import audit

OPEN = (ValidationRequestStatus.ASKED, ValidationRequestStatus.ANSWERED)
REPLY_CLOCK_TOLERANCE = datetime.timedelta(seconds=30)
ASKABLE = (CaseStatus.SHARED, CaseStatus.IN_REMEDIATION, CaseStatus.AWAITING_VALIDATION)


def default_question(*, case: Case, language: str) -> str:
    """The validation question in the worker's language (the caseworker may reword it before sending)."""
    with translation.override(language or "en"):
        return _(
            "Hello, this is the team that helped you with your report %(ref)s. The company says it has acted on "
            "it. Has the problem been solved for you? Please reply in your own words, and tell us how satisfied "
            "you are, from 1 (not at all) to 5 (completely)."
        ) % {"ref": case.reference}


def askable_conversations(*, actor: Any, case: Case) -> list[Conversation]:
    """Conversations on which this case's workers may be asked: linked to a worker of the case who agreed
    to be contacted for validation, on an active channel of the member's CSO."""
    from ilm.channels.selectors import conversation_list

    if case.status not in ASKABLE:
        return []
    return list(
        conversation_list(membership=actor)
        .filter(
            worker__in=case.case_workers.values("worker"),
            worker__consent_contact_for_validation=True,
            channel__is_active=True,
        )
        .order_by("-last_inbound_at", "-id")
    )


def _require_same_cso(actor: Any, conversation: Conversation, case: Case) -> None:
    _require_inbox(actor, conversation)
    if case.cso_id != conversation.cso_id:
        raise PermissionDenied(_("Only caseworkers of the CSO that runs this channel can do this."))


@transaction.atomic
def validation_ask(*, actor: Any, case: Case, conversation: Conversation, text: str = "") -> ValidationRequest:
    """Send the validation question to the worker on this conversation and wait for their reply."""
    _require_same_cso(actor, conversation, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in ASKABLE:
        raise ValidationError(_("Ask the worker to validate once the business has acted on the case."))
    worker = conversation.worker
    if worker is None or not case.case_workers.filter(worker=worker).exists():
        raise ValidationError({"conversation": _("Choose a conversation with a worker of this case.")})
    if not worker.consent_contact_for_validation:
        raise ValidationError(
            {"conversation": _("The worker has not agreed to be contacted for validation: ask them in person.")}
        )
    open_requests = ValidationRequest.objects.select_for_update().filter(conversation=conversation, status__in=OPEN)
    for earlier in open_requests:
        if earlier.case_id != case.pk:
            raise ValidationError(
                {
                    "conversation": _(
                        "This conversation already waits for the worker's answer about case %(ref)s. Withdraw "
                        "that question first."
                    )
                    % {"ref": earlier.case.reference}
                }
            )
        if earlier.status == ValidationRequestStatus.ANSWERED:
            raise ValidationError(
                {
                    "conversation": _(
                        "The worker has already replied to the question: read the reply and record it, or set it "
                        "aside, before asking again."
                    )
                }
            )
        earlier.status = ValidationRequestStatus.WITHDRAWN  # asked again: the new question replaces it
        earlier.save(update_fields=["status"])
    question = conversation_reply(
        actor=actor, conversation=conversation, text=text or default_question(case=case, language=conversation.language)
    )
    if case.status != CaseStatus.AWAITING_VALIDATION:
        case_services.case_request_validation(actor=actor, case=case)
    request = ValidationRequest.objects.create(
        case=case,
        worker=worker,
        conversation=conversation,
        question=question,
        asked_by=actor,
        asked_at=question.sent_at,
    )
    audit.record(
        "case.validation_asked",
        membership=actor,
        obj=case,
        detail={"request": request.pk, "conversation": conversation.pk, "message": question.pk},
    )
    return request


def validation_reply_received(*, conversation: Conversation, message: Message) -> ValidationRequest | None:
    """Keep the worker's message as the answer to the question waiting on this conversation, if any.

    Runs in the task worker inside the transaction that stores the message."""
    request = (
        ValidationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "asked_by__user")
        .filter(conversation=conversation, status=ValidationRequestStatus.ASKED)
        .first()
    )
    # Providers stamp messages to the second, with their own clock: a reply stamped a moment before the
    # question (same second, clock skew) still answers it; a message written well before it does not.
    if request is None or message.sent_at < request.asked_at - REPLY_CLOCK_TOLERANCE:
        return None
    request.reply = message
    request.replied_at = message.sent_at
    request.status = ValidationRequestStatus.ANSWERED
    request.save(update_fields=["reply", "replied_at", "status"])
    notifications.validation_replied(case=request.case, asked_by=request.asked_by)
    return request


def _open_request(actor: Any, request: ValidationRequest, *allowed: str) -> ValidationRequest:
    _require_same_cso(actor, request.conversation, request.case)
    locked = ValidationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in allowed:
        raise ValidationError(_("This validation question is no longer waiting for an answer."))
    return locked


@transaction.atomic
def validation_reply_confirm(
    *, actor: Any, request: ValidationRequest, satisfaction: int, confirms_remediation: bool, comments: str = ""
) -> WorkerValidation:
    """Record the worker's verdict from their reply: a caseworker's reading, never automatic."""
    locked = _open_request(actor, request, ValidationRequestStatus.ANSWERED)
    validation = case_services.validation_record(
        actor=actor,
        case=request.case,
        method=ValidationMethod.MESSAGE,
        satisfaction=satisfaction,
        confirms_remediation=confirms_remediation,
        validated_at=locked.replied_at,
        worker=request.worker,
        comments=comments,
    )
    locked.status = ValidationRequestStatus.RECORDED
    locked.validation = validation
    locked.save(update_fields=["status", "validation"])
    return validation


@transaction.atomic
def validation_reply_set_aside(*, actor: Any, request: ValidationRequest) -> ValidationRequest:
    """The message was not an answer (a question, a greeting): keep waiting for the next one."""
    locked = _open_request(actor, request, ValidationRequestStatus.ANSWERED)
    locked.status, locked.reply, locked.replied_at = ValidationRequestStatus.ASKED, None, None
    locked.save(update_fields=["status", "reply", "replied_at"])
    audit.record("case.validation_reply_set_aside", membership=actor, obj=request.case, detail={"request": locked.pk})
    return locked


@transaction.atomic
def validation_request_withdraw(*, actor: Any, request: ValidationRequest) -> ValidationRequest:
    locked = _open_request(actor, request, *OPEN)
    locked.status = ValidationRequestStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    audit.record("case.validation_withdrawn", membership=actor, obj=request.case, detail={"request": locked.pk})
    return locked
