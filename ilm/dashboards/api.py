"""API v1 for the dashboards: the same tables, rules and services as the pages.

- `GET dashboard-tables/`: the caller's dashboard for a period (`date_from`, `date_to`; by default the
  page's last twelve months) and, for a drill-down, one business (`business`): the tables the page shows,
  read from the same kept copy (ilm/dashboards/selectors.py `kept_dashboard_tables`), so the API, the page
  and its downloads hold the same numbers. The period and the business are checked by the page's own form
  (ilm/dashboards/forms.py `WindowForm`): the same 400s with the same messages; a business the caller may
  not drill into is refused without being named. 403 for kinds without a dashboard
  (ilm/dashboards/permissions.py).
- `quarterly-reports/`: the caller's own quarterly PDF reports (ilm/dashboards/reports.py): list, ask for
  one (queued for the task worker, through `report_request` as the page does), its status and progress,
  and `download/` when it is ready. Someone else's report is not there (404); the technical partner is told
  it is not its own (403), as on the page. Kinds that may not ask for reports get 403 on the list and on
  asking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.errors import ErrorSerializer
from ilm.api.fields import ScopedPrimaryKey
from ilm.api.negotiation import FileDownloadNegotiation
from ilm.api.schema import OneObjectSchema
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.core.errors import ServiceError
from ilm.core.permissions import Action, can
from ilm.core.uploads import protected_file_response
from ilm.dashboards import reports
from ilm.dashboards import selectors as dashboard
from ilm.dashboards.forms import WindowForm
from ilm.dashboards.models import QuarterlyReport, ReportStatus
from ilm.dashboards.permissions import require_dashboard

# --- the dashboard's tables -------------------------------------------------------------------------------


def cell(value: Any) -> Any:
    """A table cell as JSON: a count or a measure stays a number; a score (a Decimal) is a string with its two
    places, as the page and the scores API show it ("3.67"); anything else is the text the page shows (a
    label, "fewer than 5" for a hidden small count, "—" for no score), in the caller's language."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class CellField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return cell(value)


class DashboardTableOut(serializers.Serializer):
    name = serializers.CharField(help_text="Stable: the page's `download=` value, e.g. issues_by_month.")
    title = serializers.CharField(help_text="In your language.")
    columns = serializers.ListField(child=serializers.CharField(), help_text="The column headings, in order.")
    rows = serializers.ListField(
        child=serializers.ListField(child=CellField()),
        help_text=(
            "Each row a list of cells, one per column: the first is the row's label. Counts and measures are "
            'numbers; scores are strings with two decimal places ("3.67"); a count hidden because it is small '
            'is the text the page shows ("fewer than 5", in your language); "—" is no score.'
        ),
    )
    note = serializers.CharField(allow_blank=True, help_text="How to read the table; may be empty.")
    row_keys = serializers.ListField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text=(
            "Per row, when the table has them: the query parameters that narrow the dashboard to what the row "
            'counts, e.g. {"business": 12} (the page links the row to them). Empty otherwise.'
        ),
    )


class DashboardOut(serializers.Serializer):
    date_from = serializers.DateField(help_text="The period's first day (cases opened from then).")
    date_to = serializers.DateField(help_text="The period's last day, included.")
    business = serializers.IntegerField(allow_null=True, help_text="The business drilled into; null for none.")
    tables = DashboardTableOut(many=True, help_text="In the page's order; only those of your dashboard.")


class DashboardTablesViewSet(viewsets.ViewSet):
    """Your dashboard's tables of worker-reported issues, scores and progress, as the dashboard page shows
    them (small counts hidden alike)."""

    schema = OneObjectSchema()

    @extend_schema(
        operation_id="dashboard_tables_retrieve",
        parameters=[
            OpenApiParameter(
                "date_from",
                OpenApiTypes.DATE,
                description="Cases opened on or after this day (default: the first day of the month eleven "
                "months before the end's: twelve calendar months).",
            ),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day (default: today)."),
            OpenApiParameter(
                "business",
                OpenApiTypes.INT,
                description="Narrow the issue tables to one supplier or agency you may drill into (400 otherwise).",
            ),
        ],
        responses={200: DashboardOut, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    def list(self, request: Request) -> Response:
        membership = require_dashboard(request.membership)  # type: ignore[attr-defined]
        form = WindowForm(request.query_params or None, membership=membership)
        if form.is_bound and not form.is_valid():
            raise DjangoValidationError(form.errors.as_data())  # the page's messages, in the caller's language
        window = form.window()
        body = {
            "date_from": window.start,
            "date_to": window.end,
            "business": window.business_id,
            "tables": dashboard.kept_dashboard_tables(membership, window),
        }
        return Response(DashboardOut(body).data)


# --- quarterly reports -----------------------------------------------------------------------------------


class QuarterlyReportOut(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    error = serializers.SerializerMethodField(help_text="When the report failed: what to do, in your language.")

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "quarter",
            "language",
            "status",
            "progress",
            "error",
            "created_at",
            "finished_at",
        ]

    def get_error(self, obj: QuarterlyReport) -> str:
        if obj.status != ReportStatus.FAILED:
            return ""
        return _("The report failed. Try again; if it fails again, tell the technical partner.")


class QuarterlyReportIn(serializers.Serializer):
    organisation = ScopedPrimaryKey(
        reports.reportable_organisations,
        required=False,
        help_text="The technical partner: the buyer, supplier or agency reported on (required). Others report on "
        "their own organisation (the default).",
    )
    quarter = serializers.CharField(max_length=16, help_text="A calendar quarter, e.g. 2026-Q1 (not one to come).")
    language = serializers.ChoiceField(choices=settings.LANGUAGES, help_text="The language the PDF is written in.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        membership = self.context["request"].membership
        if "organisation" not in attrs and can(membership, Action.VIEW_WHOLE_NETWORK):
            raise serializers.ValidationError(
                {"organisation": [self.fields["organisation"].error_messages["required"]]}
            )
        return attrs


class QuarterlyReportViewSet(ReadOnlyScopedViewSet):
    """Your quarterly PDF reports (on your organisation; the technical partner: on any buyer, supplier or
    agency). Made by the task worker; only whoever asked reads or downloads one."""

    queryset = QuarterlyReport.objects.none()
    scope_selector = reports.report_list
    output_serializer = QuarterlyReportOut

    def get_object(self) -> QuarterlyReport:
        try:
            report: QuarterlyReport = super().get_object()
        except Http404:
            reports.refuse_others_report(membership=self.membership, pk=self.kwargs.get(self.lookup_field))
            raise
        return report

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reports.require_reporting(self.membership)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=QuarterlyReportIn, responses={201: QuarterlyReportOut})
    def create(self, request: Request) -> Response:
        reports.require_reporting(self.membership)
        data = self.validated(QuarterlyReportIn)
        report = reports.report_request(
            actor=self.membership,
            organisation=data.get("organisation") or self.membership.organisation,
            quarter=data["quarter"],
            language=data["language"],
        )
        return self.respond(self.reload(report), status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, reports.CONTENT_TYPE): OpenApiTypes.BINARY, 400: ErrorSerializer})
    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def download(self, request: Request, pk: str) -> FileResponse:
        """The PDF, once the report is ready (400 `not_ready` before)."""
        report = self.get_object()
        if report.status != ReportStatus.DONE or not report.file:
            raise ServiceError(_("This report is not ready yet."), code="not_ready")
        try:
            handle, content_type, name = reports.report_open(actor=self.membership, report=report)
        except FileNotFoundError:
            raise Http404 from None
        return protected_file_response(handle, content_type, name)


def register(router: BaseRouter) -> None:
    """Add the dashboards' endpoints to the v1 router."""
    router.register("dashboard-tables", DashboardTablesViewSet, basename="dashboard-table")
    router.register("quarterly-reports", QuarterlyReportViewSet, basename="quarterly-report")
