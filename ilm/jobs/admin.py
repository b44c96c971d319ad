"""The job marketplace in the read-only admin (technical partner administrators). Applicants' names and
contacts, what they paid, messages and review comments are encrypted and never shown here; neither are the
blind index and the status-link digest. Changes go through the pages, the API and ilm/jobs/services.py."""

from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, admin_site
from ilm.jobs.models import Application, EmployerReview, Vacancy, VacancyFee, VacancyTranslation


class VacancyFeeInline(ReadOnlyInline):
    model = VacancyFee
    fields = ["name", "amount", "currency", "charged_by"]


@admin.register(Vacancy, site=admin_site)
class VacancyAdmin(ReadOnlyAdmin):
    list_display = ["position", "employer", "country", "status", "fee_model", "openings", "published_at"]
    list_filter = ["status", "fee_model", "country", "language"]
    search_fields = ["position", "employer__name"]
    raw_id_fields = ["employer", "site", "country", "industry", "created_by"]
    inlines = [VacancyFeeInline]


@admin.register(VacancyTranslation, site=admin_site)
class VacancyTranslationAdmin(ReadOnlyAdmin):
    list_display = ["vacancy", "language", "translated_by", "updated_at"]
    list_filter = ["language"]
    raw_id_fields = ["vacancy", "translated_by"]


@admin.register(Application, site=admin_site)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "vacancy", "status", "via_cso", "nationality", "gender", "language", "created_at"]
    list_filter = ["status", "gender", "language"]
    exclude = ["full_name", "contact", "contact_index", "paid_details", "token_digest"]
    raw_id_fields = ["vacancy", "nationality", "via_cso", "submitted_by", "confirmed_by"]


@admin.register(EmployerReview, site=admin_site)
class EmployerReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "employer", "reviewer_kind", "rating", "created_at"]
    list_filter = ["reviewer_kind", "rating"]
    exclude = ["comment"]
    raw_id_fields = ["application", "employer", "reviewer_organisation", "author"]
