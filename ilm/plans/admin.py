"""Action plans in the read-only admin (technical partner administrators); changes go through the pages,
the API and ilm/plans/services.py."""

from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, admin_site
from ilm.plans.models import Activity, Baseline, FocalPoint, Plan, PlanCheckIn, PlanRow


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
