"""Intake and workers, for the CSO: log a contact (optionally with a new worker, after a duplicate check),
open a case, and the worker page (demographics, consents, cases; identity behind an audited POST; erasure).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from ilm.cases import forms, selectors, services
from ilm.cases.models import Contact, ContactPurpose, Worker, WorkerIdentifier
from ilm.cases.views.detail import identity_response
from ilm.cases.views.page import acting, call_service, form_page, form_status, posted
from ilm.core.fields import blind_index_for
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.tenancy import ScopedPageMixin, get_scoped_or_404, scoped_to


def _cso_caseworker(request: HttpRequest) -> Any:
    """Contacts, workers and cases are recorded by a CSO's caseworkers."""
    membership = acting(request)
    if membership.organisation_kind != OrgKind.CSO or not can(membership, Action.WORK_CASES):
        raise PermissionDenied(_("Your role does not allow this."))
    return membership


def possible_duplicates(membership: Any, full_name: str, identifiers: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """`services.worker_duplicates`, with what each one shares with the new worker (name, phone, ...)."""
    found = services.worker_duplicates(actor=membership, full_name=full_name, identifiers=identifiers)
    indexes = {blind_index_for(WorkerIdentifier, "value", value) for _kind, value in identifiers}
    name_index = blind_index_for(Worker, "full_name", full_name) if full_name.strip() else ""
    duplicates = []
    for worker in found:
        same = [_("name")] if name_index and worker.name_index == name_index else []
        same += [i.get_kind_display().lower() for i in worker.identifiers.all() if i.value_index in indexes]
        duplicates.append({"worker": worker, "same": ", ".join(dict.fromkeys(str(s) for s in same))})
    return duplicates


@sensitive_post_parameters()
def contact_create_view(request: HttpRequest) -> HttpResponse:
    membership = _cso_caseworker(request)
    data = request.POST if request.method == "POST" else None
    form = forms.ContactForm(data, membership=membership)
    identifiers = forms.IdentifierFormSet(data, prefix="ids")
    duplicates: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid() and identifiers.is_valid():
        cleaned = dict(form.cleaned_data)  # add_error() below drops fields from form.cleaned_data
        pairs = [
            (row["kind"], row["value"].strip()) for row in identifiers.cleaned_data if row.get("value", "").strip()
        ]
        if pairs and not cleaned["new_worker"]:
            form.add_error("new_worker", _("Tick this to record the new worker with these numbers and handles."))
        if cleaned["new_worker"]:
            duplicates = possible_duplicates(membership, cleaned["full_name"], pairs)
            if duplicates and not cleaned["confirm_new_worker"]:
                form.add_error(
                    "confirm_new_worker",
                    _(
                        "Your CSO may already know this worker. Use their label under Known worker, or confirm "
                        "that this is a different person."
                    ),
                )
        if not form.errors:
            contact = call_service(form, lambda: _log_contact(membership, form, pairs))
            if not form.errors:
                messages.success(request, _("Contact logged."))
                return redirect(_after_contact(contact))
    status = form_status(form)
    if status == 200 and (any(identifiers.errors) or identifiers.non_form_errors()):
        status = 400
    return render(
        request,
        "cases/contact_form.html",
        {"form": form, "identifiers": identifiers, "duplicates": duplicates},
        status=status,
    )


CALL_CHANNELS = ("hotline", "in_person")


@sensitive_post_parameters("caller_number", "notes")
def call_log_view(request: HttpRequest) -> HttpResponse:
    """The hotline's page: log a call (or a walk-in) in a few fields, then the next one; today's calls below."""
    membership = _cso_caseworker(request)
    form = forms.CallLogForm(request.POST if request.method == "POST" else None, membership=membership)
    found: list[Worker] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        number = data["caller_number"]
        worker = data["worker_label"]
        if number and worker is None:
            index = blind_index_for(WorkerIdentifier, "value", number)
            found = list(selectors.worker_list(membership=membership).filter(identifiers__value_index=index).distinct())
            if len(found) > 1:
                form.add_error(
                    "worker_label",
                    _("Several workers of your CSO have this number: %(labels)s. Enter the caller's label.")
                    % {"labels": ", ".join(w.label for w in found)},
                )
            elif found and data["record_caller"]:
                form.add_error(
                    "record_caller",
                    _("Your CSO already knows this number: the call is logged for %(label)s.")
                    % {"label": found[0].label},
                )
            elif found:
                worker = found[0]
            elif not data["record_caller"]:
                form.add_error(
                    "record_caller",
                    _(
                        "No worker of your CSO has this number. Tick this to record the caller, or leave the number "
                        "out."
                    ),
                )
        if not form.errors:
            contact = call_service(form, lambda: _log_call(membership, form, worker))
            if not form.errors:
                if found and contact.worker_id == found[0].pk:
                    messages.success(request, _("Call logged for %(label)s (same number).") % {"label": found[0].label})
                else:
                    messages.success(request, _("Call logged."))
                if request.POST.get("then") == "case" and contact.case_id is None:
                    return redirect(reverse("cases:case_open") + f"?contact={contact.pk}")
                return redirect("cases:call_log")
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    calls = (
        selectors.contact_list(membership=membership)
        .filter(cso_id=membership.organisation_id, occurred_at__gte=today)
        .filter(Q(channel__isnull=True) | Q(channel__provider__in=CALL_CHANNELS))
        .select_related("channel", "worker", "case", "logged_by__user")
        .order_by("-occurred_at", "-id")[:100]
    )
    return render(request, "cases/call_log.html", {"form": form, "calls": calls}, status=form_status(form))


@transaction.atomic
def _log_call(membership: Any, form: forms.CallLogForm, worker: Worker | None) -> Contact:
    """A new caller's worker record and the contact together: if the contact is refused, nothing is kept."""
    data = form.cleaned_data
    if worker is None and data["record_caller"]:
        worker = services.worker_create(
            actor=membership, identifiers=[("phone", data["caller_number"])], consents=form.consents()
        )
    return services.contact_log(
        actor=membership,
        occurred_at=data["occurred_at"],
        who=data["who"],
        purpose=data["purpose"],
        channel=data["channel"],
        language=data["language"],
        notes=data["notes"],
        worker=worker,
        case=data["case_reference"],
    )


@transaction.atomic
def _log_contact(membership: Any, form: forms.ContactForm, identifiers: list[tuple[str, str]]) -> Contact:
    """The new worker and the contact together: if the contact is refused, the worker is not kept."""
    data = form.cleaned_data
    worker = data["worker_label"]
    if data["new_worker"]:
        worker = services.worker_create(
            actor=membership,
            full_name=data["full_name"],
            identifiers=identifiers,
            consents=form.consents(),
            **form.demographics(),
        )
    return services.contact_log(
        actor=membership,
        occurred_at=data["occurred_at"],
        who=data["who"],
        purpose=data["purpose"],
        channel=data["channel"],
        language=data["language"],
        notes=data["notes"],
        worker=worker,
        case=data["case_reference"],
    )


def _after_contact(contact: Contact) -> str:
    if contact.case_id:
        return reverse("cases:case_detail", args=[contact.case_id])
    if contact.purpose == ContactPurpose.ISSUE_REPORT:
        return reverse("cases:case_open") + f"?contact={contact.pk}"
    if contact.worker_id:
        return reverse("cases:worker_detail", args=[contact.worker_id])
    return reverse("cases:case_list")


@sensitive_post_parameters()
def case_open_view(request: HttpRequest) -> HttpResponse:
    membership = _cso_caseworker(request)
    contact = None
    if request.GET.get("contact"):
        contact = get_scoped_or_404(
            selectors.contact_list(membership=membership).filter(cso_id=membership.organisation_id),
            request,
            pk=request.GET["contact"],
        )
    form = forms.CaseOpenForm(
        posted(request),
        membership=membership,
        cso_id=membership.organisation_id,
        initial={"assigned_to": membership.pk},
    )

    def write(data: dict[str, Any]) -> Any:
        worker = data.pop("worker_label")
        return services.case_open(actor=membership, contact=contact, workers=[worker] if worker else [], **data)

    return form_page(
        request,
        form,
        write=write,
        done=lambda case: (
            _("Case %(ref)s opened.") % {"ref": case.reference},
            reverse("cases:case_detail", args=[case.pk]),
        ),
        title=_("Open a case"),
        template="cases/case_form.html",
        context={"contact": contact, "opening": True},
    )


class WorkerDetailView(ScopedPageMixin, DetailView):
    """A worker, for their CSO and the technical partner (nobody else lists workers)."""

    model = Worker
    scope_selector = selectors.worker_list
    template_name = "cases/worker_detail.html"
    context_object_name = "worker"

    def safely_get_queryset(self, queryset: QuerySet[Worker]) -> QuerySet[Worker]:
        return queryset.select_related(
            "consent_share_identity_by__user",
            "consent_contact_for_validation_by__user",
            "consent_statistics_by__user",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        worker = self.object
        labels = dict(forms.ConsentForm.base_fields["consent"].choices)  # type: ignore[attr-defined]
        context["consents"] = [
            {
                "name": name,
                "label": labels[name],
                "value": getattr(worker, f"consent_{name}"),
                "by": getattr(worker, f"consent_{name}_by"),
                "at": getattr(worker, f"consent_{name}_at"),
            }
            for name in Worker.CONSENTS
        ]
        context["cases"] = (
            selectors.case_list(membership=membership).filter(case_workers__worker=worker).order_by("-id")
        )
        context["contacts"] = selectors.contact_list(membership=membership).filter(worker=worker)
        context["may_view_identity"] = can(membership, Action.VIEW_WORKER_IDENTITY) and worker.erased_at is None
        context["may_work"] = can(membership, Action.WORK_CASES) and worker.erased_at is None
        context["may_erase"] = can(membership, Action.ERASE_WORKERS) and worker.erased_at is None
        return context


def _scoped_worker(request: HttpRequest, pk: int) -> tuple[Any, Worker]:
    membership = acting(request)
    return membership, get_scoped_or_404(selectors.worker_list(membership=membership), request, pk=pk)


@scoped_to(Worker)
@require_POST
def worker_identity_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, worker = _scoped_worker(request, pk)
    identity = services.worker_identity(actor=membership, worker=worker)  # audited; 403 for other roles
    return identity_response(request, worker, identity, owner=True)


@scoped_to(Worker)
@require_POST
def worker_consent_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, worker = _scoped_worker(request, pk)
    return form_page(
        request,
        forms.ConsentForm(request.POST),
        write=lambda data: services.worker_set_consent(
            actor=membership, worker=worker, consent=data["consent"], value=data["value"]
        ),
        done=lambda saved: (_("Consent recorded."), reverse("cases:worker_detail", args=[saved.pk])),
        title=_("Record consent"),
        context={"worker": worker},
    )


@scoped_to(Worker)
@sensitive_post_parameters()
def worker_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    membership, worker = _scoped_worker(request, pk)
    if not can(membership, Action.ERASE_WORKERS):
        raise PermissionDenied(_("Your role does not allow this."))
    return form_page(
        request,
        forms.EraseForm(posted(request), worker=worker),
        write=lambda data: services.worker_erase(actor=membership, worker=worker, reason=data["reason"]),
        done=lambda erased: (
            _("The identity of %(label)s was erased.") % {"label": erased.label},
            reverse("cases:worker_detail", args=[erased.pk]),
        ),
        title=_("Erase the identity of %(label)s") % {"label": worker.label},
        template="cases/worker_erase.html",
        context={"worker": worker},
    )
