from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, admin_site
from ilm.core.models import AuditEvent


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "action", "actor_label", "object_type", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["action", "actor_label", "object_id", "request_id"]
