"""The case page, in two versions: the owner's (the case's CSO and the technical partner: everything) and
the business's (suppliers, agencies, buyers: only what was written for them).

The business version is built from plain dictionaries holding the shareable fields only, so its template
cannot reach worker identity, internal notes, CSO-only descriptions, validation comments or the risk level
even by mistake. Worker identity appears only in the response to an explicit, audited "Show identity" POST.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from ilm.cases import attachments, forms, selectors, services
from ilm.cases.models import Case, CaseStatus, UpdateKind, Worker
from ilm.cases.views.page import acting, responds_to, scoped_case
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, scoped_to
from ilm.network import selectors as network
from ilm.network.models import Gender

STATUS_LABELS = dict(CaseStatus.choices)


def _conversations(membership: Any, case: Any) -> Any:
    """The inbox conversations attached to the case, for members who may read them (links, no content)."""
    from ilm.channels.selectors import conversation_list

    return conversation_list(membership=membership).filter(case=case).order_by("-last_message_at")


def _validation_requests(membership: Any, case: Any) -> list[Any]:
    """Validation questions asked on the worker's channel, for the inbox's members (who read the replies)."""
    from ilm.channels.selectors import validation_request_list

    return list(validation_request_list(membership=membership).filter(case=case).exclude(status="withdrawn"))


def _may_ask_by_message(membership: Any, case: Any) -> bool:
    from ilm.channels.validation import askable_conversations

    return bool(askable_conversations(actor=membership, case=case))


def currency_totals(payments: Any) -> list[dict[str, Any]]:
    """Owed and repaid per currency: amounts in different currencies are never added together."""
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"owed": Decimal("0"), "repaid": Decimal("0"), "payments": 0, "verified": 0}
    )
    for payment in payments:
        row = totals[payment.currency]
        row["owed"] += payment.amount_owed
        row["repaid"] += payment.amount_repaid
        row["payments"] += 1
        row["verified"] += 1 if payment.verified_by_worker else 0
    return [{"currency": currency, **row} for currency, row in sorted(totals.items())]


def _update_text(update: Any) -> str:
    """Entries the system writes store codes and names; they are worded here, in the reader's language."""
    if update.kind == UpdateKind.STATUS:
        return str(STATUS_LABELS.get(update.text, update.text))
    if update.kind == UpdateKind.ESCALATION:
        return _("Escalated to %(buyer)s.") % {"buyer": update.text}
    return str(update.text)


def action_rows(membership: Any, case: Case, *, editable: Any) -> list[dict[str, Any]]:
    """The case's actions as rows both versions of the page show; `editable(action)` says which get a form."""
    rows = []
    for action in selectors.action_list(membership=membership).filter(case=case).order_by("due_date", "id"):
        rows.append(
            {
                "pk": action.pk,
                "description": action.description,
                "issue": str(action.issue.category) if action.issue_id and action.issue else "",
                "responsible": action.responsible.name,
                "due_date": action.due_date,
                "status": action.get_status_display(),
                "completed_at": action.completed_at,
                "last_reverted_at": action.last_reverted_at,
                "form": forms.ActionUpdateForm(
                    initial={"status": action.status, "version": action.version}, auto_id=f"act{action.pk}_%s"
                )
                if editable(action)
                else None,
            }
        )
    return rows


class CaseDetailView(ScopedPageMixin, DetailView):
    model = Case
    scope_selector = selectors.case_list
    context_object_name = "case"

    def get_template_names(self) -> list[str]:
        owner = selectors.owns_case(self.request.membership, self.object)
        return ["cases/case_detail_owner.html" if owner else "cases/case_detail_business.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        membership = self.request.membership
        if selectors.owns_case(membership, self.object):
            return super().get_context_data(**kwargs) | owner_context(membership, self.object)
        # Not the model object: the business template gets the shareable projection only.
        return {"view": self} | business_context(membership, self.object)


def owner_context(membership: Any, case: Case) -> dict[str, Any]:
    issues = list(case.issues.select_related("category", "rated_by__user"))
    businesses = list(case.businesses.select_related("organisation", "site__supplier"))
    workers = list(forms.case_workers(membership, case))
    payments = list(case.payments.select_related("worker", "recorded_by__user"))
    works = can(membership, Action.WORK_CASES)
    # Free text that may name workers (internal notes, CSO-only descriptions, validation comments): for the
    # roles that may see identity, and every read is recorded.
    reads_record = selectors.may_read_case_record(membership, case)
    if reads_record:
        services.case_record_viewed(actor=membership, case=case, purpose="page")
    closed = case.status == CaseStatus.CLOSED
    shared = case.shared_at is not None
    context: dict[str, Any] = {
        "owner": True,
        "issues": issues,
        "businesses": businesses,
        "workers": workers,
        "updates": [
            (update, _update_text(update)) for update in selectors.update_list(membership=membership, case=case)
        ],
        "actions": action_rows(membership, case, editable=lambda _action: works and not closed),
        "validations": case.validations.select_related("worker", "recorded_by__user"),
        "validation_requests": _validation_requests(membership, case),
        "payments": payments,
        "totals": currency_totals(payments),
        "escalations": case.escalations.select_related("buyer", "escalated_by__user"),
        "reveals": selectors.identity_reveal_list(membership=membership)
        .filter(case=case)
        .select_related("worker", "approved_by__user"),
        "attachments": [
            (a, attachments.download_name(actor=membership, attachment=a))
            for a in selectors.attachment_list(membership=membership).filter(case=case)
        ],
        "may_attach": attachments.may_add_attachment(membership, case),
        "contacts": selectors.contact_list(membership=membership).filter(case=case),
        "conversations": _conversations(membership, case),
        "works": works,
        "reads_record": reads_record,
        "may_view_identity": can(membership, Action.VIEW_WORKER_IDENTITY),
        "may_approve": can(membership, Action.APPROVE_IDENTITY_REVEAL),
        "closed": closed,
        "shared": shared,
    }
    if not works:
        return context
    if case.status == CaseStatus.ASSESSED:
        context["group_warnings"] = group_warnings(case)
    f = context["forms"] = {}
    if not closed:
        f["business"] = forms.BusinessForm(membership=membership, shared=shared, auto_id="business_%s")
        f["worker"] = forms.WorkerLinkForm(membership=membership, auto_id="link_%s")
        f["issue"] = forms.IssueForm(auto_id="issue_%s")
        f["note"] = forms.NoteForm(auto_id="note_%s")
        f["payment"] = forms.PaymentForm(membership=membership, case=case, auto_id="payment_%s")
        f["close"] = forms.CloseForm(membership=membership, case=case, auto_id="close_%s")
    if case.status == CaseStatus.INTAKE:
        f["assess"] = forms.EmptyForm()
    if case.status == CaseStatus.ASSESSED:
        f["share"] = forms.ShareForm(auto_id="share_%s")
    if shared and not closed:
        f["validation"] = forms.ValidationForm(membership=membership, case=case, auto_id="validation_%s")
        f["escalate"] = forms.EscalationForm(membership=membership, auto_id="escalate_%s")
        f["action"] = forms.ActionForm(membership=membership, case=case, auto_id="action_%s")
        if any(w.consent_share_identity for w in workers) and can(membership, Action.VIEW_WORKER_IDENTITY):
            f["reveal"] = forms.RevealRequestForm(membership=membership, case=case, auto_id="reveal_%s")
    if case.status in (CaseStatus.SHARED, CaseStatus.IN_REMEDIATION):
        f["request_validation"] = forms.EmptyForm()
    # Not while a reply waits to be read: asking again would put it out of sight.
    context["may_ask_by_message"] = not any(
        vr.status == "answered" for vr in context["validation_requests"]
    ) and _may_ask_by_message(membership, case)
    if closed:
        f["reopen"] = forms.ReasonForm(auto_id="reopen_%s")
    for issue in issues:  # forms of each issue, for the page to show beside it
        issue.edit_form = (  # type: ignore[attr-defined]
            None
            if closed or not reads_record
            else forms.IssueForm(initial=issue_initial(issue), auto_id=f"issue{issue.pk}_%s")
        )
        issue.rating_form = (  # type: ignore[attr-defined]
            forms.RatingForm(initial={"rating": issue.rating}, auto_id=f"rate{issue.pk}_%s") if shared else None
        )
    for payment in payments:
        payment.verify_form = (  # type: ignore[attr-defined]
            forms.PaymentVerifyForm(auto_id=f"verify{payment.pk}_%s") if payment.verified_at is None else None
        )
    return context


def issue_initial(issue: Any) -> dict[str, Any]:
    return {
        "category": issue.category_id,
        "workers_affected": issue.workers_affected,
        "forced_labour": "1" if issue.forced_labour else "0",
        "zero_tolerance": issue.zero_tolerance,
        "description": issue.description,
        "shareable_description": issue.shareable_description,
    }


def group_warnings(case: Case) -> list[dict[str, Any]]:
    """`selectors.identifiable_group_warnings`, with nationality names and gender labels for the page."""
    warnings = selectors.identifiable_group_warnings(case)
    countries = {c.pk: c for c in network.country_list().filter(pk__in={w["nationality"] for w in warnings})}
    genders = dict(Gender.choices)
    return [
        w
        | {
            "nationality_name": str(countries.get(w["nationality"], w["nationality"])),
            "gender_label": genders[w["gender"]],
        }
        for w in warnings
    ]


def business_context(membership: Any, case: Case) -> dict[str, Any]:
    """The business view of a case, as plain data: the shareable fields and nothing else."""
    org_id = membership.organisation_id
    businesses = list(case.businesses.select_related("organisation", "site"))
    responder = responds_to(membership, case) and case.status != CaseStatus.CLOSED
    actions = action_rows(membership, case, editable=lambda action: responder and action.responsible_id == org_id)
    revealed = sorted(selectors.revealed_worker_ids(membership=membership, case=case))
    is_buyer = membership.organisation_kind == OrgKind.BUYER
    return {
        "owner": False,
        "case": {
            "pk": case.pk,
            "reference": case.reference,
            "status": case.get_status_display(),
            "closed": case.status == CaseStatus.CLOSED,
            "closure": case.get_closure_display() if case.closure else "",
            "summary": case.summary,
            "country": case.country,
            "workers_count": case.workers_count if case.is_collective else None,
            "opened_at": case.opened_at,
            "shared_at": case.shared_at,
            "first_response_at": case.first_response_at,
            "closed_at": case.closed_at,
        },
        "issues": [
            {
                "category": str(issue.category),
                "workers_affected": issue.workers_affected,
                "forced_labour": issue.forced_labour,
                "zero_tolerance": issue.zero_tolerance,
                "shareable_description": issue.shareable_description,
                "rating": issue.get_rating_display() if issue.rating else "",
            }
            for issue in case.issues.select_related("category")
        ],
        "businesses": [
            {
                "name": business.organisation.name if business.organisation else "",
                "site": business.site.name if business.site else "",
                "is_you": business.organisation_id == org_id,
            }
            for business in businesses
            if business.organisation_id  # informal brokers are named to the CSO only
        ],
        "updates": [
            {
                "kind": update.get_kind_display(),
                "text": _update_text(update),
                "organisation": update.organisation.name,
                "created_at": update.created_at,
            }
            for update in selectors.update_list(membership=membership, case=case)
        ],
        "actions": actions,
        "totals": currency_totals(case.payments.all()),
        "escalations": [
            {"reason": e.reason, "escalated_at": e.escalated_at}
            for e in (case.escalations.filter(buyer_id=org_id) if is_buyer else [])
        ],
        "attachments": [
            {
                "pk": a.pk,
                "name": attachments.download_name(actor=membership, attachment=a),
                "description": a.description,
                "content_type": a.content_type,
                "created_at": a.created_at,
            }
            for a in selectors.attachment_list(membership=membership).filter(case=case)
        ],
        "may_attach": attachments.may_add_attachment(membership, case),
        "revealed": [{"number": index, "worker_pk": pk} for index, pk in enumerate(revealed, start=1)],
        "responder": responder,
        "respond_form": forms.RespondForm(auto_id="respond_%s") if responder else None,
        "action_form": forms.ActionForm(membership=membership, case=case, auto_id="action_%s") if responder else None,
    }


# --- identity: shown only in the response to an explicit, audited POST ----------------------------------


def identity_response(request: HttpRequest, worker: Worker, identity: dict[str, Any], **context: Any) -> HttpResponse:
    page = {"worker": worker, "identity": identity, **context}
    if getattr(request, "htmx", False):
        return render(request, "cases/_identity.html", page)
    return render(request, "cases/identity.html", page)


@scoped_to(Case)
@require_POST
def case_worker_identity_view(request: HttpRequest, pk: int, worker_pk: int) -> HttpResponse:
    """A worker's identity on a case: for the case's owners with `identity.view`, and for a business the
    worker was revealed to (consent and a second person's approval). Every call is recorded."""
    membership = acting(request)
    case = scoped_case(request, pk)
    owner = selectors.owns_case(membership, case)
    if owner:
        worker = get_scoped_or_404(forms.case_workers(membership, case), request, pk=worker_pk)
    else:
        if worker_pk not in selectors.revealed_worker_ids(membership=membership, case=case):
            raise Http404
        worker = get_scoped_or_404(case.case_workers.select_related("worker"), request, worker_id=worker_pk).worker
    identity = services.worker_identity(actor=membership, worker=worker, case=case)
    return identity_response(request, worker, identity, case=case, owner=owner)
