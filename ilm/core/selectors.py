"""Reads of the audit log: the technical partner sees all of it, an org admin its own organisation's."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ilm.core.models import AuditEvent
from ilm.core.permissions import Action, can


def may_view_audit(membership: Any) -> bool:
    return can(membership, Action.VIEW_ALL_AUDIT) or can(membership, Action.VIEW_ORG_AUDIT)


def audit_event_list(*, membership: Any) -> QuerySet[AuditEvent]:
    if can(membership, Action.VIEW_ALL_AUDIT):
        return AuditEvent.objects.all()
    if can(membership, Action.VIEW_ORG_AUDIT):
        org = membership.organisation_id
        return AuditEvent.objects.filter(Q(organisation_id=org) | Q(target_organisation_id=org))
    return AuditEvent.objects.none()


def audit_event_redacted(event: AuditEvent, *, membership: Any) -> bool:
    """An org admin sees events about its data done by others (e.g. the technical partner), but not who
    those people are or where they connected from: only their organisation."""
    return not can(membership, Action.VIEW_ALL_AUDIT) and event.organisation_id != membership.organisation_id
