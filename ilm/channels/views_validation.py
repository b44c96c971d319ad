"""Worker validation by message, from the case page: ask on the worker's channel, then read the reply and
record the worker's verdict (see `ilm.channels.validation`).

Only caseworkers of the CSO that runs the channel (the inbox's members) get these pages; for everyone else
the case or the request is not there (404). Reading a reply is reading the worker's own words: audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilm.cases.models import Case, ValidationRequest, ValidationRequestStatus
from ilm.cases.selectors import case_list
from ilm.cases.views.page import form_page
from ilm.channels import forms, selectors, validation
from ilm.core import audit
from ilm.core.tenancy import get_scoped_or_404, scoped_to


def _acting(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None or not selectors.may_use_inbox(membership):
        raise Http404
    return membership


def _case_anchor(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk]) + "#validations"


@scoped_to(Case)
def validation_ask_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    case = get_scoped_or_404(case_list(membership=membership).filter(cso_id=membership.organisation_id), request, pk=pk)
    conversations = validation.askable_conversations(actor=membership, case=case)
    if not conversations:
        messages.error(
            request,
            _(
                "No worker of this case can be asked by message: link the worker to their conversation in the "
                "inbox, and check that they agreed to be contacted for validation."
            ),
        )
        return redirect(_case_anchor(case))
    first = conversations[0]
    form = forms.ValidationAskForm(
        request.POST if request.method == "POST" else None,
        conversations=conversations,
        initial={
            "conversation": first.pk,
            "text": validation.default_question(case=case, language=first.language),
        },
    )
    return form_page(
        request,
        form,
        write=lambda data: validation.validation_ask(
            actor=membership, case=case, conversation=data["conversation"], text=data["text"]
        ),
        done=lambda _request: (_("Validation question queued: it is sent in a moment."), _case_anchor(case)),
        title=_("Ask the worker to validate by message"),
        case=case,
        submit=_("Send the question"),
    )


def _request(request: HttpRequest, pk: int) -> tuple[Any, ValidationRequest]:
    membership = _acting(request)
    found = get_scoped_or_404(selectors.validation_request_list(membership=membership), request, pk=pk)
    return membership, found


@scoped_to(ValidationRequest)
def validation_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, found = _request(request, pk)
    if found.status != ValidationRequestStatus.ANSWERED or found.reply is None:
        messages.error(request, _("This validation question is no longer waiting for an answer."))
        return redirect(_case_anchor(found.case))
    audit.record("conversation.viewed", membership=membership, obj=found.conversation, detail={"validation": pk})
    form = forms.ValidationConfirmForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        write=lambda data: validation.validation_reply_confirm(actor=membership, request=found, **data),
        done=lambda _validation: (_("Worker validation recorded."), _case_anchor(found.case)),
        title=_("Record the worker's validation from their reply"),
        case=found.case,
        template="channels/validation_confirm.html",
        context={"validation_request": found},
        submit=_("Record"),
    )


def _post_step(request: HttpRequest, pk: int, step: Any, done: str) -> HttpResponse:
    membership, found = _request(request, pk)
    try:
        step(actor=membership, request=found)
    except (ValidationError, PermissionDenied) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect(_case_anchor(found.case))


@scoped_to(ValidationRequest)
@require_POST
def validation_set_aside_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(
        request, pk, validation.validation_reply_set_aside, _("Set aside: the worker's next message is the answer.")
    )


@scoped_to(ValidationRequest)
@require_POST
def validation_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, validation.validation_request_withdraw, _("Validation question withdrawn."))
