"""The cases in the read-only admin (technical partner administrators). Encrypted fields (worker identity,
notes, CSO-only descriptions, validation comments, file names) and blind indexes are never shown here."""

from django.contrib import admin

from ilm.cases.models import (
    Attachment,
    Case,
    CaseAction,
    CaseBusiness,
    CaseUpdate,
    Contact,
    Escalation,
    IdentityReveal,
    Issue,
    IssueCategory,
    Payment,
    Worker,
    WorkerValidation,
)
from ilm.core.admin_site import ReadOnlyAdmin, admin_site


@admin.register(IssueCategory, site=admin_site)
class IssueCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "group", "is_forced_labour_indicator", "is_active", "position"]
    list_filter = ["group", "is_forced_labour_indicator", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Case, site=admin_site)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "cso", "status", "closure", "risk_level", "opened_at", "shared_at", "closed_at"]
    list_filter = ["status", "closure", "risk_level"]
    search_fields = ["reference"]
    exclude = ["internal_notes"]
    raw_id_fields = ["cso", "merged_into", "assigned_to", "country"]


@admin.register(Issue, site=admin_site)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ["case", "category", "workers_affected", "forced_labour", "zero_tolerance", "rating"]
    list_filter = ["category", "forced_labour", "zero_tolerance", "rating"]
    exclude = ["description"]
    raw_id_fields = ["case", "rated_by"]


@admin.register(CaseBusiness, site=admin_site)
class CaseBusinessAdmin(ReadOnlyAdmin):
    list_display = ["case", "organisation", "site", "broker_name"]
    raw_id_fields = ["case", "organisation", "site"]


@admin.register(Worker, site=admin_site)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["label", "cso", "kind", "gender", "nationality", "age_band", "erased_at"]
    list_filter = ["kind", "gender", "age_band"]
    exclude = ["full_name", "name_index"]
    raw_id_fields = [
        "cso",
        "nationality",
        "site",
        "recruitment_agency",
        "consent_share_identity_by",
        "consent_contact_for_validation_by",
        "consent_statistics_by",
    ]


@admin.register(Contact, site=admin_site)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["id", "cso", "channel", "occurred_at", "who", "purpose", "case"]
    list_filter = ["who", "purpose"]
    exclude = ["notes"]
    raw_id_fields = ["cso", "channel", "worker", "case", "logged_by"]


@admin.register(CaseAction, site=admin_site)
class CaseActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "responsible", "due_date", "status", "last_reverted_at"]
    list_filter = ["status"]
    raw_id_fields = ["case", "issue", "responsible", "created_by"]


@admin.register(CaseUpdate, site=admin_site)
class CaseUpdateAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "organisation", "visible_to_business", "created_at"]
    list_filter = ["kind", "visible_to_business"]
    raw_id_fields = ["case", "action", "organisation", "author"]


@admin.register(WorkerValidation, site=admin_site)
class WorkerValidationAdmin(ReadOnlyAdmin):
    list_display = ["case", "worker", "method", "satisfaction", "confirms_remediation", "validated_at"]
    exclude = ["comments"]
    raw_id_fields = ["case", "worker", "recorded_by"]


@admin.register(Payment, site=admin_site)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["case", "worker", "group_label", "currency", "amount_owed", "amount_repaid", "verified_by_worker"]
    list_filter = ["currency", "verified_by_worker"]
    raw_id_fields = ["case", "worker", "recorded_by"]


@admin.register(Escalation, site=admin_site)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["case", "buyer", "escalated_at"]
    raw_id_fields = ["case", "buyer", "escalated_by"]


@admin.register(IdentityReveal, site=admin_site)
class IdentityRevealAdmin(ReadOnlyAdmin):
    list_display = ["case", "worker", "organisation", "requested_at", "approved_at", "declined_at", "withdrawn_at"]
    raw_id_fields = ["case", "worker", "organisation", "requested_by", "approved_by"]


@admin.register(Attachment, site=admin_site)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "organisation", "content_type", "size", "visible_to_business", "created_at"]
    exclude = ["original_name", "file"]  # the file is served only through the permission-checked view
    raw_id_fields = ["case", "organisation", "uploaded_by"]
