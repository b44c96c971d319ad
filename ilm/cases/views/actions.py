"""Every step of a case, one POST each: the CSO's (edit, businesses, workers, issues, assess, share, notes,
validation, closing, escalation, payments, identity reveals) and the business's (respond, actions).

Each page scopes the case first (404 when it is not visible), then checks the role (403), then calls one
service. Routes that name a second object (an issue, an action, a payment, a reveal) take POST only and
find that object through the scoped case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ilm.cases import forms, selectors, services
from ilm.cases.models import Case
from ilm.cases.views.detail import group_warnings
from ilm.cases.views.page import (
    acting,
    form_page,
    posted,
    require_caseworker,
    responds_to,
    scoped_case,
    works_case,
)
from ilm.core.tenancy import get_scoped_or_404, scoped_to


def _owned(request: HttpRequest, pk: int) -> tuple[Any, Case]:
    membership = acting(request)
    case = scoped_case(request, pk)
    require_caseworker(membership, case)
    return membership, case


def _detail(case: Case, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_factory: Callable[[Any, Case, Any], Any],
    write: Callable[[Any, Case, dict[str, Any]], Any],
    message: str,
    title: str,
    anchor: str = "",
    context: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """One lifecycle step of the case's owners: GET shows its form alone, POST runs it."""
    membership, case = _owned(request, pk)
    form = form_factory(request.POST if request.method == "POST" else None, case, membership)
    return form_page(
        request,
        form,
        write=lambda data: write(membership, case, data),
        done=lambda _result: (message, _detail(case, anchor)),
        title=title,
        case=case,
        context=context(case) if context else None,
    )


@scoped_to(Case)
@sensitive_post_parameters()
def case_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, case = _owned(request, pk)
    if selectors.may_read_case_record(membership, case):
        services.case_record_viewed(actor=membership, case=case, purpose="edit")
    initial = {
        "summary": case.summary,
        "internal_notes": case.internal_notes,
        "risk_level": case.risk_level,
        "is_collective": case.is_collective,
        "workers_count": case.workers_count,
        "assigned_to": case.assigned_to_id,
        "version": case.version,
    }
    form = forms.CaseForm(posted(request), initial=initial, membership=membership, cso_id=case.cso_id)

    def write(data: dict[str, Any]) -> Case:
        version = data.pop("version")
        return services.case_update(actor=membership, case=case, expected_version=version, **data)

    # On a conflict the page shows the case as it now is: `case` was read after the other person saved.
    return form_page(
        request,
        form,
        write=write,
        done=lambda saved: (_("Saved."), _detail(saved)),
        title=_("Edit case %(ref)s") % {"ref": case.reference},
        case=case,
        template="cases/case_form.html",
        context={"current": case},
    )


@scoped_to(Case)
def case_add_business_view(request: HttpRequest, pk: int) -> HttpResponse:
    def write(membership: Any, case: Case, data: dict[str, Any]) -> Any:
        organisation = None if data["site"] is not None else data["organisation"]
        return services.case_add_business(
            actor=membership,
            case=case,
            site=data["site"],
            organisation=organisation,
            broker_name=data["broker_name"],
            acknowledge_small_groups=data.get("acknowledge_small_groups", False),
        )

    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.BusinessForm(data, membership=m, shared=case.shared_at is not None),
        write=write,
        message=_("Business added."),
        title=_("Add a business"),
        anchor="businesses",
    )


@scoped_to(Case)
def case_link_worker_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.WorkerLinkForm(data, membership=m),
        write=lambda m, case, data: services.case_add_worker(actor=m, case=case, worker=data["worker_label"]),
        message=_("Worker linked to the case."),
        title=_("Link a worker"),
        anchor="workers",
    )


@scoped_to(Case)
@sensitive_post_parameters()
def issue_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.IssueForm(data),
        write=lambda m, case, data: services.issue_add(actor=m, case=case, **forms.issue_arguments(data)),
        message=_("Issue added."),
        title=_("Add an issue"),
        anchor="issues",
    )


@scoped_to(Case)
@require_POST
@sensitive_post_parameters()
def issue_edit_view(request: HttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    membership, case = _owned(request, pk)
    issue = get_scoped_or_404(case.issues.select_related("case"), request, pk=issue_pk)
    return form_page(
        request,
        forms.IssueForm(request.POST),
        write=lambda data: services.issue_update(actor=membership, issue=issue, **forms.issue_arguments(data)),
        done=lambda _issue: (_("Issue saved."), _detail(case, "issues")),
        title=_("Edit issue"),
        submit=_("Save"),
        case=case,
    )


@scoped_to(Case)
@require_POST
def issue_rate_view(request: HttpRequest, pk: int, issue_pk: int) -> HttpResponse:
    membership, case = _owned(request, pk)
    issue = get_scoped_or_404(case.issues.select_related("case"), request, pk=issue_pk)
    return form_page(
        request,
        forms.RatingForm(request.POST),
        write=lambda data: services.issue_rate(actor=membership, issue=issue, rating=data["rating"]),
        done=lambda _issue: (_("Remediation rated."), _detail(case, "issues")),
        title=_("Rate the remediation"),
        case=case,
    )


@scoped_to(Case)
def case_assess_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.EmptyForm(data),
        write=lambda m, case, data: services.case_assess(actor=m, case=case),
        message=_("Case assessed."),
        title=_("Assess the case"),
    )


@scoped_to(Case)
def case_share_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.ShareForm(data),
        write=lambda m, case, data: services.case_share(
            actor=m, case=case, acknowledge_small_groups=data["acknowledge_small_groups"]
        ),
        message=_("Case shared with the businesses concerned."),
        title=_("Share with the business"),
        context=lambda case: {"group_warnings": group_warnings(case), "show_summary": True},
    )


@scoped_to(Case)
@sensitive_post_parameters()
def case_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.NoteForm(data),
        write=lambda m, case, data: services.case_note(
            actor=m, case=case, text=data["text"], visible_to_business=data["visible_to_business"]
        ),
        message=_("Note added."),
        title=_("Add a note"),
        anchor="timeline",
    )


@scoped_to(Case)
def case_request_validation_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.EmptyForm(data),
        write=lambda m, case, data: services.case_request_validation(actor=m, case=case),
        message=_("The case now waits for the worker's validation."),
        title=_("Ask the worker to validate"),
    )


@scoped_to(Case)
@sensitive_post_parameters()
def validation_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.ValidationForm(data, membership=m, case=case),
        write=lambda m, case, data: services.validation_record(actor=m, case=case, **data),
        message=_("Worker validation recorded."),
        title=_("Record the worker's validation"),
        anchor="validations",
    )


@scoped_to(Case)
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.CloseForm(data, membership=m, case=case),
        write=lambda m, case, data: services.case_close(
            actor=m, case=case, closure=data["closure"], reason=data["reason"], merged_into=data["merged_into"]
        ),
        message=_("Case closed."),
        title=_("Close the case"),
    )


@scoped_to(Case)
def case_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.ReasonForm(data),
        write=lambda m, case, data: services.case_reopen(actor=m, case=case, reason=data["reason"]),
        message=_("Case reopened."),
        title=_("Reopen the case"),
    )


@scoped_to(Case)
def case_escalate_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.EscalationForm(data, membership=m),
        write=lambda m, case, data: services.case_escalate(
            actor=m, case=case, buyer=data["buyer"], reason=data["reason"]
        ),
        message=_("Case escalated to the buyer."),
        title=_("Escalate to a buyer"),
        anchor="escalations",
    )


@scoped_to(Case)
def payment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.PaymentForm(data, membership=m, case=case),
        write=lambda m, case, data: services.payment_record(actor=m, case=case, **data),
        message=_("Payment recorded."),
        title=_("Record a payment"),
        anchor="payments",
    )


@scoped_to(Case)
@require_POST
def payment_verify_view(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    membership, case = _owned(request, pk)
    payment = get_scoped_or_404(case.payments.select_related("case"), request, pk=payment_pk)
    return form_page(
        request,
        forms.PaymentVerifyForm(request.POST),
        write=lambda data: services.payment_verify(
            actor=membership, payment=payment, how=data["how"], verified=data["verified"]
        ),
        done=lambda _payment: (_("The worker's answer is recorded."), _detail(case, "payments")),
        title=_("Verify a payment"),
        case=case,
    )


@scoped_to(Case)
@sensitive_post_parameters()
def reveal_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        form_factory=lambda data, case, m: forms.RevealRequestForm(data, membership=m, case=case),
        write=lambda m, case, data: services.identity_reveal_request(actor=m, case=case, **data),
        message=_("Reveal requested. A second member of your CSO must approve it."),
        title=_("Ask to reveal a worker's identity"),
        anchor="reveals",
    )


@scoped_to(Case)
@require_POST
def reveal_decide_view(request: HttpRequest, pk: int, reveal_pk: int) -> HttpResponse:
    membership, case = _owned(request, pk)
    reveal = get_scoped_or_404(
        selectors.identity_reveal_list(membership=membership).filter(case=case), request, pk=reveal_pk
    )
    return form_page(
        request,
        forms.RevealDecisionForm(request.POST),
        write=lambda data: services.identity_reveal_decide(
            actor=membership, reveal=reveal, approve=data["decision"] == "approve"
        ),
        done=lambda decided: (
            _("Reveal approved.") if decided.approved_at else _("Reveal declined."),
            _detail(case, "reveals"),
        ),
        title=_("Decide on a reveal"),
        submit=_("Save"),
        case=case,
    )


# --- the business's steps ------------------------------------------------------------------------------


def _responding(request: HttpRequest, pk: int) -> tuple[Any, Case]:
    membership = acting(request)
    case = scoped_case(request, pk)
    if not responds_to(membership, case):
        raise PermissionDenied(_("Your role does not allow this."))
    return membership, case


@scoped_to(Case)
def case_respond_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, case = _responding(request, pk)
    return form_page(
        request,
        forms.RespondForm(posted(request)),
        write=lambda data: services.case_respond(actor=membership, case=case, text=data["text"], kind=data["kind"]),
        done=lambda _update: (_("Your response was sent to the CSO."), _detail(case, "timeline")),
        title=_("Respond"),
        case=case,
    )


@scoped_to(Case)
def action_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The CSO proposes an action for any business concerned; a business plans its own."""
    membership = acting(request)
    case = scoped_case(request, pk)
    if not (works_case(membership, case) or responds_to(membership, case)):
        raise PermissionDenied(_("Your role does not allow this."))
    form = forms.ActionForm(posted(request), membership=membership, case=case)

    def write(data: dict[str, Any]) -> Any:
        responsible = data.get("responsible") or membership.organisation
        return services.action_add(
            actor=membership,
            case=case,
            description=data["description"],
            responsible=responsible,
            due_date=data["due_date"],
            issue=data["issue"],
        )

    return form_page(
        request,
        form,
        write=write,
        done=lambda _action: (_("Action added."), _detail(case, "actions")),
        title=_("Add an action"),
        case=case,
    )


@scoped_to(Case)
@require_POST
def action_update_view(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    membership = acting(request)
    case = scoped_case(request, pk)
    if not (works_case(membership, case) or responds_to(membership, case)):
        raise PermissionDenied(_("Your role does not allow this."))
    action = get_scoped_or_404(
        selectors.action_list(membership=membership).filter(case=case).select_related("case"), request, pk=action_pk
    )
    return form_page(
        request,
        forms.ActionUpdateForm(request.POST),
        write=lambda data: services.action_update(
            actor=membership, action=action, text=data["text"], status=data["status"], expected_version=data["version"]
        ),
        done=lambda _action: (_("Action updated."), _detail(case, "actions")),
        title=_("Update an action"),
        case=case,
    )
