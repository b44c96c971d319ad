"""Optimistic locking and field-by-field updates for services.

Models that people edit carry a `version`. An edit names the version it started from;
if someone else saved in between, the service raises `Conflict` (HTTP 409, or a clear
message on the page) instead of silently overwriting their change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ilm.core.errors import Conflict


def lock[M: models.Model](model: type[M], pk: Any, expected_version: int | None) -> M:
    """Re-read the row under a lock and check it is the version the editor saw."""
    obj = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and getattr(obj, "version", None) != expected_version:
        raise Conflict(_("Someone else changed this while you were editing. Reload to see their change."))
    return obj


def apply_changes(obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    """Set the allowed attributes that differ; return the names that changed."""
    allowed_set = set(allowed)
    unknown = set(changes) - allowed_set
    if unknown:
        raise ValueError(f"Fields not editable here: {', '.join(sorted(unknown))}")
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def bump(obj: models.Model) -> None:
    if hasattr(obj, "version"):
        obj.version = (obj.version or 0) + 1
