from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ilm.core.admin_site import admin_site
from ilm.core.models import AuditEvent


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "action", "actor_label", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "object_id", "request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
