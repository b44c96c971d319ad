"""API v1 for the job marketplace: the same selectors, permissions and services as the pages.

- vacancies: a supplier's or recruitment agency's own vacancies in every state (the technical partner: all),
  with fees, translations and pipeline counts. Create and edit (fees given replace all fees), `publish`
  (refused until the fee model is filled in), `close`, and `translations` (add or change one language).
- job-postings: the public board, read-only for every API token holder: published vacancies, in the
  language asked for (`?lang=`). Like the pages, a vacancy's owner and the technical partner may also open
  their drafts and closed vacancies by id, as a preview.
- job-applications: the employer of the vacancy, the CSO that helped, the technical partner (404 for
  everyone else). Lists never show the applicant's name or contact; the detail shows them to the roles
  the application page shows them to, and records each view (`job.application_identity_viewed`). A CSO
  applies for a jobseeker with `POST` (the status link's address is in the answer, once).
- job-reach: reach indicators 3-5, over the same scopes.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from ilm.api.errors import ErrorSerializer
from ilm.api.fields import ScopedPrimaryKey
from ilm.api.filters import IdFilter
from ilm.api.schema import OneObjectSchema
from ilm.api.viewsets import ReadOnlyScopedViewSet
from ilm.core import ratelimit
from ilm.core.api_fields import SafeDateField
from ilm.jobs import permissions, selectors, services
from ilm.jobs.models import (
    JOB_LANGUAGES,
    POSTING_LANGUAGES,
    TRANSLATED_FIELDS,
    Application,
    ApplicationMessage,
    ApplicationStatus,
    ContactKind,
    EmployerReview,
    FeeModel,
    PayPeriod,
    Vacancy,
    VacancyFee,
    VacancyStatus,
    VacancyTranslation,
)
from ilm.network.models import Country, Gender, Industry


def _text_fields(*, required: bool) -> dict[str, serializers.CharField]:
    """The free-text fields of a vacancy (and of a translation), with the model's length limits."""
    fields = {}
    for name in TRANSLATED_FIELDS:
        limit = getattr(Vacancy._meta.get_field(name), "max_length", None) or 4000
        fields[name] = serializers.CharField(
            max_length=limit, required=required and name == "position", allow_blank=name != "position"
        )
    return fields


# --- vacancies: output -----------------------------------------------------------------------------


class VacancyFeeOut(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = VacancyFee
        fields = ["name", "amount", "currency", "charged_by"]


class VacancyTranslationOut(serializers.ModelSerializer):
    class Meta:
        model = VacancyTranslation
        fields = ["language", *TRANSLATED_FIELDS, "updated_at"]


class VacancyPipelineOut(serializers.Serializer):
    total = serializers.IntegerField(source="application_count")
    applied = serializers.IntegerField(source="applied_count")
    shortlisted = serializers.IntegerField(source="shortlisted_count")
    offered = serializers.IntegerField(source="offered_count")
    hired = serializers.IntegerField(source="hired_count")
    rejected = serializers.IntegerField(source="rejected_count")


_VACANCY_FIELDS = [
    "id",
    "employer",
    "employer_name",
    "status",
    "language",
    *TRANSLATED_FIELDS,
    "openings",
    "site",
    "site_name",
    "country",
    "industry",
    "wage_amount",
    "wage_currency",
    "pay_period",
    "hours_per_day",
    "hours_per_week",
    "fee_model",
    "fees",
    "published_at",
    "closed_at",
]


class VacancyOut(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    site_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=VacancyStatus.choices, read_only=True)
    fee_model = serializers.ChoiceField(
        choices=[("", "—"), *FeeModel.choices], read_only=True, help_text="Empty until decided."
    )
    pay_period = serializers.ChoiceField(choices=PayPeriod.choices, read_only=True)
    fees = VacancyFeeOut(many=True, read_only=True)
    translations = VacancyTranslationOut(many=True, read_only=True)
    pipeline = VacancyPipelineOut(source="*", read_only=True, help_text="Applications in each state.")
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = Vacancy
        fields = [*_VACANCY_FIELDS, "translations", "pipeline", "may_edit", "version", "created_at", "updated_at"]

    def get_site_name(self, obj: Vacancy) -> str | None:
        return obj.site.name if obj.site_id and obj.site else None

    def get_may_edit(self, obj: Vacancy) -> bool:
        return permissions.may_edit_vacancy(self.context["request"].membership, obj)


class EmployerRatingOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="Reviews by hired workers and the CSOs that helped them.")
    average = serializers.FloatField(help_text="Mean rating, 1 to 5, one decimal.")


class JobPostingOut(serializers.ModelSerializer):
    """A vacancy as the public board shows it: its texts in the language asked for when written or
    translated in it (`translated`), else in the original; the employer's rating once it has at least 5
    reviews (null before, so that a rating never points to one worker; comments are never shown)."""

    employer_name = serializers.CharField(source="employer.name", read_only=True)
    site_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=VacancyStatus.choices, read_only=True)
    fee_model = serializers.ChoiceField(choices=[("", "—"), *FeeModel.choices], read_only=True)
    pay_period = serializers.ChoiceField(choices=PayPeriod.choices, read_only=True)
    fees = VacancyFeeOut(many=True, read_only=True)
    translated = serializers.SerializerMethodField(help_text="False: shown in the original language instead.")
    languages = serializers.SerializerMethodField(help_text="The languages the vacancy reads in.")
    employer_rating = serializers.SerializerMethodField()

    class Meta:
        model = Vacancy
        fields = [*_VACANCY_FIELDS, "translated", "languages", "employer_rating"]

    @extend_schema_field(EmployerRatingOut(allow_null=True))
    def get_employer_rating(self, obj: Vacancy) -> dict[str, Any] | None:
        cache: dict[str, Any] = self.context.get("ratings_cache", {})  # one per response (see the viewset)
        if "ratings" not in cache:  # the employers of every vacancy on the page, one query
            page = self.parent.instance if self.parent is not None and self.parent.instance is not None else [obj]
            cache["ratings"] = selectors.employer_ratings({vacancy.employer_id for vacancy in page})
        ratings = cache["ratings"]
        rating = ratings.get(obj.employer_id)
        return None if rating is None else {"count": rating.count, "average": rating.average}

    def get_site_name(self, obj: Vacancy) -> str | None:
        return obj.site.name if obj.site_id and obj.site else None

    def _texts(self, obj: Vacancy) -> tuple[dict[str, str], bool]:
        cache: dict[int, tuple[dict[str, str], bool]] = self.context.get("texts", {})  # one per request
        if obj.pk not in cache:
            cache[obj.pk] = selectors.vacancy_in_language(obj, self.context.get("reader_language", "en"))
        return cache[obj.pk]

    def get_translated(self, obj: Vacancy) -> bool:
        return self._texts(obj)[1]

    def get_languages(self, obj: Vacancy) -> list[str]:
        return [obj.language, *(t.language for t in obj.translations.all())]

    def to_representation(self, instance: Vacancy) -> dict[str, Any]:
        data = super().to_representation(instance)
        data.update(self._texts(instance)[0])
        return data


# --- vacancies: input ------------------------------------------------------------------------------


class VacancyFeeIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, coerce_to_string=True)
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217, e.g. THB.")
    charged_by = serializers.CharField(max_length=200)


def _vacancy_fields(*, create: bool) -> dict[str, serializers.Field]:
    return {
        **_text_fields(required=create),
        "language": serializers.ChoiceField(choices=POSTING_LANGUAGES, required=False),
        "openings": serializers.IntegerField(min_value=1, max_value=10000, required=False),
        "site": ScopedPrimaryKey(
            selectors.own_sites, required=False, allow_null=True, help_text="One of your sites (suppliers: required)."
        ),
        "country": serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all(), required=create),
        "industry": serializers.SlugRelatedField(
            slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True
        ),
        "wage_amount": serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, coerce_to_string=True
        ),
        "wage_currency": serializers.CharField(max_length=3, required=False, allow_blank=True),
        "pay_period": serializers.ChoiceField(choices=PayPeriod.choices, required=False),
        "hours_per_day": serializers.DecimalField(
            max_digits=4, decimal_places=1, min_value=0, max_value=24, required=False, allow_null=True
        ),
        "hours_per_week": serializers.DecimalField(
            max_digits=5, decimal_places=1, min_value=0, max_value=168, required=False, allow_null=True
        ),
        "fee_model": serializers.ChoiceField(
            choices=FeeModel.choices, required=False, allow_blank=True, help_text="Needed to publish."
        ),
        "fees": serializers.ListField(
            child=VacancyFeeIn(),
            required=False,
            max_length=30,
            help_text="The legal fees of an itemised fee model; when given, they replace all fees.",
        ),
    }


VacancyIn: type[serializers.Serializer] = type("VacancyIn", (serializers.Serializer,), _vacancy_fields(create=True))
VacancyPatch: type[serializers.Serializer] = type(
    "VacancyPatch",
    (serializers.Serializer,),
    {
        **_vacancy_fields(create=False),
        "version": serializers.IntegerField(
            min_value=1, required=False, help_text="The version you started from (409 if it changed)."
        ),
    },
)
VacancyTranslationIn: type[serializers.Serializer] = type(
    "VacancyTranslationIn",
    (serializers.Serializer,),
    {"language": serializers.ChoiceField(choices=JOB_LANGUAGES), **_text_fields(required=True)},
)


class VacancyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VacancyStatus.choices)
    country = django_filters.CharFilter(field_name="country_id", max_length=2)
    fee_model = django_filters.ChoiceFilter(choices=FeeModel.choices)
    employer = IdFilter(field_name="employer_id")

    class Meta:
        model = Vacancy
        fields = ["status", "country", "fee_model", "employer"]


class VacancyViewSet(ReadOnlyScopedViewSet):
    """Your organisation's vacancies in every state (the technical partner: all), with pipeline counts."""

    queryset = Vacancy.objects.none()
    scope_selector = selectors.vacancy_list
    output_serializer = VacancyOut
    filterset_class = VacancyFilter

    def safely_get_queryset(self, queryset: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
        return selectors.pipeline_counts(selectors.with_public_details(queryset)).order_by("-id")

    @extend_schema(request=VacancyIn, responses={201: VacancyOut})
    def create(self, request: Request) -> Response:
        """A draft vacancy of your organisation (a supplier or a recruitment agency)."""
        data = self.validated(VacancyIn)
        fees = [dict(fee) for fee in data.pop("fees", [])]
        vacancy = services.vacancy_create(actor=self.membership, data=data, fees=fees)
        return self.respond(self.reload(vacancy), status=status.HTTP_201_CREATED)

    @extend_schema(request=VacancyPatch, responses={200: VacancyOut, 409: ErrorSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        vacancy = self.get_object()
        data = self.validated(VacancyPatch)
        expected = data.pop("version", None)
        fees = data.pop("fees", None)
        vacancy = services.vacancy_update(
            actor=self.membership,
            vacancy=vacancy,
            data=data,
            fees=[dict(fee) for fee in fees] if fees is not None else None,
            expected_version=expected,
        )
        return self.respond(self.reload(vacancy))

    @extend_schema(request=None, responses={200: VacancyOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def publish(self, request: Request, pk: str) -> Response:
        """Draft → published. 400 until the fee model is filled in (itemised: at least one fee)."""
        vacancy = services.vacancy_publish(actor=self.membership, vacancy=self.get_object())
        return self.respond(self.reload(vacancy))

    @extend_schema(request=None, responses={200: VacancyOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def close(self, request: Request, pk: str) -> Response:
        """No more applications; the pipeline goes on."""
        vacancy = services.vacancy_close(actor=self.membership, vacancy=self.get_object())
        return self.respond(self.reload(vacancy))

    @extend_schema(request=VacancyTranslationIn, responses={200: VacancyOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def translations(self, request: Request, pk: str) -> Response:
        """Add or change the vacancy's texts in one more language (the poster or the technical partner)."""
        vacancy = self.get_object()
        data = self.validated(VacancyTranslationIn)
        language = data.pop("language")
        services.translation_save(actor=self.membership, vacancy=vacancy, language=language, texts=data)
        return self.respond(self.reload(vacancy))


# --- the public board --------------------------------------------------------------------------------

_LANG = OpenApiParameter(
    "lang", str, enum=list(JOB_LANGUAGES), description="The language to read the vacancies in (default en)."
)


class JobPostingFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="narrow", max_length=2)
    industry = django_filters.CharFilter(method="narrow", max_length=32, help_text="Its sub-industries too.")
    language = django_filters.ChoiceFilter(
        method="narrow", choices=[(code, code) for code in JOB_LANGUAGES], help_text="Written or translated in."
    )
    fee_model = django_filters.ChoiceFilter(method="narrow", choices=FeeModel.choices)

    class Meta:
        model = Vacancy
        fields = ["country", "industry", "language", "fee_model"]

    def narrow(self, queryset: QuerySet[Vacancy], name: str, value: str) -> QuerySet[Vacancy]:
        return selectors.filter_vacancies(queryset, selectors.VacancyFilter(**{name: value}))


class JobPostingViewSet(ReadOnlyScopedViewSet):
    """The public job board: published vacancies, fees itemised, in the language asked for (`?lang=`)."""

    queryset = Vacancy.objects.none()
    scope_selector = selectors.public_vacancy_list
    output_serializer = JobPostingOut
    filterset_class = JobPostingFilter

    def safely_get_queryset(self, queryset: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
        if self.action == "list":
            queryset = queryset.filter(status=VacancyStatus.PUBLISHED)
        return selectors.with_public_details(queryset).order_by("-id")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        wanted = self.request.query_params.get("lang", "") if self.request else ""
        context["reader_language"] = wanted if wanted in JOB_LANGUAGES else "en"
        context["texts"] = {}
        context["ratings_cache"] = {}
        return context

    @extend_schema(parameters=[_LANG])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[_LANG])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A published vacancy; its owner and the technical partner may also preview a draft or closed one."""
        return super().retrieve(request, *args, **kwargs)


# --- applications ------------------------------------------------------------------------------------


class JobApplicationOut(serializers.ModelSerializer):
    """An application without the applicant's identity (lists, and the answer to an action)."""

    label = serializers.CharField(  # type: ignore[assignment]  # the API's name; DRF keeps Field.label apart
        read_only=True, help_text="A<id>: how lists name the applicant."
    )
    vacancy_position = serializers.CharField(source="vacancy.position", read_only=True)
    employer = serializers.IntegerField(source="vacancy.employer_id", read_only=True)
    employer_name = serializers.CharField(source="vacancy.employer.name", read_only=True)
    via_cso_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices, read_only=True)
    gender = serializers.ChoiceField(choices=Gender.choices, read_only=True)
    contact_kind = serializers.ChoiceField(choices=ContactKind.choices, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "label",
            "vacancy",
            "vacancy_position",
            "employer",
            "employer_name",
            "nationality",
            "gender",
            "language",
            "contact_kind",
            "via_cso",
            "via_cso_name",
            "status",
            "shortlisted_at",
            "offered_at",
            "hired_at",
            "rejected_at",
            "paid_nothing_extra",
            "confirmed_at",
            "version",
            "created_at",
        ]

    def get_via_cso_name(self, obj: Application) -> str | None:
        return obj.via_cso.name if obj.via_cso_id and obj.via_cso else None


class JobApplicationDetailOut(JobApplicationOut):
    """One application. The name, contact and what the worker paid are filled in only for the roles the
    application page shows them to (otherwise null); every such read is recorded in the audit log."""

    full_name = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    paid_details = serializers.SerializerMethodField()
    identity_shown = serializers.SerializerMethodField()

    class Meta(JobApplicationOut.Meta):
        fields = [*JobApplicationOut.Meta.fields, "identity_shown", "full_name", "contact", "paid_details"]

    def _shown(self, obj: Application) -> bool:
        return bool(self.context.get("show_identity"))

    def get_identity_shown(self, obj: Application) -> bool:
        return self._shown(obj)

    def get_full_name(self, obj: Application) -> str | None:
        return obj.full_name if self._shown(obj) else None

    def get_contact(self, obj: Application) -> str | None:
        return obj.contact if self._shown(obj) else None

    def get_paid_details(self, obj: Application) -> str | None:
        return obj.paid_details if self._shown(obj) else None


class JobApplicationCreatedOut(JobApplicationOut):
    status_url = serializers.CharField(
        help_text="The jobseeker's private status link. Shown once: give it to the jobseeker now."
    )

    class Meta(JobApplicationOut.Meta):
        fields = [*JobApplicationOut.Meta.fields, "status_url"]


class JobApplicationIn(serializers.Serializer):
    vacancy = ScopedPrimaryKey(selectors.public_vacancy_list, help_text="A published vacancy.")
    full_name = serializers.CharField(max_length=200)
    contact_kind = serializers.ChoiceField(choices=ContactKind.choices)
    contact = serializers.CharField(max_length=100, help_text="A phone number or messaging handle.")
    nationality = serializers.SlugRelatedField(slug_field="code", queryset=Country.objects.all())
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.OTHER)
    language = serializers.ChoiceField(choices=POSTING_LANGUAGES, required=False, default="en")
    consent = serializers.BooleanField(help_text="The jobseeker agrees to share their details with this employer.")


class JobMessageOut(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text='"applicant", or the organisation that wrote.')

    class Meta:
        model = ApplicationMessage
        fields = ["id", "application", "from_applicant", "author", "author_organisation", "text", "created_at"]

    def get_author(self, obj: ApplicationMessage) -> str:
        if obj.from_applicant:
            return "applicant"
        return obj.author_organisation.name if obj.author_organisation else ""


class JobMessageIn(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class HireConfirmIn(serializers.Serializer):
    paid_nothing_extra = serializers.BooleanField(help_text="Paid nothing beyond the itemised legal fees.")
    paid_details = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="What was paid, to whom."
    )


class EmployerReviewIn(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (poor) to 5 (excellent).")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmployerReviewOut(serializers.ModelSerializer):
    class Meta:
        model = EmployerReview
        fields = ["id", "application", "employer", "reviewer_kind", "rating", "created_at"]


class JobApplicationFilter(django_filters.FilterSet):
    vacancy = IdFilter(field_name="vacancy_id")
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    via_cso = IdFilter(field_name="via_cso_id")

    class Meta:
        model = Application
        fields = ["vacancy", "status", "via_cso"]


def _move(name: str, target: str, doc: str) -> Any:
    """The action `name` of the employer's pipeline: move the application to `target`."""

    def move(self: ApplicationViewSet, request: Request, pk: str) -> Response:
        application = services.application_move(actor=self.membership, application=self.get_object(), status=target)
        return self.respond(self.reload(application))

    move.__name__ = move.__qualname__ = name
    move.__doc__ = doc
    decorated = action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])(move)
    return extend_schema(request=None, responses={200: JobApplicationOut}, filters=False)(decorated)


class ApplicationViewSet(ReadOnlyScopedViewSet):
    """Applications to your organisation's vacancies (an employer), those you submitted for jobseekers (a
    CSO), or all (the technical partner)."""

    queryset = Application.objects.none()
    scope_selector = selectors.application_list
    output_serializer = JobApplicationOut
    filterset_class = JobApplicationFilter

    def safely_get_queryset(self, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.order_by("-id")

    @extend_schema(responses={200: JobApplicationDetailOut})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        application = self.get_object()
        show = permissions.may_see_applicant_identity(self.membership, application)
        if show:
            services.application_identity_viewed(actor=self.membership, application=application, via="api")
        context = {**self.get_serializer_context(), "show_identity": show}
        return Response(JobApplicationDetailOut(application, context=context).data)

    @extend_schema(request=JobApplicationIn, responses={201: JobApplicationCreatedOut})
    def create(self, request: Request) -> Response:
        """A CSO member applies for a jobseeker (with their consent). 400 if this phone or handle already
        applied to the vacancy; 429 past 60 applications in 10 minutes (the apply page's limit too)."""
        data = self.validated(JobApplicationIn)
        # The same budget as the apply page: 60 applications per CSO member per 10 minutes.
        if not ratelimit.hit("jobs-apply-cso", str(self.membership.pk), limit=60, window=600):
            raise exceptions.Throttled(wait=600)
        application, token = services.application_submit(actor=self.membership, **data)
        application = self.reload(application)
        application.status_url = request.build_absolute_uri(reverse("jobs:application_status", args=[token]))
        context = self.get_serializer_context()
        return Response(JobApplicationCreatedOut(application, context=context).data, status=status.HTTP_201_CREATED)

    shortlist = _move(
        "shortlist", ApplicationStatus.SHORTLISTED, "Put the application on the shortlist (the employer)."
    )
    offer = _move("offer", ApplicationStatus.OFFERED, "Make the applicant an offer (the employer).")
    hire = _move("hire", ApplicationStatus.HIRED, "Record the hire of an offered applicant (the employer).")
    reject = _move("reject", ApplicationStatus.REJECTED, "Not selected (the employer).")

    @extend_schema(methods=["get"], request=None, responses={200: JobMessageOut(many=True)}, filters=False)
    @extend_schema(methods=["post"], request=JobMessageIn, responses={201: JobMessageOut}, filters=False)
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def messages(self, request: Request, pk: str) -> Response:
        """The thread with the applicant; the employer and the helping CSO write to it."""
        application = self.get_object()
        if request.method == "POST":
            data = self.validated(JobMessageIn)
            message = services.application_message(actor=self.membership, application=application, text=data["text"])
            return Response(JobMessageOut(message).data, status=status.HTTP_201_CREATED)
        thread = selectors.application_message_list(membership=self.membership).filter(application=application)
        return Response(JobMessageOut(thread, many=True).data)

    @extend_schema(request=HireConfirmIn, responses={200: JobApplicationOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def confirm(self, request: Request, pk: str) -> Response:
        """The helping CSO records the hired worker's answer: did the job cost them anything beyond the
        itemised legal fees?"""
        application = self.get_object()
        data = self.validated(HireConfirmIn)
        application = services.hire_confirm(actor=self.membership, application=application, **data)
        return self.respond(self.reload(application))

    @extend_schema(request=EmployerReviewIn, responses={201: EmployerReviewOut}, filters=False)
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def review(self, request: Request, pk: str) -> Response:
        """The CSO that helped the hired worker rates the employer (1-5, once per hire). Ratings are shown
        only as an employer's average from 5 reviews on; comments are kept for the technical partner."""
        application = self.get_object()
        data = self.validated(EmployerReviewIn)
        review = services.review_submit(actor=self.membership, application=application, **data)
        return Response(EmployerReviewOut(review).data, status=status.HTTP_201_CREATED)


# --- reach indicators 3-5 ----------------------------------------------------------------------------


class JobReachOffersOut(serializers.Serializer):
    offered = serializers.IntegerField(help_text="Jobseekers offered a job in the window.")
    through_ern = serializers.IntegerField(
        help_text="Of those, applied through a member of the Ethical Recruitment Network of their origin country."
    )


class JobReachVacanciesOut(serializers.Serializer):
    published = serializers.IntegerField()
    zero_cost = serializers.IntegerField()
    openings_zero_cost = serializers.IntegerField()


class JobReachHiresOut(serializers.Serializer):
    confirmed = serializers.IntegerField()
    zero_cost = serializers.IntegerField()
    within_legal_fees = serializers.IntegerField()
    paid_more = serializers.IntegerField()


class JobReachOut(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    offers = JobReachOffersOut(help_text="Reach 3.")
    vacancies = JobReachVacanciesOut(help_text="Reach 4.")
    hires = JobReachHiresOut(help_text="Reach 5 (confirmed by the worker).")


class JobReachWindowIn(serializers.Serializer):
    date_from = SafeDateField(required=False, allow_null=True, default=None)
    date_to = SafeDateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_from"] and attrs["date_to"] and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The end is before the start.")]})
        return attrs


class JobReachViewSet(viewsets.ViewSet):
    """Reach indicators 3, 4 and 5 of the job marketplace, over what you may read (the technical partner:
    the whole network; an employer: its own; a CSO: the jobseekers it helped)."""

    schema = OneObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this day."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day."),
        ],
        responses={200: JobReachOut, 400: ErrorSerializer},
    )
    def list(self, request: Request) -> Response:
        window = JobReachWindowIn(data=request.query_params)
        window.is_valid(raise_exception=True)
        date_from: datetime.date | None = window.validated_data["date_from"]
        date_to: datetime.date | None = window.validated_data["date_to"]
        membership = request.membership  # type: ignore[attr-defined]
        span = {"membership": membership, "date_from": date_from, "date_to": date_to}
        body = {
            "date_from": date_from,
            "date_to": date_to,
            "offers": selectors.reach_offers_through_erns(**span),
            "vacancies": selectors.reach_zero_cost_vacancies(**span),
            "hires": selectors.reach_zero_cost_hires(**span),
        }
        return Response(JobReachOut(body).data)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("vacancies", VacancyViewSet, basename="vacancy")
    router.register("job-postings", JobPostingViewSet, basename="job-posting")
    router.register("job-applications", ApplicationViewSet, basename="job-application")
    router.register("job-reach", JobReachViewSet, basename="job-reach")
