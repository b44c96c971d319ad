"""Attachment uploads and downloads, and case exports (CSV/XLSX) with their job pages.

URL names (namespace `cases`), for the case pages to link to:
- `attachment_add` (`<case pk>/attachments/new/`): the upload form, and the case's files the actor may see;
  `?next=<path>` sends the person back there after a successful upload.
- `attachment_download` (`attachments/<pk>/`).
- `export` (`export/`, accepts the case list's `status` and `q`), `export_detail` (`exports/<pk>/`, polled by
  htmx while the task runs) and `export_download` (`exports/<pk>/download/`).

Every file goes out with `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and
`Content-Security-Policy: sandbox`, so a browser never renders an uploaded file as a page of this site.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from ilm.cases import attachments, exports, selectors
from ilm.cases.models import Attachment, Case, CaseExport, CaseStatus, ExportStatus
from ilm.core.forms import add_service_errors
from ilm.core.tenancy import dangerously_exists, get_scoped_or_404, membership_required, scoped_to
from ilm.core.uploads import SizeLimitUploadHandler, protect_download, protected_file_response

RECENT_EXPORTS = 10


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- attachments ---------------------------------------------------------------------------------------


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the service says why an empty file is refused
        help_text=gettext_lazy(
            "PDF, photo (JPEG, PNG, WebP), text or CSV, Excel (.xlsx) or Word (.docx); at most %(limit)s MB. "
            "Photos are saved again without their hidden details (camera, time and GPS location)."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Whoever may see the file sees this too: never name a worker."),
    )
    visible_to_business = forms.BooleanField(
        label=gettext_lazy("The businesses concerned may see this file"),
        required=False,
        help_text=gettext_lazy(
            "Only if nothing in it can identify a worker: no faces, names, handwriting, document numbers or "
            "messages. Files a business uploads are seen by your CSO and by that business."
        ),
    )

    def __init__(self, *args: Any, by_owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        file_field = self.fields["file"]
        file_field.help_text = str(file_field.help_text) % {"limit": f"{attachments.max_bytes() / (1024 * 1024):g}"}
        if not by_owner:
            del self.fields["visible_to_business"]


@scoped_to(Case)
@csrf_exempt  # checked by csrf_protect below, once the size-limiting upload handler is in place
@membership_required
def attachment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, attachments.max_bytes()))
    return _attachment_add(request, pk)


@csrf_protect
def _attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = get_scoped_or_404(selectors.case_list(membership=membership), request, pk=pk)
    if not attachments.may_add_attachment(membership, case):
        raise PermissionDenied(_("Your role does not allow you to add files to this case."))
    by_owner = selectors.owns_case(membership, case)
    form = AttachmentForm(request.POST or None, request.FILES or None, by_owner=by_owner)
    status = 200
    if request.method == "POST":
        status = 400
        if getattr(request, "ilm_upload_too_large", False):
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", attachments.too_large_message())
        elif form.is_valid():
            data = form.cleaned_data
            try:
                attachments.attachment_add(
                    actor=membership,
                    case=case,
                    upload=data["file"],
                    description=data["description"],
                    visible_to_business=bool(data.get("visible_to_business")),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, fallback_field="file")
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("Your role does not allow this."))
            else:
                messages.success(request, _("File added to case %(reference)s.") % {"reference": case.reference})
                return redirect(_safe_next(request, reverse("cases:attachment_add", args=[case.pk])))
    context = {
        "case": case,
        "form": form,
        "files": attachments.visible_attachments(actor=membership, case=case),
        "next": _safe_next(request, ""),
    }
    return render(request, "cases/files/attachment_form.html", context, status=status)


@scoped_to(Attachment)
@require_GET
@membership_required
def attachment_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = request.membership  # type: ignore[attr-defined]
    attachment = get_scoped_or_404(
        selectors.attachment_list(membership=membership).select_related("case"), request, pk=pk
    )
    try:
        handle, content_type, name = attachments.attachment_open(actor=membership, attachment=attachment)
    except FileNotFoundError:
        raise Http404 from None
    return protected_file_response(handle, content_type, name)


# --- exports -----------------------------------------------------------------------------------------


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", gettext_lazy("CSV (any spreadsheet)")), ("xlsx", gettext_lazy("XLSX (Excel)"))],
        initial="csv",
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *CaseStatus.choices],
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=exports.MAX_QUERY)


def _filters_from(data: Any) -> dict[str, str]:
    try:
        return exports.clean_filters(data)
    except ValidationError:
        return {}


@membership_required
def export_view(request: HttpRequest) -> HttpResponseBase:
    membership = request.membership  # type: ignore[attr-defined]
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = exports.export_cases(
                    actor=membership, fmt=data["format"], filters={"status": data["status"], "q": data["q"]}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("Your role does not allow this."))
            else:
                if isinstance(result, CaseExport):
                    messages.info(request, _("Your export is being prepared. This page shows its progress."))
                    return redirect("cases:export_detail", pk=result.pk)
                return _export_response(result)
        filters = _filters_from(form.data)
        status = 400
    else:
        filters = _filters_from(request.GET)
        form = ExportForm(initial={"format": "csv", **filters})
        status = 200
    context = {
        "form": form,
        "matching": exports.export_queryset(membership=membership, filters=filters).count(),
        "sync_max_rows": exports.sync_max_rows(),
        "owner_columns": exports.sees_full_cases(membership),
        "recent": selectors.export_list(membership=membership)[:RECENT_EXPORTS],
    }
    return render(request, "cases/files/export_form.html", context, status=status)


def _export_response(result: exports.ExportFile) -> HttpResponseBase:
    response: HttpResponseBase
    if isinstance(result.content, bytes):
        response = HttpResponse(result.content, content_type=result.content_type)
    else:
        response = StreamingHttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = content_disposition_header(True, result.name)
    return protect_download(response)


def _own_export(request: HttpRequest, pk: int) -> CaseExport:
    """One of the acting membership's own exports; anyone else's is not there (404). The technical partner,
    who sees the whole network, is told it exists but is not theirs (403)."""
    membership = request.membership  # type: ignore[attr-defined]
    try:
        export: CaseExport = get_scoped_or_404(selectors.export_list(membership=membership), request, pk=pk)
    except Http404:
        if selectors.sees_all_cases(membership) and dangerously_exists(CaseExport, pk=pk):
            raise PermissionDenied(_("Only the person who made an export can open it.")) from None
        raise
    return export


@scoped_to(CaseExport)
@require_GET
@membership_required
def export_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    context = {
        "export": export,
        "running": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
        "done": export.status == ExportStatus.DONE,
        "failed": export.status == ExportStatus.FAILED,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "cases/files/export_status.html", context)
    return render(request, "cases/files/export_detail.html", context)


@scoped_to(CaseExport)
@require_GET
@membership_required
def export_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = request.membership  # type: ignore[attr-defined]
    export = _own_export(request, pk)
    if export.status != ExportStatus.DONE or not export.file:
        messages.info(request, _("This export is not ready yet."))
        return redirect("cases:export_detail", pk=export.pk)
    try:
        handle, content_type, name = exports.export_open(actor=membership, export=export)
    except FileNotFoundError:
        raise Http404 from None
    return protected_file_response(handle, content_type, name)


urlpatterns = [
    path("<int:pk>/attachments/new/", attachment_add_view, name="attachment_add"),
    path("attachments/<int:pk>/", attachment_download_view, name="attachment_download"),
    path("export/", export_view, name="export"),
    path("exports/<int:pk>/", export_detail_view, name="export_detail"),
    path("exports/<int:pk>/download/", export_download_view, name="export_download"),
]
