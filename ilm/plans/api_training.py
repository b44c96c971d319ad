"""API v1 for the Academy: courses (every member reads them) and training sessions with their participants
by role and gender (read by the technical partner, the trainer, the trained organisation and, for a
business, its buyers). The same selectors and services as the pages; a session edit names the version it
started from and answers 409 when someone else saved first.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ilm.api.errors import ErrorSerializer
from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.negotiation import FileDownloadNegotiation
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.cases.api import EXPORT_TYPES
from ilm.network.models import Gender
from ilm.plans import exports_training, training_selectors, training_services
from ilm.plans.models import Course, TraineeRole, TrainingMode, TrainingSession
from ilm.plans.permissions import may_edit_training

# --- serializers ------------------------------------------------------------------------------------


class CourseOut(serializers.ModelSerializer):
    activity = serializers.CharField(source="activity_id", read_only=True, help_text='A catalogue code, e.g. "2.8".')
    activity_name = serializers.CharField(source="activity.display_name", read_only=True)
    mode = serializers.ChoiceField(choices=TrainingMode.choices, read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    session_count = serializers.IntegerField(read_only=True, help_text="Sessions of this course you may read.")
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "topic",
            "activity",
            "activity_name",
            "mode",
            "language",
            "provider",
            "provider_name",
            "session_count",
            "may_edit",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_may_edit(self, obj: Course) -> bool:
        return may_edit_training(self.context["request"].membership, obj)


_LANGUAGES = list(training_services.COURSE_LANGUAGES)


class CourseIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    topic = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    activity = serializers.CharField(max_length=5, help_text='A catalogue code, e.g. "2.8".')
    mode = serializers.ChoiceField(choices=TrainingMode.choices)
    language = serializers.ChoiceField(choices=_LANGUAGES)
    provider = ScopedPrimaryKey(training_selectors.course_provider_choices, help_text="The technical partner or a CSO.")


class CoursePatch(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you started from (409 if it changed).")
    title = serializers.CharField(max_length=200, required=False)
    topic = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    activity = serializers.CharField(max_length=5, required=False)
    mode = serializers.ChoiceField(choices=TrainingMode.choices, required=False)
    language = serializers.ChoiceField(choices=_LANGUAGES, required=False)
    provider = ScopedPrimaryKey(training_selectors.course_provider_choices, required=False)


class AttendanceCell(serializers.Serializer):
    role = serializers.ChoiceField(choices=TraineeRole.choices)
    gender = serializers.ChoiceField(choices=Gender.choices)
    count = serializers.IntegerField(min_value=0, max_value=training_services.MAX_PARTICIPANTS)


class SessionOut(serializers.ModelSerializer):
    course_title = serializers.CharField(source="course.title", read_only=True)
    activity = serializers.CharField(source="course.activity_id", read_only=True)
    trained_organisation_name = serializers.CharField(source="trained_organisation.name", read_only=True)
    trainer_organisation_name = serializers.CharField(source="trainer_organisation.name", read_only=True)
    attendance = AttendanceCell(many=True, read_only=True, help_text="Cells of zero are left out.")
    participant_total = serializers.IntegerField(read_only=True)
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "course",
            "course_title",
            "activity",
            "held_on",
            "place",
            "trained_organisation",
            "trained_organisation_name",
            "trainer_organisation",
            "trainer_organisation_name",
            "notes",
            "completed",
            "attendance",
            "participant_total",
            "may_edit",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_may_edit(self, obj: TrainingSession) -> bool:
        return may_edit_training(self.context["request"].membership, obj)


class SessionIn(serializers.Serializer):
    course = ScopedPrimaryKey(training_selectors.course_list)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    trained_organisation = ScopedPrimaryKey(training_selectors.trained_organisation_choices)
    trainer_organisation = ScopedPrimaryKey(
        training_selectors.course_provider_choices, required=False, help_text="The course's provider when left out."
    )
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    completed = serializers.BooleanField(required=False, default=False, help_text="The session was held.")
    attendance = AttendanceCell(many=True, required=False, default=list, max_length=18)  # type: ignore[call-arg]


class SessionPatch(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you started from (409 if it changed).")
    course = ScopedPrimaryKey(training_selectors.course_list, required=False)
    held_on = serializers.DateField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    trained_organisation = ScopedPrimaryKey(training_selectors.trained_organisation_choices, required=False)
    trainer_organisation = ScopedPrimaryKey(training_selectors.course_provider_choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    completed = serializers.BooleanField(required=False)
    attendance = AttendanceCell(  # type: ignore[call-arg]  # ListSerializer takes max_length (DRF 3.15)
        many=True, required=False, max_length=18, help_text="Replaces all the session's participants."
    )


def _cells(data: dict[str, Any]) -> None:
    if "attendance" in data:
        data["attendance"] = [dict(cell) for cell in data["attendance"]]


# --- filters ----------------------------------------------------------------------------------------


class CourseFilter(django_filters.FilterSet):
    activity = django_filters.CharFilter(field_name="activity_id", max_length=5)
    provider = IdFilter(field_name="provider_id")

    class Meta:
        model = Course
        fields = ["activity", "mode", "language", "provider"]


class SessionFilter(django_filters.FilterSet):
    course = IdFilter(field_name="course_id")
    activity = django_filters.CharFilter(field_name="course__activity_id", max_length=5)
    trained_organisation = IdFilter(field_name="trained_organisation_id")
    trainer_organisation = IdFilter(field_name="trainer_organisation_id")

    class Meta:
        model = TrainingSession
        fields = ["course", "activity", "trained_organisation", "trainer_organisation", "completed"]


# --- viewsets ---------------------------------------------------------------------------------------


class CourseViewSet(ReadOnlyScopedViewSet):
    """Courses of the Academy: every member reads them; the technical partner and CSOs create them, a CSO
    edits those its organisation provides."""

    queryset = Course.objects.none()
    scope_selector = training_selectors.course_list
    output_serializer = CourseOut
    filterset_class = CourseFilter

    def safely_get_queryset(self, queryset: Any) -> Any:
        return queryset.order_by("activity__area", "activity__number", "title", "id")

    @extend_schema(request=CourseIn, responses={201: CourseOut})
    def create(self, request: Request) -> Response:
        course = training_services.course_create(actor=self.membership, **self.validated(CourseIn))
        return self.respond(self.reload(course), status=status.HTTP_201_CREATED)

    @extend_schema(request=CoursePatch, responses={200: CourseOut}, description="409 when the version is not current.")
    def partial_update(self, request: Request, pk: str) -> Response:
        course = self.get_object()
        data = self.validated(CoursePatch)
        expected = data.pop("version")
        course = training_services.course_update(
            actor=self.membership, course=course, expected_version=expected, **data
        )
        return self.respond(self.reload(course))


_FORMAT = OpenApiParameter("format", str, enum=["csv", "xlsx"], description="csv (default) or xlsx")


class TrainingSessionViewSet(mixins.DestroyModelMixin, ReadOnlyScopedViewSet):
    """Training sessions you may read, with participants by role and gender. A held session (`completed`)
    for a supplier or an agency in activities 1.5, 2.8, 3.7 or 3.8 suggests partial progress on WV3, ER7,
    WORK2 or WORK3 (see `indicator-suggestions`)."""

    queryset = TrainingSession.objects.none()
    scope_selector = training_selectors.session_list
    output_serializer = SessionOut
    filterset_class = SessionFilter

    def safely_get_queryset(self, queryset: Any) -> Any:
        return queryset.order_by("-held_on", "-id")

    @extend_schema(request=SessionIn, responses={201: SessionOut})
    def create(self, request: Request) -> Response:
        data = self.validated(SessionIn)
        _cells(data)
        session = training_services.session_record(actor=self.membership, **data)
        return self.respond(self.reload(session), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SessionPatch, responses={200: SessionOut}, description="409 when the version is not current."
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        data = self.validated(SessionPatch)
        _cells(data)
        expected = data.pop("version")
        session = training_services.session_update(
            actor=self.membership, session=session, expected_version=expected, **data
        )
        return self.respond(self.reload(session))

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="The version you saw (409 if it changed).")]
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance: TrainingSession) -> None:
        version = self.request.query_params.get("version")
        expected = int(version) if version and version.isdigit() else None
        training_services.session_delete(actor=self.membership, session=instance, expected_version=expected)

    @extend_schema(
        parameters=[_FORMAT],
        responses={**{(200, media): OpenApiTypes.BINARY for media in EXPORT_TYPES}, 400: ErrorSerializer},
        description="course | activity | date | held | organisation trained | trainer | participants by role "
        "and gender | total, for the sessions you may read (with the list's filters).",
    )
    @action(
        detail=False,
        methods=["get"],
        content_negotiation_class=FileDownloadNegotiation,
        pagination_class=None,
    )
    def export(self, request: Request) -> HttpResponse:
        sessions = self.filter_queryset(self.get_queryset())
        result = exports_training.export_sessions(
            actor=self.membership, sessions=sessions, fmt=request.query_params.get("format", "csv")
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
