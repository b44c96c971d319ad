"""API v1 for accounts: who am I, memberships, invitations, personal tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ilm.accounts import selectors, services
from ilm.accounts.models import ApiToken, Invitation, Membership, User
from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.core.api_fields import SafeDateTimeField
from ilm.core.permissions import Role, grants_for


class MembershipOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisation_kind = serializers.CharField(source="organisation.kind", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "organisation",
            "organisation_name",
            "organisation_kind",
            "role",
            "created_at",
            "revoked_at",
            "version",
        ]


class MembershipPatch(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    version = serializers.IntegerField(required=False, min_value=1)


class MeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    preferred_language = serializers.CharField()
    membership = MembershipOut()
    permissions = serializers.ListField(child=serializers.CharField())


class InvitationOut(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "organisation", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]


class InvitationIn(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


class ApiTokenOut(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "membership", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]


class ApiTokenCreatedOut(ApiTokenOut):
    token = serializers.CharField(read_only=True, help_text="The secret, shown this once only.")

    class Meta(ApiTokenOut.Meta):
        fields = [*ApiTokenOut.Meta.fields, "token"]


class ApiTokenIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = SafeDateTimeField(required=False, help_text="At most one year ahead; default 90 days.")


class MembershipFilter(django_filters.FilterSet):
    # A plain number, not a choice validated against every organisation: an id of another
    # organisation must look exactly like an id that does not exist.
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeView(APIView):
    @extend_schema(responses={200: MeOut})
    def get(self, request: Request) -> Response:
        membership = request.membership  # type: ignore[attr-defined]
        user = cast(User, request.user)  # HasActingMembership admits signed-in members only
        return Response(
            MeOut(
                {
                    "id": user.pk,
                    "username": user.username,
                    "email": user.email,
                    "preferred_language": user.preferred_language,
                    "membership": membership,
                    "permissions": sorted(grants_for(membership.organisation_kind, membership.role)),
                }
            ).data
        )


class MembershipViewSet(ReadOnlyScopedViewSet):
    queryset = Membership.objects.none()
    scope_selector = selectors.membership_list
    output_serializer = MembershipOut
    filterset_class = MembershipFilter

    @extend_schema(request=MembershipPatch, responses={200: MembershipOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        data = self.validated(MembershipPatch)
        membership = services.membership_change_role(
            actor=self.membership, membership=target, role=data["role"], expected_version=data.get("version")
        )
        return self.respond(self.reload(membership))

    @extend_schema(request=None, responses={200: MembershipOut})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        membership = services.membership_revoke(actor=self.membership, membership=self.get_object())
        return self.respond(self.reload(membership))


class InvitationViewSet(ReadOnlyScopedViewSet):
    queryset = Invitation.objects.none()
    scope_selector = selectors.invitation_list
    output_serializer = InvitationOut

    @extend_schema(
        request=InvitationIn,
        responses={201: InvitationOut},
        description="Invite someone by e-mail to your organisation with a role.",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(InvitationIn)
        invitation = services.invitation_create(
            actor=self.membership,
            organisation=self.membership.organisation,
            email=data["email"],
            role=data["role"],
            base_url=request.build_absolute_uri("/"),
        )
        return self.respond(invitation, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InvitationOut})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        invitation = services.invitation_revoke(actor=self.membership, invitation=self.get_object())
        return self.respond(invitation)


class ApiTokenViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    """Your personal API tokens. Deleting a token revokes it (the record stays for the audit log)."""

    queryset = ApiToken.objects.none()
    scope_selector = selectors.api_token_list
    output_serializer = ApiTokenOut

    def get_throttles(self) -> list[Any]:
        # Creating tokens is limited more tightly than reading them.
        self.throttle_scope = "tokens" if self.action == "create" else "default"
        return super().get_throttles()

    @extend_schema(request=ApiTokenIn, responses={201: ApiTokenCreatedOut})
    def create(self, request: Request) -> Response:
        data = self.validated(ApiTokenIn)
        expires = data.get("expires_at") or timezone.now() + timedelta(days=90)
        token, secret = services.api_token_create(
            actor=self.membership, name=data["name"], expires_at=expires, from_token=isinstance(request.auth, ApiToken)
        )
        body = ApiTokenCreatedOut(token).data
        body["token"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.api_token_revoke(actor=self.membership, token=instance)
