from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from ilm.accounts.models import Membership, User
from ilm.core.admin_site import ReadOnlyAdmin, admin_site


@admin.register(User, site=admin_site)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("ILM", {"fields": ("preferred_language",)}))  # type: ignore[misc]


@admin.register(Membership, site=admin_site)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at", "revoked_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]
