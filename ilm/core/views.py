"""Error pages, the CSRF failure page, and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import ListView

from ilm.core import selectors
from ilm.core.models import AuditEvent
from ilm.core.tenancy import ScopedPageMixin


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    """Under /api/ every error keeps the API's one JSON format, even for unmatched URLs."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if (api := _api_error(request, 404, "not_found", _("Not found."))) is not None:
        return api
    return render(
        request,
        "core/error.html",
        {
            "title": _("Not found"),
            "message": _("There is nothing here, or you do not have access to it."),
        },
        status=404,
    )


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("Your role does not allow this.")
    if (api := _api_error(request, 403, "permission_denied", message)) is not None:
        return api
    return render(request, "core/error.html", {"title": _("Not allowed"), "message": message}, status=403)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    if (
        api := _api_error(
            request,
            500,
            "server_error",
            _("Something went wrong. Nothing you saved before this was lost. Please try again."),
        )
    ) is not None:
        return api
    return render(
        request,
        "core/error.html",
        {
            "title": _("Something went wrong"),
            "message": _(
                "Nothing you saved before this was lost. Please try again; if it happens again, "
                "tell your administrator the time it happened."
            ),
        },
        status=500,
    )


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Please try again"),
            "message": _("The form had expired or came from another site. Reload the page and send it again."),
        },
        status=403,
    )


class AuditEventListView(ScopedPageMixin, ListView):
    template_name = "core/audit_list.html"
    paginate_by = 50
    scope_selector = selectors.audit_event_list
    model = AuditEvent

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.may_view_audit(getattr(request, "membership", None)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def safely_get_queryset(self, queryset: Any) -> Any:
        action = self.request.GET.get("action", "").strip()
        if action:
            queryset = queryset.filter(action__startswith=action)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action_filter"] = self.request.GET.get("action", "")
        membership = self.request.membership
        for event in context["object_list"]:
            event.redacted = selectors.audit_event_redacted(event, membership=membership)
        return context
