"""What every case page shares: the acting membership, the scoped case, who may act on it, and the one shape
of a form page (call the service, show its errors with the right status)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ilm.cases import selectors
from ilm.cases.models import Case
from ilm.core.forms import call_service, form_status
from ilm.core.permissions import Action, can
from ilm.core.tenancy import get_scoped_or_404


def acting(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organisation yet."))
    return membership


def posted(request: HttpRequest) -> Any:
    """The POST data (even when empty, so an empty POST is invalid, not unbound), or None for GET."""
    return request.POST if request.method == "POST" else None


def scoped_case(request: HttpRequest, pk: int) -> Case:
    """The case, if the acting membership may see it; 404 (audited) otherwise."""
    return get_scoped_or_404(selectors.case_list(membership=acting(request)), request, pk=pk)


def works_case(membership: Any, case: Case) -> bool:
    """The case's CSO (or the technical partner), in a role that works cases."""
    return selectors.owns_case(membership, case) and can(membership, Action.WORK_CASES)


def require_caseworker(membership: Any, case: Case) -> None:
    if not works_case(membership, case):
        raise PermissionDenied(_("Your role does not allow this."))


def responds_to(membership: Any, case: Case) -> bool:
    """A member of a business the case concerns, in a role that may respond."""
    return (
        can(membership, Action.RESPOND_TO_CASES)
        and case.shared_at is not None
        and any(b.organisation_id == membership.organisation_id for b in case.businesses.all())
    )


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    write: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    title: str,
    case: Case | None = None,
    template: str = "cases/form.html",
    context: dict[str, Any] | None = None,
    submit: str | None = None,
) -> HttpResponse:
    """GET shows the form (its button says `submit`, else the page's title: "Close the case"); a valid
    POST calls the service (`write`) and goes where `done` says; anything
    else shows the form again with the errors, answering 400, 403 or 409. The services are transactional,
    so a refused write saved nothing."""
    if request.method == "POST" and form.is_valid():
        result = call_service(form, lambda: write(dict(form.cleaned_data)))
        if not form.errors:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    status = form_status(form)
    page = {"form": form, "title": title, "case": case, "status": status, "submit": submit or title, **(context or {})}
    return render(request, template, page, status=status)
