"""Record audit events. Services call `record` inside their transaction."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models

from ilm.core import context
from ilm.core.models import AuditEvent


class _Membership(Protocol):
    pk: Any
    organisation_id: int
    user_id: int


class _User(Protocol):
    pk: Any

    def get_username(self) -> str: ...


def record(
    action: str,
    *,
    membership: _Membership | None = None,
    user: _User | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    target_organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    ctx = context.current()
    actor = user if user is not None else getattr(membership, "user", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if target_organisation_id is None:
            target_organisation_id = _owning_organisation_id(obj)
    return AuditEvent.objects.create(
        action=action,
        actor_user_id=getattr(actor, "pk", None),
        actor_label=actor_label or (actor.get_username() if actor is not None else ""),
        membership_id=getattr(membership, "pk", None),
        organisation_id=getattr(membership, "organisation_id", None),
        target_organisation_id=target_organisation_id,
        object_type=object_type,
        object_id=str(object_id),
        ip=ctx.ip,
        request_id=ctx.request_id,
        detail=detail or {},
    )


def _owning_organisation_id(obj: models.Model) -> int | None:
    """The organisation whose data `obj` is, when the model says so (`audit_organisation_id`)."""
    owner = getattr(obj, "audit_organisation_id", None)
    if callable(owner):
        owner = owner()
    return owner if isinstance(owner, int) else None
