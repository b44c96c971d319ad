"""The one write path for cases (STYLE.md habit 1): every state change validates, writes, records its
audit event and its timeline entry, and enqueues notifications, in one transaction.

Lifecycle:  intake → assessed → shared → in_remediation → awaiting_validation → closed
            (closed as resolved only with a worker validation that confirms the remediation;
            every other closing needs a reason; reopening needs a reason)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ilm.cases import notifications
from ilm.cases.models import (
    ActionStatus,
    Case,
    CaseAction,
    CaseBusiness,
    CaseStatus,
    CaseUpdate,
    CaseWorker,
    Closure,
    Contact,
    Escalation,
    IdentityReveal,
    Issue,
    IssueCategory,
    Payment,
    Rating,
    UpdateKind,
    Worker,
    WorkerIdentifier,
    WorkerValidation,
    search_text_of,
)
from ilm.cases.selectors import dangerously_duplicate_workers, identifiable_group_warnings, owns_case
from ilm.cases.signals import worker_erased
from ilm.core import audit
from ilm.core.fields import blind_index_for
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.versioning import apply_changes, bump, lock
from ilm.network.models import Organisation, Site
from ilm.network.selectors import chain_supplier_ids

SMALL_GROUP_WARNING = _lazy(
    "The workers may be identifiable: at least one group of their nationality and gender at the site has fewer "
    "than 10 people. Check the summary, then confirm you want to share."
)
OPEN_STATUSES = (
    CaseStatus.INTAKE,
    CaseStatus.ASSESSED,
    CaseStatus.SHARED,
    CaseStatus.IN_REMEDIATION,
    CaseStatus.AWAITING_VALIDATION,
)
BUSINESS_KINDS_CONCERNED = (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY)


def _refuse(message: Any) -> None:
    raise PermissionDenied(message)


def _require_caseworker(actor: Any, case: Case | None = None, cso_id: int | None = None) -> None:
    """A member of the case's CSO (or the technical partner) whose role works cases."""
    if not can(actor, Action.WORK_CASES):
        _refuse(_("Your role does not allow this."))
    owner = case.cso_id if case is not None else cso_id
    if not can(actor, Action.VIEW_WHOLE_NETWORK) and owner != actor.organisation_id:
        _refuse(_("Your role does not allow this."))


def _require_responder(actor: Any, case: Case) -> None:
    """A member of a business the case concerns, whose role may respond, once the case is shared."""
    if not can(actor, Action.RESPOND_TO_CASES):
        _refuse(_("Your role does not allow this."))
    concerned = case.businesses.filter(organisation_id=actor.organisation_id).exists()
    if not concerned or case.shared_at is None:
        _refuse(_("Your role does not allow this."))


def _locked(case: Case, expected_version: int | None = None) -> Case:
    return lock(Case, case.pk, expected_version)


def _touch(case: Case, *fields: str) -> None:
    """Save the named fields, bump the version and the last-activity time."""
    bump(case)
    case.last_activity_at = timezone.now()
    case.save(update_fields=[*fields, "version", "last_activity_at", "updated_at"])


def refresh_search_text(case: Case) -> None:
    """Recompute the case's search text from its shareable text (after any change to it)."""
    descriptions = Issue.objects.filter(case=case).order_by("pk").values_list("shareable_description", flat=True)
    case.search_text = search_text_of(case.reference, case.summary, descriptions)
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)


def _timeline(
    case: Case, actor: Any, kind: str, text: str, *, visible_to_business: bool, action: CaseAction | None = None
) -> CaseUpdate:
    return CaseUpdate.objects.create(
        case=case,
        kind=kind,
        text=text,
        action=action,
        author=actor,
        organisation_id=actor.organisation_id,
        visible_to_business=visible_to_business,
    )


def _status_change(case: Case, actor: Any, status: str) -> None:
    old = case.status
    case.status = status
    _timeline(case, actor, UpdateKind.STATUS, status, visible_to_business=case.shared_at is not None)
    audit.record("case.status_changed", membership=actor, obj=case, detail={"from": old, "to": status})


# --- workers ----------------------------------------------------------------------------------------


def _identifier_indexes(identifiers: Sequence[tuple[str, str]]) -> list[str]:
    return [blind_index_for(WorkerIdentifier, "value", value) for _kind, value in identifiers if value.strip()]


def worker_duplicates(*, actor: Any, full_name: str = "", identifiers: Sequence[tuple[str, str]] = ()) -> list[Worker]:
    """Likely duplicates in the actor's own CSO: same phone, handle or document number, or same name."""
    if not can(actor, Action.WORK_CASES):
        return []
    name_index = blind_index_for(Worker, "full_name", full_name) if full_name.strip() else ""
    return list(
        dangerously_duplicate_workers(
            cso_id=actor.organisation_id, indexes=_identifier_indexes(identifiers), name_index=name_index
        )
    )


@transaction.atomic
def worker_create(
    *,
    actor: Any,
    full_name: str = "",
    identifiers: Sequence[tuple[str, str]] = (),
    consents: dict[str, bool] | None = None,
    **demographics: Any,
) -> Worker:
    """A worker of the actor's CSO. `identifiers` are (kind, value) pairs: phones, handles, documents."""
    if actor.organisation_kind != OrgKind.CSO:
        _refuse(_("Workers are recorded by a CSO."))
    _require_caseworker(actor, cso_id=actor.organisation_id)
    worker = Worker(cso_id=actor.organisation_id, full_name=full_name.strip(), **demographics)
    worker.full_clean(exclude=["cso"])
    worker.save()
    _save_identifiers(worker, identifiers)
    now = timezone.now()
    for consent, value in (consents or {}).items():
        _set_consent(worker, actor, consent, value, now)
    worker.save()
    audit.record(
        "worker.created",
        membership=actor,
        obj=worker,
        detail={"identifiers": len(identifiers), "consents": sorted(k for k, v in (consents or {}).items() if v)},
    )
    return worker


def _save_identifiers(worker: Worker, identifiers: Sequence[tuple[str, str]]) -> None:
    errors = []
    for kind, value in identifiers:
        if not value.strip():
            continue
        identifier = WorkerIdentifier(worker=worker, kind=kind, value=value.strip())
        try:
            identifier.full_clean(exclude=["worker"])
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        identifier.save()
    if errors:
        raise ValidationError({"identifiers": errors})


def _set_consent(worker: Worker, actor: Any, consent: str, value: bool, when: datetime.datetime) -> bool:
    if consent not in Worker.CONSENTS:
        raise ValidationError({"consents": _("Unknown consent.")})
    field = f"consent_{consent}"
    if getattr(worker, field) == bool(value) and getattr(worker, f"{field}_at") is not None:
        return False
    setattr(worker, field, bool(value))
    setattr(worker, f"{field}_by", actor)
    setattr(worker, f"{field}_at", when)
    return True


@transaction.atomic
def worker_update(
    *,
    actor: Any,
    worker: Worker,
    expected_version: int | None = None,
    identifiers: Sequence[tuple[str, str]] | None = None,
    **changes: Any,
) -> Worker:
    _require_caseworker(actor, cso_id=worker.cso_id)
    worker = lock(Worker, worker.pk, expected_version)
    if worker.erased_at is not None:
        raise ValidationError(_("This worker's identity was erased."))
    if "full_name" in changes:
        changes["full_name"] = str(changes["full_name"]).strip()
    changed = apply_changes(
        worker,
        changes,
        ("full_name", "kind", "gender", "nationality", "age_band", "job", "site", "recruitment_agency", "origin_area"),
    )
    worker.full_clean(exclude=["cso"])
    if identifiers is not None:
        worker.identifiers.all().delete()
        _save_identifiers(worker, identifiers)
        changed.append("identifiers")
    if changed:
        bump(worker)
        worker.save()
        audit.record("worker.changed", membership=actor, obj=worker, detail={"fields": changed})
    return worker


@transaction.atomic
def worker_set_consent(*, actor: Any, worker: Worker, consent: str, value: bool) -> Worker:
    """Record a consent (who and when). Withdrawing consent to share identity ends every reveal."""
    _require_caseworker(actor, cso_id=worker.cso_id)
    worker = lock(Worker, worker.pk, None)
    if _set_consent(worker, actor, consent, value, timezone.now()):
        bump(worker)
        worker.save()
        if consent == "share_identity" and not value:
            IdentityReveal.objects.filter(worker=worker, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        audit.record(
            "worker.consent_recorded", membership=actor, obj=worker, detail={"consent": consent, "value": bool(value)}
        )
    return worker


def case_record_viewed(*, actor: Any, case: Case, purpose: str = "page") -> None:
    """Record that someone read a case's free text (which may name workers)."""
    audit.record("case.record_viewed", membership=actor, obj=case, detail={"purpose": purpose})


def worker_identity(*, actor: Any, worker: Worker, case: Case | None = None, purpose: str = "page") -> dict[str, Any]:
    """The worker's identity, for someone allowed to see it. Every call is an audited view."""
    from ilm.cases.selectors import may_view_identity

    if not may_view_identity(actor, worker, case):
        _refuse(_("Your role does not allow this."))
    audit.record(
        "identity.viewed", membership=actor, obj=worker, detail={"case": case.pk if case else None, "purpose": purpose}
    )
    return {
        "full_name": worker.full_name,
        "identifiers": [(i.get_kind_display(), i.value) for i in worker.identifiers.all()],
    }


@transaction.atomic
def worker_erase(*, actor: Any, worker: Worker, reason: str) -> Worker:
    """Destroy a worker's identity on their request, here and in every history row; keep the statistics
    (demographics, cases, counts). Irreversible."""
    if not can(actor, Action.ERASE_WORKERS) or (
        not can(actor, Action.VIEW_WHOLE_NETWORK) and worker.cso_id != actor.organisation_id
    ):
        _refuse(_("Your role does not allow this."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why (for example: the worker asked).")})
    worker = lock(Worker, worker.pk, None)
    history_model = Worker.history.model
    identifier_history = WorkerIdentifier.history.model
    identifier_ids = list(worker.identifiers.values_list("pk", flat=True))
    # Other records of this person (the inbox's conversations with them) go in the same transaction.
    removed = worker_erased.send(sender=Worker, worker=worker, identifiers=[i.value for i in worker.identifiers.all()])
    worker.identifiers.all().delete()
    identifier_history.objects.filter(id__in=identifier_ids).update(value="")
    Worker.objects.filter(pk=worker.pk).update(
        full_name="", name_index="", erased_at=timezone.now(), version=F("version") + 1
    )
    history_model.objects.filter(id=worker.pk).update(full_name="")
    Contact.objects.filter(worker=worker).update(notes="")
    WorkerValidation.objects.filter(worker=worker).update(comments="")
    IdentityReveal.objects.filter(worker=worker, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    detail: dict[str, Any] = {"identifiers": len(identifier_ids)}
    for _receiver, result in removed:
        if isinstance(result, dict):
            detail.update(result)
    audit.record("worker.erased", membership=actor, obj=worker, detail=detail)
    worker.refresh_from_db()
    return worker


# --- contacts --------------------------------------------------------------------------------------


@transaction.atomic
def contact_log(
    *,
    actor: Any,
    occurred_at: datetime.datetime,
    who: str,
    purpose: str,
    channel: Any = None,
    language: str = "",
    notes: str = "",
    worker: Worker | None = None,
    case: Case | None = None,
) -> Contact:
    """A call, message or visit. The Channels issue calls this for incoming messages (actor: the CSO's
    channel service membership)."""
    if actor.organisation_kind != OrgKind.CSO:
        _refuse(_("Contacts are logged by a CSO."))
    _require_caseworker(actor, cso_id=actor.organisation_id)
    if channel is not None and channel.cso_id != actor.organisation_id:
        raise ValidationError({"channel": _("Choose one of your CSO's channels.")})
    if worker is not None and worker.cso_id != actor.organisation_id:
        raise ValidationError({"worker": _("Choose one of your CSO's workers.")})
    if case is not None and case.cso_id != actor.organisation_id:
        raise ValidationError({"case": _("Choose one of your CSO's cases.")})
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("The contact cannot be in the future.")})
    contact = Contact(
        cso_id=actor.organisation_id,
        channel=channel,
        occurred_at=occurred_at,
        who=who,
        purpose=purpose,
        language=language,
        notes=notes,
        worker=worker,
        case=case,
        logged_by=actor,
    )
    contact.full_clean(exclude=["cso", "logged_by"])
    contact.save()
    audit.record("contact.logged", membership=actor, obj=contact, detail={"purpose": purpose})
    return contact


# --- cases ----------------------------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: Any,
    summary: str = "",
    internal_notes: str = "",
    risk_level: str = "medium",
    is_collective: bool = False,
    workers_count: int = 1,
    contact: Contact | None = None,
    workers: Iterable[Worker] = (),
    assigned_to: Any = None,
) -> Case:
    if actor.organisation_kind != OrgKind.CSO:
        _refuse(_("Cases are opened by a CSO."))
    _require_caseworker(actor, cso_id=actor.organisation_id)
    case = Case(
        cso_id=actor.organisation_id,
        summary=summary,
        internal_notes=internal_notes,
        risk_level=risk_level,
        is_collective=is_collective,
        workers_count=workers_count,
        assigned_to=assigned_to or actor,
    )
    case.full_clean(exclude=["cso", "assigned_to", "reference"])
    _check_assignee(case, case.assigned_to)
    case.save()
    refresh_search_text(case)
    for worker in workers:
        _link_worker(case, worker)
    if contact is not None:
        if contact.cso_id != case.cso_id:
            raise ValidationError({"contact": _("Choose one of your CSO's contacts.")})
        Contact.objects.filter(pk=contact.pk).update(case=case)
        if contact.worker is not None:
            _link_worker(case, contact.worker)
    _timeline(case, actor, UpdateKind.STATUS, CaseStatus.INTAKE, visible_to_business=False)
    audit.record("case.opened", membership=actor, obj=case, detail={"collective": is_collective})
    return case


def _check_assignee(case: Case, membership: Any) -> None:
    if membership is None:
        return
    if membership.organisation_id != case.cso_id or not can(membership, Action.WORK_CASES):
        raise ValidationError({"assigned_to": _("Assign the case to a caseworker of its CSO.")})


def _link_worker(case: Case, worker: Worker) -> None:
    if worker.cso_id != case.cso_id:
        raise ValidationError({"workers": _("Choose workers of the case's CSO.")})
    CaseWorker.objects.get_or_create(case=case, worker=worker)


CASE_FIELDS = ("summary", "internal_notes", "risk_level", "is_collective", "workers_count", "assigned_to")


@transaction.atomic
def case_update(*, actor: Any, case: Case, expected_version: int | None = None, **changes: Any) -> Case:
    """Edit a case. A stale `expected_version` raises Conflict (409): nobody's change is overwritten."""
    _require_caseworker(actor, case)
    case = _locked(case, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Reopen the case before changing it."))
    changed = apply_changes(case, changes, CASE_FIELDS)
    case.full_clean(exclude=["cso", "assigned_to", "reference"])
    if "assigned_to" in changed:
        _check_assignee(case, case.assigned_to)
    if changed:
        _touch(case, *changed)
        if "summary" in changed:
            refresh_search_text(case)
        audit.record("case.changed", membership=actor, obj=case, detail={"fields": changed})
    return case


@transaction.atomic
def case_add_business(
    *,
    actor: Any,
    case: Case,
    organisation: Organisation | None = None,
    site: Site | None = None,
    broker_name: str = "",
    acknowledge_small_groups: bool = False,
) -> CaseBusiness:
    """Add a business the case concerns. On a case already shared, the new business receives it at once,
    so the same small-group check as sharing applies."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Reopen the case before changing it."))
    if site is not None:
        organisation = site.supplier
    if organisation is not None and organisation.kind not in BUSINESS_KINDS_CONCERNED:
        raise ValidationError(
            {"organisation": _("A case concerns a supplier, one of its sites, or a recruitment agency.")}
        )
    if organisation is None and not broker_name.strip():
        raise ValidationError({"organisation": _("Name a business or an informal broker.")})
    if organisation is not None and broker_name.strip():
        raise ValidationError({"broker_name": _("Name a business or an informal broker, not both.")})
    business = CaseBusiness(case=case, organisation=organisation, site=site, broker_name=broker_name.strip())
    business.full_clean(exclude=["case"])
    business.save()
    shared_at_once = case.shared_at is not None and organisation is not None
    if shared_at_once and not acknowledge_small_groups and identifiable_group_warnings(case):
        raise ValidationError({"acknowledge_small_groups": SMALL_GROUP_WARNING})
    if case.country_id is None and (site is not None or organisation is not None):
        case.country_id = (
            site.country_id
            if site is not None
            else (organisation.countries.values_list("code", flat=True).first() if organisation else None)
        )
    _touch(case, "country")
    audit.record(
        "case.business_added",
        membership=actor,
        obj=case,
        detail={
            "organisation": organisation.pk if organisation else None,
            "site": site.pk if site else None,
            "broker": bool(broker_name.strip()),
        },
    )
    if case.shared_at is not None and organisation is not None:
        notifications.case_shared(case=case, organisations=[organisation])
    return business


@transaction.atomic
def case_add_worker(*, actor: Any, case: Case, worker: Worker) -> None:
    _require_caseworker(actor, case)
    case = _locked(case)
    _link_worker(case, worker)
    _touch(case)
    audit.record("case.worker_linked", membership=actor, obj=case, detail={"worker": worker.pk})


@transaction.atomic
def issue_add(
    *,
    actor: Any,
    case: Case,
    category: IssueCategory,
    workers_affected: int = 1,
    forced_labour: bool | None = None,
    zero_tolerance: bool = False,
    description: str = "",
    shareable_description: str = "",
) -> Issue:
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Reopen the case before changing it."))
    issue = Issue(
        case=case,
        category=category,
        workers_affected=workers_affected,
        forced_labour=category.is_forced_labour_indicator if forced_labour is None else forced_labour,
        zero_tolerance=zero_tolerance,
        description=description,
        shareable_description=shareable_description,
    )
    issue.full_clean(exclude=["case"])
    issue.save()
    _touch(case)
    if shareable_description:
        refresh_search_text(case)
    audit.record("issue.added", membership=actor, obj=case, detail={"issue": issue.pk, "category": category.code})
    return issue


@transaction.atomic
def issue_update(*, actor: Any, issue: Issue, **changes: Any) -> Issue:
    _require_caseworker(actor, issue.case)
    _locked(issue.case)
    changed = apply_changes(
        issue,
        changes,
        ("category", "workers_affected", "forced_labour", "zero_tolerance", "description", "shareable_description"),
    )
    issue.full_clean(exclude=["case"])
    if changed:
        issue.save()
        _touch(issue.case)
        if "shareable_description" in changed:
            refresh_search_text(issue.case)
        audit.record("issue.changed", membership=actor, obj=issue.case, detail={"issue": issue.pk, "fields": changed})
    return issue


@transaction.atomic
def issue_rate(*, actor: Any, issue: Issue, rating: str) -> Issue:
    """Rate the remediation of one issue: Poor, Fair, Good or Excellent (CSO or technical partner)."""
    _require_caseworker(actor, issue.case)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose Poor, Fair, Good or Excellent.")})
    if issue.case.shared_at is None:
        raise ValidationError(_("Rate the remediation once the case is shared with the business."))
    issue.rating, issue.rated_by, issue.rated_at = rating, actor, timezone.now()
    issue.save(update_fields=["rating", "rated_by", "rated_at", "updated_at"])
    audit.record("issue.rated", membership=actor, obj=issue.case, detail={"issue": issue.pk, "rating": rating})
    return issue


@transaction.atomic
def case_assess(*, actor: Any, case: Case) -> Case:
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status != CaseStatus.INTAKE:
        raise ValidationError(_("Only a case at intake can be assessed."))
    problems = []
    if not case.issues.exists():
        problems.append(_("Add at least one issue."))
    if not case.businesses.exists():
        problems.append(_("Add the business the case concerns."))
    if problems:
        raise ValidationError(problems)
    case.assessed_at = timezone.now()
    _status_change(case, actor, CaseStatus.ASSESSED)
    _touch(case, "status", "assessed_at")
    return case


@transaction.atomic
def case_share(*, actor: Any, case: Case, acknowledge_small_groups: bool = False) -> Case:
    """Share the case's summary with the businesses concerned. Warns (and refuses until acknowledged) when
    the workers' nationality and gender form a group of fewer than 10 at a concerned site."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status != CaseStatus.ASSESSED:
        raise ValidationError(_("Assess the case before sharing it."))
    if not case.summary.strip():
        raise ValidationError({"summary": _("Write the shareable summary first.")})
    organisations = [b.organisation for b in case.businesses.select_related("organisation") if b.organisation]
    if not organisations:
        raise ValidationError(
            _("An informal broker cannot receive a case: add a business, or keep the case with the CSO.")
        )
    warnings = identifiable_group_warnings(case)
    if warnings and not acknowledge_small_groups:
        raise ValidationError({"acknowledge_small_groups": SMALL_GROUP_WARNING})
    case.shared_at = timezone.now()
    _status_change(case, actor, CaseStatus.SHARED)
    _touch(case, "status", "shared_at")
    audit.record(
        "case.shared",
        membership=actor,
        obj=case,
        detail={"businesses": [o.pk for o in organisations], "small_group_warnings": len(warnings)},
    )
    notifications.case_shared(case=case, organisations=organisations)
    return case


@transaction.atomic
def case_respond(*, actor: Any, case: Case, text: str, kind: str = UpdateKind.RESPONSE) -> CaseUpdate:
    """A business's acknowledgement or response. The first one starts the remediation."""
    _require_responder(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if kind not in (UpdateKind.ACKNOWLEDGEMENT, UpdateKind.RESPONSE):
        raise ValidationError({"kind": _("Choose an acknowledgement or a response.")})
    if not text.strip():
        raise ValidationError({"text": _("Write your response.")})
    update = _timeline(case, actor, kind, text.strip(), visible_to_business=True)
    fields = []
    if case.first_response_at is None:
        case.first_response_at = update.created_at
        fields.append("first_response_at")
    if case.status == CaseStatus.SHARED:
        _status_change(case, actor, CaseStatus.IN_REMEDIATION)
        fields.append("status")
    _touch(case, *fields)
    audit.record("case.business_responded", membership=actor, obj=case, detail={"kind": kind})
    notifications.business_responded(case=case, organisation_id=actor.organisation_id)
    return update


@transaction.atomic
def action_add(
    *,
    actor: Any,
    case: Case,
    description: str,
    responsible: Organisation,
    due_date: datetime.date | None = None,
    issue: Issue | None = None,
) -> CaseAction:
    """An action-plan item, proposed by the CSO or by the business responsible for it."""
    by_owner = owns_case(actor, case) and can(actor, Action.WORK_CASES)
    if not by_owner:
        _require_responder(actor, case)
        if responsible.pk != actor.organisation_id:
            _refuse(_("A business plans its own actions."))
    case = _locked(case)
    if case.shared_at is None or case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Actions are planned once the case is shared, and before it is closed."))
    if not case.businesses.filter(organisation=responsible).exists():
        raise ValidationError({"responsible": _("Choose a business the case concerns.")})
    if issue is not None and issue.case_id != case.pk:
        raise ValidationError({"issue": _("Choose an issue of this case.")})
    action = CaseAction(
        case=case,
        description=description.strip(),
        responsible=responsible,
        due_date=due_date,
        issue=issue,
        created_by=actor,
    )
    action.full_clean(exclude=["case", "created_by"])
    action.save()
    _timeline(case, actor, UpdateKind.ACTION_UPDATE, description.strip(), visible_to_business=True, action=action)
    fields = []
    if not by_owner and case.first_response_at is None:
        case.first_response_at = timezone.now()
        fields.append("first_response_at")
    if case.status == CaseStatus.SHARED and not by_owner:
        _status_change(case, actor, CaseStatus.IN_REMEDIATION)
        fields.append("status")
    _touch(case, *fields)
    audit.record("case.action_added", membership=actor, obj=case, detail={"action": action.pk})
    return action


@transaction.atomic
def action_update(
    *, actor: Any, action: CaseAction, text: str, status: str | None = None, expected_version: int | None = None
) -> CaseAction:
    """The business reports on an action (a revert, timed), or the CSO updates it."""
    case = action.case
    by_owner = owns_case(actor, case) and can(actor, Action.WORK_CASES)
    if not by_owner:
        _require_responder(actor, case)
        if action.responsible_id != actor.organisation_id:
            _refuse(_("Your role does not allow this."))
    action = lock(CaseAction, action.pk, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if not text.strip():
        raise ValidationError({"text": _("Write what changed.")})
    if status is not None:
        if status not in ActionStatus.values:
            raise ValidationError({"status": _("Choose a status.")})
        action.status = status
        action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    if not by_owner:
        action.last_reverted_at = timezone.now()
    bump(action)
    action.save()
    _timeline(case, actor, UpdateKind.ACTION_UPDATE, text.strip(), visible_to_business=True, action=action)
    case = _locked(case)
    _touch(case)
    audit.record(
        "case.action_updated", membership=actor, obj=case, detail={"action": action.pk, "status": action.status}
    )
    if not by_owner:
        notifications.business_responded(case=case, organisation_id=actor.organisation_id)
    return action


@transaction.atomic
def case_note(*, actor: Any, case: Case, text: str, visible_to_business: bool = False) -> CaseUpdate:
    """A CSO entry on the timeline: internal by default; a request to the business when shared."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Reopen the case before changing it."))
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    if visible_to_business and case.shared_at is None:
        raise ValidationError({"visible_to_business": _("Share the case before writing to the business.")})
    kind = UpdateKind.REQUEST if visible_to_business else UpdateKind.CSO_NOTE
    update = _timeline(case, actor, kind, text.strip(), visible_to_business=visible_to_business)
    _touch(case)
    audit.record("case.note_added", membership=actor, obj=case, detail={"to_business": visible_to_business})
    return update


@transaction.atomic
def case_request_validation(*, actor: Any, case: Case) -> Case:
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status not in (CaseStatus.SHARED, CaseStatus.IN_REMEDIATION):
        raise ValidationError(_("Ask the worker to validate once the business has acted on the case."))
    case.validation_requested_at = timezone.now()
    _status_change(case, actor, CaseStatus.AWAITING_VALIDATION)
    _touch(case, "status", "validation_requested_at")
    return case


@transaction.atomic
def validation_record(
    *,
    actor: Any,
    case: Case,
    method: str,
    satisfaction: int,
    confirms_remediation: bool,
    validated_at: datetime.datetime | None = None,
    worker: Worker | None = None,
    comments: str = "",
) -> WorkerValidation:
    """The worker's verdict on the remediation (who, how, when, satisfaction 1 to 5, comments)."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if case.shared_at is None:
        raise ValidationError(_("A worker validates remediation, so the case must have been shared first."))
    if worker is not None and not case.case_workers.filter(worker=worker).exists():
        raise ValidationError({"worker": _("Choose a worker of this case.")})
    if worker is None and not case.is_collective:
        raise ValidationError({"worker": _("Say which worker validated.")})
    if worker is not None and not worker.consent_contact_for_validation and method != "in_person":
        raise ValidationError(
            {
                "worker": _(
                    "The worker has not agreed to be contacted for validation: record it only if they came to you "
                    "in person."
                )
            }
        )
    when = validated_at or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"validated_at": _("The validation cannot be in the future.")})
    validation = WorkerValidation(
        case=case,
        worker=worker,
        method=method,
        satisfaction=satisfaction,
        confirms_remediation=confirms_remediation,
        validated_at=when,
        comments=comments,
        recorded_by=actor,
    )
    validation.full_clean(exclude=["case", "recorded_by", "worker"])
    validation.save()
    _touch(case)
    audit.record(
        "case.validation_recorded",
        membership=actor,
        obj=case,
        detail={"confirms": confirms_remediation, "satisfaction": satisfaction, "method": method},
    )
    return validation


@transaction.atomic
def case_close(*, actor: Any, case: Case, closure: str, reason: str = "", merged_into: Case | None = None) -> Case:
    """Close a case. Resolved only with a worker validation that confirms the remediation, recorded since
    the case was (last) shared; every other closing needs a reason; a duplicate names the case it repeats."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is already closed."))
    if closure not in Closure.values:
        raise ValidationError({"closure": _("Choose how the case ends.")})
    if closure == Closure.RESOLVED:
        if not _has_confirming_validation(case):
            raise ValidationError(
                {
                    "closure": _(
                        "A case is closed as resolved only when a worker has validated the remediation. Record the "
                        "worker's validation first."
                    )
                }
            )
    elif not reason.strip():
        raise ValidationError({"reason": _("Say why the case closes this way.")})
    if closure == Closure.DUPLICATE:
        if merged_into is None or merged_into.pk == case.pk or merged_into.cso_id != case.cso_id:
            raise ValidationError({"merged_into": _("Choose the other case of your CSO that this one repeats.")})
        case.merged_into = merged_into
    elif merged_into is not None:
        raise ValidationError({"merged_into": _("Only a duplicate names another case.")})
    case.closure, case.closure_reason, case.closed_at = closure, reason.strip(), timezone.now()
    _status_change(case, actor, CaseStatus.CLOSED)
    _touch(case, "status", "closure", "closure_reason", "closed_at", "merged_into")
    audit.record("case.closed", membership=actor, obj=case, detail={"closure": closure})
    notifications.case_closed(case=case)
    return case


def _has_confirming_validation(case: Case) -> bool:
    validations = case.validations.filter(confirms_remediation=True)
    if case.reopened_at is not None:  # a reopened case needs a new validation
        validations = validations.filter(recorded_at__gt=case.reopened_at)
    return validations.exists()


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, reason: str) -> Case:
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError(_("Only a closed case can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case reopens.")})
    status = (
        CaseStatus.IN_REMEDIATION
        if case.shared_at
        else (CaseStatus.ASSESSED if case.assessed_at else CaseStatus.INTAKE)
    )
    case.closure, case.closure_reason, case.closed_at, case.merged_into = "", "", None, None
    case.reopened_at = timezone.now()
    _status_change(case, actor, status)
    _touch(case, "status", "closure", "closure_reason", "closed_at", "merged_into", "reopened_at")
    _timeline(case, actor, UpdateKind.CSO_NOTE, reason.strip(), visible_to_business=False)
    audit.record("case.reopened", membership=actor, obj=case)
    return case


@transaction.atomic
def case_escalate(*, actor: Any, case: Case, buyer: Organisation, reason: str) -> Escalation:
    """Bring a buyer in: only a buyer whose supply chain contains a business the case concerns."""
    _require_caseworker(actor, case)
    case = _locked(case)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("Reopen the case before changing it."))
    if buyer.kind != OrgKind.BUYER:
        raise ValidationError({"buyer": _("Choose a buyer.")})
    if case.shared_at is None:
        raise ValidationError(_("Share the case with the business before escalating it."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write the message to the buyer.")})
    concerned = set(case.businesses.exclude(organisation=None).values_list("organisation_id", flat=True))
    chain = chain_supplier_ids(buyer.pk)
    from ilm.network.models import Link, LinkKind

    disclosed_agencies = set(
        Link.objects.current()
        .filter(kind=LinkKind.RECRUITMENT, customer_id__in=chain, disclosed_to_buyers=True)
        .values_list("provider_id", flat=True)
    )
    if not concerned & (chain | disclosed_agencies):
        raise ValidationError({"buyer": _("This buyer's supply chain does not include the business concerned.")})
    if case.escalations.filter(buyer=buyer).exists():
        raise ValidationError({"buyer": _("The case is already escalated to this buyer.")})
    escalation = Escalation.objects.create(case=case, buyer=buyer, reason=reason.strip(), escalated_by=actor)
    _timeline(
        case,
        actor,
        UpdateKind.ESCALATION,
        buyer.name,  # pages word it in the reader's language; the API gives the kind and the buyer's name
        visible_to_business=False,
    )
    _touch(case)
    audit.record(
        "case.escalated", membership=actor, obj=case, target_organisation_id=buyer.pk, detail={"buyer": buyer.pk}
    )
    notifications.case_escalated(case=case, buyer=buyer)
    return escalation


# --- identity reveal (two-person rule) --------------------------------------------------------------


@transaction.atomic
def identity_reveal_request(
    *, actor: Any, case: Case, worker: Worker, organisation: Organisation, reason: str
) -> IdentityReveal:
    _require_caseworker(actor, case)
    if not can(actor, Action.VIEW_WORKER_IDENTITY):
        _refuse(_("Your role does not allow this."))
    if not case.case_workers.filter(worker=worker).exists():
        raise ValidationError({"worker": _("Choose a worker of this case.")})
    if not worker.consent_share_identity:
        raise ValidationError({"worker": _("The worker has not agreed to share their identity with the business.")})
    if not case.businesses.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("Choose a business the case concerns.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the business needs to know who the worker is.")})
    reveal = IdentityReveal.objects.create(
        case=case, worker=worker, organisation=organisation, reason=reason.strip(), requested_by=actor
    )
    audit.record(
        "identity.reveal_requested",
        membership=actor,
        obj=case,
        detail={"worker": worker.pk, "organisation": organisation.pk, "reveal": reveal.pk},
    )
    return reveal


@transaction.atomic
def identity_reveal_decide(*, actor: Any, reveal: IdentityReveal, approve: bool) -> IdentityReveal:
    """The second person: another member of the CSO who may approve reveals."""
    reveal = IdentityReveal.objects.select_for_update().select_related("case", "worker").get(pk=reveal.pk)
    case = reveal.case
    _require_caseworker(actor, case)
    if not can(actor, Action.APPROVE_IDENTITY_REVEAL) or actor.organisation_id != case.cso_id:
        _refuse(_("A second member of the case's CSO who may approve reveals decides."))
    if reveal.requested_by_id is None or reveal.requested_by.user_id == actor.user_id:
        _refuse(_("A second person must approve: you asked for this reveal."))
    if reveal.approved_at or reveal.declined_at or reveal.withdrawn_at:
        raise ValidationError(_("This request was already decided."))
    if approve and not reveal.worker.consent_share_identity:
        raise ValidationError(_("The worker has not agreed to share their identity with the business."))
    now = timezone.now()
    if approve:
        reveal.approved_by, reveal.approved_at = actor, now
    else:
        reveal.declined_at = now
    reveal.save()
    audit.record(
        "identity.reveal_approved" if approve else "identity.reveal_declined",
        membership=actor,
        obj=case,
        target_organisation_id=reveal.organisation_id,
        detail={"worker": reveal.worker_id, "organisation": reveal.organisation_id, "reveal": reveal.pk},
    )
    return reveal


# --- financial remediation ------------------------------------------------------------------------------


def _decimal(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount, e.g. 1250.50.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("Enter an amount of zero or more.")})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: _("Use at most two decimals.")})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def currency_code(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError({"currency": _("Use an ISO 4217 currency code, such as THB, MMK or USD.")})
    return code


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    case: Case,
    currency: str,
    amount_owed: Any,
    amount_repaid: Any = 0,
    worker: Worker | None = None,
    group_label: str = "",
    workers_count: int = 1,
    paid_on: datetime.date | None = None,
) -> Payment:
    _require_caseworker(actor, case)
    case = _locked(case)
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field, parse, raw in (
        ("currency", lambda v, _f: currency_code(v), currency),
        ("amount_owed", _decimal, amount_owed),
        ("amount_repaid", _decimal, amount_repaid),
    ):
        try:
            values[field] = parse(raw, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if worker is not None and not case.case_workers.filter(worker=worker).exists():
        raise ValidationError({"worker": _("Choose a worker of this case.")})
    if worker is None and not group_label.strip():
        raise ValidationError({"worker": _("Choose a worker, or name the group the payment is for.")})
    if paid_on and paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future.")})
    payment = Payment(
        case=case,
        worker=worker,
        group_label=group_label.strip(),
        workers_count=workers_count,
        paid_on=paid_on,
        recorded_by=actor,
        **values,
    )
    payment.full_clean(exclude=["case", "recorded_by", "worker"])
    payment.save()
    _touch(case)
    audit.record(
        "case.payment_recorded",
        membership=actor,
        obj=case,
        detail={"payment": payment.pk, "currency": payment.currency},
    )
    return payment


@transaction.atomic
def payment_verify(
    *, actor: Any, payment: Payment, how: str, verified: bool = True, when: datetime.datetime | None = None
) -> Payment:
    """The worker confirmed (or denied) receiving the repayment."""
    _require_caseworker(actor, payment.case)
    from ilm.cases.models import ValidationMethod

    if how not in ValidationMethod.values:
        raise ValidationError({"how": _("Say how the worker confirmed it.")})
    payment.verified_by_worker, payment.verified_how = verified, how
    payment.verified_at = when or timezone.now()
    payment.save(update_fields=["verified_by_worker", "verified_how", "verified_at"])
    audit.record(
        "case.payment_verified",
        membership=actor,
        obj=payment.case,
        detail={"payment": payment.pk, "verified": verified},
    )
    return payment


# --- notifications ----------------------------------------------------------------------------------


def notification_mark_read(*, actor: Any, notification: Any = None) -> Any:
    """Mark one notification (or, without one, all of the actor's) as read. Only one's own."""
    from ilm.cases.models import Notification

    mine = Notification.objects.filter(
        user_id=actor.user_id, organisation_id=actor.organisation_id, read_at__isnull=True
    )
    if notification is not None:
        mine = mine.filter(pk=notification.pk)
    mine.update(read_at=timezone.now())
    if notification is not None:
        notification.refresh_from_db()
    return notification


# --- the taxonomy ---------------------------------------------------------------------------------------


@transaction.atomic
def category_create(
    *,
    actor: Any,
    code: str,
    group: str,
    name: str,
    names: dict[str, str] | None = None,
    is_forced_labour_indicator: bool = False,
) -> IssueCategory:
    """The technical partner extends the issue taxonomy (names in English plus any other language)."""
    if not can(actor, Action.MANAGE_CATEGORIES):
        _refuse(_("Your role does not allow this."))
    from django.conf import settings

    languages = dict(settings.LANGUAGES)
    unknown = sorted(set(names or {}) - set(languages))
    if unknown:
        raise ValidationError({"names": _("Unknown languages: %(codes)s.") % {"codes": ", ".join(unknown)}})
    category = IssueCategory(
        code=code.strip(),
        group=group,
        name=name.strip(),
        names=names or {},
        is_forced_labour_indicator=is_forced_labour_indicator,
        position=IssueCategory.objects.count(),
    )
    category.full_clean()
    category.save()
    audit.record(
        "category.created",
        membership=actor,
        object_type="cases.issuecategory",
        object_id=category.pk,
        detail={"code": category.code},
    )
    return category
