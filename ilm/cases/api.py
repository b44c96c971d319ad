"""API v1 for cases: the same selectors and services as the pages, the same owner/business split.

Owner-only fields (the case's CSO and the technical partner) come back as null to businesses. Worker
identity is never part of a case: it is read, audited, from `POST /api/v1/workers/{id}/identity/`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.negotiation import FileDownloadNegotiation
from ilm.api.parsers import StrictJSONParser
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases import attachments, exports, selectors, services
from ilm.cases.models import (
    ActionStatus,
    AgeBand,
    Attachment,
    Case,
    CaseAction,
    CaseBusiness,
    CaseExport,
    CaseStatus,
    CaseUpdate,
    CategoryGroup,
    Closure,
    Contact,
    ContactPurpose,
    ContactWho,
    IdentifierKind,
    IdentityReveal,
    Issue,
    IssueCategory,
    Notification,
    Payment,
    Rating,
    RiskLevel,
    UpdateKind,
    ValidationMethod,
    Worker,
    WorkerKind,
    WorkerValidation,
)
from ilm.core.api_fields import SafeDateTimeField
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.uploads import protected_file_response
from ilm.network import selectors as network_selectors
from ilm.network.models import Country, Gender

# --- scoped references in input -------------------------------------------------------------------


def _orgs(**kinds: Any) -> Any:
    return lambda *, membership: network_selectors.organisation_list(membership=membership).filter(**kinds)


def _sites(*, membership: Any) -> Any:
    return network_selectors.site_list(membership=membership)


def _categories(*, membership: Any) -> Any:
    return selectors.category_list()


# --- output ---------------------------------------------------------------------------------------


class IssueOut(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField(help_text="Owner only (null for businesses).")

    class Meta:
        model = Issue
        fields = [
            "id",
            "case",
            "category",
            "category_code",
            "category_name",
            "workers_affected",
            "forced_labour",
            "zero_tolerance",
            "shareable_description",
            "description",
            "rating",
            "rated_at",
        ]

    def get_category_name(self, obj: Issue) -> str:
        return str(obj.category)

    def get_description(self, obj: Issue) -> str | None:
        return obj.description if self.context.get("owner") else None


class BusinessOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = CaseBusiness
        fields = ["id", "organisation", "site", "broker_name", "name"]

    def get_name(self, obj: CaseBusiness) -> str:
        if obj.site_id:
            return f"{obj.organisation} · {obj.site}"
        return obj.broker_name or str(obj.organisation)


class CaseWorkerOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="label", read_only=True, help_text="W<id>: how pages name the worker.")

    class Meta:
        model = Worker
        fields = [
            "id",
            "reference",
            "kind",
            "gender",
            "nationality",
            "age_band",
            "job",
            "site",
            "recruitment_agency",
            "consent_share_identity",
            "consent_contact_for_validation",
            "consent_statistics",
            "erased_at",
        ]


class CaseOut(serializers.ModelSerializer):
    issues = IssueOut(many=True, read_only=True)
    businesses = serializers.SerializerMethodField(help_text="Informal brokers are listed for the owner only.")
    internal_notes = serializers.SerializerMethodField(
        help_text="Only in a single-case read by the owner's roles that may see identity (audited); else null."
    )
    risk_level = serializers.SerializerMethodField(help_text="Owner only (null for businesses).")
    assigned_to = serializers.SerializerMethodField(help_text="Owner only (null for businesses).")
    workers = serializers.SerializerMethodField(help_text="Owner only (null for businesses): no identity, labels.")
    closure_reason = serializers.SerializerMethodField(help_text="Owner only (null for businesses).")
    repayments = serializers.SerializerMethodField(help_text="Totals per currency: never summed across currencies.")

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "cso",
            "status",
            "closure",
            "closure_reason",
            "merged_into",
            "summary",
            "internal_notes",
            "risk_level",
            "assigned_to",
            "is_collective",
            "workers_count",
            "country",
            "opened_at",
            "assessed_at",
            "shared_at",
            "first_response_at",
            "validation_requested_at",
            "closed_at",
            "reopened_at",
            "last_activity_at",
            "issues",
            "businesses",
            "workers",
            "repayments",
            "version",
        ]

    def _owner(self, obj: Case) -> bool:
        return selectors.owns_case(self.context["request"].membership, obj)

    def _sensitive(self, obj: Case) -> bool:
        """Free text that may name workers: for the owner's identity roles, in a single-case read (audited)."""
        return bool(self.context.get("detail")) and selectors.may_read_case_record(
            self.context["request"].membership, obj
        )

    def get_internal_notes(self, obj: Case) -> str | None:
        return obj.internal_notes if self._sensitive(obj) else None

    def get_risk_level(self, obj: Case) -> str | None:
        return obj.risk_level if self._owner(obj) else None

    def get_assigned_to(self, obj: Case) -> int | None:
        return obj.assigned_to_id if self._owner(obj) else None

    def get_closure_reason(self, obj: Case) -> str | None:
        return obj.closure_reason if self._owner(obj) else None

    @extend_schema_field(CaseWorkerOut(many=True, allow_null=True))
    def get_workers(self, obj: Case) -> list[dict[str, Any]] | None:
        if not self._owner(obj):
            return None
        return [self._worker_out.to_representation(link.worker) for link in obj.case_workers.all()]

    @extend_schema_field(serializers.DictField(child=serializers.DictField(child=serializers.CharField())))
    def get_repayments(self, obj: Case) -> dict[str, dict[str, str]]:
        totals: dict[str, dict[str, Any]] = {}
        for payment in obj.payments.all():
            row = totals.setdefault(payment.currency, {"owed": 0, "repaid": 0})
            row["owed"] += payment.amount_owed
            row["repaid"] += payment.amount_repaid
        return {cur: {k: str(v) for k, v in row.items()} for cur, row in sorted(totals.items())}

    @extend_schema_field(BusinessOut(many=True))
    def get_businesses(self, obj: Case) -> list[dict[str, Any]]:
        owner = self._owner(obj)
        return [self._business_out.to_representation(b) for b in obj.businesses.all() if owner or not b.broker_name]

    # One child serializer per list response, not one per row: building a serializer copies its fields.
    @cached_property
    def _worker_out(self) -> CaseWorkerOut:
        return CaseWorkerOut()

    @cached_property
    def _business_out(self) -> BusinessOut:
        return BusinessOut()

    def to_representation(self, instance: Case) -> dict[str, Any]:
        context = cast(dict[str, Any], self.context)
        context["owner"] = self._sensitive(instance)  # read by the nested IssueOut (its CSO-only description)
        return super().to_representation(instance)


class UpdateOut(serializers.ModelSerializer):
    class Meta:
        model = CaseUpdate
        fields = ["id", "case", "kind", "text", "action", "organisation", "visible_to_business", "created_at"]


class ActionOut(serializers.ModelSerializer):
    class Meta:
        model = CaseAction
        fields = [
            "id",
            "case",
            "issue",
            "responsible",
            "description",
            "due_date",
            "status",
            "completed_at",
            "last_reverted_at",
            "created_at",
            "version",
        ]


class WorkerOut(CaseWorkerOut):
    class Meta(CaseWorkerOut.Meta):
        fields = [*CaseWorkerOut.Meta.fields, "cso", "origin_area", "version", "created_at"]


class IdentityOut(serializers.Serializer):
    full_name = serializers.CharField()
    identifiers = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ContactOut(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "cso", "channel", "occurred_at", "language", "who", "purpose", "worker", "case", "created_at"]


class ValidationOut(serializers.ModelSerializer):
    class Meta:
        model = WorkerValidation
        fields = [
            "id",
            "case",
            "worker",
            "method",
            "validated_at",
            "satisfaction",
            "confirms_remediation",
            "recorded_at",
        ]


class PaymentOut(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "case",
            "worker",
            "group_label",
            "workers_count",
            "currency",
            "amount_owed",
            "amount_repaid",
            "paid_on",
            "verified_by_worker",
            "verified_at",
            "verified_how",
        ]


class RevealOut(serializers.ModelSerializer):
    class Meta:
        model = IdentityReveal
        fields = [
            "id",
            "case",
            "worker",
            "organisation",
            "reason",
            "requested_at",
            "approved_at",
            "declined_at",
            "withdrawn_at",
        ]


class CategoryOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="In the caller's language.")

    class Meta:
        model = IssueCategory
        fields = ["id", "code", "group", "name", "is_forced_labour_indicator"]

    def get_name(self, obj: IssueCategory) -> str:
        return str(obj)


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "case", "kind", "message", "created_at", "read_at"]


# --- input ----------------------------------------------------------------------------------------


class CaseIn(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    internal_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default=RiskLevel.MEDIUM)
    is_collective = serializers.BooleanField(required=False, default=False)
    workers_count = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    contact = ScopedPrimaryKey(selectors.contact_list, required=False, allow_null=True, default=None)
    workers = ScopedPrimaryKey(selectors.worker_list, many=True, required=False, default=list)


class CasePatch(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    internal_notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    is_collective = serializers.BooleanField(required=False)
    workers_count = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you edited; a stale version answers 409."
    )


class BusinessIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(
        _orgs(kind__in=[OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY]), required=False, allow_null=True, default=None
    )
    site = ScopedPrimaryKey(_sites, required=False, allow_null=True, default=None)
    broker_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class WorkerLinkIn(serializers.Serializer):
    worker = ScopedPrimaryKey(selectors.worker_list)


class IssueIn(serializers.Serializer):
    category = ScopedPrimaryKey(_categories)
    workers_affected = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    forced_labour = serializers.BooleanField(required=False, allow_null=True, default=None)
    zero_tolerance = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    shareable_description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ShareIn(serializers.Serializer):
    acknowledge_small_groups = serializers.BooleanField(required=False, default=False)


class CloseIn(serializers.Serializer):
    closure = serializers.ChoiceField(choices=Closure.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    merged_into = ScopedPrimaryKey(selectors.case_list, required=False, allow_null=True, default=None)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class EscalateIn(serializers.Serializer):
    buyer = ScopedPrimaryKey(_orgs(kind=OrgKind.BUYER))
    reason = serializers.CharField(max_length=4000)


class NoteIn(serializers.Serializer):
    text = serializers.CharField(max_length=8000)
    visible_to_business = serializers.BooleanField(required=False, default=False)


class RespondIn(serializers.Serializer):
    text = serializers.CharField(max_length=8000)
    kind = serializers.ChoiceField(
        choices=[(k, v) for k, v in UpdateKind.choices if k in (UpdateKind.ACKNOWLEDGEMENT, UpdateKind.RESPONSE)],
        required=False,
        default=UpdateKind.RESPONSE,
    )


class ValidationIn(serializers.Serializer):
    worker = ScopedPrimaryKey(selectors.worker_list, required=False, allow_null=True, default=None)
    method = serializers.ChoiceField(choices=ValidationMethod.choices)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    confirms_remediation = serializers.BooleanField()
    validated_at = SafeDateTimeField(required=False, allow_null=True, default=None)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)


class PaymentIn(serializers.Serializer):
    worker = ScopedPrimaryKey(selectors.worker_list, required=False, allow_null=True, default=None)
    group_label = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    workers_count = serializers.IntegerField(required=False, default=1, min_value=1, max_value=1_000_000)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. THB.")
    amount_owed = serializers.CharField(max_length=20, help_text="A decimal amount, e.g. 1250.50.")
    amount_repaid = serializers.CharField(max_length=20, required=False, default="0")
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


class PaymentVerifyIn(serializers.Serializer):
    how = serializers.ChoiceField(choices=ValidationMethod.choices)
    verified = serializers.BooleanField(required=False, default=True)


class ActionIn(serializers.Serializer):
    case = ScopedPrimaryKey(selectors.case_list)
    description = serializers.CharField(max_length=4000)
    responsible = ScopedPrimaryKey(_orgs(kind__in=[OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY]))
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    issue = serializers.IntegerField(required=False, allow_null=True, default=None)


class ActionUpdateIn(serializers.Serializer):
    text = serializers.CharField(max_length=8000)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, min_value=1)


class IdentifierIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=200)


class WorkerIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WorkerKind.choices, required=False, default=WorkerKind.WORKER)
    full_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    identifiers = IdentifierIn(many=True, required=False, default=list)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.OTHER)
    nationality = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True, default=None
    )
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False, default=AgeBand.UNKNOWN)
    job = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    site = ScopedPrimaryKey(_sites, required=False, allow_null=True, default=None)
    recruitment_agency = ScopedPrimaryKey(
        _orgs(kind=OrgKind.RECRUITMENT_AGENCY), required=False, allow_null=True, default=None
    )
    origin_area = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    consent_share_identity = serializers.BooleanField(required=False, default=False)
    consent_contact_for_validation = serializers.BooleanField(required=False, default=False)
    consent_statistics = serializers.BooleanField(required=False, default=False)


class ConsentIn(serializers.Serializer):
    consent = serializers.ChoiceField(choices=[(c, c) for c in Worker.CONSENTS])
    value = serializers.BooleanField()


class ContactIn(serializers.Serializer):
    occurred_at = SafeDateTimeField()
    who = serializers.ChoiceField(choices=ContactWho.choices)
    purpose = serializers.ChoiceField(choices=ContactPurpose.choices)
    channel = serializers.IntegerField(required=False, allow_null=True, default=None)
    language = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    worker = ScopedPrimaryKey(selectors.worker_list, required=False, allow_null=True, default=None)


class RevealIn(serializers.Serializer):
    case = ScopedPrimaryKey(selectors.case_list)
    worker = ScopedPrimaryKey(selectors.worker_list)
    organisation = ScopedPrimaryKey(_orgs(kind__in=[OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY]))
    reason = serializers.CharField(max_length=2000)


class RateIn(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)


class CategoryIn(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    group = serializers.ChoiceField(choices=CategoryGroup.choices)
    name = serializers.CharField(max_length=200, help_text="In English.")
    names = serializers.DictField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=dict,
        help_text="Names in other languages, by language code (th, my, km, ne).",
    )
    is_forced_labour_indicator = serializers.BooleanField(required=False, default=False)


# --- filters --------------------------------------------------------------------------------------


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    category = django_filters.CharFilter(method="filter_category", max_length=64)
    business = IdFilter(method="filter_business")
    country = django_filters.CharFilter(field_name="country_id", max_length=2)
    forced_labour = django_filters.BooleanFilter(method="filter_forced_labour")
    zero_tolerance = django_filters.BooleanFilter(method="filter_zero_tolerance")
    opened_after = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__gte")
    opened_before = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    q = django_filters.CharFilter(method="filter_text", max_length=100)

    class Meta:
        model = Case
        fields = [
            "status",
            "category",
            "business",
            "country",
            "forced_labour",
            "zero_tolerance",
            "opened_after",
            "opened_before",
            "overdue",
            "q",
        ]

    def filter_category(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(Exists(Issue.objects.filter(case=OuterRef("pk"), category__code=value)))

    def filter_business(self, queryset: QuerySet[Case], name: str, value: int) -> QuerySet[Case]:
        return queryset.filter(Exists(CaseBusiness.objects.filter(case=OuterRef("pk"), organisation_id=value)))

    def filter_forced_labour(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        flagged = Exists(Issue.objects.filter(case=OuterRef("pk"), forced_labour=True))
        return queryset.filter(flagged if value else ~flagged)

    def filter_zero_tolerance(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        flagged = Exists(Issue.objects.filter(case=OuterRef("pk"), zero_tolerance=True))
        return queryset.filter(flagged if value else ~flagged)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool) -> QuerySet[Case]:
        overdue = selectors.overdue_q()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return selectors.search_cases(queryset, value)


def _case_queryset(*, membership: Any) -> QuerySet[Case]:
    return selectors.case_list(membership=membership).prefetch_related(
        Prefetch("issues", queryset=Issue.objects.select_related("category")),
        Prefetch("businesses", queryset=CaseBusiness.objects.select_related("organisation", "site")),
        Prefetch("case_workers__worker"),
        "payments",
    )


# --- viewsets -------------------------------------------------------------------------------------


class CaseViewSet(ReadOnlyScopedViewSet):
    queryset = Case.objects.none()
    scope_selector = _case_queryset
    output_serializer = CaseOut
    filterset_class = CaseFilter

    def reload(self, obj: Any) -> Any:
        return self.get_queryset().get(pk=obj.pk)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        if selectors.may_read_case_record(self.membership, case):
            services.case_record_viewed(actor=self.membership, case=case, purpose="api")
        context = {**self.get_serializer_context(), "detail": True}
        return Response(CaseOut(case, context=context).data)

    @extend_schema(request=CaseIn, responses={201: CaseOut})
    def create(self, request: Request) -> Response:
        case = services.case_open(actor=self.membership, **self.validated(CaseIn))
        return self.respond(self.reload(case), status=status.HTTP_201_CREATED)

    @extend_schema(request=CasePatch, responses={200: CaseOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        data = self.validated(CasePatch, partial=True)
        expected = data.pop("version", None)
        case = services.case_update(actor=self.membership, case=case, expected_version=expected, **data)
        return self.respond(self.reload(case))

    def _step(self, service: Any, serializer: type[serializers.Serializer] | None = None, **extra: Any) -> Response:
        case = self.get_object()
        data = self.validated(serializer) if serializer is not None else {}
        service(actor=self.membership, case=case, **data, **extra)
        return self.respond(self.reload(case))

    @extend_schema(request=BusinessIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def businesses(self, request: Request, pk: str) -> Response:
        return self._step(services.case_add_business, BusinessIn)

    @extend_schema(request=WorkerLinkIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def workers(self, request: Request, pk: str) -> Response:
        return self._step(services.case_add_worker, WorkerLinkIn)

    @extend_schema(request=IssueIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def issues(self, request: Request, pk: str) -> Response:
        return self._step(services.issue_add, IssueIn)

    @extend_schema(request=None, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: str) -> Response:
        return self._step(services.case_assess)

    @extend_schema(
        request=ShareIn,
        responses={200: CaseOut},
        description="Share with the businesses concerned. Refused with a field error on "
        "`acknowledge_small_groups` while the workers form a group of fewer than 10 at a site.",
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str) -> Response:
        return self._step(services.case_share, ShareIn)

    @extend_schema(request=RespondIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"], url_path="respond")
    def business_response(self, request: Request, pk: str) -> Response:
        return self._step(services.case_respond, RespondIn)

    @extend_schema(request=NoteIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        return self._step(services.case_note, NoteIn)

    @extend_schema(request=None, responses={200: CaseOut})
    @action(detail=True, methods=["post"], url_path="request-validation")
    def request_validation(self, request: Request, pk: str) -> Response:
        return self._step(services.case_request_validation)

    @extend_schema(request=ValidationIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def validations(self, request: Request, pk: str) -> Response:
        return self._step(services.validation_record, ValidationIn)

    @extend_schema(request=CloseIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._step(services.case_close, CloseIn)

    @extend_schema(request=ReasonIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._step(services.case_reopen, ReasonIn)

    @extend_schema(request=EscalateIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        return self._step(services.case_escalate, EscalateIn)

    @extend_schema(request=PaymentIn, responses={200: CaseOut})
    @action(detail=True, methods=["post"])
    def payments(self, request: Request, pk: str) -> Response:
        return self._step(services.payment_record, PaymentIn)

    @extend_schema(request=None, responses={200: UpdateOut(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        return Response(UpdateOut(selectors.update_list(membership=self.membership, case=case), many=True).data)


class CaseActionViewSet(ReadOnlyScopedViewSet):
    queryset = CaseAction.objects.none()
    scope_selector = selectors.action_list
    output_serializer = ActionOut

    @extend_schema(request=ActionIn, responses={201: ActionOut})
    def create(self, request: Request) -> Response:
        data = self.validated(ActionIn)
        case = data.pop("case")
        issue_id = data.pop("issue")
        issue = case.issues.filter(pk=issue_id).first() if issue_id else None
        item = services.action_add(actor=self.membership, case=case, issue=issue, **data)
        return self.respond(item, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActionUpdateIn, responses={200: ActionOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        data = self.validated(ActionUpdateIn)
        item = services.action_update(
            actor=self.membership,
            action=item,
            text=data["text"],
            status=data["status"],
            expected_version=data.get("version"),
        )
        return self.respond(item)


class WorkerViewSet(ReadOnlyScopedViewSet):
    """Workers of your CSO. Identity comes only from the audited `identity` action."""

    queryset = Worker.objects.none()
    scope_selector = selectors.worker_list
    output_serializer = WorkerOut

    @extend_schema(request=WorkerIn, responses={201: WorkerOut})
    def create(self, request: Request) -> Response:
        data = self.validated(WorkerIn)
        identifiers = [(i["kind"], i["value"]) for i in data.pop("identifiers")]
        consents = {c: data.pop(f"consent_{c}") for c in Worker.CONSENTS}
        worker = services.worker_create(actor=self.membership, identifiers=identifiers, consents=consents, **data)
        return self.respond(worker, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: IdentityOut},
        description="The worker's identity. Every call is recorded in the audit log.",
    )
    @action(detail=True, methods=["post"])
    def identity(self, request: Request, pk: str) -> Response:
        worker = self.get_object()
        return Response(IdentityOut(services.worker_identity(actor=self.membership, worker=worker, purpose="api")).data)

    @extend_schema(request=ConsentIn, responses={200: WorkerOut})
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str) -> Response:
        worker = services.worker_set_consent(
            actor=self.membership, worker=self.get_object(), **self.validated(ConsentIn)
        )
        return self.respond(worker)

    @extend_schema(
        request=ReasonIn,
        responses={200: WorkerOut},
        description="Destroy the worker's identity (here and in history). Irreversible.",
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str) -> Response:
        worker = services.worker_erase(actor=self.membership, worker=self.get_object(), **self.validated(ReasonIn))
        return self.respond(worker)


class ContactViewSet(ReadOnlyScopedViewSet):
    queryset = Contact.objects.none()
    scope_selector = selectors.contact_list
    output_serializer = ContactOut

    @extend_schema(request=ContactIn, responses={201: ContactOut})
    def create(self, request: Request) -> Response:
        data = self.validated(ContactIn)
        channel_id = data.pop("channel")
        channel = (
            network_selectors.channel_list(membership=self.membership).filter(pk=channel_id).first()
            if channel_id
            else None
        )
        if channel_id and channel is None:
            raise serializers.ValidationError({"channel": ["Choose one of your CSO's channels."]})
        contact = services.contact_log(actor=self.membership, channel=channel, **data)
        return self.respond(contact, status=status.HTTP_201_CREATED)


class IdentityRevealViewSet(ReadOnlyScopedViewSet):
    queryset = IdentityReveal.objects.none()
    scope_selector = selectors.identity_reveal_list
    output_serializer = RevealOut

    @extend_schema(request=RevealIn, responses={201: RevealOut})
    def create(self, request: Request) -> Response:
        reveal = services.identity_reveal_request(actor=self.membership, **self.validated(RevealIn))
        return self.respond(reveal, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RevealOut})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self.respond(
            services.identity_reveal_decide(actor=self.membership, reveal=self.get_object(), approve=True)
        )

    @extend_schema(request=None, responses={200: RevealOut})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        return self.respond(
            services.identity_reveal_decide(actor=self.membership, reveal=self.get_object(), approve=False)
        )


_Rows = list[dict[str, Any]]


def _payment_list(*, membership: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(case__in=selectors.case_list(membership=membership).values("pk"))


class PaymentViewSet(ReadOnlyScopedViewSet):
    """Payments of visible cases. Businesses see the amounts, never which worker (the field is null)."""

    queryset = Payment.objects.none()
    scope_selector = _payment_list
    output_serializer = PaymentOut

    def respond(self, obj: Any, status: int = 200) -> Response:
        return Response(self._hide_workers([PaymentOut(obj).data])[0], status=status)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["results"] = self._hide_workers(response.data["results"])
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(self.get_object())

    def _hide_workers(self, rows: _Rows) -> _Rows:
        if can(self.membership, Action.VIEW_WHOLE_NETWORK) or self.membership.organisation_kind == OrgKind.CSO:
            return rows
        return [{**row, "worker": None, "group_label": None} for row in rows]

    @extend_schema(request=PaymentVerifyIn, responses={200: PaymentOut})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        payment = services.payment_verify(
            actor=self.membership, payment=self.get_object(), **self.validated(PaymentVerifyIn)
        )
        return self.respond(payment)


def _validation_list(*, membership: Any) -> QuerySet[WorkerValidation]:
    """Validations are the CSO's record of what workers said: the case's owners only."""
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return WorkerValidation.objects.all()
    if membership.organisation_kind == OrgKind.CSO:
        return WorkerValidation.objects.filter(case__cso_id=membership.organisation_id)
    return WorkerValidation.objects.none()


class ValidationViewSet(ReadOnlyScopedViewSet):
    queryset = WorkerValidation.objects.none()
    scope_selector = _validation_list
    output_serializer = ValidationOut


class IssueViewSet(ReadOnlyScopedViewSet):
    queryset = Issue.objects.none()
    scope_selector = staticmethod(
        lambda *, membership: Issue.objects.filter(
            case__in=selectors.case_list(membership=membership).values("pk")
        ).select_related("category")
    )
    output_serializer = IssueOut

    def respond(self, obj: Any, status: int = 200) -> Response:
        owner = selectors.owns_case(self.membership, obj.case)
        return Response(IssueOut(obj, context={**self.get_serializer_context(), "owner": owner}).data, status=status)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(self.get_object())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).select_related("case"))
        rows = [
            IssueOut(
                issue,
                context={**self.get_serializer_context(), "owner": selectors.owns_case(self.membership, issue.case)},
            ).data
            for issue in page or []
        ]
        return self.get_paginated_response(rows)

    @extend_schema(request=RateIn, responses={200: IssueOut})
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str) -> Response:
        issue = services.issue_rate(actor=self.membership, issue=self.get_object(), **self.validated(RateIn))
        return self.respond(issue)


class IssueCategoryViewSet(ReadOnlyScopedViewSet):
    """The issue taxonomy (reference data, the same for everyone); the technical partner adds categories."""

    queryset = IssueCategory.objects.none()
    scope_selector = _categories
    output_serializer = CategoryOut
    pagination_class = None

    @extend_schema(request=CategoryIn, responses={201: CategoryOut})
    def create(self, request: Request) -> Response:
        category = services.category_create(actor=self.membership, **self.validated(CategoryIn))
        return self.respond(category, status=status.HTTP_201_CREATED)


class NotificationViewSet(ReadOnlyScopedViewSet):
    queryset = Notification.objects.none()
    scope_selector = selectors.notification_list
    output_serializer = NotificationOut

    @extend_schema(request=None, responses={200: NotificationOut})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = services.notification_mark_read(actor=self.membership, notification=self.get_object())
        return self.respond(notification)


# --- attachments and exports ----------------------------------------------------------------------

ATTACHMENT_TYPES = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]
EXPORT_TYPES = ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]


class AttachmentOut(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(
        help_text="The original name for the case's owners and the uploader; else the case reference and a number."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "case",
            "name",
            "description",
            "content_type",
            "size",
            "sha256",
            "visible_to_business",
            "created_at",
        ]

    def get_name(self, obj: Attachment) -> str:
        return attachments.download_name(actor=self.context["request"].membership, attachment=obj)


class AttachmentIn(serializers.Serializer):
    case = ScopedPrimaryKey(selectors.case_list)
    file = serializers.FileField(help_text="PDF, JPEG, PNG, WebP, text/CSV, XLSX or DOCX; checked from its bytes.")
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    visible_to_business = serializers.BooleanField(required=False, default=False)


class AttachmentViewSet(ReadOnlyScopedViewSet):
    """Files on cases. Upload with multipart/form-data; download is permission-checked and audited."""

    queryset = Attachment.objects.none()
    scope_selector = selectors.attachment_list
    output_serializer = AttachmentOut
    parser_classes = [MultiPartParser, StrictJSONParser]

    @extend_schema(request={"multipart/form-data": AttachmentIn}, responses={201: AttachmentOut})
    def create(self, request: Request) -> Response:
        data = self.validated(AttachmentIn)
        attachment = attachments.attachment_add(
            actor=self.membership,
            case=data["case"],
            upload=data["file"],
            description=data["description"],
            visible_to_business=data["visible_to_business"],
        )
        return self.respond(attachment, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in ATTACHMENT_TYPES})
    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def download(self, request: Request, pk: str) -> FileResponse:
        handle, content_type, name = attachments.attachment_open(actor=self.membership, attachment=self.get_object())
        return protected_file_response(handle, content_type, name)


class ExportOut(serializers.ModelSerializer):
    class Meta:
        model = CaseExport
        fields = ["id", "format", "filters", "status", "rows_total", "rows_done", "created_at", "finished_at"]


class ExportIn(serializers.Serializer):
    format = serializers.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ExportViewSet(ReadOnlyScopedViewSet):
    """Exports of your case list (what you may see, never identity). Made by the task worker."""

    queryset = CaseExport.objects.none()
    scope_selector = selectors.export_list
    output_serializer = ExportOut

    @extend_schema(request=ExportIn, responses={202: ExportOut})
    def create(self, request: Request) -> Response:
        data = self.validated(ExportIn)
        fmt = data.pop("format")
        job = exports.export_cases(actor=self.membership, fmt=fmt, filters=data, as_job=True)
        return self.respond(job, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in EXPORT_TYPES})
    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def download(self, request: Request, pk: str) -> FileResponse:
        handle, content_type, name = exports.export_open(actor=self.membership, export=self.get_object())
        return protected_file_response(handle, content_type, name)
