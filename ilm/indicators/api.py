"""API of the Ethical Performance Scores and indicators: the same selectors and services as the pages.

- eps-assessments: list and retrieve for whoever reads them (ilm/indicators/selectors.py: the technical
  partner all, a business its own published ones, a buyer its chain's published ones; 404 for everyone
  else); create, `PATCH` (scores, overall comment) and `POST .../publish/` for the technical partner's
  assessors. Scores are nested; axis scores are computed when read (mean excluding n/a; null when all
  n/a). ILM's suggestion behind an accepted score is shown to the technical partner only.
- `GET eps-assessments/{id}/suggestions/`: ILM's suggested scores for the assessment's business and
  quarter, with their explanation (assessors only).
"""

from __future__ import annotations

import importlib
from typing import Any

import django_filters
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.indicators import permissions, selectors, services
from ilm.indicators.models import (
    Assessment,
    AssessmentStatus,
    Axis,
    Score,
    SubIndicator,
)
from ilm.indicators.suggestions import suggestions_for

# --- serializers ----------------------------------------------------------------------------------------


class ScoreOut(serializers.ModelSerializer):
    sub_indicator = serializers.ChoiceField(choices=SubIndicator.choices)
    axis = serializers.ChoiceField(choices=Axis.choices, read_only=True)
    value = serializers.IntegerField(allow_null=True, help_text="1 (poor) to 5 (excellent); null is n/a.")
    suggested_value = serializers.SerializerMethodField(help_text="The technical partner only.")
    suggestion_explanation = serializers.SerializerMethodField(help_text="The technical partner only.")

    class Meta:
        model = Score
        fields = [
            "sub_indicator",
            "axis",
            "value",
            "comment",
            "source",
            "suggested_value",
            "suggestion_explanation",
            "updated_at",
        ]

    def _sees(self) -> bool:
        return permissions.sees_all(self.context["request"].membership)

    def get_suggested_value(self, obj: Score) -> int | None:
        return obj.suggested_value if self._sees() else None

    def get_suggestion_explanation(self, obj: Score) -> str:
        return obj.suggestion_explanation if self._sees() else ""


class AxisScoresOut(serializers.Serializer):
    quality = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, coerce_to_string=True)
    timeliness = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, coerce_to_string=True)
    openness = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True, coerce_to_string=True)


class AssessmentOut(serializers.ModelSerializer):
    business_name = serializers.CharField(source="business.name", read_only=True)
    status = serializers.ChoiceField(choices=AssessmentStatus.choices)
    axis_scores = serializers.SerializerMethodField(
        help_text="Per axis the mean of its sub-indicators excluding n/a; null when all are n/a."
    )
    scores = ScoreOut(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "business",
            "business_name",
            "period_label",
            "period_start",
            "period_end",
            "status",
            "published_at",
            "summary",
            "axis_scores",
            "scores",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(AxisScoresOut)
    def get_axis_scores(self, obj: Assessment) -> dict[str, Any]:
        return dict(AxisScoresOut(selectors.axis_scores_of(obj).as_dict()).data)


class ScoreIn(serializers.Serializer):
    sub_indicator = serializers.ChoiceField(choices=SubIndicator.choices)
    value = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, required=False, help_text="1 to 5; null is n/a."
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    accept_suggestion = serializers.BooleanField(
        required=False, default=False, help_text="Take ILM's suggested value (recomputed now); `value` may be left out."
    )


class AssessmentIn(serializers.Serializer):
    business = ScopedPrimaryKey(selectors.assessable_business_list)
    period = serializers.CharField(max_length=16, help_text="A calendar quarter, e.g. 2026-Q1.")
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    scores = ScoreIn(many=True, required=False, default=list)


class AssessmentPatch(serializers.Serializer):
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    scores = ScoreIn(many=True, required=False)
    version = serializers.IntegerField(required=False, help_text="The version you started from (409 if stale).")


class PublishIn(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class SuggestionOut(serializers.Serializer):
    sub_indicator = serializers.ChoiceField(choices=SubIndicator.choices)
    value = serializers.IntegerField(allow_null=True, help_text="null: no suggestion (the explanation says why).")
    explanation = serializers.CharField()


# --- filters --------------------------------------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    business = IdFilter(field_name="business_id")
    period = django_filters.CharFilter(field_name="period_label", help_text="A calendar quarter, e.g. 2026-Q1.")

    class Meta:
        model = Assessment
        fields = ["business", "period", "status"]


# --- viewsets -------------------------------------------------------------------------------------------


class AssessmentViewSet(ReadOnlyScopedViewSet):
    """Ethical Performance Score assessments, one per business and quarter, with their 14 scores."""

    queryset = Assessment.objects.none()
    scope_selector = selectors.assessment_list
    output_serializer = AssessmentOut
    filterset_class = AssessmentFilter

    def safely_get_queryset(self, queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
        return queryset.prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("id"))).order_by("-id")

    def _require_assessor(self) -> None:
        if not permissions.may_assess(self.membership):
            raise PermissionDenied

    @extend_schema(request=AssessmentIn, responses={201: AssessmentOut})
    def create(self, request: Request) -> Response:
        self._require_assessor()
        data = self.validated(AssessmentIn)
        with transaction.atomic():
            assessment = services.assessment_create(
                actor=self.membership, business=data["business"], period=data["period"], summary=data["summary"]
            )
            if data["scores"]:
                services.assessment_score(
                    actor=self.membership, assessment=assessment, scores=[dict(s) for s in data["scores"]]
                )
        return self.respond(self.reload(assessment), status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentPatch, responses={200: AssessmentOut})
    def partial_update(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        self._require_assessor()
        data = self.validated(AssessmentPatch)
        services.assessment_score(
            actor=self.membership,
            assessment=assessment,
            scores=[dict(s) for s in data.get("scores", [])],
            summary=data.get("summary"),
            expected_version=data.get("version"),
        )
        return self.respond(self.reload(assessment))

    @extend_schema(request=PublishIn, responses={200: AssessmentOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish: the business and the buyers in its chain see it from now on (all 14 answered)."""
        assessment = self.get_object()
        self._require_assessor()
        data = self.validated(PublishIn)
        services.assessment_publish(actor=self.membership, assessment=assessment, expected_version=data.get("version"))
        return self.respond(self.reload(assessment))

    @extend_schema(responses={200: SuggestionOut(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: Request, pk: str) -> Response:
        """ILM's suggested scores for this business and quarter, for the assessor to accept or not."""
        assessment = self.get_object()
        self._require_assessor()
        found = suggestions_for(
            membership=self.membership,
            business=assessment.business,
            start=assessment.period_start,
            end=assessment.period_end,
        )
        rows = [
            {"sub_indicator": s.sub_indicator, "value": s.value, "explanation": s.explanation} for s in found.values()
        ]
        return Response(SuggestionOut(rows, many=True).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the API v1 router."""
    router.register("eps-assessments", AssessmentViewSet, basename="eps-assessment")
    # The impact and reach indicators' API lives beside this one (ilm/indicators/api_impact.py), if present.
    try:
        api_impact = importlib.import_module("ilm.indicators.api_impact")
    except ModuleNotFoundError as exc:
        if exc.name != "ilm.indicators.api_impact":
            raise
        return
    extra = getattr(api_impact, "register", None)
    if extra is not None:
        extra(router)
