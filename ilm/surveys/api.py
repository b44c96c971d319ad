"""API v1 endpoints of the surveys app (registered on the v1 router by `register`).

Question sets (reference data, read-only); surveys (read through `selectors.survey_list`, created, closed,
paper forms entered through `services`); aggregated results with the independent-versus-internal comparison
and the same small-n rule as the pages. There is no endpoint that lists responses: none exists to list.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.network.selectors import site_list
from ilm.surveys import selectors, services
from ilm.surveys.models import (
    QuestionKind,
    QuestionSet,
    Survey,
    SurveyKind,
    SurveyStatus,
)
from ilm.surveys.permissions import may_manage_survey, may_see_link
from ilm.surveys.selectors import QuestionResult, SurveyResults

# --- question sets --------------------------------------------------------------------------------


class ChoiceOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(source="display_label", help_text="In the caller's language.")  # type: ignore[assignment]
    labels = serializers.DictField(source="label", child=serializers.CharField(), help_text="By language code.")


class QuestionOut(serializers.Serializer):
    code = serializers.CharField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    required = serializers.BooleanField()  # type: ignore[assignment]
    counts_for_satisfaction = serializers.BooleanField()
    text = serializers.CharField(source="display_text", help_text="In the caller's language.")
    texts = serializers.DictField(source="text", child=serializers.CharField(), help_text="By language code.")
    choices = ChoiceOut(many=True, read_only=True)


class QuestionSetOut(serializers.ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)
    titles = serializers.DictField(source="title", child=serializers.CharField(), read_only=True)
    scale_labels = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)
    questions = QuestionOut(many=True, read_only=True)

    class Meta:
        model = QuestionSet
        fields = ["id", "code", "version", "title", "titles", "is_active", "scale_labels", "questions"]


class QuestionSetViewSet(ReadOnlyScopedViewSet):
    """Questionnaires (reference data, the same for everyone), texts in every language."""

    queryset = QuestionSet.objects.none()
    scope_selector = staticmethod(lambda *, membership: selectors.question_set_list())
    output_serializer = QuestionSetOut
    pagination_class = None


# --- surveys --------------------------------------------------------------------------------------


class SurveyOut(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    business = serializers.IntegerField(source="site.supplier_id", read_only=True)
    business_name = serializers.CharField(source="site.supplier.name", read_only=True)
    run_by_name = serializers.CharField(source="run_by.name", read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    accepts_responses = serializers.SerializerMethodField()
    public_link = serializers.SerializerMethodField(help_text="Only for the organisation running the survey.")
    may_manage = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "kind",
            "status",
            "site",
            "site_name",
            "business",
            "business_name",
            "run_by",
            "run_by_name",
            "question_set",
            "opens_on",
            "closes_on",
            "closed_on",
            "response_count",
            "accepts_responses",
            "public_link",
            "may_manage",
        ]

    def get_accepts_responses(self, obj: Survey) -> bool:
        return obj.accepts_responses()

    def get_public_link(self, obj: Survey) -> str | None:
        request = self.context["request"]
        if not may_see_link(request.membership, obj):
            return None
        return request.build_absolute_uri(f"/surveys/r/{obj.token}/")

    def get_may_manage(self, obj: Survey) -> bool:
        return may_manage_survey(self.context["request"].membership, obj)


class SurveyIn(serializers.Serializer):
    site = ScopedPrimaryKey(site_list)
    question_set = serializers.PrimaryKeyRelatedField(queryset=QuestionSet.objects.all())
    kind = serializers.ChoiceField(choices=SurveyKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    opens_on = serializers.DateField(required=False)
    closes_on = serializers.DateField(required=False, allow_null=True)


class AnswersIn(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="By question code: a whole number 1-5 for scale questions, a choice code for the others, "
        'e.g. {"wages_on_time": 4, "fees_paid": "no"}.',
    )


class ResponseAccepted(serializers.Serializer):
    survey = serializers.IntegerField()
    response_count = serializers.IntegerField()


class ChoiceShareOut(serializers.Serializer):
    code = serializers.CharField(source="choice.code")
    label = serializers.CharField(source="choice.display_label")  # type: ignore[assignment]
    count = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=4, decimal_places=1)


class QuestionResultOut(serializers.Serializer):
    code = serializers.CharField(source="question.code")
    text = serializers.CharField(source="question.display_text")
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices)
    shown = serializers.BooleanField(help_text="False: fewer than 10 answers; nothing else is given.")
    answered = serializers.SerializerMethodField()
    mean = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    distribution = ChoiceShareOut(many=True)

    def get_answered(self, obj: QuestionResult) -> int | None:
        return obj.answered if obj.shown else None


class SurveyResultsOut(serializers.Serializer):
    survey = serializers.IntegerField(source="survey.pk")
    title = serializers.CharField(source="survey.title")
    kind = serializers.ChoiceField(source="survey.kind", choices=SurveyKind.choices)
    status = serializers.ChoiceField(source="survey.status", choices=SurveyStatus.choices)
    responses = serializers.IntegerField()
    shown = serializers.BooleanField(help_text="False: fewer than 10 responses (or withheld until it closes).")
    withheld_until_closed = serializers.BooleanField()
    questions = QuestionResultOut(many=True)


class ComparisonOut(serializers.Serializer):
    site = serializers.IntegerField()
    independent = SurveyResultsOut(allow_null=True)
    internal = SurveyResultsOut(allow_null=True)


class SurveyFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id")
    business = IdFilter(field_name="site__supplier_id")
    kind = django_filters.ChoiceFilter(choices=SurveyKind.choices)
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields = ["site", "business", "kind", "status"]


def _results(results: SurveyResults | None) -> Any:
    return SurveyResultsOut(results).data if results is not None else None


class SurveyViewSet(ReadOnlyScopedViewSet):
    """Worker satisfaction surveys you may read (the technical partner: all; a CSO: those it runs; a supplier:
    those at its sites; a buyer: those at its chain's sites)."""

    queryset = Survey.objects.none()
    scope_selector = selectors.survey_list
    output_serializer = SurveyOut
    filterset_class = SurveyFilter

    def safely_get_queryset(self, queryset: QuerySet[Survey]) -> QuerySet[Survey]:
        return queryset.order_by("-id")

    @extend_schema(request=SurveyIn, responses={201: SurveyOut})
    def create(self, request: Request) -> Response:
        survey = services.survey_create(actor=self.membership, **self.validated(SurveyIn))
        return self.respond(self.reload(survey), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SurveyOut}, description="Close: no more responses.")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        survey = services.survey_close(actor=self.membership, survey=self.get_object())
        return self.respond(self.reload(survey))

    @extend_schema(
        request=AnswersIn,
        responses={201: ResponseAccepted},
        description="Enter one paper form (the running organisation only). Nothing identifying is stored.",
    )
    @action(detail=True, methods=["post"], url_path="paper-responses")
    def paper_responses(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        services.response_enter(actor=self.membership, survey=survey, answers=self.validated(AnswersIn)["answers"])
        fresh = self.reload(survey)
        return Response(
            ResponseAccepted({"survey": fresh.pk, "response_count": fresh.response_count}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses={200: ComparisonOut},
        description="Aggregated results beside the latest survey of "
        "the other kind at the same site; nothing per question below 10 answers.",
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        comparison = selectors.survey_comparison(membership=self.membership, survey=survey)
        return Response(
            {
                "site": survey.site_id,
                "independent": _results(comparison.independent),
                "internal": _results(comparison.internal),
            }
        )


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("question-sets", QuestionSetViewSet, basename="question-set")
    router.register("surveys", SurveyViewSet, basename="survey")
