"""The one write path for fee surveys and repayment: each function validates, writes and records its
audit event in one transaction; a refusal saves nothing.

Eligibility rule (per fee line, recomputed whenever a line or the business's policy changes, unless a
person set it): the surveyed supplier's repayment policy covers the line's fee type (employer pays: every
type; otherwise the types it lists). Current and former workers alike. No policy recorded: not eligible.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.cases.models import Payment, Worker
from ilm.cases.services import currency_code
from ilm.core import audit, crypto
from ilm.core.fields import blind_index_for
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.versioning import lock
from ilm.network.models import Country, Gender, Organisation, Site
from ilm.recruitment import permissions
from ilm.recruitment.models import (
    Employment,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    FeeType,
    PaidTo,
    PolicyKind,
    Repayment,
    RepaymentMethod,
    RepaymentPolicy,
    ResponseDocument,
    SurveyReach,
    VerificationMethod,
)

MAX_AMOUNT = Decimal("1e12")


def _refuse() -> None:
    raise PermissionDenied(_("Your role does not allow this."))


# --- values --------------------------------------------------------------------------------------------


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimals."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError({field: _("Enter an amount, e.g. 1250.50.")})
    if amount <= 0:
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: _("Use at most two decimals.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def _not_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def clean_fee_line(data: dict[str, Any]) -> dict[str, Any]:
    """Check one fee line (type, amount, currency, to whom, when); all its errors at once."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    fee_type = data.get("fee_type") or ""
    if fee_type not in FeeType.values:
        errors["fee_type"] = [_("Choose a fee type from the list.")]
    clean["fee_type"] = fee_type
    paid_to = data.get("paid_to") or ""
    if paid_to not in PaidTo.values:
        errors["paid_to"] = [_("Choose who was paid from the list.")]
    clean["paid_to"] = paid_to
    for field, check in (("amount", parse_amount), ("currency", lambda v, _f: currency_code(str(v or "")))):
        try:
            clean[field] = check(data.get(field), field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    paid_on = data.get("paid_on")
    try:
        _not_future(paid_on, "paid_on")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clean["paid_on"] = paid_on
    if data.get("id"):
        clean["id"] = data["id"]
    if errors:
        raise ValidationError(errors)
    return clean


# --- eligibility -------------------------------------------------------------------------------------


def eligibility_of(policy: RepaymentPolicy | None, fee_type: str) -> tuple[bool, str]:
    """Whether the policy repays this fee type, and why (in the reader's language when shown)."""
    if policy is None:
        return False, "no_policy"
    if policy.kind == PolicyKind.EMPLOYER_PAYS:
        return True, "employer_pays"
    return (True, "listed") if fee_type in (policy.fee_types or []) else (False, "not_listed")


def _apply_policy(lines: Sequence[FeeLine], policy: RepaymentPolicy | None) -> None:
    for line in lines:
        if not line.overridden:
            line.eligible, line.eligibility_reason = eligibility_of(policy, line.fee_type)


def _recompute_business(organisation_id: int, policy: RepaymentPolicy | None) -> int:
    """Re-apply the policy to every line at the business's sites that no person overrode (SQL updates)."""
    lines = FeeLine.objects.filter(response__survey__supplier_id=organisation_id, overridden=False)
    if policy is None:
        return lines.update(eligible=False, eligibility_reason="no_policy")
    if policy.kind == PolicyKind.EMPLOYER_PAYS:
        return lines.update(eligible=True, eligibility_reason="employer_pays")
    listed = lines.filter(fee_type__in=list(policy.fee_types or [])).update(eligible=True, eligibility_reason="listed")
    return listed + lines.exclude(fee_type__in=list(policy.fee_types or [])).update(
        eligible=False, eligibility_reason="not_listed"
    )


@transaction.atomic
def policy_set(
    *, actor: Any, organisation: Organisation, kind: str, fee_types: Sequence[str] = (), notes: str = ""
) -> RepaymentPolicy:
    """Record a supplier's repayment policy and re-apply it to its survey lines (overrides stay)."""
    if not permissions.may_set_policy(actor, organisation.pk):
        _refuse()
    if organisation.kind != OrgKind.SUPPLIER:
        raise ValidationError({"organisation": _("Repayment policies are a supplier's (the employer's).")})
    if kind not in PolicyKind.values:
        raise ValidationError({"kind": _("Choose a policy from the list.")})
    unknown = [t for t in fee_types if t not in FeeType.values]
    if unknown:
        raise ValidationError({"fee_types": _("Choose fee types from the list.")})
    if kind == PolicyKind.LISTED_TYPES and not fee_types:
        raise ValidationError({"fee_types": _("Name the fee types the business repays.")})
    types = sorted(set(fee_types)) if kind == PolicyKind.LISTED_TYPES else []
    policy, created = RepaymentPolicy.objects.select_for_update().get_or_create(
        organisation=organisation, defaults={"kind": kind, "fee_types": types, "notes": notes, "updated_by": actor}
    )
    if not created:
        policy.kind, policy.fee_types, policy.notes, policy.updated_by = kind, types, notes.strip(), actor
        policy.version += 1
        policy.save()
    changed = _recompute_business(organisation.pk, policy)
    audit.record(
        "recruitment.policy_set",
        membership=actor,
        obj=policy,
        detail={"kind": kind, "fee_types": types, "lines_recomputed": changed},
    )
    return policy


@transaction.atomic
def line_override(*, actor: Any, line: FeeLine, eligible: bool, reason: str) -> FeeLine:
    """A person decides a line's eligibility, with a reason (audited). `eligible=None` is not accepted."""
    survey = line.response.survey
    if not permissions.may_override_eligibility(actor, survey):
        _refuse()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this line is (or is not) eligible.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    line = FeeLine.objects.select_for_update().get(pk=line.pk)
    before = line.eligible
    line.eligible, line.eligibility_reason = bool(eligible), reason
    line.overridden, line.overridden_by, line.overridden_at = True, actor, timezone.now()
    line.save()
    audit.record(
        "recruitment.eligibility_overridden",
        membership=actor,
        obj=line.response,
        detail={"line": line.pk, "from": before, "to": line.eligible},
    )
    return line


@transaction.atomic
def line_override_clear(*, actor: Any, line: FeeLine) -> FeeLine:
    """Back to the policy's rule."""
    survey = line.response.survey
    if not permissions.may_override_eligibility(actor, survey):
        _refuse()
    line = FeeLine.objects.select_for_update().get(pk=line.pk)
    line.overridden, line.overridden_by, line.overridden_at = False, None, None
    _apply_policy([line], RepaymentPolicy.objects.filter(organisation_id=survey.supplier_id).first())
    line.save()
    audit.record("recruitment.eligibility_reset", membership=actor, obj=line.response, detail={"line": line.pk})
    return line


# --- surveys -----------------------------------------------------------------------------------------


def _clean_reach(reach: Sequence[dict[str, Any]]) -> list[SurveyReach]:
    cells: list[SurveyReach] = []
    seen: set[tuple[str, str]] = set()
    for cell in reach:
        gender, nationality, count = cell.get("gender"), cell.get("nationality"), cell.get("count")
        if gender not in Gender.values:
            raise ValidationError({"reach": _("Choose a gender from the list.")})
        if not isinstance(nationality, Country):
            raise ValidationError({"reach": _("Choose a nationality.")})
        if not isinstance(count, int) or count < 0 or count > 1_000_000:
            raise ValidationError({"reach": _("Enter how many workers were reached (a whole number).")})
        if (gender, nationality.pk) in seen:
            raise ValidationError({"reach": _("The same gender and nationality appear twice.")})
        seen.add((gender, nationality.pk))
        cells.append(SurveyReach(gender=gender, nationality=nationality, count=count))
    return cells


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    site: Site,
    surveyed_on: datetime.date,
    notes: str = "",
    reach: Sequence[dict[str, Any]] = (),
) -> FeeSurvey:
    """A fee survey at a supplier's site, run by the actor's organisation (a CSO or the technical partner)."""
    if not permissions.may_create_survey(actor):
        _refuse()
    _not_future(surveyed_on, "surveyed_on")
    from ilm.recruitment.selectors import surveyable_sites

    if not surveyable_sites(membership=actor).filter(pk=site.pk).exists():
        raise ValidationError({"site": _("Choose a site your organisation works with.")})
    cells = _clean_reach(reach)
    survey = FeeSurvey(
        site=site,
        supplier_id=site.supplier_id,
        surveyor_id=actor.organisation_id,
        surveyed_on=surveyed_on,
        notes=(notes or "").strip(),
        created_by=actor,
    )
    survey.full_clean(exclude=["created_by"])
    survey.save()
    for cell in cells:
        cell.survey = survey
    SurveyReach.objects.bulk_create(cells)
    audit.record(
        "recruitment.survey_created",
        membership=actor,
        obj=survey,
        detail={"site": site.pk, "reached": sum(c.count for c in cells)},
    )
    return survey


@transaction.atomic
def survey_set_reach(*, actor: Any, survey: FeeSurvey, reach: Sequence[dict[str, Any]]) -> FeeSurvey:
    if not permissions.runs_survey(actor, survey):
        _refuse()
    cells = _clean_reach(reach)
    survey = lock(FeeSurvey, survey.pk, None)
    survey.reach.all().delete()
    for cell in cells:
        cell.survey = survey
    SurveyReach.objects.bulk_create(cells)
    audit.record("recruitment.reach_set", membership=actor, obj=survey, detail={"cells": len(cells)})
    return survey


def _new_worker(actor: Any, survey: FeeSurvey, values: dict[str, Any]) -> Worker:
    """A worker of the surveying organisation, created through the cases write path when it is a CSO."""
    from ilm.cases import services as case_services

    full_name = (values.get("full_name") or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter the worker's name, or choose a worker already recorded.")})
    demographics: dict[str, Any] = {
        "gender": values.get("gender") or Gender.OTHER,
        "nationality": values.get("nationality"),
        "site": survey.site,
    }
    if actor.organisation_kind == OrgKind.CSO:
        return case_services.worker_create(actor=actor, full_name=full_name, **demographics)
    worker = Worker(cso_id=survey.surveyor_id, full_name=full_name, **demographics)
    worker.full_clean(exclude=["cso"])
    worker.save()
    audit.record("worker.created", membership=actor, obj=worker, detail={"identifiers": 0, "consents": []})
    return worker


def duplicate_in_survey(survey: FeeSurvey, full_name: str) -> bool:
    """A response in this survey already names a worker with exactly this name (compared by blind index)."""
    index = blind_index_for(Worker, "full_name", full_name)
    return FeeSurveyResponse.objects.filter(survey=survey, worker__name_index=index).exists()


def _save_lines(response: FeeSurveyResponse, lines: Sequence[dict[str, Any]]) -> None:
    """Replace the response's lines with `lines` (those with an id are updated and keep an override)."""
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, data in enumerate(lines, start=1):
        try:
            cleaned.append(clean_fee_line(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors += [
                    _("Fee line %(n)s, %(field)s: %(message)s") % {"n": number, "field": field, "message": m}
                    for m in messages
                ]
    if errors:
        raise ValidationError({"lines": errors})
    if not cleaned:
        raise ValidationError({"lines": _("Enter at least one fee or cost the worker paid.")})
    existing = {line.pk: line for line in response.lines.all()}
    kept: list[FeeLine] = []
    for data in cleaned:
        line = existing.get(data.pop("id", None) or 0) or FeeLine(response=response)
        for field, value in data.items():
            setattr(line, field, value)
        kept.append(line)
    response.lines.exclude(pk__in=[line.pk for line in kept if line.pk]).delete()
    _apply_policy(kept, RepaymentPolicy.objects.filter(organisation_id=response.survey.supplier_id).first())
    for line in kept:
        line.save()


@transaction.atomic
def response_save(
    *,
    actor: Any,
    survey: FeeSurvey,
    lines: Sequence[dict[str, Any]],
    response: FeeSurveyResponse | None = None,
    worker: Worker | None = None,
    new_worker: dict[str, Any] | None = None,
    employment: str = Employment.CURRENT,
    repayment_due_by: datetime.date | None = None,
    repayment_plan: str = "",
) -> FeeSurveyResponse:
    """Create (or edit) one worker's response with its fee lines. The worker is one of the surveying
    organisation's (chosen, or recorded here with `new_worker`); one response per worker per survey."""
    if not permissions.runs_survey(actor, survey):
        _refuse()
    if employment not in Employment.values:
        raise ValidationError({"employment": _("Say whether the worker works there now or used to.")})
    survey = lock(FeeSurvey, survey.pk, None)
    if response is None:
        if worker is None and new_worker is None:
            raise ValidationError({"worker": _("Choose a worker, or enter the worker's name.")})
        if worker is not None and worker.cso_id != survey.surveyor_id:
            raise ValidationError({"worker": _("Choose a worker recorded by the surveying organisation.")})
        if worker is not None and worker.erased_at is not None:
            raise ValidationError({"worker": _("This worker's identity was erased.")})
        if worker is None and duplicate_in_survey(survey, (new_worker or {}).get("full_name", "")):
            raise ValidationError({"full_name": _("This worker already has a response in this survey.")})
        if worker is not None and survey.responses.filter(worker=worker).exists():
            raise ValidationError({"worker": _("This worker already has a response in this survey.")})
        # Check the lines before creating a worker: nothing is written when any of it is wrong.
        for data in lines:
            try:
                clean_fee_line(dict(data))
            except ValidationError:
                _save_lines_errors(lines)
        if not lines:
            raise ValidationError({"lines": _("Enter at least one fee or cost the worker paid.")})
        if worker is None:
            worker = _new_worker(actor, survey, new_worker or {})
        number = (survey.responses.aggregate(last=Max("number"))["last"] or 0) + 1
        response = FeeSurveyResponse(survey=survey, worker=worker, number=number, created_by=actor)
        created = True
    else:
        response = lock(FeeSurveyResponse, response.pk, None)
        created = False
    response.employment = employment
    response.repayment_due_by = repayment_due_by
    response.repayment_plan = (repayment_plan or "").strip()
    if not created:
        response.version += 1
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError({"worker": _("This worker already has a response in this survey.")}) from None
    _save_lines(response, lines)
    audit.record(
        "recruitment.response_created" if created else "recruitment.response_changed",
        membership=actor,
        obj=response,
        detail={"survey": survey.pk, "lines": len(lines)},
    )
    return response


def _save_lines_errors(lines: Sequence[dict[str, Any]]) -> None:
    """Raise the same numbered line errors `_save_lines` would."""
    errors: list[str] = []
    for number, data in enumerate(lines, start=1):
        try:
            clean_fee_line(dict(data))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors += [
                    _("Fee line %(n)s, %(field)s: %(message)s") % {"n": number, "field": field, "message": m}
                    for m in messages
                ]
    raise ValidationError({"lines": errors})


# --- repayments ----------------------------------------------------------------------------------------


@transaction.atomic
def repayment_record(
    *,
    actor: Any,
    response: FeeSurveyResponse,
    currency: str,
    amount: Any,
    paid_on: datetime.date,
    method: str,
    case_payment: Payment | None = None,
) -> Repayment:
    """A repayment to one worker, recorded by the business that made it (or the surveying organisation).
    Only in a currency the worker is owed in; waits for the worker's verification."""
    survey = response.survey
    if not permissions.may_record_repayment(actor, survey):
        _refuse()
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, check in (("currency", lambda v, _f: currency_code(str(v or ""))), ("amount", parse_amount)):
        try:
            values[field] = check(currency if field == "currency" else amount, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if method not in RepaymentMethod.values:
        errors["method"] = [_("Choose how the worker was paid.")]
    if paid_on is None:
        errors["paid_on"] = [_("Enter the date of the payment.")]
    else:
        try:
            _not_future(paid_on, "paid_on")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    response = lock(FeeSurveyResponse, response.pk, None)
    if not response.lines.filter(currency=values["currency"], eligible=True).exists():
        raise ValidationError(
            {"currency": _("This worker is owed nothing in %(currency)s.") % {"currency": values["currency"]}}
        )
    if case_payment is not None:
        if (
            case_payment.case.cso_id != survey.surveyor_id
            or case_payment.worker_id != response.worker_id
            or case_payment.currency != values["currency"]
        ):
            raise ValidationError({"case_payment": _("Choose a payment of this worker's case, in the same currency.")})
        if Repayment.objects.filter(case_payment=case_payment).exists():
            raise ValidationError({"case_payment": _("That case payment is already counted as a repayment.")})
    repayment = Repayment.objects.create(
        response=response,
        paid_on=paid_on,
        method=method,
        case_payment=case_payment,
        recorded_by=actor,
        recorded_by_organisation_id=actor.organisation_id,
        **values,
    )
    audit.record(
        "recruitment.repayment_recorded",
        membership=actor,
        obj=response,
        detail={"repayment": repayment.pk, "currency": repayment.currency},
    )
    return repayment


@transaction.atomic
def repayment_verify(*, actor: Any, repayment: Repayment, how: str, when: datetime.datetime | None = None) -> Repayment:
    """The worker confirmed receiving the repayment (how, when): recorded by the surveying organisation."""
    survey = repayment.response.survey
    if not permissions.may_verify_repayment(actor, survey):
        _refuse()
    if how not in VerificationMethod.values:
        raise ValidationError({"how": _("Say how the worker confirmed it.")})
    when = when or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"when": _("This date is in the future.")})
    repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
    if repayment.verified_at is not None:
        raise ValidationError({"how": _("The worker already verified this repayment.")})
    repayment.verified_at, repayment.verified_how, repayment.verified_by = when, how, actor
    repayment.save(update_fields=["verified_at", "verified_how", "verified_by"])
    audit.record(
        "recruitment.repayment_verified",
        membership=actor,
        obj=repayment.response,
        detail={"repayment": repayment.pk, "how": how},
    )
    return repayment


# --- identity and documents ------------------------------------------------------------------------------


def response_identities(
    *, actor: Any, responses: Sequence[FeeSurveyResponse], purpose: str = "fee_survey"
) -> dict[int, str]:
    """Names of the surveyed workers for someone allowed to see them: each one an audited identity view
    (through the cases write path, so erasure and the reveal rules apply)."""
    from ilm.cases import services as case_services

    names: dict[int, str] = {}
    for response in responses:
        if not permissions.may_view_identities(actor, response.survey) or response.worker.erased_at is not None:
            continue
        names[response.pk] = case_services.worker_identity(actor=actor, worker=response.worker, purpose=purpose)[
            "full_name"
        ]
    return names


def document_purpose(sha256: str) -> str:
    return f"recruitment.document:{sha256}"


def document_add(*, actor: Any, response: FeeSurveyResponse, upload: Any) -> ResponseDocument:
    """A supporting document: checked like case attachments (type sniffed, images re-encoded), encrypted."""
    from django.core.files.base import ContentFile

    from ilm.core.uploads import clean_file_name, inspect, read_upload

    if not permissions.runs_survey(actor, response.survey):
        _refuse()
    name = clean_file_name(getattr(upload, "name", "") or "")
    checked = inspect(read_upload(upload), name)
    with transaction.atomic():
        document = ResponseDocument(
            response=response,
            original_name=name,
            content_type=checked.content_type,
            size=len(checked.content),
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        sealed = crypto.encrypt_bytes(checked.content, purpose=document_purpose(checked.sha256))
        document.file.save("upload", ContentFile(sealed), save=False)
        try:
            document.save()
            audit.record(
                "recruitment.document_added",
                membership=actor,
                obj=response,
                detail={"document": document.pk, "content_type": checked.content_type, "size": document.size},
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


def document_open(*, actor: Any, document: ResponseDocument) -> tuple[Any, str, str]:
    """The decrypted file, its type and a download name; audited. Callers read it from `document_list`."""
    if not can(actor, Action.VIEW_WORKER_IDENTITY):
        _refuse()
    handle = crypto.open_stored_file(
        document.file.storage, document.file.name or "", purpose=document_purpose(document.sha256)
    )
    audit.record(
        "recruitment.document_opened", membership=actor, obj=document.response, detail={"document": document.pk}
    )
    from ilm.core.uploads import EXTENSIONS

    extension = EXTENSIONS.get(document.content_type, ("",))[0]
    return handle, document.content_type, f"document-{document.pk}{extension}"
