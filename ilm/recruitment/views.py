"""Fee-survey pages: surveys, responses with their fee lines (one form and a formset), the Excel import with
its error report, repayments and the worker's verification, repayment policies and the totals per currency.

Every page reads through ilm/recruitment/selectors.py (not yours → 404) and writes through
ilm/recruitment/services.py; ilm/recruitment/permissions.py decides what is offered (403 otherwise).
Names of workers show only on request (`?names=1`), to those allowed, each view audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ilm.cases.selectors import worker_list
from ilm.core.forms import call_service, form_status
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, membership_required, scoped_to
from ilm.core.uploads import protected_file_response
from ilm.network.models import Organisation
from ilm.recruitment import forms, imports, permissions, selectors, services
from ilm.recruitment.models import (
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    Repayment,
    RepaymentPolicy,
    ResponseDocument,
)

REASONS = {
    "no_policy": _("No repayment policy recorded for the business"),
    "employer_pays": _("Employer-pays policy: every fee and cost"),
    "listed": _("The business's policy repays this fee type"),
    "not_listed": _("The business's policy does not repay this fee type"),
}


def reason_label(line: FeeLine) -> str:
    return str(REASONS.get(line.eligibility_reason, line.eligibility_reason))


def _membership(request: HttpRequest) -> Any:
    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied
    return membership


def _survey(request: HttpRequest, pk: int) -> FeeSurvey:
    survey: FeeSurvey = get_scoped_or_404(selectors.survey_list(membership=_membership(request)), request, pk=pk)
    return survey


def _response(request: HttpRequest, pk: int) -> FeeSurveyResponse:
    response: FeeSurveyResponse = get_scoped_or_404(
        selectors.response_list(membership=_membership(request)), request, pk=pk
    )
    return response


# --- surveys ---------------------------------------------------------------------------------------------


class SurveyListView(ScopedPageMixin, ListView):
    model = FeeSurvey
    scope_selector = selectors.survey_list
    template_name = "recruitment/survey_list.html"
    paginate_by = 50

    def safely_get_queryset(self, queryset: QuerySet[FeeSurvey]) -> QuerySet[FeeSurvey]:
        from django.db.models import Count

        return queryset.annotate(response_count=Count("responses")).order_by("-surveyed_on", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_create"] = permissions.may_create_survey(self.request.membership)
        return context


@membership_required
def survey_create_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    if not permissions.may_create_survey(membership):
        raise PermissionDenied
    form = forms.SurveyForm(request.POST or None, sites=selectors.surveyable_sites(membership=membership))
    reach = forms.ReachFormSet(request.POST or None, prefix="reach")
    if request.method == "POST" and form.is_valid() and reach.is_valid():
        cells = [
            f.cleaned_data
            for f in reach.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        survey = call_service(form, lambda: services.survey_create(actor=membership, reach=cells, **form.cleaned_data))
        if survey is not None:
            messages.success(request, _("Fee survey recorded."))
            return redirect("recruitment:survey_detail", pk=survey.pk)
    return render(
        request,
        "recruitment/survey_form.html",
        {"form": form, "reach": reach},
        status=400 if request.method == "POST" else 200,
    )


def _responses_for_page(survey: FeeSurvey) -> list[FeeSurveyResponse]:
    queryset = selectors.with_repayment_status(
        survey.responses.select_related("worker", "survey").prefetch_related(
            Prefetch("lines", queryset=FeeLine.objects.order_by("id")),
            Prefetch("repayments", queryset=Repayment.objects.order_by("paid_on", "id")),
        )
    ).order_by("number")
    return list(queryset)


@scoped_to(FeeSurvey)
@membership_required
def survey_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey(request, pk)
    responses = _responses_for_page(survey)
    may_names = permissions.may_view_identities(membership, survey)
    names = (
        services.response_identities(actor=membership, responses=responses, purpose="fee_survey_page")
        if may_names and request.GET.get("names") == "1"
        else {}
    )
    for response in responses:
        response.display_name = names.get(response.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "recruitment/survey_detail.html",
        {
            "survey": survey,
            "reach": list(survey.reach.select_related("nationality")),
            "responses": responses,
            "totals": selectors.survey_totals_for(survey=survey),
            "may_names": may_names,
            "showing_names": bool(names),
            "runs": permissions.runs_survey(membership, survey),
            "policy": selectors.policy_for(survey.supplier_id),
        },
    )


@scoped_to(FeeSurvey)
@membership_required
def response_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey(request, pk)
    if not permissions.runs_survey(membership, survey):
        raise PermissionDenied
    workers = worker_list(membership=membership).filter(cso_id=survey.surveyor_id, erased_at__isnull=True)
    form = forms.ResponseForm(request.POST or None, workers=workers)
    lines: Any = forms.FeeLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        data = form.cleaned_data
        new_worker = None
        if not data["worker"]:
            new_worker = {k: data[k] for k in ("full_name", "gender", "nationality")}
        response = call_service(
            form,
            lambda: services.response_save(
                actor=membership,
                survey=survey,
                worker=data["worker"],
                new_worker=new_worker,
                employment=data["employment"],
                repayment_due_by=data["repayment_due_by"],
                repayment_plan=data["repayment_plan"],
                lines=lines.lines(),
            ),
        )
        if response is not None:
            messages.success(request, _("Response saved as %(name)s.") % {"name": response.pseudonym})
            return redirect("recruitment:response_detail", pk=response.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "recruitment/response_form.html",
        {"form": form, "lines": lines, "survey": survey, "title": _("New response")},
        status=status,
    )


@scoped_to(FeeSurveyResponse)
@membership_required
def response_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    response = _response(request, pk)
    survey = response.survey
    if not permissions.runs_survey(membership, survey):
        raise PermissionDenied
    initial_lines = [
        {k: getattr(line, k) for k in ("id", "fee_type", "amount", "currency", "paid_to", "paid_on")}
        for line in response.lines.order_by("id")
    ]
    form = forms.ResponseForm(
        request.POST or None,
        editing=True,
        initial={
            "employment": response.employment,
            "repayment_due_by": response.repayment_due_by,
            "repayment_plan": response.repayment_plan,
        },
    )
    lines: Any = forms.FeeLineFormSet(request.POST or None, prefix="lines", initial=initial_lines)
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        data = form.cleaned_data
        saved = call_service(
            form,
            lambda: services.response_save(
                actor=membership,
                survey=survey,
                response=response,
                employment=data["employment"],
                repayment_due_by=data["repayment_due_by"],
                repayment_plan=data["repayment_plan"],
                lines=lines.lines(),
            ),
        )
        if saved is not None:
            messages.success(request, _("Response saved."))
            return redirect("recruitment:response_detail", pk=saved.pk)
    return render(
        request,
        "recruitment/response_form.html",
        {"form": form, "lines": lines, "survey": survey, "response": response, "title": response.pseudonym},
        status=400 if request.method == "POST" else 200,
    )


def _response_page(request: HttpRequest, response: FeeSurveyResponse, **forms_: Any) -> HttpResponse:
    membership = _membership(request)
    survey = response.survey
    name = ""
    if permissions.may_view_identities(membership, survey) and request.GET.get("names") == "1":
        name = services.response_identities(actor=membership, responses=[response], purpose="fee_survey_page").get(
            response.pk, ""
        )
    lines = list(response.lines.order_by("id"))
    for line in lines:
        line.reason_label = reason_label(line)  # type: ignore[attr-defined]
    status = max((form_status(f) for f in forms_.values()), default=200)
    return render(
        request,
        "recruitment/response_detail.html",
        {
            "response": response,
            "survey": survey,
            "name": name,
            "lines": lines,
            "repayments": list(
                response.repayments.select_related("recorded_by_organisation").order_by("paid_on", "id")
            ),
            "documents": list(selectors.document_list(membership=membership).filter(response=response)),
            "totals": selectors.survey_totals_for_response(response),
            "may_names": permissions.may_view_identities(membership, survey),
            "runs": permissions.runs_survey(membership, survey),
            "may_override": permissions.may_override_eligibility(membership, survey),
            "may_repay": permissions.may_record_repayment(membership, survey),
            "may_verify": permissions.may_verify_repayment(membership, survey),
            "repayment_form": forms_.get("repayment_form") or forms.RepaymentForm(),
            "verify_form": forms.VerifyForm(),
            "override_form": forms.OverrideForm(),
            "document_form": forms_.get("document_form") or forms.DocumentForm(),
        },
        status=status,
    )


@scoped_to(FeeSurveyResponse)
@membership_required
def response_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _response_page(request, _response(request, pk))


@scoped_to(FeeSurveyResponse)
@require_POST
@membership_required
def repayment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    response = _response(request, pk)
    if not permissions.may_record_repayment(membership, response.survey):
        raise PermissionDenied
    form = forms.RepaymentForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.repayment_record(actor=membership, response=response, **form.cleaned_data)
    ):
        messages.success(request, _("Repayment recorded. It counts as verified once the worker confirms it."))
        return redirect("recruitment:response_detail", pk=response.pk)
    return _response_page(request, response, repayment_form=form)


@scoped_to(FeeSurveyResponse)
@require_POST
@membership_required
def document_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    response = _response(request, pk)
    if not permissions.runs_survey(membership, response.survey):
        raise PermissionDenied
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        form, lambda: services.document_add(actor=membership, response=response, upload=form.cleaned_data["file"])
    ):
        messages.success(request, _("Document added."))
        return redirect("recruitment:response_detail", pk=response.pk)
    return _response_page(request, response, document_form=form)


@scoped_to(ResponseDocument)
@membership_required
def document_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    membership = _membership(request)
    document = get_scoped_or_404(selectors.document_list(membership=membership), request, pk=pk)
    handle, content_type, name = services.document_open(actor=membership, document=document)
    return protected_file_response(handle, content_type, name)


@scoped_to(FeeLine)
@require_POST
@membership_required
def line_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    line = get_scoped_or_404(selectors.fee_line_list(membership=membership), request, pk=pk)
    if not permissions.may_override_eligibility(membership, line.response.survey):
        raise PermissionDenied
    if request.POST.get("reset"):
        services.line_override_clear(actor=membership, line=line)
        messages.success(request, _("The line follows the business's policy again."))
        return redirect("recruitment:response_detail", pk=line.response_id)
    form = forms.OverrideForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.line_override(actor=membership, line=line, **form.cleaned_data)
    ):
        messages.success(request, _("Eligibility changed."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    return redirect("recruitment:response_detail", pk=line.response_id)


@scoped_to(Repayment)
@require_POST
@membership_required
def repayment_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    repayment = get_scoped_or_404(selectors.repayment_list(membership=membership), request, pk=pk)
    if not permissions.may_verify_repayment(membership, repayment.response.survey):
        raise PermissionDenied
    form = forms.VerifyForm(request.POST)
    if form.is_valid() and call_service(
        form, lambda: services.repayment_verify(actor=membership, repayment=repayment, how=form.cleaned_data["how"])
    ):
        messages.success(request, _("The worker's verification is recorded."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    return redirect("recruitment:response_detail", pk=repayment.response_id)


# --- import ------------------------------------------------------------------------------------------------


@scoped_to(FeeSurvey)
@membership_required
def import_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    survey = _survey(request, pk)
    if not permissions.runs_survey(membership, survey):
        raise PermissionDenied
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form, lambda: imports.import_responses(actor=membership, survey=survey, upload=form.cleaned_data["file"])
        )
        if result is not None and result.ok:
            messages.success(
                request,
                _("Imported %(responses)s responses with %(lines)s fee lines.")
                % {"responses": result.responses, "lines": result.lines},
            )
            return redirect("recruitment:survey_detail", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "recruitment/import.html", {"form": form, "survey": survey, "result": result}, status=status)


@membership_required
def import_template_view(request: HttpRequest) -> HttpResponse:
    if not permissions.may_create_survey(_membership(request)):
        raise PermissionDenied
    response = HttpResponse(
        imports.template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="fee-survey-template.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- policy and totals ---------------------------------------------------------------------------------------


@scoped_to(Organisation)
@membership_required
def policy_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request)
    business = get_scoped_or_404(selectors.policy_business_list(membership=membership), request, pk=pk)
    policy: RepaymentPolicy | None = selectors.policy_for(business.pk)
    may_set = permissions.may_set_policy(membership, business.pk)
    form = forms.PolicyForm(
        request.POST or None,
        initial={"kind": policy.kind, "fee_types": policy.fee_types, "notes": policy.notes} if policy else None,
    )
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        if form.is_valid() and call_service(
            form, lambda: services.policy_set(actor=membership, organisation=business, **form.cleaned_data)
        ):
            messages.success(request, _("Repayment policy saved; eligibility recomputed."))
            return redirect("recruitment:policy", pk=business.pk)
    return render(
        request,
        "recruitment/policy.html",
        {"business": business, "policy": policy, "form": form, "may_set": may_set},
        status=form_status(form) if request.method == "POST" else 200,
    )


@membership_required
def totals_view(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    by_business = selectors.totals_by_business(membership=membership)
    names = dict(Organisation.objects.filter(pk__in=list(by_business)).values_list("pk", "name"))
    workers = selectors.reimbursed_workers(membership=membership)
    is_buyer = membership.organisation_kind == "buyer"
    eligible = selectors.small_count(workers.eligible) if is_buyer else workers.eligible
    reimbursed = selectors.small_count(workers.reimbursed) if is_buyer else workers.reimbursed
    # A percentage next to a hidden count would give the count back: hide it too.
    percent = workers.percent if eligible is not None and reimbursed is not None else None
    return render(
        request,
        "recruitment/totals.html",
        {
            "rows": [(names.get(pk, ""), pk, totals) for pk, totals in by_business.items()],
            "overall": selectors.repayment_totals(membership=membership),
            "eligible": eligible,
            "reimbursed": reimbursed,
            "percent": percent,
            "small": selectors.SMALL_COUNT,
            "may_policy": not is_buyer,
        },
    )


def back_to(response: FeeSurveyResponse) -> str:
    return reverse("recruitment:response_detail", args=[response.pk])
