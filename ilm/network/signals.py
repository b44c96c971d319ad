"""Changes that can alter who sees what forget the cached visibility scopes (selectors.network_changed)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from ilm.network.models import Collaboration, Link, Organisation, Site
from ilm.network.selectors import network_changed

SCOPE_MODELS = (Link, Collaboration, Organisation, Site)


def _changed(sender: Any, **kwargs: Any) -> None:
    network_changed()


for _model in SCOPE_MODELS:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"ilm-scope-save-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"ilm-scope-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Organisation.countries.through, dispatch_uid="ilm-scope-countries")
def _countries_changed(sender: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        network_changed()
