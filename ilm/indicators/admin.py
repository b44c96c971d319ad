"""Ethical Performance Scores in the read-only admin (technical partner administrators); changes go through
the pages, the API and ilm/indicators/services.py."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ilm.core.admin_site import ReadOnlyAdmin, admin_site
from ilm.indicators.models import Assessment, Score


class ScoreInline(admin.TabularInline):
    model = Score
    fields = ("sub_indicator", "value", "comment", "source", "suggested_value")
    readonly_fields = ("sub_indicator", "value", "comment", "source", "suggested_value")
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment, site=admin_site)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["business", "period_label", "status", "published_at", "assessor_organisation"]
    list_filter = ["status", "period_label"]
    search_fields = ["business__name"]
    raw_id_fields = ["business", "assessed_by", "assessor_organisation"]
    inlines = [ScoreInline]


@admin.register(Score, site=admin_site)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "sub_indicator", "value", "source"]
    list_filter = ["sub_indicator", "source"]
    raw_id_fields = ["assessment"]
