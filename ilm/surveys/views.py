"""Survey pages: the list, a new survey, a survey (public link for its runner, response count), paper entry,
results with the independent-versus-internal comparison, the CSV export; and the public, no-login page a
worker answers on.

Every signed-in page reads through ilm/surveys/selectors.py (not yours: 404) and writes through
ilm/surveys/services.py; ilm/surveys/permissions.py decides what is offered (403 otherwise).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ilm.core import context as request_context
from ilm.core import ratelimit
from ilm.core.forms import call_service, form_status
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, membership_required, scoped_to
from ilm.surveys import exports, forms, selectors, services
from ilm.surveys.models import LANGUAGES, MIN_RESPONSES, Survey
from ilm.surveys.permissions import may_create_survey, may_manage_survey, may_see_link

PUBLIC_LIMIT = 20  # answers per client address and survey per window
PUBLIC_WINDOW = 15 * 60


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organisation yet."))
    return membership


def _survey_or_404(request: HttpRequest, pk: int) -> Survey:
    survey: Survey = get_scoped_or_404(selectors.survey_list(membership=_membership(request)), request, pk=pk)
    return survey


def _detail_url(survey: Survey) -> str:
    return reverse("surveys:survey_detail", args=[survey.pk])


class SurveyListView(ScopedPageMixin, ListView):
    model = Survey
    scope_selector = selectors.survey_list
    template_name = "surveys/survey_list.html"
    paginate_by = 50

    def safely_get_queryset(self, queryset: QuerySet[Survey]) -> QuerySet[Survey]:
        return queryset.order_by("-opens_on", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_create"] = may_create_survey(self.request.membership)
        return context


@membership_required
def survey_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not may_create_survey(membership):
        raise PermissionDenied
    form = forms.SurveyForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        survey = call_service(form, lambda: services.survey_create(actor=membership, **form.cleaned_data))
        if survey is not None:
            messages.success(request, _("Survey created. Share its link with the workers, or enter paper forms."))
            return redirect(_detail_url(survey))
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": _("New survey"), "back": reverse("surveys:survey_list")},
        status=form_status(form),
    )


@scoped_to(Survey)
def survey_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey_or_404(request, pk)
    public_url = None
    if may_see_link(membership, survey):
        public_url = request.build_absolute_uri(reverse("surveys:public", args=[survey.token]))
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "public_url": public_url,
            "languages": LANGUAGES,
            "may_manage": may_manage_survey(membership, survey),
            "accepts": survey.accepts_responses(),
            "questions": selectors.questions_of(survey.question_set),
        },
    )


@scoped_to(Survey)
@require_POST
def survey_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey_or_404(request, pk)
    try:
        services.survey_close(actor=membership, survey=survey)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_detail_url(survey))
    messages.success(request, _("Survey closed. It takes no more responses."))
    return redirect(_detail_url(survey))


@scoped_to(Survey)
def response_enter_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A paper form typed in by the surveyor, in the surveyor's language."""
    membership = _membership(request)
    survey = _survey_or_404(request, pk)
    if not may_manage_survey(membership, survey):
        raise PermissionDenied
    language = translation.get_language() or "en"
    data = request.POST if request.method == "POST" else None  # nothing ticked is still an answer sheet
    form = forms.ResponseForm(data, question_set=survey.question_set, language=language)
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form, lambda: services.response_enter(actor=membership, survey=survey, answers=form.answers())
        )
        if saved is not None:
            messages.success(request, _("Paper form saved. Enter the next one."))
            return redirect(reverse("surveys:response_enter", args=[survey.pk]))
    return render(
        request,
        "surveys/response_form.html",
        {"form": form, "survey": survey, "title": _("Enter a paper form"), "back": _detail_url(survey)},
        status=form_status(form),
    )


@scoped_to(Survey)
def survey_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey_or_404(request, pk)
    comparison = selectors.survey_comparison(membership=membership, survey=survey)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "comparison": comparison,
            "groups": [comparison.independent, comparison.internal],
            "min_responses": MIN_RESPONSES,
        },
    )


@scoped_to(Survey)
def survey_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey_or_404(request, pk)
    name, text = exports.export_results(actor=membership, survey=survey)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the public link (no sign-in) ----------------------------------------------------------------------


def _public_language(request: HttpRequest) -> str:
    """`?lang=` (the links on the page), else the browser's language. Never stored: no cookie, no session."""
    wanted = request.GET.get("lang", "")
    if wanted in LANGUAGES:
        return wanted
    current = (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in LANGUAGES else "en"


def _public_survey(token: str) -> Survey:
    survey = selectors.dangerously_survey_by_token(token)
    if survey is None:
        raise Http404
    return survey


def _within_limit(token: str) -> bool:
    """Per client address and survey, on the cache only (the address is hashed and never written to the
    database, and the counter expires with its window)."""
    client = request_context.current().ip or "unknown"
    key = hashlib.sha256(f"{client}|{token}".encode()).hexdigest()[:24]
    return ratelimit.hit("survey-answer", key, limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW)


@login_not_required
@never_cache
def public_survey_view(request: HttpRequest, token: str) -> HttpResponse:
    """A worker answers, in their language, on a phone. A closed survey says so and takes nothing."""
    survey = _public_survey(token)
    language = _public_language(request)
    with translation.override(language):
        data = request.POST if request.method == "POST" else None  # nothing ticked is still an answer sheet
        form = forms.ResponseForm(data, question_set=survey.question_set, language=language)
        status = 200
        if request.method == "POST":
            if not _within_limit(token):
                form.add_error(None, _("Too many answers from your connection. Wait a while and try again."))
                status = 429
            elif form.is_valid():
                saved = call_service(form, lambda: services.response_submit(survey=survey, answers=form.answers()))
                if saved is not None:
                    return redirect(f"{reverse('surveys:public_thanks', args=[token])}?lang={language}")
                status = form_status(form)
            else:
                status = 400
        context = {
            "survey": survey,
            "form": form,
            "language": language,
            "languages": LANGUAGES,
            "accepts": survey.accepts_responses(),
            "title": survey.question_set.display_title,
        }
        if not context["accepts"] and request.method == "POST":
            status = 410
        return render(request, "surveys/public.html", context, status=status)


@login_not_required
@never_cache
def public_thanks_view(request: HttpRequest, token: str) -> HttpResponse:
    survey = _public_survey(token)
    language = _public_language(request)
    with translation.override(language):
        return render(
            request,
            "surveys/public_thanks.html",
            {
                "survey": survey,
                "language": language,
                "languages": LANGUAGES,
                "title": survey.question_set.display_title,
            },
        )
