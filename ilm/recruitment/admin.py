"""Recruitment fee surveys, repayments and the Ethical Recruitment Networks in the read-only admin (technical
partner administrators). Never shown here: encrypted fields (a document's file name, a broker's name), the
free text that may name a worker (repayment plans, referral outcome notes) and the files themselves (they are
downloaded from the pages, audited). Changes go through the pages, the API and ilm/recruitment/services.py."""

from django.contrib import admin

from ilm.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, admin_site
from ilm.recruitment.models import (
    BrokerReport,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    NetworkMember,
    OutreachEvent,
    OutreachReach,
    RecruitmentNetwork,
    Referral,
    Repayment,
    RepaymentPolicy,
    ResponseDocument,
    SurveyReach,
)


@admin.register(RepaymentPolicy, site=admin_site)
class RepaymentPolicyAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "kind", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation", "updated_by"]


class SurveyReachInline(ReadOnlyInline):
    model = SurveyReach
    fields = ["gender", "nationality", "count"]


@admin.register(FeeSurvey, site=admin_site)
class FeeSurveyAdmin(ReadOnlyAdmin):
    list_display = ["id", "site", "supplier", "surveyor", "surveyed_on"]
    list_filter = ["surveyed_on"]
    search_fields = ["site__name", "supplier__name", "surveyor__name"]
    raw_id_fields = ["site", "supplier", "surveyor", "created_by"]
    inlines = [SurveyReachInline]


class FeeLineInline(ReadOnlyInline):
    model = FeeLine
    fields = ["fee_type", "amount", "currency", "paid_to", "paid_on", "eligible", "eligibility_reason", "overridden"]


@admin.register(FeeSurveyResponse, site=admin_site)
class FeeSurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "number", "employment", "repayment_due_by"]
    list_filter = ["employment"]
    exclude = ["repayment_plan"]
    raw_id_fields = ["survey", "worker", "created_by"]
    inlines = [FeeLineInline]


@admin.register(ResponseDocument, site=admin_site)
class ResponseDocumentAdmin(ReadOnlyAdmin):
    list_display = ["id", "response", "content_type", "size", "created_at"]
    fields = ["response", "content_type", "size", "sha256", "uploaded_by", "created_at"]
    raw_id_fields = ["response", "uploaded_by"]


@admin.register(Repayment, site=admin_site)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["response", "amount", "currency", "paid_on", "method", "verified_at", "verified_how"]
    list_filter = ["currency", "method", "verified_how"]
    raw_id_fields = ["response", "case_payment", "recorded_by", "recorded_by_organisation", "verified_by"]


class NetworkMemberInline(ReadOnlyInline):
    model = NetworkMember
    fields = ["organisation", "role", "joined_on", "left_on"]


@admin.register(RecruitmentNetwork, site=admin_site)
class RecruitmentNetworkAdmin(ReadOnlyAdmin):
    list_display = ["name", "origin_country", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["origin_country", "created_by"]
    inlines = [NetworkMemberInline]


@admin.register(BrokerReport, site=admin_site)
class BrokerReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "network", "reported_by", "area", "reported_on", "intervention", "status"]
    list_filter = ["status", "intervention", "referred_to"]
    exclude = ["broker_name"]
    raw_id_fields = ["network", "reported_by", "created_by"]


class OutreachReachInline(ReadOnlyInline):
    model = OutreachReach
    fields = ["gender", "count"]


@admin.register(OutreachEvent, site=admin_site)
class OutreachEventAdmin(ReadOnlyAdmin):
    list_display = ["network", "organiser", "held_on", "place", "topic", "language"]
    raw_id_fields = ["network", "organiser", "created_by"]
    inlines = [OutreachReachInline]


@admin.register(Referral, site=admin_site)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["id", "network", "referred_by", "service", "referred_on", "outcome"]
    list_filter = ["service", "outcome"]
    exclude = ["outcome_note"]
    raw_id_fields = ["network", "referred_by", "worker", "created_by"]
