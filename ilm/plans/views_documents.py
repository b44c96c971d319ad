"""Labour-policy files on a business's baseline: upload (size-limited while reading), download (audited,
never rendered by the browser) and removal. Reads through ilm/plans/selectors.py (not yours → 404), writes
through ilm/plans/documents.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from ilm.core.forms import call_service, form_status
from ilm.core.tenancy import get_scoped_or_404, membership_required, scoped_to
from ilm.core.uploads import SizeLimitUploadHandler, max_bytes, protected_file_response, too_large_message
from ilm.network.models import Organisation
from ilm.plans import documents, selectors
from ilm.plans.models import PolicyDocument
from ilm.plans.permissions import may_edit_business


class PolicyDocumentForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"), max_length=200, help_text=gettext_lazy("For example: Employer-pays policy, 2026.")
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the service says why an empty file is refused
        help_text=gettext_lazy("PDF, photo, text, Excel (.xlsx) or Word (.docx); at most %(limit)s MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.help_text = str(field.help_text) % {"limit": f"{max_bytes() / (1024 * 1024):g}"}


def _business_or_404(request: HttpRequest, pk: int) -> Organisation:
    organisation: Organisation = get_scoped_or_404(
        selectors.baseline_business_list(membership=request.membership),  # type: ignore[attr-defined]
        request,
        pk=pk,
    )
    return organisation


@scoped_to(Organisation)
@csrf_exempt  # checked by csrf_protect below, once the size-limiting upload handler is in place
@membership_required
def policy_document_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, max_bytes()))
    return _policy_document_add(request, pk)


@csrf_protect
def _policy_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = _business_or_404(request, pk)
    if not may_edit_business(membership, organisation):
        raise PermissionDenied(_("Your role does not allow this."))
    form = PolicyDocumentForm(request.POST or None, request.FILES or None)
    back = reverse("plans:baseline", args=[organisation.pk])
    if request.method == "POST":
        if getattr(request, "ilm_upload_too_large", False):
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_large_message())
        elif form.is_valid():
            data = form.cleaned_data
            saved = call_service(
                form,
                lambda: documents.policy_document_add(
                    actor=membership, organisation=organisation, upload=data["file"], title=data["title"]
                ),
                fallback_field="file",
            )
            if saved is not None:
                messages.success(request, _("Document added to the baseline."))
                return redirect(back)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("Add a policy document to the baseline of %(business)s") % {"business": organisation.name},
            "back": back,
            "multipart": True,
        },
        status=form_status(form),
    )


def _document_or_404(request: HttpRequest, pk: int) -> PolicyDocument:
    document: PolicyDocument = get_scoped_or_404(
        selectors.policy_document_list(membership=request.membership),  # type: ignore[attr-defined]
        request,
        pk=pk,
    )
    return document


@scoped_to(PolicyDocument)
@require_GET
@membership_required
def policy_document_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = _document_or_404(request, pk)
    try:
        handle, content_type, name = documents.policy_document_open(
            actor=request.membership,  # type: ignore[attr-defined]
            document=document,
        )
    except FileNotFoundError:
        raise Http404 from None
    return protected_file_response(handle, content_type, name)


@scoped_to(PolicyDocument)
@require_POST
@membership_required
def policy_document_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document_or_404(request, pk)
    organisation_id = document.baseline.organisation_id
    documents.policy_document_remove(actor=request.membership, document=document)  # type: ignore[attr-defined]
    messages.success(request, _("Document removed."))
    return redirect("plans:baseline", pk=organisation_id)
