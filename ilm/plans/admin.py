"""Action plans in the read-only admin (technical partner administrators); changes go through the pages,
the API and ilm/plans/services.py."""

from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, admin_site
from ilm.plans.models import (
    Activity,
    Baseline,
    Course,
    FocalPoint,
    IndicatorSuggestion,
    IndicatorValue,
    Plan,
    PlanCheckIn,
    PlanRow,
    PolicyDocument,
    TrainingAttendance,
    TrainingSession,
)


@admin.register(Activity, site=admin_site)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "area", "type"]
    list_filter = ["area", "type"]


@admin.register(Plan, site=admin_site)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["kind", "country", "organisation", "year", "planning_status"]
    list_filter = ["kind", "year", "planning_status"]
    search_fields = ["organisation__name", "country__name"]
    raw_id_fields = ["organisation"]


@admin.register(PlanRow, site=admin_site)
class PlanRowAdmin(ReadOnlyAdmin):
    list_display = ["plan", "position", "description", "status", "due_quarter"]
    list_filter = ["status", "plan__kind"]
    raw_id_fields = ["plan", "organisations"]


@admin.register(PlanCheckIn, site=admin_site)
class PlanCheckInAdmin(ReadOnlyAdmin):
    list_display = ["plan", "held_on", "participants"]
    raw_id_fields = ["plan", "recorded_by"]


@admin.register(Baseline, site=admin_site)
class BaselineAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "updated_at"]
    raw_id_fields = ["organisation"]


@admin.register(FocalPoint, site=admin_site)
class FocalPointAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "purpose", "baseline"]
    raw_id_fields = ["baseline"]


@admin.register(PolicyDocument, site=admin_site)
class PolicyDocumentAdmin(ReadOnlyAdmin):
    """Titles and sizes only: the file itself is downloaded from the baseline page (permission-checked, audited)."""

    list_display = ["title", "baseline", "content_type", "size", "created_at"]
    fields = ["title", "baseline", "content_type", "size", "sha256", "created_at"]
    raw_id_fields = ["baseline"]


@admin.register(IndicatorValue, site=admin_site)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "indicator", "status", "set_at"]
    list_filter = ["indicator", "status"]
    search_fields = ["organisation__name"]
    raw_id_fields = ["organisation", "set_by"]


@admin.register(IndicatorSuggestion, site=admin_site)
class IndicatorSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "indicator", "suggested_status", "status", "created_at"]
    list_filter = ["indicator", "status"]
    raw_id_fields = ["organisation", "decided_by"]


@admin.register(Course, site=admin_site)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "activity", "mode", "language", "provider"]
    list_filter = ["mode", "activity"]
    search_fields = ["title"]
    raw_id_fields = ["provider", "created_by"]


class TrainingAttendanceInline(ReadOnlyInline):
    model = TrainingAttendance
    fields = ["role", "gender", "count"]


@admin.register(TrainingSession, site=admin_site)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["course", "held_on", "trained_organisation", "trainer_organisation", "completed"]
    list_filter = ["completed", "course__activity"]
    raw_id_fields = ["course", "trained_organisation", "trainer_organisation", "recorded_by"]
    inlines = [TrainingAttendanceInline]
