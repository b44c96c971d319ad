"""Model fields for protected values: encrypted text and its blind index.

    name = EncryptedTextField(purpose="cases.worker.name", blank=True)
    phone = EncryptedTextField(purpose="cases.worker.phone", blank=True)
    phone_index = BlindIndexField(source="phone", normalizer=normalize_phone)

Python code sees plaintext; the database, fixtures, dumps and django-simple-history's
tables (which copy the field) only ever see ciphertext. Lookups other than
``isnull``/``exact ''`` are refused, because a ciphertext cannot be searched: use the
blind index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact
from django.utils.module_loading import import_string

from ilm.core import crypto


def normalize_text(value: str) -> str:
    return " ".join(value.split()).casefold()


class _ExactEmpty(Exact):
    """`field=""` works on an encrypted field; any other value could never match (every encryption differs)."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError("An encrypted field can only be compared with ''. Use its blind index.")
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with AES-256-GCM"

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if kwargs.get("default") == "":
            kwargs.pop("default")
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _ExactEmpty
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted; '{lookup_name}' lookups are not "
                "possible. Use its blind index."
            )
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, history diffs) carries the ciphertext, never the value.
        value = self.value_from_object(obj)
        return "" if not value else crypto.encrypt(str(value), purpose=self.purpose)


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised value, refreshed on every save."""

    description = "Keyed blind index of an encrypted field"

    def __init__(
        self, *args: Any, source: str, normalizer: str = "ilm.core.fields.normalize_text", **kwargs: Any
    ) -> None:
        self.source = source
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normalizer"] = self.normalizer
        for key, default in (
            ("max_length", 64),
            ("blank", True),
            ("default", ""),
            ("editable", False),
            ("db_index", True),
        ):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    @property
    def purpose(self) -> str:
        source_field = self.model._meta.get_field(self.source)
        return str(getattr(source_field, "purpose", f"{self.model._meta.label_lower}.{self.source}"))

    def compute(self, value: str | None) -> str:
        if not value:
            return ""
        normalize: Callable[[str], str] = import_string(self.normalizer)
        normalized = normalize(value)
        return crypto.blind_index(normalized, purpose=self.purpose) if normalized else ""

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        digest = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest


def blind_index_for(model: type[models.Model], source: str, value: str) -> str:
    """The digest to filter on: ``Worker.objects.filter(phone_index=blind_index_for(Worker, "phone", v))``."""
    for field in model._meta.get_fields():
        if isinstance(field, BlindIndexField) and field.source == source:
            return field.compute(value)
    raise FieldError(f"{model.__name__} has no blind index over {source!r}.")


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
