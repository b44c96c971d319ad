"""The inbox through /api/v1/conversations/: the same selectors and services as the pages.

Listing and reading a conversation's summary show no identity. The sender and the messages come only from
`POST read`, recorded in the audit log like the page's view (and it marks the conversation read).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.channels import selectors, services
from ilm.channels.models import Conversation, Message
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


class WorkerRefIn(serializers.Serializer):
    worker = serializers.IntegerField()


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: ["Object does not exist."]})


class ConversationViewSet(ReadOnlyScopedViewSet):
    """Your CSO's inbox (caseworkers, case managers, administrators of the CSO that runs the channels)."""

    queryset = Conversation.objects.none()
    scope_selector = selectors.conversation_list
    output_serializer = ConversationOut

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
