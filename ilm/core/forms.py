"""Bridging service errors into forms, so a page shows them beside the right field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ilm.core.errors import Conflict


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


def form_status(form: forms.Form) -> int:
    """200 without errors; 409 when someone else saved first; 403 when the role may not; else 400."""
    if not form.errors:
        return 200
    codes = {error.code for error in form.errors.as_data().get("__all__", [])}
    if "conflict" in codes:
        return 409
    if "permission" in codes:
        return 403
    return 400


def call_service(form: forms.Form, write: Callable[[], Any], *, fallback_field: str | None = None) -> Any:
    """Run the service; on a refusal put its errors on the form and return None."""
    try:
        return write()
    except Conflict as exc:
        form.add_error(None, ValidationError(exc.message, code="conflict"))
    except ValidationError as exc:
        add_service_errors(form, exc, fallback_field=fallback_field)
    except PermissionDenied as exc:
        form.add_error(None, ValidationError(str(exc) or _("Your role does not allow this."), code="permission"))
    return None
