"""The inbox: conversations of the acting CSO, one page per conversation, reply and case actions.

Only caseworkers of the CSO that runs the channel get here (selectors.may_use_inbox); everyone else gets
404 for a conversation and an empty list. Opening a conversation shows the sender's handle and messages:
that read is audited (services.conversation_viewed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilm.accounts.selectors import membership_list
from ilm.channels import forms, selectors, services
from ilm.channels.models import Conversation, Direction, QuickReply
from ilm.core import audit
from ilm.core.forms import add_service_errors
from ilm.core.paging import keyset_page
from ilm.core.permissions import ROLES_BY_KIND, Action, OrgKind, grants_for
from ilm.core.tenancy import get_scoped_or_404, scoped_to
from ilm.network.models import Channel

# The CSO roles selectors.may_use_inbox lets in: work cases and see identity.
_INBOX_ROLES = [
    role
    for role in ROLES_BY_KIND[OrgKind.CSO]
    if {Action.WORK_CASES, Action.VIEW_WORKER_IDENTITY} <= grants_for(OrgKind.CSO, role)
]


def _acting(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organisation yet."))
    return membership


def inbox_view(request: HttpRequest) -> HttpResponse:
    membership = _acting(request)
    if not selectors.may_use_inbox(membership):
        raise PermissionDenied(_("The inbox is for caseworkers of the CSO that runs the channels."))
    form = forms.InboxFilterForm(
        request.GET or None, channels=Channel.objects.filter(cso_id=membership.organisation_id).order_by("name")
    )
    conversations = selectors.conversation_list(membership=membership)
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            conversations = selectors.search_conversations(conversations, query)
            # A search by number or handle is a lookup of worker identity: recorded, without the words searched.
            audit.record("conversation.searched", membership=membership, obj=membership.organisation)
        if form.cleaned_data["channel"]:
            conversations = conversations.filter(channel=form.cleaned_data["channel"])
        if form.cleaned_data["language"]:
            conversations = conversations.filter(language=form.cleaned_data["language"])
        if form.cleaned_data["mine"]:
            conversations = conversations.filter(assigned_to=membership)
        if form.cleaned_data["unread"]:
            conversations = conversations.filter(unread_count__gt=0)
    page = keyset_page(conversations, request.GET, 25)
    return render(
        request, "channels/inbox.html", {"conversations": page.object_list, "keyset": page, "filter_form": form}
    )


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    return get_scoped_or_404(selectors.conversation_list(membership=_acting(request)), request, pk=pk)


def _members(membership: Any) -> Any:
    """Colleagues who may work the inbox: the only people a conversation can be assigned to."""
    colleagues = membership_list(membership=membership).filter(
        organisation_id=membership.organisation_id, revoked_at__isnull=True, user__is_active=True
    )
    return colleagues.filter(role__in=_INBOX_ROLES).order_by("user__username")


def _conversation_page(
    request: HttpRequest, conversation: Conversation, reply_form: forms.ReplyForm | None = None
) -> HttpResponse:
    """The conversation with the sender's identity: every display of it is audited, whatever led here."""
    membership = _acting(request)
    services.conversation_viewed(actor=membership, conversation=conversation)
    thread = list(
        selectors.message_list(membership=membership)
        .filter(conversation=conversation)
        .select_related("media")
        .order_by("-sent_at", "-id")[:200]
    )[::-1]
    context = {
        "conversation": conversation,
        "thread": _with_reasons(thread),
        "reply_form": reply_form or forms.ReplyForm(quick_replies=_quick_replies(membership, conversation)),
        "assign_form": forms.AssignForm(
            initial={"assigned_to": conversation.assigned_to_id}, members=_members(membership)
        ),
        "attach_form": forms.AttachCaseForm(),
        "language_form": forms.LanguageForm(
            initial={"language": conversation.language if conversation.language_by_hand else ""}
        ),
        "suggested_workers": services.suggested_workers(actor=membership, conversation=conversation),
        "Direction": Direction,
    }
    return render(request, "channels/conversation.html", context, status=400 if reply_form is not None else 200)


@scoped_to(Conversation)
def conversation_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, _conversation(request, pk))


def _quick_replies(membership: Any, conversation: Conversation) -> Any:
    """The CSO's quick replies, those in the conversation's language first."""
    from django.db.models import Case, IntegerField, Value, When

    same = When(language=conversation.language, then=Value(0)) if conversation.language else When(pk=None, then=0)
    return (
        selectors.quick_reply_list(membership=membership)
        .annotate(other_language=Case(same, default=Value(1), output_field=IntegerField()))
        .order_by("other_language", "language", "title")
    )


def _with_reasons(thread: list[Any]) -> list[Any]:
    """Each failed reply carries the provider's refusal in the reader's words."""
    for message in thread:
        message.error_text = services.refusal_text(message.error) if message.error else ""
    return thread


def _back(conversation: Conversation) -> HttpResponse:
    return redirect("channels:conversation", pk=conversation.pk)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


@scoped_to(Conversation)
@require_POST
def reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    conversation = _conversation(request, pk)
    form = forms.ReplyForm(request.POST, quick_replies=_quick_replies(membership, conversation))
    if form.is_valid():
        try:
            services.conversation_reply(actor=membership, conversation=conversation, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc, fallback_field="text")
        else:
            messages.success(request, _("Reply queued: it is sent in a moment."))
            return _back(conversation)
    # Keep what the caseworker typed: show the conversation again with the form and its errors.
    return _conversation_page(request, conversation, reply_form=form)


@scoped_to(Conversation)
@require_POST
def assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    conversation = _conversation(request, pk)
    form = forms.AssignForm(request.POST, members=_members(membership))
    if not form.is_valid():
        messages.error(request, _("Choose a caseworker of your CSO."))
        return _back(conversation)
    try:
        services.conversation_assign(
            actor=membership, conversation=conversation, assignee=form.cleaned_data["assigned_to"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Conversation assigned."))
    return _back(conversation)


@scoped_to(Conversation)
@require_POST
def open_case_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    conversation = _conversation(request, pk)
    try:
        case = services.conversation_open_case(actor=membership, conversation=conversation)
    except ValidationError as exc:
        _errors(request, exc)
        return _back(conversation)
    messages.success(request, _("Case %(reference)s opened from the conversation.") % {"reference": case.reference})
    return redirect("cases:case_detail", pk=case.pk)


@scoped_to(Conversation)
@require_POST
def attach_case_view(request: HttpRequest, pk: int) -> HttpResponse:
    from ilm.cases.selectors import case_list

    membership = _acting(request)
    conversation = _conversation(request, pk)
    form = forms.AttachCaseForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        case = case_list(membership=membership).filter(reference=reference, cso_id=membership.organisation_id).first()
        if case is None:
            messages.error(request, _("No case of your CSO has this reference."))
        else:
            services.conversation_attach_case(actor=membership, conversation=conversation, case=case)
            messages.success(request, _("Conversation attached to case %(reference)s.") % {"reference": reference})
    else:
        messages.error(request, _("Enter a case reference."))
    return _back(conversation)


@scoped_to(Conversation)
@require_POST
def language_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    conversation = _conversation(request, pk)
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages in the list."))
        return _back(conversation)
    services.conversation_set_language(
        actor=membership, conversation=conversation, language=form.cleaned_data["language"]
    )
    messages.success(request, _("Language saved."))
    return _back(conversation)


@scoped_to(Conversation)
@require_POST
def link_worker_view(request: HttpRequest, pk: int) -> HttpResponse:
    from ilm.cases.selectors import worker_list

    membership = _acting(request)
    conversation = _conversation(request, pk)
    worker = get_scoped_or_404(worker_list(membership=membership), request, pk=request.POST.get("worker"))
    services.conversation_link_worker(actor=membership, conversation=conversation, worker=worker)
    messages.success(request, _("The sender is now linked to worker %(label)s.") % {"label": worker.label})
    return _back(conversation)


# --- channel settings (the CSO's administrators) ----------------------------------------------------


def _may_manage(membership: Any, cso: Any) -> bool:
    from ilm.network.permissions import allowed

    return allowed("manage_channel", membership, cso)


def channel_create_view(request: HttpRequest) -> HttpResponse:
    from ilm.network import services as network

    membership = _acting(request)
    cso = membership.organisation
    if membership.organisation_kind != OrgKind.CSO or not _may_manage(membership, cso):
        raise PermissionDenied(_("Only an administrator of a CSO adds its channels."))
    form = forms.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = network.channel_create(
                actor=membership,
                cso=cso,
                provider=data["provider"],
                name=data["name"],
                public_address=data["public_address"],
                languages=data["languages"],
                credentials=data["credentials"].strip(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not data["is_active"]:
                network.channel_update(actor=membership, channel=channel, is_active=False)
            messages.success(request, _("Channel added. Give the provider its webhook address below."))
            return redirect("channels:channel_settings", pk=channel.pk)
    return render(
        request, "channels/channel_form.html", {"form": form, "channel": None}, status=400 if form.errors else 200
    )


@scoped_to(Channel)
def channel_settings_view(request: HttpRequest, pk: int) -> HttpResponse:
    from ilm.network import selectors as network_selectors
    from ilm.network import services as network

    membership = _acting(request)
    channel = get_scoped_or_404(network_selectors.channel_list(membership=membership), request, pk=pk)
    if not _may_manage(membership, channel.cso):
        raise PermissionDenied(_("Only an administrator of the CSO that runs the channel changes it."))
    initial = {
        "provider": channel.provider,
        "name": channel.name,
        "public_address": channel.public_address,
        "languages": channel.languages,
        "is_active": channel.is_active,
    }
    form = forms.ChannelForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            network.channel_update(
                actor=membership,
                channel=channel,
                name=data["name"],
                public_address=data["public_address"],
                languages=data["languages"],
                is_active=data["is_active"],
                credentials=data["credentials"].strip() or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("channels:channel_settings", pk=channel.pk)
    from ilm.channels.providers import PROVIDERS

    adapter = PROVIDERS.get(channel.provider)
    context = {
        "form": form,
        "channel": channel,
        "webhook_url": request.build_absolute_uri(f"/channels/hooks/{channel.webhook_key}/") if adapter else "",
        "credential_fields": adapter.credential_fields if adapter else (),
        "has_credentials": bool(channel.credentials),
    }
    return render(request, "channels/channel_form.html", context, status=400 if form.errors else 200)


# --- quick replies ----------------------------------------------------------------------------------


def quick_reply_list_view(request: HttpRequest) -> HttpResponse:
    membership = _acting(request)
    if not selectors.may_use_inbox(membership):
        raise PermissionDenied(_("The inbox is for caseworkers of the CSO that runs the channels."))
    form = forms.QuickReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quick_reply_save(actor=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, fallback_field="title")
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("channels:quick_replies")
    replies = selectors.quick_reply_list(membership=membership)
    status = 400 if form.errors else 200
    return render(request, "channels/quick_replies.html", {"form": form, "replies": replies}, status=status)


@scoped_to(QuickReply)
def quick_reply_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _acting(request)
    reply = get_scoped_or_404(selectors.quick_reply_list(membership=membership), request, pk=pk)
    if request.method == "POST" and request.POST.get("delete"):
        services.quick_reply_delete(actor=membership, quick_reply=reply)
        messages.success(request, _("Quick reply deleted."))
        return redirect("channels:quick_replies")
    initial = {"language": reply.language, "title": reply.title, "text": reply.text}
    form = forms.QuickReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.quick_reply_save(actor=membership, quick_reply=reply, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, fallback_field="title")
        else:
            messages.success(request, _("Quick reply saved."))
            return redirect("channels:quick_replies")
    status = 400 if form.errors else 200
    return render(request, "channels/quick_reply_form.html", {"form": form, "reply": reply}, status=status)
