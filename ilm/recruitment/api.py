"""API v1 for recruitment fee surveys and repayment: the same selectors and services as the pages.

- fee-surveys: the surveying CSO, the technical partner, the surveyed supplier (404 for everyone else).
- fee-survey-responses: the same readers; a response shows its pseudonym ("Worker 7"), never the name.
  `POST .../identity/` gives the name to those allowed (the surveying organisation's identity roles and the
  technical partner), each call audited; `POST .../eligibility/` overrides a line's eligibility.
- repayments: recorded by the surveyed supplier or the surveying organisation; `POST .../verify/` records the
  worker's verification (surveying organisation only).
- repayment-totals: owed vs repaid per business and currency (buyers included, for their chain), never a
  sum across currencies.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases.selectors import worker_list
from ilm.network.models import Country, Gender
from ilm.recruitment import permissions, selectors, services
from ilm.recruitment.models import (
    Employment,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    FeeType,
    PaidTo,
    Repayment,
    RepaymentMethod,
    VerificationMethod,
)


@extend_schema_field(OpenApiTypes.INT)
class _Scoped(serializers.PrimaryKeyRelatedField):
    """An id the acting membership can see (otherwise it reads as 'does not exist')."""

    def __init__(self, selector: Any, **kwargs: Any) -> None:
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return self.selector(membership=self.context["request"].membership)


# --- serializers ----------------------------------------------------------------------------------------


class ReachOut(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices)
    nationality = serializers.CharField(source="nationality_id")
    count = serializers.IntegerField()


class ReachIn(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices)
    nationality = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    count = serializers.IntegerField(min_value=0, max_value=1_000_000)


class FeeSurveyOut(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    surveyor_name = serializers.CharField(source="surveyor.name", read_only=True)
    reach = ReachOut(many=True, read_only=True)
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FeeSurvey
        fields = [
            "id",
            "site",
            "site_name",
            "supplier",
            "supplier_name",
            "surveyor",
            "surveyor_name",
            "surveyed_on",
            "reach",
            "response_count",
            "created_at",
        ]


class FeeSurveyIn(serializers.Serializer):
    site = _Scoped(selectors.surveyable_sites)
    surveyed_on = serializers.DateField()
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    reach = ReachIn(many=True, required=False, default=list)


class FeeLineOut(serializers.ModelSerializer):
    fee_type = serializers.ChoiceField(choices=FeeType.choices)
    paid_to = serializers.ChoiceField(choices=PaidTo.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = FeeLine
        fields = [
            "id",
            "fee_type",
            "amount",
            "currency",
            "paid_to",
            "paid_on",
            "eligible",
            "eligibility_reason",
            "overridden",
        ]


class FeeLineIn(serializers.Serializer):
    """Checked by the service (ilm/recruitment/services.py `clean_fee_line`): errors name the line."""

    fee_type = serializers.CharField(max_length=24)
    amount = serializers.CharField(max_length=24, help_text="Greater than zero, at most two decimals.")
    currency = serializers.CharField(max_length=8, help_text="ISO 4217, e.g. THB, MMK.")
    paid_to = serializers.CharField(max_length=24)
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


class ResponseOut(serializers.ModelSerializer):
    pseudonym = serializers.CharField(read_only=True)
    employment = serializers.ChoiceField(choices=Employment.choices)
    lines = FeeLineOut(many=True, read_only=True)
    is_eligible = serializers.BooleanField(read_only=True, help_text="At least one line is eligible.")
    is_reimbursed = serializers.SerializerMethodField(
        help_text="Eligible, and in every currency owed the worker verified repayments of at least the amount."
    )

    class Meta:
        model = FeeSurveyResponse
        fields = [
            "id",
            "survey",
            "number",
            "pseudonym",
            "employment",
            "repayment_due_by",
            "repayment_plan",
            "lines",
            "is_eligible",
            "is_reimbursed",
            "created_at",
        ]

    def get_is_reimbursed(self, obj: Any) -> bool:
        return bool(getattr(obj, "is_eligible", False) and not getattr(obj, "has_shortfall", True))


class ResponseIn(serializers.Serializer):
    survey = _Scoped(selectors.survey_list)
    worker = _Scoped(worker_list, required=False, allow_null=True, default=None, help_text="A worker already recorded.")
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.OTHER)
    nationality = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True, default=None
    )
    employment = serializers.ChoiceField(choices=Employment.choices, required=False, default=Employment.CURRENT)
    repayment_due_by = serializers.DateField(required=False, allow_null=True, default=None)
    repayment_plan = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lines = FeeLineIn(many=True, allow_empty=False)


class ResponsePatch(serializers.Serializer):
    employment = serializers.ChoiceField(choices=Employment.choices, required=False)
    repayment_due_by = serializers.DateField(required=False, allow_null=True)
    repayment_plan = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    lines = FeeLineIn(many=True, allow_empty=False, required=False)


class OverrideIn(serializers.Serializer):
    line = serializers.IntegerField(help_text="A fee line of this response.")
    eligible = serializers.BooleanField()
    reason = serializers.CharField(max_length=300)


class WorkerNameOut(serializers.Serializer):
    full_name = serializers.CharField()


class RepaymentOut(serializers.ModelSerializer):
    method = serializers.ChoiceField(choices=RepaymentMethod.choices)
    verified_how = serializers.ChoiceField(choices=VerificationMethod.choices, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    verified = serializers.BooleanField(source="is_verified", read_only=True)

    class Meta:
        model = Repayment
        fields = [
            "id",
            "response",
            "currency",
            "amount",
            "paid_on",
            "method",
            "case_payment",
            "recorded_by_organisation",
            "recorded_at",
            "verified",
            "verified_at",
            "verified_how",
        ]


class RepaymentIn(serializers.Serializer):
    response = _Scoped(selectors.response_list)
    currency = serializers.CharField(max_length=8)
    amount = serializers.CharField(max_length=24)
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=RepaymentMethod.choices)


class VerifyIn(serializers.Serializer):
    how = serializers.ChoiceField(choices=VerificationMethod.choices)


class CurrencyTotalOut(serializers.Serializer):
    currency = serializers.CharField()
    owed = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    repaid = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    repaid_verified = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    outstanding = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)


class BusinessTotalsOut(serializers.Serializer):
    business = serializers.IntegerField()
    totals = CurrencyTotalOut(many=True)


# --- filters --------------------------------------------------------------------------------------------


class ResponseFilter(django_filters.FilterSet):
    survey = IdFilter(field_name="survey_id")

    class Meta:
        model = FeeSurveyResponse
        fields = ["survey", "employment"]


class RepaymentFilter(django_filters.FilterSet):
    response = IdFilter(field_name="response_id")
    survey = IdFilter(field_name="response__survey_id")

    class Meta:
        model = Repayment
        fields = ["response", "survey", "currency"]


class SurveyFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id")
    supplier = IdFilter(field_name="supplier_id")

    class Meta:
        model = FeeSurvey
        fields = ["site", "supplier"]


# --- viewsets -------------------------------------------------------------------------------------------


class FeeSurveyViewSet(ReadOnlyScopedViewSet):
    """Recruitment fee surveys at supplier sites."""

    queryset = FeeSurvey.objects.none()
    scope_selector = selectors.survey_list
    output_serializer = FeeSurveyOut
    filterset_class = SurveyFilter

    def safely_get_queryset(self, queryset: QuerySet[FeeSurvey]) -> QuerySet[FeeSurvey]:
        return queryset.annotate(response_count=Count("responses")).prefetch_related("reach").order_by("-id")

    @extend_schema(request=FeeSurveyIn, responses={201: FeeSurveyOut})
    def create(self, request: Request) -> Response:
        data = self.validated(FeeSurveyIn)
        reach = [dict(cell) for cell in data.pop("reach")]
        survey = services.survey_create(actor=self.membership, reach=reach, **data)
        return self.respond(self.reload(survey), status=status.HTTP_201_CREATED)


class FeeSurveyResponseViewSet(ReadOnlyScopedViewSet):
    """One worker's fees and costs in one survey, by pseudonym; eligibility per line."""

    queryset = FeeSurveyResponse.objects.none()
    scope_selector = selectors.response_list
    output_serializer = ResponseOut
    filterset_class = ResponseFilter

    def safely_get_queryset(self, queryset: QuerySet[FeeSurveyResponse]) -> QuerySet[FeeSurveyResponse]:
        return selectors.with_repayment_status(
            queryset.prefetch_related(Prefetch("lines", queryset=FeeLine.objects.order_by("id")))
        ).order_by("-id")

    @extend_schema(request=ResponseIn, responses={201: ResponseOut})
    def create(self, request: Request) -> Response:
        data = self.validated(ResponseIn)
        new_worker = None
        if data["worker"] is None:
            new_worker = {k: data[k] for k in ("full_name", "gender", "nationality")}
        response = services.response_save(
            actor=self.membership,
            survey=data["survey"],
            worker=data["worker"],
            new_worker=new_worker,
            employment=data["employment"],
            repayment_due_by=data["repayment_due_by"],
            repayment_plan=data["repayment_plan"],
            lines=[dict(line) for line in data["lines"]],
        )
        return self.respond(self.reload(response), status=status.HTTP_201_CREATED)

    @extend_schema(request=ResponsePatch, responses={200: ResponseOut}, description="Lines given replace all lines.")
    def partial_update(self, request: Request, pk: str) -> Response:
        response = self.get_object()
        data = self.validated(ResponsePatch, partial=True)
        lines = data.get("lines")
        current = [
            {k: getattr(line, k) for k in ("id", "fee_type", "amount", "currency", "paid_to", "paid_on")}
            for line in response.lines.all()
        ]
        saved = services.response_save(
            actor=self.membership,
            survey=response.survey,
            response=response,
            employment=data.get("employment", response.employment),
            repayment_due_by=data.get("repayment_due_by", response.repayment_due_by),
            repayment_plan=data.get("repayment_plan", response.repayment_plan),
            lines=[dict(line) for line in lines] if lines is not None else current,
        )
        return self.respond(self.reload(saved))

    @extend_schema(request=None, responses={200: WorkerNameOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def identity(self, request: Request, pk: str) -> Response:
        """The worker's name, for the surveying organisation's identity roles and the technical partner.
        Every call is recorded in the audit log."""
        response = self.get_object()
        names = services.response_identities(actor=self.membership, responses=[response], purpose="fee_survey_api")
        if response.pk not in names:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        return Response(WorkerNameOut({"full_name": names[response.pk]}).data)

    @extend_schema(request=OverrideIn, responses={200: ResponseOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def eligibility(self, request: Request, pk: str) -> Response:
        """A person decides a fee line's eligibility, with a reason (audited)."""
        response = self.get_object()
        data = self.validated(OverrideIn)
        line = response.lines.filter(pk=data["line"]).first()
        if line is None:
            raise serializers.ValidationError({"line": ["Choose a fee line of this response."]})
        services.line_override(actor=self.membership, line=line, eligible=data["eligible"], reason=data["reason"])
        return self.respond(self.reload(response))


class RepaymentViewSet(ReadOnlyScopedViewSet):
    """Repayments to workers, each waiting for (or carrying) the worker's verification."""

    queryset = Repayment.objects.none()
    scope_selector = selectors.repayment_list
    output_serializer = RepaymentOut
    filterset_class = RepaymentFilter

    def safely_get_queryset(self, queryset: QuerySet[Repayment]) -> QuerySet[Repayment]:
        return queryset.order_by("-id")

    @extend_schema(request=RepaymentIn, responses={201: RepaymentOut})
    def create(self, request: Request) -> Response:
        data = self.validated(RepaymentIn)
        repayment = services.repayment_record(actor=self.membership, **data)
        return self.respond(self.reload(repayment), status=status.HTTP_201_CREATED)

    @extend_schema(request=VerifyIn, responses={200: RepaymentOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def verify(self, request: Request, pk: str) -> Response:
        """The worker confirmed receiving it (recorded by the surveying organisation)."""
        repayment = self.get_object()
        data = self.validated(VerifyIn)
        if not permissions.may_verify_repayment(self.membership, repayment.response.survey):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied
        services.repayment_verify(actor=self.membership, repayment=repayment, how=data["how"])
        return self.respond(self.reload(repayment))


class RepaymentTotalsViewSet(viewsets.ViewSet):
    """Owed vs repaid per business and currency (impact indicator 5): each currency on its own row."""

    @extend_schema(
        parameters=[OpenApiParameter("business", int, description="Only this business (if you may read it).")],
        responses={200: BusinessTotalsOut(many=True)},
    )
    def list(self, request: Request) -> Response:
        membership = request.membership  # type: ignore[attr-defined]
        by_business = selectors.totals_by_business(membership=membership)
        wanted = request.query_params.get("business")
        if wanted is not None:
            if not wanted.isdigit():
                raise serializers.ValidationError({"business": ["Enter a whole number."]})
            by_business = {k: v for k, v in by_business.items() if k == int(wanted)}
        rows = [{"business": business, "totals": totals} for business, totals in by_business.items()]
        return Response(BusinessTotalsOut(rows, many=True).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("fee-surveys", FeeSurveyViewSet, basename="fee-survey")
    router.register("fee-survey-responses", FeeSurveyResponseViewSet, basename="fee-survey-response")
    router.register("repayments", RepaymentViewSet, basename="repayment")
    router.register("repayment-totals", RepaymentTotalsViewSet, basename="repayment-totals")
