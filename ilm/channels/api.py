"""The inbox through /api/v1/conversations/: the same selectors and services as the pages.

Listing and reading a conversation's summary show no identity. The sender and the messages come only from
`POST read`, recorded in the audit log like the page's view (and it marks the conversation read).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases.models import ValidationRequest, WorkerValidation
from ilm.channels import selectors, services, validation
from ilm.channels.models import Conversation, Message
from ilm.core import audit
from ilm.core.api_fields import SafeDateTimeField

READ_LIMIT = 200


class ConversationOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="label", read_only=True, help_text="M<id>: how pages name it.")
    provider = serializers.CharField(source="channel.provider", read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "reference",
            "channel",
            "provider",
            "language",
            "language_by_hand",
            "unread_count",
            "assigned_to",
            "worker",
            "case",
            "last_message_at",
            "last_inbound_at",
            "created_at",
        ]


class MessageOut(serializers.ModelSerializer):
    sent_at = SafeDateTimeField()

    class Meta:
        model = Message
        fields = ["id", "direction", "message_type", "text", "sent_at", "status", "error", "sent_by"]


class ConversationReadOut(serializers.Serializer):
    sender = serializers.CharField(help_text="The worker's number or handle on the app: identity.")
    sender_name = serializers.CharField()
    messages = MessageOut(many=True, help_text=f"The latest {READ_LIMIT}, oldest first.")


class ReplyIn(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_REPLY_LENGTH)


class AssignIn(serializers.Serializer):
    assigned_to = serializers.IntegerField(allow_null=True, help_text="A membership of your CSO, or null.")


class CaseRefIn(serializers.Serializer):
    case = serializers.IntegerField()


class LanguageIn(serializers.Serializer):
    language = serializers.CharField(
        max_length=16, allow_blank=True, help_text="A language code, or empty to read it from the messages again."
    )


class WorkerRefIn(serializers.Serializer):
    worker = serializers.IntegerField()


class AskValidationIn(serializers.Serializer):
    case = serializers.IntegerField(help_text="A shared case of your CSO with the conversation's worker.")
    text = serializers.CharField(
        max_length=services.MAX_REPLY_LENGTH,
        required=False,
        allow_blank=True,
        help_text="The question; by default a standard one in the conversation's language.",
    )


class ValidationRequestOut(serializers.ModelSerializer):
    asked_at = SafeDateTimeField()
    replied_at = SafeDateTimeField(allow_null=True)

    class Meta:
        model = ValidationRequest
        fields = [
            "id",
            "case",
            "worker",
            "conversation",
            "status",
            "question",
            "reply",
            "asked_by",
            "asked_at",
            "replied_at",
            "validation",
        ]


class ValidationReplyOut(serializers.Serializer):
    question = serializers.CharField(help_text="The question as sent.")
    reply = serializers.CharField(allow_null=True, help_text="The worker's own words: reading them is audited.")


class ValidationConfirmIn(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    confirms_remediation = serializers.BooleanField()
    comments = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")


class WorkerValidationOut(serializers.ModelSerializer):
    validated_at = SafeDateTimeField()

    class Meta:
        model = WorkerValidation
        fields = ["id", "case", "worker", "method", "validated_at", "satisfaction", "confirms_remediation"]


class ConversationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=120,
        help_text="Reference (M12), case reference, worker (W34) or the sender's whole number or handle.",
    )
    channel = IdFilter(field_name="channel_id")
    language = django_filters.CharFilter(field_name="language", max_length=16)
    unread = django_filters.BooleanFilter(method="filter_unread")

    class Meta:
        model = Conversation
        fields = ["q", "channel", "language", "unread"]

    def filter_search(self, queryset: QuerySet[Conversation], name: str, value: str) -> QuerySet[Conversation]:
        audit.record(
            "conversation.searched", membership=self.request.membership, obj=self.request.membership.organisation
        )
        return selectors.search_conversations(queryset, value)

    def filter_unread(self, queryset: QuerySet[Conversation], name: str, value: bool) -> QuerySet[Conversation]:
        return queryset.filter(unread_count__gt=0) if value else queryset.filter(unread_count=0)


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: ["Object does not exist."]})


class ConversationViewSet(ReadOnlyScopedViewSet):
    """Your CSO's inbox (caseworkers, case managers, administrators of the CSO that runs the channels)."""

    queryset = Conversation.objects.none()
    scope_selector = selectors.conversation_list
    output_serializer = ConversationOut
    filterset_class = ConversationFilter

    @extend_schema(
        request=None,
        responses={200: ConversationReadOut},
        description="The sender and the messages. Every call is recorded in the audit log and marks it read.",
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        services.conversation_viewed(actor=self.membership, conversation=conversation)
        messages = list(
            selectors.message_list(membership=self.membership)
            .filter(conversation=conversation)
            .order_by("-sent_at", "-id")[:READ_LIMIT]
        )[::-1]
        data = {"sender": conversation.sender, "sender_name": conversation.sender_name, "messages": messages}
        return Response(ConversationReadOut(data).data)

    @extend_schema(request=ReplyIn, responses={201: MessageOut})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        message = services.conversation_reply(
            actor=self.membership, conversation=conversation, text=self.validated(ReplyIn)["text"]
        )
        return Response(MessageOut(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignIn, responses={200: ConversationOut})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        from ilm.accounts.selectors import membership_list

        conversation = self.get_object()
        member_id = self.validated(AssignIn)["assigned_to"]
        assignee: Any = None
        if member_id is not None:
            assignee = membership_list(membership=self.membership).filter(pk=member_id).first()
            if assignee is None:
                raise _not_found("assigned_to")
        services.conversation_assign(actor=self.membership, conversation=conversation, assignee=assignee)
        return self.respond(self.reload(conversation))

    @extend_schema(request=None, responses={201: ConversationOut})
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        services.conversation_open_case(actor=self.membership, conversation=conversation)
        return self.respond(self.reload(conversation), status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseRefIn, responses={200: ConversationOut})
    @action(detail=True, methods=["post"], url_path="attach-case")
    def attach_case(self, request: Request, pk: str) -> Response:
        from ilm.cases.selectors import case_list

        conversation = self.get_object()
        case = case_list(membership=self.membership).filter(pk=self.validated(CaseRefIn)["case"]).first()
        if case is None:
            raise _not_found("case")
        services.conversation_attach_case(actor=self.membership, conversation=conversation, case=case)
        return self.respond(self.reload(conversation))

    @extend_schema(request=WorkerRefIn, responses={200: ConversationOut})
    @action(detail=True, methods=["post"], url_path="link-worker")
    def link_worker(self, request: Request, pk: str) -> Response:
        from ilm.cases.selectors import worker_list

        conversation = self.get_object()
        worker = worker_list(membership=self.membership).filter(pk=self.validated(WorkerRefIn)["worker"]).first()
        if worker is None:
            raise _not_found("worker")
        services.conversation_link_worker(actor=self.membership, conversation=conversation, worker=worker)
        return self.respond(self.reload(conversation))

    @extend_schema(request=LanguageIn, responses={200: ConversationOut})
    @action(detail=True, methods=["post"])
    def language(self, request: Request, pk: str) -> Response:
        conversation = self.get_object()
        services.conversation_set_language(
            actor=self.membership, conversation=conversation, language=self.validated(LanguageIn)["language"]
        )
        return self.respond(self.reload(conversation))

    @extend_schema(
        request=AskValidationIn,
        responses={201: ValidationRequestOut},
        description="Send the validation question for a case to the conversation's worker (who agreed to be "
        "contacted for validation). Their next message is kept as the reply, for a caseworker to confirm.",
    )
    @action(detail=True, methods=["post"], url_path="ask-validation")
    def ask_validation(self, request: Request, pk: str) -> Response:
        from ilm.cases.selectors import case_list

        conversation = self.get_object()
        data = self.validated(AskValidationIn)
        case = case_list(membership=self.membership).filter(pk=data["case"]).first()
        if case is None:
            raise _not_found("case")
        asked = validation.validation_ask(
            actor=self.membership, case=case, conversation=conversation, text=data.get("text", "")
        )
        return Response(ValidationRequestOut(asked).data, status=status.HTTP_201_CREATED)


class ValidationRequestFilter(django_filters.FilterSet):
    case = IdFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=ValidationRequest._meta.get_field("status").choices)

    class Meta:
        model = ValidationRequest
        fields = ["case", "status"]


class ValidationRequestViewSet(ReadOnlyScopedViewSet):
    """Validation questions sent on workers' channels and their replies (the inbox's members)."""

    queryset = ValidationRequest.objects.none()
    scope_selector = selectors.validation_request_list
    output_serializer = ValidationRequestOut
    filterset_class = ValidationRequestFilter

    @extend_schema(request=None, responses={200: ValidationReplyOut}, description="Recorded in the audit log.")
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        audit.record(
            "conversation.viewed", membership=self.membership, obj=found.conversation, detail={"validation": found.pk}
        )
        data = {
            "question": found.question.text if found.question else "",
            "reply": found.reply.text if found.reply else None,
        }
        return Response(ValidationReplyOut(data).data)

    @extend_schema(request=ValidationConfirmIn, responses={201: WorkerValidationOut})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        recorded = validation.validation_reply_confirm(
            actor=self.membership, request=found, **self.validated(ValidationConfirmIn)
        )
        return Response(WorkerValidationOut(recorded).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ValidationRequestOut})
    @action(detail=True, methods=["post"], url_path="set-aside")
    def set_aside(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        validation.validation_reply_set_aside(actor=self.membership, request=found)
        return self.respond(self.reload(found))

    @extend_schema(request=None, responses={200: ValidationRequestOut})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        found = self.get_object()
        validation.validation_request_withdraw(actor=self.membership, request=found)
        return self.respond(self.reload(found))
