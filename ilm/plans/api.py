"""API v1 for action plans: the same selectors and services as the pages.

Country Action Plans are browsable by every partner organisation; Business Action Plans, baselines and
focal points by the technical partner, the business and its buyers (ilm/plans/selectors.py). A row edit
names the version it started from and answers 409 when someone else saved first.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.errors import ErrorSerializer
from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.negotiation import FileDownloadNegotiation
from ilm.api.parsers import StrictJSONParser
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases.api import ATTACHMENT_TYPES, EXPORT_TYPES
from ilm.core.permissions import OrgKind
from ilm.core.uploads import protected_file_response
from ilm.network.models import Country
from ilm.plans import documents, exports, selectors, services
from ilm.plans.models import (
    Activity,
    ActivityType,
    Area,
    Baseline,
    BusinessActionPlan,
    CountryActionPlan,
    FocalPoint,
    FocalPointPurpose,
    IndicatorStatus,
    IndicatorSuggestion,
    IndicatorValue,
    Plan,
    PlanCheckIn,
    PlanKind,
    PlanningStatus,
    PlanRow,
    PolicyDocument,
    ProgressIndicator,
    RowStatus,
)
from ilm.plans.permissions import may_edit_plan

# --- scoped references in input --------------------------------------------------------------------


# --- serializers ------------------------------------------------------------------------------------


class ActivityOut(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True, help_text="In the caller's language.")
    description = serializers.CharField(source="display_description", read_only=True)
    area = serializers.ChoiceField(choices=Area.choices, read_only=True)
    area_abbreviation = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=ActivityType.choices, read_only=True)

    class Meta:
        model = Activity
        fields = ["code", "area", "area_abbreviation", "number", "type", "name", "description"]


class PlanOut(serializers.ModelSerializer):
    country_name = serializers.SerializerMethodField()
    organisation_name = serializers.SerializerMethodField()
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "kind",
            "country",
            "country_name",
            "organisation",
            "organisation_name",
            "year",
            "planning_status",
            "may_edit",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_country_name(self, obj: Plan) -> str | None:
        return str(obj.country) if obj.country_id else None

    def get_organisation_name(self, obj: Plan) -> str | None:
        return obj.organisation.name if obj.organisation_id and obj.organisation else None

    def get_may_edit(self, obj: Plan) -> bool:
        return may_edit_plan(self.context["request"].membership, obj)


class CountryPlanIn(serializers.Serializer):
    country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class BusinessPlanIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(selectors.plan_business_choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class PlanPatch(serializers.Serializer):
    planning_status = serializers.ChoiceField(choices=PlanningStatus.choices)
    version = serializers.IntegerField(required=False, min_value=1)


class OrganisationRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrgKind.choices)


class RowOut(serializers.ModelSerializer):
    activities = serializers.ListField(
        source="activity_codes", child=serializers.CharField(), read_only=True, help_text="Catalogue codes."
    )
    activity_display = serializers.CharField(read_only=True, help_text='Compact, e.g. "ER 2.6-7".')
    organisations = OrganisationRef(many=True, read_only=True)

    class Meta:
        model = PlanRow
        fields = [
            "id",
            "plan",
            "position",
            "activities",
            "activity_display",
            "description",
            "organisations",
            "other_partners",
            "remarks",
            "status",
            "due_quarter",
            "version",
            "created_at",
            "updated_at",
        ]


_ACTIVITIES_HELP = 'Activity codes as written, e.g. ["ER 2.6-7"] or ["2.6", "2.7"].'


class RowIn(serializers.Serializer):
    plan = ScopedPrimaryKey(selectors.plan_list)
    activities = serializers.ListField(
        child=serializers.CharField(max_length=60), allow_empty=False, max_length=30, help_text=_ACTIVITIES_HELP
    )
    description = serializers.CharField(max_length=2000)
    organisations = serializers.ListField(
        child=ScopedPrimaryKey(selectors.row_organisation_choices), required=False, default=list, max_length=50
    )
    other_partners = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    remarks = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=RowStatus.choices, required=False, default=RowStatus.PLANNED)
    due_quarter = serializers.CharField(
        max_length=7, required=False, allow_blank=True, default="", help_text="For example 2026-Q2."
    )


class RowPatch(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you started from (409 if it changed).")
    activities = serializers.ListField(
        child=serializers.CharField(max_length=60), allow_empty=False, max_length=30, required=False
    )
    description = serializers.CharField(max_length=2000, required=False)
    organisations = serializers.ListField(
        child=ScopedPrimaryKey(selectors.row_organisation_choices), required=False, max_length=50
    )
    other_partners = serializers.CharField(max_length=300, required=False, allow_blank=True)
    remarks = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=RowStatus.choices, required=False)
    due_quarter = serializers.CharField(max_length=7, required=False, allow_blank=True)


class RowSnapshotOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    activities = serializers.ListField(source="activity_codes", child=serializers.CharField())
    activity_display = serializers.CharField()
    description = serializers.CharField()
    organisations = OrganisationRef(many=True)
    other_partners = serializers.CharField()
    remarks = serializers.CharField()
    status = serializers.ChoiceField(choices=RowStatus.choices)
    due_quarter = serializers.CharField()
    version = serializers.IntegerField()
    deleted = serializers.BooleanField(help_text="Deleted since that date.")


class CheckInOut(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = PlanCheckIn
        fields = ["id", "plan", "held_on", "participants", "summary", "changes", "recorded_by", "created_at"]

    def get_recorded_by(self, obj: PlanCheckIn) -> str | None:
        return obj.recorded_by.organisation.name if obj.recorded_by else None


class CheckInIn(serializers.Serializer):
    plan = ScopedPrimaryKey(selectors.plan_list)
    held_on = serializers.DateField()
    participants = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=4000)
    changes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class FocalPointOut(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="baseline.organisation_id", read_only=True)

    class Meta:
        model = FocalPoint
        fields = ["id", "baseline", "organisation", "role", "purpose", "name", "email", "phone", "version"]


class BaselineOut(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    policy_links = serializers.ListField(child=serializers.URLField(), read_only=True)
    focal_points = FocalPointOut(many=True, read_only=True)

    class Meta:
        model = Baseline
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "supply_chain",
            "labour_policies",
            "policy_links",
            "grievance_mechanism",
            "other_programmes",
            "focal_points",
            "version",
            "updated_at",
        ]


class _BaselineFields(serializers.Serializer):
    supply_chain = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    labour_policies = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    policy_links = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=20,
        help_text="https:// links to the policy documents.",
    )
    grievance_mechanism = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    other_programmes = serializers.CharField(max_length=8000, required=False, allow_blank=True)


class BaselineIn(_BaselineFields):
    organisation = ScopedPrimaryKey(selectors.baseline_business_list)


class BaselinePatch(_BaselineFields):
    version = serializers.IntegerField(required=False, min_value=1)


class FocalPointIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(selectors.baseline_business_list)
    role = serializers.CharField(max_length=120)
    purpose = serializers.ChoiceField(choices=FocalPointPurpose.choices)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class FocalPointPatch(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
    role = serializers.CharField(max_length=120, required=False)
    purpose = serializers.ChoiceField(choices=FocalPointPurpose.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


# --- filters ----------------------------------------------------------------------------------------


def _rows_matching(**search: Any) -> QuerySet[PlanRow]:
    # Narrows plans that are already scoped: the rows here only pick among them.
    return selectors.search_rows(PlanRow.objects.all(), selectors.RowSearch(**search))


class _PlanFilter(django_filters.FilterSet):
    year = IdFilter(field_name="year")
    q = django_filters.CharFilter(method="filter_rows", max_length=100, help_text="Text in a row or an organisation.")
    activity = django_filters.CharFilter(
        method="filter_rows", max_length=60, help_text='An activity code, range or area: "2.7", "ER 2.6-7", "2".'
    )
    organisation_kind = django_filters.ChoiceFilter(
        method="filter_rows", choices=OrgKind.choices, help_text="A kind of organisation named in a row."
    )

    def filter_rows(self, queryset: QuerySet[Plan], name: str, value: str) -> QuerySet[Plan]:
        return queryset.filter(pk__in=_rows_matching(**{name: value}).values("plan_id"))


class CountryPlanFilter(_PlanFilter):
    country = django_filters.CharFilter(field_name="country_id", max_length=2)

    class Meta:
        model = Plan
        fields = ["country", "year", "planning_status", "q", "activity", "organisation_kind"]


class BusinessPlanFilter(_PlanFilter):
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Plan
        fields = ["organisation", "year", "planning_status", "q", "activity", "organisation_kind"]


class RowFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    plan_kind = django_filters.ChoiceFilter(field_name="plan__kind", choices=PlanKind.choices)
    organisation = IdFilter(
        field_name="organisations__id",
        distinct=True,
        help_text="Rows naming this organisation (e.g. a CSO's workplan).",
    )
    country = django_filters.CharFilter(field_name="plan__country_id", max_length=2)
    year = IdFilter(field_name="plan__year")
    q = django_filters.CharFilter(method="search", max_length=100)
    activity = django_filters.CharFilter(method="search", max_length=60, help_text='"2.7", "ER 2.6-7" or "2".')
    organisation_kind = django_filters.ChoiceFilter(method="search", choices=OrgKind.choices)

    class Meta:
        model = PlanRow
        fields = [
            "plan",
            "plan_kind",
            "country",
            "year",
            "status",
            "organisation",
            "q",
            "activity",
            "organisation_kind",
        ]

    def search(self, queryset: QuerySet[PlanRow], name: str, value: Any) -> QuerySet[PlanRow]:
        return selectors.search_rows(queryset, selectors.RowSearch(**{name: value}))


class CheckInFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="plan_id")

    class Meta:
        model = PlanCheckIn
        fields = ["plan"]


class OrganisationFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Baseline
        fields = ["organisation"]


class PolicyDocumentFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="baseline__organisation_id")

    class Meta:
        model = PolicyDocument
        fields = ["organisation"]


class FocalPointFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="baseline__organisation_id")

    class Meta:
        model = FocalPoint
        fields = ["organisation", "purpose"]


# --- viewsets ---------------------------------------------------------------------------------------


class ActivityViewSet(ReadOnlyScopedViewSet):
    """The activity catalogue (reference data, the same for everyone), names in the caller's language."""

    queryset = Activity.objects.none()
    scope_selector = staticmethod(lambda *, membership: selectors.activity_list())
    output_serializer = ActivityOut
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    pagination_class = None


_FORMAT = OpenApiParameter("format", str, enum=["csv", "xlsx"], description="csv (default) or xlsx")
_AS_OF = OpenApiParameter("date", OpenApiTypes.DATE, description="The day (default today).")


class _PlanViewSet(ReadOnlyScopedViewSet):
    output_serializer = PlanOut

    def safely_get_queryset(self, queryset: QuerySet[Plan]) -> QuerySet[Plan]:
        return queryset.order_by("-year", "id")

    @extend_schema(request=PlanPatch, responses={200: PlanOut}, description="Annual planning status.")
    def partial_update(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        data = self.validated(PlanPatch)
        plan = services.plan_update(
            actor=self.membership,
            plan=plan,
            planning_status=data["planning_status"],
            expected_version=data.get("version"),
        )
        return self.respond(self.reload(plan))

    @extend_schema(
        parameters=[_FORMAT],
        responses={(200, media): OpenApiTypes.BINARY for media in EXPORT_TYPES},
        filters=False,
        description="activity | description | organisation(s) | remarks | status | due quarter",
    )
    @action(
        detail=True,
        methods=["get"],
        content_negotiation_class=FileDownloadNegotiation,
        pagination_class=None,
        filter_backends=[],
    )
    def export(self, request: Request, pk: str) -> HttpResponse:
        plan = self.get_object()
        result = exports.export_plan(actor=self.membership, plan=plan, fmt=request.query_params.get("format", "csv"))
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(parameters=[_AS_OF], responses={200: RowSnapshotOut(many=True)}, filters=False)
    @action(detail=True, methods=["get"], url_path="as-of", pagination_class=None, filter_backends=[])
    def as_of(self, request: Request, pk: str) -> Response:
        """The plan's rows as they stood at the end of a day, deleted rows included (`deleted`)."""
        plan = self.get_object()
        day = _date(request.query_params.get("date"))
        return Response(RowSnapshotOut(selectors.plan_as_of(plan, day), many=True).data)


def _date(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({"date": [_("Enter a date like 2026-06-30.")]}) from None


class CountryActionPlanViewSet(_PlanViewSet):
    """Country Action Plans: every partner organisation browses and searches all countries' plans; the
    technical partner and the CSOs working in the country edit them."""

    queryset = CountryActionPlan.objects.none()
    scope_selector = selectors.country_plan_list
    filterset_class = CountryPlanFilter

    @extend_schema(request=CountryPlanIn, responses={201: PlanOut})
    def create(self, request: Request) -> Response:
        plan = services.plan_create(actor=self.membership, kind=PlanKind.COUNTRY, **self.validated(CountryPlanIn))
        return self.respond(self.reload(plan), status=status.HTTP_201_CREATED)


class BusinessActionPlanViewSet(_PlanViewSet):
    """Business Action Plans: the business and the technical partner edit; the business's buyers read."""

    queryset = BusinessActionPlan.objects.none()
    scope_selector = selectors.business_plan_list
    filterset_class = BusinessPlanFilter

    @extend_schema(request=BusinessPlanIn, responses={201: PlanOut})
    def create(self, request: Request) -> Response:
        plan = services.plan_create(actor=self.membership, kind=PlanKind.BUSINESS, **self.validated(BusinessPlanIn))
        return self.respond(self.reload(plan), status=status.HTTP_201_CREATED)


class PlanRowViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    """Rows of the plans you may read. Search across countries' plans with q, activity and
    organisation_kind (e.g. `?plan_kind=country&activity=2&organisation_kind=recruitment_agency`)."""

    queryset = PlanRow.objects.none()
    scope_selector = selectors.plan_row_list
    output_serializer = RowOut
    filterset_class = RowFilter

    @extend_schema(request=RowIn, responses={201: RowOut})
    def create(self, request: Request) -> Response:
        data = self.validated(RowIn)
        row = services.plan_row_add(actor=self.membership, **data)
        return self.respond(self.reload(row), status=status.HTTP_201_CREATED)

    @extend_schema(request=RowPatch, responses={200: RowOut}, description="409 when the version is not current.")
    def partial_update(self, request: Request, pk: str) -> Response:
        row = self.get_object()
        data = self.validated(RowPatch)
        expected = data.pop("version")
        row = services.plan_row_update(actor=self.membership, row=row, expected_version=expected, **data)
        return self.respond(self.reload(row))

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="The version you saw (409 if it changed).")]
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: PlanRow) -> None:
        version = self.request.query_params.get("version")
        expected = int(version) if version and version.isdigit() else None
        services.plan_row_delete(actor=self.membership, row=instance, expected_version=expected)


class PlanCheckInViewSet(ReadOnlyScopedViewSet):
    queryset = PlanCheckIn.objects.none()
    scope_selector = selectors.plan_checkin_list
    output_serializer = CheckInOut
    filterset_class = CheckInFilter

    @extend_schema(request=CheckInIn, responses={201: CheckInOut})
    def create(self, request: Request) -> Response:
        checkin = services.plan_checkin_record(actor=self.membership, **self.validated(CheckInIn))
        return self.respond(self.reload(checkin), status=status.HTTP_201_CREATED)


class BaselineViewSet(ReadOnlyScopedViewSet):
    """A business's baseline before planning: supply chain, labour policies (links), focal points,
    grievance mechanism, other programmes. Read like the business's plans."""

    queryset = Baseline.objects.none()
    scope_selector = selectors.baseline_list
    output_serializer = BaselineOut
    filterset_class = OrganisationFilter

    @extend_schema(request=BaselineIn, responses={201: BaselineOut}, description="Write a business's baseline.")
    def create(self, request: Request) -> Response:
        data = self.validated(BaselineIn)
        baseline = services.baseline_update(actor=self.membership, organisation=data.pop("organisation"), **data)
        return self.respond(self.reload(baseline), status=status.HTTP_201_CREATED)

    @extend_schema(request=BaselinePatch, responses={200: BaselineOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        baseline = self.get_object()
        data = self.validated(BaselinePatch)
        expected = data.pop("version", None)
        baseline = services.baseline_update(
            actor=self.membership, organisation=baseline.organisation, expected_version=expected, **data
        )
        return self.respond(self.reload(baseline))


class FocalPointViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    queryset = FocalPoint.objects.none()
    scope_selector = selectors.focal_point_list
    output_serializer = FocalPointOut
    filterset_class = FocalPointFilter

    @extend_schema(request=FocalPointIn, responses={201: FocalPointOut})
    def create(self, request: Request) -> Response:
        data = self.validated(FocalPointIn)
        point = services.focal_point_save(actor=self.membership, organisation=data.pop("organisation"), **data)
        return self.respond(self.reload(point), status=status.HTTP_201_CREATED)

    @extend_schema(request=FocalPointPatch, responses={200: FocalPointOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        point = self.get_object()
        data = self.validated(FocalPointPatch)
        expected = data.pop("version", None)
        point = services.focal_point_save(
            actor=self.membership,
            organisation=point.baseline.organisation,
            focal_point=point,
            expected_version=expected,
            **data,
        )
        return self.respond(self.reload(point))

    def perform_destroy(self, instance: FocalPoint) -> None:
        services.focal_point_delete(actor=self.membership, focal_point=instance)


class PolicyDocumentOut(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="baseline.organisation_id", read_only=True)
    name = serializers.SerializerMethodField(help_text="The name the file downloads under.")

    class Meta:
        model = PolicyDocument
        fields = ["id", "baseline", "organisation", "title", "name", "content_type", "size", "sha256", "created_at"]

    def get_name(self, obj: PolicyDocument) -> str:
        return documents.download_name(obj)


class PolicyDocumentIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(selectors.baseline_business_list)
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(help_text="PDF, JPEG, PNG, WebP, text/CSV, XLSX or DOCX; checked from its bytes.")


class PolicyDocumentViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    """Labour-policy files on baselines. Upload with multipart/form-data; download is audited."""

    queryset = PolicyDocument.objects.none()
    scope_selector = selectors.policy_document_list
    output_serializer = PolicyDocumentOut
    filterset_class = PolicyDocumentFilter
    parser_classes = [MultiPartParser, StrictJSONParser]

    @extend_schema(request={"multipart/form-data": PolicyDocumentIn}, responses={201: PolicyDocumentOut})
    def create(self, request: Request) -> Response:
        data = self.validated(PolicyDocumentIn)
        document = documents.policy_document_add(
            actor=self.membership, organisation=data["organisation"], upload=data["file"], title=data["title"]
        )
        return self.respond(self.reload(document), status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, media): OpenApiTypes.BINARY for media in ATTACHMENT_TYPES})
    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def download(self, request: Request, pk: str) -> FileResponse:
        handle, content_type, name = documents.policy_document_open(actor=self.membership, document=self.get_object())
        return protected_file_response(handle, content_type, name)

    def perform_destroy(self, instance: PolicyDocument) -> None:
        documents.policy_document_remove(actor=self.membership, document=instance)


# --- progress indicators ---------------------------------------------------------------------------


class IndicatorValueOut(serializers.ModelSerializer):
    name = serializers.CharField(source="get_indicator_display", read_only=True)
    set_by = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = ["id", "organisation", "indicator", "name", "status", "evidence", "set_by", "set_at", "version"]

    def get_set_by(self, obj: IndicatorValue) -> str | None:
        return obj.set_by.user.get_username() if obj.set_by_id and obj.set_by else None


class IndicatorSetIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(
        selectors.indicator_business_list_for, help_text="A supplier or recruitment agency."
    )
    indicator = serializers.ChoiceField(choices=ProgressIndicator.choices)
    status = serializers.ChoiceField(choices=IndicatorStatus.choices)
    evidence = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        min_value=0, required=False, allow_null=True, default=None, help_text="The version you saw: 0 if none yet."
    )


class IndicatorTrendOut(serializers.Serializer):
    indicator = serializers.CharField()
    when = serializers.DateTimeField()
    status = serializers.CharField()
    evidence = serializers.CharField()


class IndicatorValueFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    indicator = django_filters.ChoiceFilter(choices=ProgressIndicator.choices)
    status = django_filters.ChoiceFilter(choices=IndicatorStatus.choices)
    country = django_filters.CharFilter(field_name="organisation__countries__code", max_length=2, distinct=True)
    industry = django_filters.CharFilter(field_name="organisation__industries__code", max_length=32, distinct=True)

    class Meta:
        model = IndicatorValue
        fields = ["organisation", "indicator", "status", "country", "industry"]


class IndicatorValueViewSet(ReadOnlyScopedViewSet):
    """Progress indicators WV1-WV3, ER1-ER7, WORK1-WORK3 of the suppliers and agencies you may see (a buyer:
    its chain's). Set one with `POST` (the business itself or the technical partner)."""

    queryset = IndicatorValue.objects.none()
    scope_selector = selectors.indicator_value_list
    output_serializer = IndicatorValueOut
    filterset_class = IndicatorValueFilter

    @extend_schema(
        request=IndicatorSetIn,
        responses={200: IndicatorValueOut, 409: ErrorSerializer},
        description="Set (or first set) one indicator. 409 when `version` is not the current one.",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(IndicatorSetIn)
        value = services.indicator_set(
            actor=self.membership,
            organisation=data["organisation"],
            indicator=data["indicator"],
            status=data["status"],
            evidence=data["evidence"],
            expected_version=data["version"],
        )
        return self.respond(self.reload(value))

    @extend_schema(responses={200: IndicatorTrendOut(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def trend(self, request: Request, pk: str) -> Response:
        value = self.get_object()
        points = selectors.indicator_trend(membership=self.membership, organisation=value.organisation).get(
            value.indicator, []
        )
        data = [
            {"indicator": value.indicator, "when": p.when, "status": p.status, "evidence": p.evidence} for p in points
        ]
        return Response(IndicatorTrendOut(data, many=True).data)


class IndicatorSuggestionOut(serializers.ModelSerializer):
    class Meta:
        model = IndicatorSuggestion
        fields = ["id", "organisation", "indicator", "suggested_status", "reason", "status", "created_at", "decided_at"]


class SuggestionAcceptIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=IndicatorStatus.choices, required=False, allow_blank=True, default="", help_text="Default: suggested."
    )
    evidence = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class IndicatorSuggestionFilter(django_filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    status = django_filters.ChoiceFilter(choices=IndicatorSuggestion._meta.get_field("status").choices)

    class Meta:
        model = IndicatorSuggestion
        fields = ["organisation", "status"]


class IndicatorSuggestionViewSet(ReadOnlyScopedViewSet):
    """Updates ILM suggests (e.g. after a completed training), for a person to accept or dismiss."""

    queryset = IndicatorSuggestion.objects.none()
    scope_selector = selectors.indicator_suggestion_list
    output_serializer = IndicatorSuggestionOut
    filterset_class = IndicatorSuggestionFilter

    @extend_schema(request=SuggestionAcceptIn, responses={200: IndicatorValueOut})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        suggestion = self.get_object()
        data = self.validated(SuggestionAcceptIn)
        value = services.suggestion_accept(
            actor=self.membership, suggestion=suggestion, status=data["status"], evidence=data["evidence"]
        )
        return Response(IndicatorValueOut(value).data)

    @extend_schema(request=None, responses={200: IndicatorSuggestionOut})
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str) -> Response:
        suggestion = services.suggestion_dismiss(actor=self.membership, suggestion=self.get_object())
        return self.respond(self.reload(suggestion))
