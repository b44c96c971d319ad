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
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases.selectors import worker_list
from ilm.network.models import Country, Gender, Organisation
from ilm.recruitment import permissions, selectors, services
from ilm.recruitment.models import (
    BrokerReport,
    BrokerReportStatus,
    Employment,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    FeeType,
    Intervention,
    NetworkMember,
    NetworkRole,
    OutreachEvent,
    PaidTo,
    PolicyKind,
    RecruitmentNetwork,
    Referral,
    ReferralOutcome,
    ReferralService,
    Repayment,
    RepaymentMethod,
    RepaymentPolicy,
    ReportingMechanism,
    VerificationMethod,
)

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
    site = ScopedPrimaryKey(selectors.surveyable_sites)
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
    survey = ScopedPrimaryKey(selectors.survey_list)
    worker = ScopedPrimaryKey(
        worker_list, required=False, allow_null=True, default=None, help_text="A worker already recorded."
    )
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
    response = ScopedPrimaryKey(selectors.response_list)
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


class RepaymentPolicyOut(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.ChoiceField(choices=PolicyKind.choices, read_only=True)
    fee_types = serializers.ListField(
        child=serializers.ChoiceField(choices=FeeType.choices),
        read_only=True,
        help_text="The fee types repaid under a `listed_types` policy (empty when the employer pays all).",
    )

    class Meta:
        model = RepaymentPolicy
        fields = ["id", "organisation", "organisation_name", "kind", "fee_types", "notes", "version", "updated_at"]


class RepaymentPolicyIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(selectors.policy_business_list, help_text="The supplier (employer).")
    kind = serializers.ChoiceField(choices=PolicyKind.choices)
    fee_types = serializers.ListField(
        child=serializers.ChoiceField(choices=FeeType.choices), required=False, default=list
    )
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RepaymentPolicyViewSet(ReadOnlyScopedViewSet):
    """Suppliers' repayment policies (employer pays, or the fee types it repays). Setting one re-applies it to
    the supplier's fee-survey lines (a person's overrides stay): the supplier's administrators and the
    technical partner set it; the CSOs that surveyed the supplier read it."""

    queryset = RepaymentPolicy.objects.none()
    scope_selector = selectors.policy_list
    output_serializer = RepaymentPolicyOut

    def safely_get_queryset(self, queryset: QuerySet[RepaymentPolicy]) -> QuerySet[RepaymentPolicy]:
        return queryset.order_by("organisation__name")

    @extend_schema(request=RepaymentPolicyIn, responses={200: RepaymentPolicyOut})
    def create(self, request: Request) -> Response:
        """Set (create or replace) a supplier's policy."""
        data = self.validated(RepaymentPolicyIn)
        policy = services.policy_set(actor=self.membership, **data)
        return self.respond(self.reload(policy))


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


# --- Ethical Recruitment Networks ----------------------------------------------------------------------------
#
# recruitment-networks, network-members, broker-reports, outreach-events, referrals: read by the network's
# active members and the technical partner only (404 for everyone else). Lists of broker reports never carry
# the broker's name; a report's detail does, and each such read is audited (`recruitment.broker_viewed`).


class NetworkOut(serializers.ModelSerializer):
    origin_country = serializers.CharField(source="origin_country_id", read_only=True)

    class Meta:
        model = RecruitmentNetwork
        fields = ["id", "origin_country", "name", "description", "is_active", "created_at", "version"]


class NetworkIn(serializers.Serializer):
    origin_country = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class NetworkPatch(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class MoneyOut(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)


class NetworkTotalsOut(serializers.Serializer):
    events = serializers.IntegerField()
    reached = serializers.DictField(child=serializers.IntegerField(), help_text="Jobseekers reached per gender.")
    reached_total = serializers.IntegerField()
    brokers_reported = serializers.IntegerField()
    jobseekers_charged = serializers.IntegerField()
    jobseekers_repaid = serializers.IntegerField()
    referred_to_mechanism = serializers.IntegerField()
    fees_charged = MoneyOut(many=True, help_text="Per currency, never summed across currencies.")
    fees_repaid = MoneyOut(many=True, help_text="Per currency, never summed across currencies.")
    referrals = serializers.DictField(child=serializers.IntegerField(), help_text="Referrals per outcome.")


class MemberOut(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisation_kind = serializers.CharField(source="organisation.kind", read_only=True)
    network_role = serializers.ChoiceField(source="role", choices=NetworkRole.choices)

    class Meta:
        model = NetworkMember
        fields = [
            "id",
            "network",
            "organisation",
            "organisation_name",
            "organisation_kind",
            "network_role",
            "joined_on",
            "left_on",
        ]


class MemberIn(serializers.Serializer):
    network = ScopedPrimaryKey(selectors.network_list)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    network_role = serializers.ChoiceField(choices=NetworkRole.choices, required=False, default=NetworkRole.MEMBER)
    joined_on = serializers.DateField(required=False, allow_null=True, default=None)


class MemberPatch(serializers.Serializer):
    network_role = serializers.ChoiceField(choices=NetworkRole.choices, required=False)
    left_on = serializers.DateField(required=False, allow_null=True)


_BROKER_OUT_FIELDS = [
    "id",
    "network",
    "reported_by",
    "reported_by_name",
    "area",
    "fee_amount",
    "fee_currency",
    "fee_for",
    "jobseekers_charged",
    "reported_on",
    "intervention",
    "intervention_notes",
    "repaid_amount",
    "repaid_currency",
    "jobseekers_repaid",
    "referred_to",
    "referred_on",
    "referral_reference",
    "status",
    "created_at",
    "version",
]


class BrokerReportOut(serializers.ModelSerializer):
    """A broker report without the broker's name (lists)."""

    reported_by_name = serializers.CharField(source="reported_by.name", read_only=True)
    fee_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, allow_null=True)
    repaid_amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, allow_null=True)
    intervention = serializers.ChoiceField(choices=Intervention.choices)
    referred_to = serializers.ChoiceField(choices=ReportingMechanism.choices, allow_blank=True)
    status = serializers.ChoiceField(choices=BrokerReportStatus.choices)

    class Meta:
        model = BrokerReport
        fields = _BROKER_OUT_FIELDS


class BrokerReportDetailOut(BrokerReportOut):
    """One broker report with the broker's name: every read is recorded in the audit log."""

    broker_name = serializers.CharField(read_only=True)

    class Meta:
        model = BrokerReport
        fields = [*_BROKER_OUT_FIELDS, "broker_name"]


class BrokerReportIn(serializers.Serializer):
    """Checked by the service (ilm/recruitment/services.py `clean_broker_report`)."""

    network = ScopedPrimaryKey(selectors.network_list)
    broker_name = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=200)
    reported_on = serializers.DateField()
    fee_amount = serializers.CharField(
        max_length=24, required=False, allow_blank=True, allow_null=True, default=None, help_text="Greater than 0."
    )
    fee_currency = serializers.CharField(
        max_length=8, required=False, allow_blank=True, default="", help_text="ISO 4217, e.g. MMK."
    )
    fee_for = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    jobseekers_charged = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    intervention = serializers.ChoiceField(choices=Intervention.choices, required=False, default=Intervention.NONE_YET)
    intervention_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    repaid_amount = serializers.CharField(
        max_length=24, required=False, allow_blank=True, allow_null=True, default=None
    )
    repaid_currency = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    jobseekers_repaid = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    referred_to = serializers.ChoiceField(
        choices=ReportingMechanism.choices, required=False, allow_blank=True, default=""
    )
    referred_on = serializers.DateField(required=False, allow_null=True, default=None)
    referral_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=BrokerReportStatus.choices, required=False, default=BrokerReportStatus.OPEN
    )


class BrokerReportPatch(BrokerReportIn):
    network = None  # type: ignore[assignment]


class OutreachReachOut(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices)
    count = serializers.IntegerField()


class OutreachReachIn(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices)
    count = serializers.IntegerField(min_value=0, max_value=1_000_000)


class OutreachEventOut(serializers.ModelSerializer):
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    reach = OutreachReachOut(many=True, read_only=True)

    class Meta:
        model = OutreachEvent
        fields = [
            "id",
            "network",
            "organiser",
            "organiser_name",
            "held_on",
            "place",
            "topic",
            "language",
            "materials",
            "reach",
            "created_at",
            "version",
        ]


class OutreachEventIn(serializers.Serializer):
    network = ScopedPrimaryKey(selectors.network_list)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=200)
    language = serializers.CharField(max_length=8, help_text="A language code, e.g. my, km, ne.")
    materials = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    reach = OutreachReachIn(many=True, help_text="Jobseekers reached, one row per gender.")


class OutreachEventPatch(OutreachEventIn):
    network = None  # type: ignore[assignment]


class ReferralOut(serializers.ModelSerializer):
    referred_by_name = serializers.CharField(source="referred_by.name", read_only=True)
    service = serializers.ChoiceField(choices=ReferralService.choices)
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices)

    class Meta:
        model = Referral
        fields = [
            "id",
            "network",
            "referred_by",
            "referred_by_name",
            "service",
            "service_name",
            "referred_on",
            "outcome",
            "outcome_note",
            "worker",
            "created_at",
            "version",
        ]


class ReferralIn(serializers.Serializer):
    network = ScopedPrimaryKey(selectors.network_list)
    service = serializers.ChoiceField(choices=ReferralService.choices)
    service_name = serializers.CharField(max_length=200)
    referred_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices, required=False, default=ReferralOutcome.PENDING)
    outcome_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    worker = ScopedPrimaryKey(
        selectors.referral_workers,
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional: a worker your CSO recorded (never a name here).",
    )


class ReferralPatch(ReferralIn):
    network = None  # type: ignore[assignment]


class ErnFilter(django_filters.FilterSet):
    """`network`, and `date_from`/`date_to` on the object's own date."""

    network = IdFilter(field_name="network_id")
    date_from = django_filters.DateFilter(method="filter_from")
    date_to = django_filters.DateFilter(method="filter_to")
    date_field = ""

    def filter_from(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_to(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(**{f"{self.date_field}__lte": value})


class BrokerReportFilter(ErnFilter):
    date_field = "reported_on"

    class Meta:
        model = BrokerReport
        fields = ["network", "status", "date_from", "date_to"]


class OutreachEventFilter(ErnFilter):
    date_field = "held_on"

    class Meta:
        model = OutreachEvent
        fields = ["network", "language", "date_from", "date_to"]


class ReferralFilter(ErnFilter):
    date_field = "referred_on"

    class Meta:
        model = Referral
        fields = ["network", "service", "outcome", "date_from", "date_to"]


class MemberFilter(django_filters.FilterSet):
    network = IdFilter(field_name="network_id")
    network_role = django_filters.ChoiceFilter(field_name="role", choices=NetworkRole.choices)

    class Meta:
        model = NetworkMember
        fields = ["network", "network_role"]


class NetworkFilter(django_filters.FilterSet):
    class Meta:
        model = RecruitmentNetwork
        fields = ["origin_country", "is_active"]


class RecruitmentNetworkViewSet(ReadOnlyScopedViewSet):
    """Ethical Recruitment Networks (one per origin country): their members and the technical partner."""

    queryset = RecruitmentNetwork.objects.none()
    scope_selector = selectors.network_list
    output_serializer = NetworkOut
    filterset_class = NetworkFilter

    def safely_get_queryset(self, queryset: QuerySet[RecruitmentNetwork]) -> QuerySet[RecruitmentNetwork]:
        return queryset.order_by("id")

    @extend_schema(request=NetworkIn, responses={201: NetworkOut})
    def create(self, request: Request) -> Response:
        network = services.network_create(actor=self.membership, **self.validated(NetworkIn))
        return self.respond(self.reload(network), status=status.HTTP_201_CREATED)

    @extend_schema(request=NetworkPatch, responses={200: NetworkOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        network = self.get_object()
        data = self.validated(NetworkPatch, partial=True)
        saved = services.network_update(
            actor=self.membership,
            network=network,
            name=data.get("name", network.name),
            description=data.get("description", network.description),
            is_active=data.get("is_active", network.is_active),
        )
        return self.respond(self.reload(saved))

    @extend_schema(request=None, responses={200: NetworkTotalsOut}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def totals(self, request: Request, pk: str) -> Response:
        """Events, jobseekers reached by gender, brokers reported, fees charged and paid back per currency."""
        totals = selectors.network_totals(self.get_object())
        return Response(NetworkTotalsOut(totals).data)


class NetworkMemberViewSet(ReadOnlyScopedViewSet):
    """Members of the networks you read; the technical partner adds them and records when they leave."""

    queryset = NetworkMember.objects.none()
    scope_selector = selectors.network_member_list
    output_serializer = MemberOut
    filterset_class = MemberFilter

    def safely_get_queryset(self, queryset: QuerySet[NetworkMember]) -> QuerySet[NetworkMember]:
        return queryset.order_by("id")

    @extend_schema(request=MemberIn, responses={201: MemberOut})
    def create(self, request: Request) -> Response:
        data = self.validated(MemberIn)
        data["role"] = data.pop("network_role")
        member = services.member_add(actor=self.membership, **data)
        return self.respond(self.reload(member), status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberPatch, responses={200: MemberOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        data = self.validated(MemberPatch, partial=True)
        saved = services.member_change(
            actor=self.membership,
            member=member,
            role=data.get("network_role", member.role),
            left_on=data.get("left_on", member.left_on),
        )
        return self.respond(self.reload(saved))


def _patched(serializer_data: dict[str, Any], obj: Any, fields: Any) -> dict[str, Any]:
    """A partial update: the fields given over the object's current values."""
    return {field: serializer_data.get(field, getattr(obj, field)) for field in fields}


class BrokerReportViewSet(ReadOnlyScopedViewSet):
    """Informal brokers reported by a network's members. Lists leave the broker's name out; reading one
    report gives it and is recorded in the audit log."""

    queryset = BrokerReport.objects.none()
    scope_selector = selectors.broker_report_list
    output_serializer = BrokerReportOut
    filterset_class = BrokerReportFilter

    def safely_get_queryset(self, queryset: QuerySet[BrokerReport]) -> QuerySet[BrokerReport]:
        return queryset.order_by("-reported_on", "-id")

    def _detail(self, report: BrokerReport, status_code: int = 200) -> Response:
        report.broker_name = services.broker_report_view(actor=self.membership, report=report, purpose="api")
        return Response(BrokerReportDetailOut(report, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(responses={200: BrokerReportDetailOut})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self.get_object())

    @extend_schema(request=BrokerReportIn, responses={201: BrokerReportDetailOut})
    def create(self, request: Request) -> Response:
        data = self.validated(BrokerReportIn)
        report = services.broker_report_create(actor=self.membership, **data)
        return self._detail(self.reload(report), status.HTTP_201_CREATED)

    @extend_schema(request=BrokerReportPatch, responses={200: BrokerReportDetailOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        data = self.validated(BrokerReportPatch, partial=True)
        saved = services.broker_report_update(
            actor=self.membership, report=report, **_patched(data, report, services.BROKER_FIELDS)
        )
        return self._detail(self.reload(saved))


class OutreachEventViewSet(ReadOnlyScopedViewSet):
    """Education and empowerment events for jobseekers (activity 1.6), with jobseekers reached by gender."""

    queryset = OutreachEvent.objects.none()
    scope_selector = selectors.outreach_event_list
    output_serializer = OutreachEventOut
    filterset_class = OutreachEventFilter

    def safely_get_queryset(self, queryset: QuerySet[OutreachEvent]) -> QuerySet[OutreachEvent]:
        return queryset.order_by("-held_on", "-id")

    @staticmethod
    def _reach(rows: Any) -> dict[str, int]:
        reach: dict[str, int] = {}
        for row in rows:
            if row["gender"] in reach:
                raise serializers.ValidationError({"reach": [_("The same gender appears twice.")]})
            reach[row["gender"]] = row["count"]
        return reach

    @extend_schema(request=OutreachEventIn, responses={201: OutreachEventOut})
    def create(self, request: Request) -> Response:
        data = self.validated(OutreachEventIn)
        data["reach"] = self._reach(data["reach"])
        event = services.outreach_event_create(actor=self.membership, **data)
        return self.respond(self.reload(event), status=status.HTTP_201_CREATED)

    @extend_schema(request=OutreachEventPatch, responses={200: OutreachEventOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        event = self.get_object()
        data = self.validated(OutreachEventPatch, partial=True)
        values = _patched(data, event, ("held_on", "place", "topic", "language", "materials"))
        if "reach" in data:
            values["reach"] = self._reach(data["reach"])
        else:
            values["reach"] = {cell.gender: cell.count for cell in event.reach.all()}
        saved = services.outreach_event_update(actor=self.membership, event=event, **values)
        return self.respond(self.reload(saved))


class ReferralViewSet(ReadOnlyScopedViewSet):
    """Non-monetary referrals of jobseekers (legal aid, health, shelter, documents, financial), with outcome."""

    queryset = Referral.objects.none()
    scope_selector = selectors.referral_list
    output_serializer = ReferralOut
    filterset_class = ReferralFilter

    def safely_get_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        return queryset.order_by("-referred_on", "-id")

    @extend_schema(request=ReferralIn, responses={201: ReferralOut})
    def create(self, request: Request) -> Response:
        referral = services.referral_create(actor=self.membership, **self.validated(ReferralIn))
        return self.respond(self.reload(referral), status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferralPatch, responses={200: ReferralOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        referral = self.get_object()
        data = self.validated(ReferralPatch, partial=True)
        values = _patched(
            data, referral, ("service", "service_name", "referred_on", "outcome", "outcome_note", "worker")
        )
        saved = services.referral_update(actor=self.membership, referral=referral, **values)
        return self.respond(self.reload(saved))


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("repayment-policies", RepaymentPolicyViewSet, basename="repayment-policy")
    router.register("fee-surveys", FeeSurveyViewSet, basename="fee-survey")
    router.register("fee-survey-responses", FeeSurveyResponseViewSet, basename="fee-survey-response")
    router.register("repayments", RepaymentViewSet, basename="repayment")
    router.register("repayment-totals", RepaymentTotalsViewSet, basename="repayment-totals")
    router.register("recruitment-networks", RecruitmentNetworkViewSet, basename="recruitment-network")
    router.register("network-members", NetworkMemberViewSet, basename="network-member")
    router.register("broker-reports", BrokerReportViewSet, basename="broker-report")
    router.register("outreach-events", OutreachEventViewSet, basename="outreach-event")
    router.register("referrals", ReferralViewSet, basename="referral")
