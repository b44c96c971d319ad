"""Bridging service errors into forms, so a page shows them beside the right field."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    rename: Mapping[str, str] | None = None,
    fallback_field: str | None = None,
) -> None:
    """Attach a service's ValidationError to the form's fields (unknown fields become form errors).

    Errors that name no field go to `fallback_field` when the form has it, else they become form errors.
    """
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target: str | None = rename.get(field, field)
            if target == NON_FIELD_ERRORS or target not in form.fields:
                target = None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(fallback_field if fallback_field in form.fields else None, message)


class VersionedForm(forms.Form):
    """A form that carries the version of the object it edits (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
