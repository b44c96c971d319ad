"""Re-encrypt every protected value under the primary key and refresh every blind index.

Procedure: put the new key first in ILM_ENCRYPTION_KEYS (keep the old ones after it),
deploy, run this command, then remove the old keys. Safe to run again at any time; it
works in batches and covers django-simple-history's tables too.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from ilm.core import audit, crypto
from ilm.core.fields import BlindIndexField, EncryptedTextField, encrypted_fields

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt protected values under the first key of ILM_ENCRYPTION_KEYS and refresh blind indexes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        primary = crypto.keyring().primary_id
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            changed = self._rotate_model(model, fields, primary, dry_run)
            total += changed
            if changed:
                self.stdout.write(
                    f"{model._meta.label}: {changed} rows {'to re-encrypt' if dry_run else 're-encrypted'}"
                )
        if not dry_run:
            audit.record("keys.rotated", actor_label="manage.py", detail={"rows": total, "key_id": primary})
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows {'need' if dry_run else 'now use'} key {primary!r}."))

    def _rotate_model(
        self, model: type[models.Model], fields: list[EncryptedTextField], primary: str, dry_run: bool
    ) -> int:
        manager = model._default_manager
        raw = {f"_raw_{f.attname}": Cast(f.attname, output_field=models.TextField()) for f in fields}
        indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        changed = 0
        last_pk: Any = None
        while True:
            with transaction.atomic():
                # Rows are locked while they are re-encrypted: a concurrent edit waits, never gets lost.
                pks = list(
                    manager.order_by("pk")
                    .filter(**({"pk__gt": last_pk} if last_pk is not None else {}))
                    .values_list("pk", flat=True)[:BATCH]
                )
                if not pks:
                    return changed
                last_pk = pks[-1]
                batch = list(manager.select_for_update().filter(pk__in=pks).order_by("pk").annotate(**raw))
                for obj in batch:
                    stale = [
                        f
                        for f in fields
                        if getattr(obj, f"_raw_{f.attname}")
                        and crypto.key_id_of(getattr(obj, f"_raw_{f.attname}")) != primary
                    ]
                    updates: dict[str, Any] = {f.attname: getattr(obj, f.attname) for f in stale}
                    for index in indexes:
                        digest = index.compute(getattr(obj, index.source))
                        if digest != getattr(obj, index.attname):
                            updates[index.attname] = digest
                    if updates:
                        changed += 1
                        if not dry_run:
                            manager.filter(pk=obj.pk).update(**updates)
