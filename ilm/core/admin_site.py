"""The Django admin, for the technical partner's administrators only, after two-factor sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite, ModelAdmin, TabularInline
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ilm.core.permissions import Action, can, is_verified


class ILMAdminSite(AdminSite):
    site_header = _("ILM administration")
    site_title = _("ILM administration")
    index_title = _("Technical partner administration")
    login_template = None
    final_catch_all_view = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        membership = getattr(request, "membership", None)
        return bool(user.is_active and user.is_staff and is_verified(user) and can(membership, Action.USE_ADMIN_SITE))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from django.shortcuts import redirect
        from django.urls import reverse

        return redirect(f"{reverse('accounts:login')}?next={request.path}")


admin_site = ILMAdminSite(name="admin")


class ReadOnlyAdmin(ModelAdmin):
    """Tenant data is read here, never written: every change goes through the services, which audit it."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(TabularInline):
    """Rows shown inside a read-only admin page: read, never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
