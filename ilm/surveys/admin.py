"""Question sets in the read-only admin (technical partner administrators). New sets and versions arrive with
`manage.py load_question_set`; surveys and responses go through ilm/surveys/services.py. Responses are not
listed here at all: they are read only as aggregates."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ilm.core.admin_site import ReadOnlyAdmin, admin_site
from ilm.surveys.models import Question, QuestionSet, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "code", "kind", "text", "required", "counts_for_satisfaction")
    readonly_fields = ("position", "code", "kind", "text", "required", "counts_for_satisfaction")
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuestionSet, site=admin_site)
class QuestionSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "display_title", "is_active"]
    inlines = [QuestionInline]


@admin.register(Survey, site=admin_site)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "site", "run_by", "opens_on", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["site", "run_by", "question_set"]
    exclude = ["token"]
