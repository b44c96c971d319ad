"""API v1: the audit log (read-only)."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from ilm.core import selectors
from ilm.core.api_fields import BoundedIsoDateTimeFilter
from ilm.core.models import AuditEvent
from ilm.core.tenancy import ScopedAPIMixin


class AuditEventOut(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "action",
            "actor_user_id",
            "actor_label",
            "membership_id",
            "organisation_id",
            "target_organisation_id",
            "object_type",
            "object_id",
            "ip",
            "request_id",
            "detail",
        ]

    def to_representation(self, instance: AuditEvent) -> dict[str, Any]:
        data = super().to_representation(instance)
        if selectors.audit_event_redacted(instance, membership=self.context["request"].membership):
            for field in REDACTED_FIELDS:
                data[field] = None if field != "actor_label" else ""
        return data


REDACTED_FIELDS = ("actor_user_id", "actor_label", "membership_id", "ip", "request_id")


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith", max_length=64)
    since = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = BoundedIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "object_type", "object_id", "organisation_id", "since", "until"]


class AuditEventViewSet(
    ScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AuditEvent.objects.none()
    scope_selector = selectors.audit_event_list
    serializer_class = AuditEventOut
    filterset_class = AuditEventFilter

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not selectors.may_view_audit(getattr(request, "membership", None)):
            raise PermissionDenied()
