"""Job marketplace pages.

Public (no account): the list and detail of published vacancies, the apply form, and the applicant's private
status link. They use their own light template (jobs/public_base.html: one small stylesheet, no script) so
they work on a cheap phone. A signed-in CSO member applies for a jobseeker through the same form.

Signed in: the employer's vacancies (create, edit with the fee formset, publish, close, translations) and
the applications pipeline. Every page reads through ilm/jobs/selectors.py (not yours → 404) and writes
through ilm/jobs/services.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilm.core import context, ratelimit
from ilm.core.forms import call_service, form_status
from ilm.core.paging import keyset_page
from ilm.core.ratelimit import rate_limited
from ilm.core.tenancy import acting_membership, get_scoped_or_404, membership_required, scoped_to
from ilm.jobs import forms, selectors, services
from ilm.jobs.models import JOB_LANGUAGES, TRANSLATED_FIELDS, Application, Vacancy, VacancyStatus, language_choices
from ilm.jobs.permissions import (
    may_apply_for_jobseekers,
    may_confirm_for_worker,
    may_edit_vacancy,
    may_manage_application,
    may_message_applicant,
    may_post_jobs,
    may_see_applicant_identity,
    may_translate_vacancy,
)
from ilm.jobs.public_cache import cached_for_anonymous

# --- public ------------------------------------------------------------------------------------------


def _reader_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in JOB_LANGUAGES:
        return wanted
    current = translation.get_language() or "en"
    return current if current in JOB_LANGUAGES else "en"


def _public(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    language = context.setdefault("reader_language", _reader_language(request))
    context.setdefault("languages", language_choices(JOB_LANGUAGES))
    with translation.override(language):
        return render(request, template, context, status=status)


def _public_vacancies(request: HttpRequest) -> QuerySet[Vacancy]:
    return selectors.public_vacancy_list(membership=acting_membership(request))


def _card(vacancy: Vacancy, language: str) -> dict[str, Any]:
    texts, translated = selectors.vacancy_in_language(vacancy, language)
    return {"vacancy": vacancy, "texts": texts, "translated": translated}


@login_not_required
@cached_for_anonymous
def public_list_view(request: HttpRequest) -> HttpResponse:
    language = _reader_language(request)
    form = forms.PublicFilterForm(request.GET or None)
    queryset = _public_vacancies(request).filter(status=VacancyStatus.PUBLISHED)
    if form.is_valid():
        data = form.cleaned_data
        queryset = selectors.filter_vacancies(
            queryset,
            selectors.VacancyFilter(
                country=data["country"].pk if data["country"] else "",
                industry=data["industry"].pk if data["industry"] else "",
                language=data["language"] or "",
                fee_model=data["fee_model"] or "",
            ),
        )
    page = keyset_page(selectors.with_public_details(queryset), request.GET, per_page=20)
    params = request.GET.copy()
    for key in ("after", "before"):
        params.pop(key, None)
    return _public(
        request,
        "jobs/public_list.html",
        {
            "form": form,
            "cards": [_card(v, language) for v in page.object_list],
            "page": page,
            "query": params.urlencode(),
            "reader_language": language,
        },
    )


def _public_vacancy(request: HttpRequest, pk: int) -> Vacancy:
    vacancy: Vacancy = get_scoped_or_404(selectors.with_public_details(_public_vacancies(request)), request, pk=pk)
    return vacancy


@login_not_required
@scoped_to(Vacancy)
@cached_for_anonymous
def public_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = _public_vacancy(request, pk)
    language = _reader_language(request)
    rating = selectors.employer_ratings([vacancy.employer_id]).get(vacancy.employer_id)
    return _public(
        request,
        "jobs/public_detail.html",
        {**_card(vacancy, language), "reader_language": language, "rating": rating},
    )


@login_not_required
@scoped_to(Vacancy)
def public_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = _public_vacancy(request, pk)
    language = _reader_language(request)
    membership = acting_membership(request)
    on_behalf = may_apply_for_jobseekers(membership)
    form = forms.ApplyForm(request.POST or None)
    if request.method == "POST" and not _within_apply_limit(request, membership if on_behalf else None):
        return _public(
            request,
            "jobs/public_apply.html",
            {**_card(vacancy, language), "form": None, "too_many": True},
            status=429,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = call_service(
            form,
            lambda: services.application_submit(
                vacancy=vacancy,
                full_name=data["full_name"],
                contact_kind=data["contact_kind"],
                contact=data["contact"],
                nationality=data["nationality"],
                gender=data["gender"],
                consent=data["consent"],
                language=language,
                actor=membership if on_behalf else None,
            ),
        )
        if result is not None:
            application, token = result
            status_url = request.build_absolute_uri(reverse("jobs:application_status", args=[token]))
            return _public(
                request,
                "jobs/public_applied.html",
                {**_card(vacancy, language), "status_url": status_url, "application": application},
            )
    return _public(
        request,
        "jobs/public_apply.html",
        {**_card(vacancy, language), "form": form, "on_behalf": on_behalf, "reader_language": language},
        status=form_status(form) if request.method == "POST" else 200,
    )


def _within_apply_limit(request: HttpRequest, membership: Any) -> bool:
    """A jobseeker's connection may send 10 applications in 10 minutes; a CSO member 60 (after the vacancy
    was found, so a probe of someone else's vacancy is still a plain 404)."""
    if membership is not None:
        return ratelimit.hit("jobs-apply-cso", str(membership.pk), limit=60, window=600)
    return ratelimit.hit("jobs-apply", context.current().ip or "unknown", limit=10, window=600)


@login_not_required
@rate_limited("jobs-status", limit=30, window=600)
def application_status_view(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's private page: the status, the messages, a reply, and (once hired) the confirmation."""
    application = selectors.application_by_token(token)
    if application is None:
        raise Http404
    language = request.GET.get("lang") or application.language
    language = language if language in JOB_LANGUAGES else "en"
    message_form = forms.MessageForm(prefix="message")
    confirm_form = forms.ConfirmForm(prefix="confirm")
    review_form = forms.ReviewForm(prefix="review")
    status = 200
    if request.method == "POST":
        if "review-rating" in request.POST or "review" in request.POST:
            review_form = forms.ReviewForm(request.POST, prefix="review")
            if review_form.is_valid():
                review = review_form.cleaned_data
                call_service(
                    review_form,
                    lambda: services.review_submit(
                        application=application, rating=review["rating"], comment=review["comment"]
                    ),
                )
            status = form_status(review_form)
        elif "message-text" in request.POST:
            message_form = forms.MessageForm(request.POST, prefix="message")
            if message_form.is_valid():
                text = message_form.cleaned_data["text"]
                call_service(
                    message_form,
                    lambda: services.application_message(application=application, text=text, from_applicant=True),
                )
            status = form_status(message_form)
        else:
            confirm_form = forms.ConfirmForm(request.POST, prefix="confirm")
            if confirm_form.is_valid():
                data = confirm_form.cleaned_data
                call_service(
                    confirm_form,
                    lambda: services.hire_confirm(
                        application=application,
                        paid_nothing_extra=data["paid_nothing_extra"],
                        paid_details=data["paid_details"],
                    ),
                )
            status = form_status(confirm_form)
        if status == 200:
            return redirect(request.path)
        application.refresh_from_db()
    return _public(
        request,
        "jobs/public_status.html",
        {
            "application": application,
            "vacancy": application.vacancy,
            "texts": selectors.vacancy_in_language(
                selectors.with_public_details(Vacancy.objects.filter(pk=application.vacancy_id)).get(), language
            )[0],
            "thread": application.messages.select_related("author_organisation"),
            "message_form": message_form,
            "confirm_form": confirm_form,
            "review_form": review_form,
            "reviewed": selectors.review_of(application, by_worker=True),
            "reader_language": language,
        },
        status=status,
    )


# --- employers: vacancies ----------------------------------------------------------------------------


def _vacancy_or_404(request: HttpRequest, pk: int) -> Vacancy:
    vacancy: Vacancy = get_scoped_or_404(selectors.vacancy_list(membership=acting_membership(request)), request, pk=pk)
    return vacancy


@membership_required
def vacancy_list_view(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    vacancies = selectors.pipeline_counts(selectors.vacancy_list(membership=membership))
    status = request.GET.get("status", "")
    if status in VacancyStatus.values:
        vacancies = vacancies.filter(status=status)
    page = keyset_page(vacancies, request.GET, per_page=25)
    return render(
        request,
        "jobs/vacancy_list.html",
        {
            "page": page,
            "may_post": may_post_jobs(membership),
            "statuses": VacancyStatus.choices,
            "status": status,
        },
    )


def _vacancy_form_page(
    request: HttpRequest, form: Any, formset: Any, title: str, back: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "jobs/vacancy_form.html",
        {"form": form, "formset": formset, "title": title, "back": back},
        status=status,
    )


@membership_required
def vacancy_create_view(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    if not may_post_jobs(membership):
        raise PermissionDenied
    form = forms.VacancyForm(request.POST or None, employer=membership.organisation)
    formset = forms.FeeFormSet(request.POST or None, prefix="fees")
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            fees = forms.fee_rows(formset)
            vacancy = call_service(
                form, lambda: services.vacancy_create(actor=membership, data=form.cleaned_data, fees=fees)
            )
            if vacancy is not None:
                messages.success(request, _("Vacancy saved as a draft."))
                return redirect("jobs:vacancy_detail", pk=vacancy.pk)
        return _vacancy_form_page(
            request, form, formset, _("New vacancy"), reverse("jobs:vacancy_list"), status=form_status(form) or 400
        )
    return _vacancy_form_page(request, form, formset, _("New vacancy"), reverse("jobs:vacancy_list"))


@membership_required
@scoped_to(Vacancy)
def vacancy_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting_membership(request)
    vacancy = _vacancy_or_404(request, pk)
    vacancy = selectors.with_public_details(selectors.vacancy_list(membership=membership)).get(pk=vacancy.pk)
    applications = selectors.application_list(membership=membership).filter(vacancy=vacancy).order_by("-pk")[:200]
    return render(
        request,
        "jobs/vacancy_detail.html",
        {
            "vacancy": vacancy,
            "applications": applications,
            "may_edit": may_edit_vacancy(membership, vacancy),
            "may_translate": may_translate_vacancy(membership, vacancy),
            "translated_fields": TRANSLATED_FIELDS,
        },
    )


@membership_required
@scoped_to(Vacancy)
def vacancy_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting_membership(request)
    vacancy = _vacancy_or_404(request, pk)
    if not may_edit_vacancy(membership, vacancy):
        raise PermissionDenied
    initial = {field: getattr(vacancy, field) for field in services.VACANCY_FIELDS}
    fees = [
        {"name": f.name, "amount": f.amount, "currency": f.currency, "charged_by": f.charged_by}
        for f in vacancy.fees.all()
    ]
    form = forms.VacancyForm(request.POST or None, initial=initial, employer=vacancy.employer)
    formset = forms.FeeFormSet(request.POST or None, initial=fees, prefix="fees")
    back = reverse("jobs:vacancy_detail", args=[vacancy.pk])
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            rows = forms.fee_rows(formset)
            done = call_service(
                form,
                lambda: services.vacancy_update(actor=membership, vacancy=vacancy, data=form.cleaned_data, fees=rows),
            )
            if done is not None:
                messages.success(request, _("Vacancy saved."))
                return redirect(back)
        return _vacancy_form_page(request, form, formset, _("Edit vacancy"), back, status=form_status(form) or 400)
    return _vacancy_form_page(request, form, formset, _("Edit vacancy"), back)


def _state_change(request: HttpRequest, pk: int, write: Any, done: str) -> HttpResponse:
    membership = acting_membership(request)
    vacancy = _vacancy_or_404(request, pk)
    form = forms.forms.Form(request.POST)
    if call_service(form, lambda: write(actor=membership, vacancy=vacancy)) is not None:
        messages.success(request, done)
    else:
        for error in form.non_field_errors():
            messages.error(request, str(error))
        for field_errors in form.errors.values():
            for error in field_errors:
                if error not in form.non_field_errors():
                    messages.error(request, str(error))
    return redirect("jobs:vacancy_detail", pk=vacancy.pk)


@membership_required
@require_POST
@scoped_to(Vacancy)
def vacancy_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, services.vacancy_publish, _("Vacancy published."))


@membership_required
@require_POST
@scoped_to(Vacancy)
def vacancy_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, services.vacancy_close, _("Vacancy closed."))


@membership_required
@scoped_to(Vacancy)
def vacancy_translate_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting_membership(request)
    vacancy = _vacancy_or_404(request, pk)
    if not may_translate_vacancy(membership, vacancy):
        raise PermissionDenied
    language = request.POST.get("language") or request.GET.get("language") or ""
    existing = vacancy.translations.filter(language=language).first()
    form = forms.TranslationForm(request.POST or None, instance=existing, initial={"language": language})
    back = reverse("jobs:vacancy_detail", args=[vacancy.pk])
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = data.pop("language")
            done = call_service(
                form,  # type: ignore[arg-type]
                lambda: services.translation_save(actor=membership, vacancy=vacancy, language=chosen, texts=data),
            )
            if done is not None:
                messages.success(request, _("Translation saved."))
                return redirect(back)
        return render(
            request,
            "jobs/translation_form.html",
            {"form": form, "vacancy": vacancy, "back": back},
            status=form_status(form) or 400,  # type: ignore[arg-type]
        )
    return render(request, "jobs/translation_form.html", {"form": form, "vacancy": vacancy, "back": back})


# --- applications ------------------------------------------------------------------------------------


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    application: Application = get_scoped_or_404(
        selectors.application_list(membership=acting_membership(request)), request, pk=pk
    )
    return application


@membership_required
def application_list_view(request: HttpRequest) -> HttpResponse:
    membership = acting_membership(request)
    applications = selectors.application_list(membership=membership)
    page = keyset_page(applications, request.GET, per_page=25)
    return render(
        request,
        "jobs/application_list.html",
        {"page": page, "on_behalf": may_apply_for_jobseekers(membership)},
    )


def _application_page(request: HttpRequest, application: Application, status: int = 200, **forms_: Any) -> HttpResponse:
    membership = acting_membership(request)
    show_identity = may_see_applicant_identity(membership, application)
    if show_identity:
        services.application_identity_viewed(actor=membership, application=application, via="page")
    return render(
        request,
        "jobs/application_detail.html",
        {
            "application": application,
            "show_identity": show_identity,
            "thread": selectors.application_message_list(membership=membership).filter(application=application),
            "may_manage": may_manage_application(membership, application),
            "may_message": may_message_applicant(membership, application),
            "may_confirm": may_confirm_for_worker(membership, application),
            "message_form": forms_.get("message_form") or forms.MessageForm(),
            "confirm_form": forms_.get("confirm_form") or forms.ConfirmForm(),
            "review_form": forms_.get("review_form") or forms.ReviewForm(),
            "reviewed": selectors.review_of(application, by_worker=False),
        },
        status=status,
    )


@membership_required
@scoped_to(Application)
def application_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application_or_404(request, pk))


@membership_required
@require_POST
@scoped_to(Application)
def application_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting_membership(request)
    application = _application_or_404(request, pk)
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        if call_service(
            form, lambda: services.application_move(actor=membership, application=application, status=status)
        ):
            messages.success(request, _("Application updated."))
            return redirect("jobs:application_detail", pk=application.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    code = form_status(form)
    return redirect("jobs:application_detail", pk=application.pk) if code != 403 else _forbidden()


def _forbidden() -> HttpResponse:
    raise PermissionDenied


@membership_required
@require_POST
@scoped_to(Application)
def application_message_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = acting_membership(request)
    application = _application_or_404(request, pk)
    form = forms.MessageForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["text"]
        if call_service(
            form, lambda: services.application_message(actor=membership, application=application, text=text)
        ):
            return redirect("jobs:application_detail", pk=application.pk)
    return _application_page(request, application, status=form_status(form), message_form=form)


@membership_required
@require_POST
@scoped_to(Application)
def application_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The CSO that helped records the hired worker's answer for them."""
    membership = acting_membership(request)
    application = _application_or_404(request, pk)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            lambda: services.hire_confirm(
                application=application,
                paid_nothing_extra=data["paid_nothing_extra"],
                paid_details=data["paid_details"],
                actor=membership,
            ),
        )
        if done is not None:
            messages.success(request, _("The worker's answer is recorded."))
            return redirect("jobs:application_detail", pk=application.pk)
    return _application_page(request, application, status=form_status(form), confirm_form=form)


@membership_required
@require_POST
@scoped_to(Application)
def application_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The CSO that helped rates the employer or agency behind the hire."""
    membership = acting_membership(request)
    application = _application_or_404(request, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            lambda: services.review_submit(
                application=application, rating=data["rating"], comment=data["comment"], actor=membership
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you for your review."))
            return redirect("jobs:application_detail", pk=application.pk)
    return _application_page(request, application, status=form_status(form), review_form=form)
