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
    BrokerReport,
    BrokerReportStatus,
    Employment,
    FeeLine,
    FeeSurvey,
    FeeSurveyResponse,
    FeeType,
    Intervention,
    NetworkMember,
    NetworkRole,
    OutreachEvent,
    OutreachReach,
    PaidTo,
    PolicyKind,
    RecruitmentNetwork,
    Referral,
    ReferralOutcome,
    ReferralService,
    Repayment,
    RepaymentMethod,
    RepaymentPolicy,
    ReportingMechanism,
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


# --- Ethical Recruitment Networks ------------------------------------------------------------------------
#
# The technical partner creates networks and manages their members; members (and the technical partner)
# record broker reports, outreach events and referrals; the organisation that recorded one (or the technical
# partner) changes it. Every write is audited; every view of a broker's name too. A refusal saves nothing.


def _errors_into(errors: dict[str, list[str]], check: Any, *args: Any, rename: str = "") -> Any:
    """Run one check; file its ValidationError under its field (or `rename`) and return None."""
    try:
        return check(*args)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(rename or field, []).extend(messages)
    return None


def _required_text(errors: dict[str, list[str]], data: dict[str, Any], field: str, limit: int, message: str) -> str:
    value = str(data.get(field) or "").strip()
    if not value:
        errors.setdefault(field, []).append(message)
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("Keep this under %(limit)s characters.") % {"limit": limit})
    return value


def _optional_text(errors: dict[str, list[str]], data: dict[str, Any], field: str, limit: int) -> str:
    value = str(data.get(field) or "").strip()
    if len(value) > limit:
        errors.setdefault(field, []).append(_("Keep this under %(limit)s characters.") % {"limit": limit})
    return value


def _required_day(errors: dict[str, list[str]], data: dict[str, Any], field: str) -> datetime.date | None:
    day = data.get(field)
    if not isinstance(day, datetime.date):
        errors.setdefault(field, []).append(_("Enter a date."))
        return None
    _errors_into(errors, _not_future, day, field)
    return day


def _count(errors: dict[str, list[str]], data: dict[str, Any], field: str) -> int:
    value = data.get(field)
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        errors.setdefault(field, []).append(_("Enter a whole number, 0 or more."))
        return 0
    return value


def _money_pair(
    errors: dict[str, list[str]], data: dict[str, Any], amount_field: str, currency_field: str
) -> tuple[Decimal | None, str]:
    """An optional amount with its ISO 4217 currency: both or neither."""
    raw_amount, raw_currency = data.get(amount_field), str(data.get(currency_field) or "").strip()
    if raw_amount in (None, "") and not raw_currency:
        return None, ""
    amount = _errors_into(errors, parse_amount, raw_amount, amount_field)
    currency = _errors_into(errors, currency_code, raw_currency, rename=currency_field)
    return amount, currency or ""


def _choice(errors: dict[str, list[str]], data: dict[str, Any], field: str, choices: Any, message: str) -> str:
    value = data.get(field) or ""
    if value not in choices.values:
        errors.setdefault(field, []).append(message)
    return str(value)


# --- networks and members --------------------------------------------------------------------------------


@transaction.atomic
def network_create(*, actor: Any, origin_country: Country, name: str, description: str = "") -> RecruitmentNetwork:
    """A new Ethical Recruitment Network for an origin country (one active network per country)."""
    if not permissions.may_manage_networks(actor):
        _refuse()
    errors: dict[str, list[str]] = {}
    data = {"name": name, "description": description}
    clean_name = _required_text(errors, data, "name", 200, _("Enter the network's name."))
    clean_description = _optional_text(errors, data, "description", 4000)
    if not isinstance(origin_country, Country):
        errors["origin_country"] = [_("Choose the origin country.")]
    elif RecruitmentNetwork.objects.filter(origin_country=origin_country, is_active=True).exists():
        errors["origin_country"] = [_("This country already has an active Ethical Recruitment Network.")]
    if errors:
        raise ValidationError(errors)
    network = RecruitmentNetwork.objects.create(
        origin_country=origin_country, name=clean_name, description=clean_description, created_by=actor
    )
    audit.record("recruitment.network_created", membership=actor, obj=network, detail={"country": origin_country.pk})
    return network


@transaction.atomic
def network_update(
    *, actor: Any, network: RecruitmentNetwork, name: str, description: str = "", is_active: bool = True
) -> RecruitmentNetwork:
    """Rename or describe a network; closing it (`is_active=False`) ends every current membership today."""
    if not permissions.may_manage_networks(actor):
        _refuse()
    errors: dict[str, list[str]] = {}
    data = {"name": name, "description": description}
    clean_name = _required_text(errors, data, "name", 200, _("Enter the network's name."))
    clean_description = _optional_text(errors, data, "description", 4000)
    network = lock(RecruitmentNetwork, network.pk, None)
    if (
        is_active
        and not network.is_active
        and RecruitmentNetwork.objects.filter(origin_country_id=network.origin_country_id, is_active=True).exists()
    ):
        errors["is_active"] = [_("This country already has an active Ethical Recruitment Network.")]
    if errors:
        raise ValidationError(errors)
    closing = network.is_active and not is_active
    network.name, network.description, network.is_active = clean_name, clean_description, bool(is_active)
    network.version += 1
    network.save()
    ended = 0
    if closing:
        ended = network.members.filter(left_on__isnull=True).update(left_on=timezone.localdate())
    audit.record(
        "recruitment.network_changed",
        membership=actor,
        obj=network,
        detail={"active": network.is_active, "memberships_ended": ended},
    )
    return network


@transaction.atomic
def member_add(
    *,
    actor: Any,
    network: RecruitmentNetwork,
    organisation: Organisation,
    role: str = "member",
    joined_on: datetime.date | None = None,
) -> NetworkMember:
    """Add a recruitment agency, CSO or government body to the network (technical partner only)."""
    if not permissions.may_manage_networks(actor):
        _refuse()
    errors: dict[str, list[str]] = {}
    if not isinstance(organisation, Organisation) or organisation.kind not in permissions.ERN_MEMBER_KINDS:
        errors["organisation"] = [
            _("Only recruitment agencies, CSOs and government bodies can be members of a recruitment network.")
        ]
    elif not organisation.is_active:
        errors["organisation"] = [_("This organisation is no longer active.")]
    if role not in NetworkRole.values:
        errors["role"] = [_("Choose a role from the list.")]
    day = joined_on or timezone.localdate()
    _errors_into(errors, _not_future, day, "joined_on")
    network = lock(RecruitmentNetwork, network.pk, None)
    if not network.is_active:
        errors.setdefault("organisation", []).append(_("This network is closed."))
    if not errors and network.members.filter(organisation=organisation, left_on__isnull=True).exists():
        errors["organisation"] = [_("This organisation is already a member of the network.")]
    if errors:
        raise ValidationError(errors)
    member = NetworkMember.objects.create(
        network=network, organisation=organisation, role=role, joined_on=day, added_by=actor
    )
    audit.record(
        "recruitment.network_member_added",
        membership=actor,
        obj=member,
        detail={"network": network.pk, "role": role},
    )
    return member


@transaction.atomic
def member_change(
    *, actor: Any, member: NetworkMember, role: str, left_on: datetime.date | None = None
) -> NetworkMember:
    """Change a member's role, or record that it left the network (`left_on`: from that day it reads
    nothing of the network)."""
    if not permissions.may_manage_networks(actor):
        _refuse()
    errors: dict[str, list[str]] = {}
    if role not in NetworkRole.values:
        errors["role"] = [_("Choose a role from the list.")]
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if left_on is not None:
        _errors_into(errors, _not_future, left_on, "left_on")
        if left_on < member.joined_on:
            errors.setdefault("left_on", []).append(_("The organisation cannot leave before it joined."))
    if errors:
        raise ValidationError(errors)
    before = (member.role, member.left_on)
    member.role, member.left_on = role, left_on
    member.save(update_fields=["role", "left_on"])
    audit.record(
        "recruitment.network_member_changed",
        membership=actor,
        obj=member,
        detail={"network": member.network_id, "role": role, "left": left_on is not None, "was_role": before[0]},
    )
    return member


# --- broker reports ----------------------------------------------------------------------------------------


BROKER_FIELDS = (
    "broker_name",
    "area",
    "fee_amount",
    "fee_currency",
    "fee_for",
    "jobseekers_charged",
    "reported_on",
    "intervention",
    "intervention_notes",
    "repaid_amount",
    "repaid_currency",
    "jobseekers_repaid",
    "referred_to",
    "referred_on",
    "referral_reference",
    "status",
)


def clean_broker_report(data: dict[str, Any]) -> dict[str, Any]:
    """Check every field of a broker report; all errors at once, translated, nothing written."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    clean["broker_name"] = _required_text(
        errors, data, "broker_name", 200, _("Enter the broker's name or the alias jobseekers know them by.")
    )
    clean["area"] = _required_text(errors, data, "area", 200, _("Enter the area or district where the broker works."))
    clean["fee_amount"], clean["fee_currency"] = _money_pair(errors, data, "fee_amount", "fee_currency")
    clean["fee_for"] = _optional_text(errors, data, "fee_for", 300)
    clean["jobseekers_charged"] = _count(errors, data, "jobseekers_charged")
    clean["reported_on"] = _required_day(errors, data, "reported_on")
    clean["intervention"] = _choice(
        errors,
        {"intervention": data.get("intervention") or Intervention.NONE_YET},
        "intervention",
        Intervention,
        _("Choose an intervention from the list."),
    )
    clean["intervention_notes"] = _optional_text(errors, data, "intervention_notes", 4000)
    clean["repaid_amount"], clean["repaid_currency"] = _money_pair(errors, data, "repaid_amount", "repaid_currency")
    clean["jobseekers_repaid"] = _count(errors, data, "jobseekers_repaid")
    if clean["jobseekers_charged"] and clean["jobseekers_repaid"] > clean["jobseekers_charged"]:
        errors.setdefault("jobseekers_repaid", []).append(
            _("More jobseekers repaid than were charged: check both numbers.")
        )
    if clean["repaid_amount"] is not None and not clean["jobseekers_repaid"]:
        errors.setdefault("jobseekers_repaid", []).append(_("Say how many jobseekers were paid back."))
    referred_to = data.get("referred_to") or ""
    if referred_to and referred_to not in ReportingMechanism.values:
        errors.setdefault("referred_to", []).append(_("Choose a reporting mechanism from the list."))
    clean["referred_to"] = referred_to
    referred_on = data.get("referred_on")
    if referred_to and not isinstance(referred_on, datetime.date):
        errors.setdefault("referred_on", []).append(_("Enter the date of the referral."))
    elif referred_on and not referred_to:
        errors.setdefault("referred_to", []).append(_("Say which reporting mechanism it was referred to."))
    elif isinstance(referred_on, datetime.date):
        _errors_into(errors, _not_future, referred_on, "referred_on")
    clean["referred_on"] = referred_on if referred_to else None
    clean["referral_reference"] = _optional_text(errors, data, "referral_reference", 100) if referred_to else ""
    clean["status"] = _choice(
        errors,
        {"status": data.get("status") or BrokerReportStatus.OPEN},
        "status",
        BrokerReportStatus,
        _("Choose a status from the list."),
    )
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def broker_report_create(*, actor: Any, network: RecruitmentNetwork, **data: Any) -> BrokerReport:
    """A member reports an informal broker (the broker's name is encrypted)."""
    if not permissions.may_record_in(actor, network):
        _refuse()
    clean = clean_broker_report(data)
    report = BrokerReport.objects.create(
        network=network, reported_by_id=actor.organisation_id, created_by=actor, **clean
    )
    audit.record(
        "recruitment.broker_report_created",
        membership=actor,
        obj=report,
        detail={
            "network": network.pk,
            "referred": bool(report.referred_to),
            "repaid": report.repaid_amount is not None,
        },
    )
    return report


@transaction.atomic
def broker_report_update(*, actor: Any, report: BrokerReport, version: int | None = None, **data: Any) -> BrokerReport:
    """Change a report: its reporting organisation (still a member) or the technical partner."""
    if not permissions.may_edit_record(actor, report.network, report.reported_by_id):
        _refuse()
    clean = clean_broker_report(data)
    report = lock(BrokerReport, report.pk, version)
    changed = [field for field, value in clean.items() if getattr(report, field) != value]
    for field, value in clean.items():
        setattr(report, field, value)
    report.version += 1
    report.save()
    audit.record("recruitment.broker_report_changed", membership=actor, obj=report, detail={"fields": sorted(changed)})
    return report


def broker_report_view(*, actor: Any, report: BrokerReport, purpose: str = "page") -> str:
    """The broker's name for a reader of the report (a member or the technical partner): audited like an
    identity view. Callers read the report from `selectors.broker_report_list` first."""
    from ilm.recruitment.selectors import broker_report_list

    if not broker_report_list(membership=actor).filter(pk=report.pk).exists():
        _refuse()
    audit.record("recruitment.broker_viewed", membership=actor, obj=report, detail={"purpose": purpose})
    return report.broker_name


# --- outreach events ---------------------------------------------------------------------------------------


def _clean_event(data: dict[str, Any]) -> tuple[dict[str, Any], list[OutreachReach]]:
    from ilm.jobs.models import POSTING_LANGUAGES

    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        "held_on": _required_day(errors, data, "held_on"),
        "place": _required_text(errors, data, "place", 200, _("Enter where the event took place.")),
        "topic": _required_text(errors, data, "topic", 200, _("Enter what the event was about.")),
        "materials": _optional_text(errors, data, "materials", 2000),
    }
    language = data.get("language") or ""
    if language not in POSTING_LANGUAGES:
        errors["language"] = [_("Choose the language the event was held in.")]
    clean["language"] = language
    cells: list[OutreachReach] = []
    reach = data.get("reach") or {}
    for gender, count in reach.items():
        if gender not in Gender.values:
            errors.setdefault("reach", []).append(_("Choose a gender from the list."))
        elif isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
            errors.setdefault(f"reached_{gender}", []).append(_("Enter a whole number, 0 or more."))
        elif count:
            cells.append(OutreachReach(gender=gender, count=count))
    if not errors and not cells:
        errors["reach"] = [_("Enter how many jobseekers the event reached.")]
    if errors:
        raise ValidationError(errors)
    return clean, cells


@transaction.atomic
def outreach_event_create(*, actor: Any, network: RecruitmentNetwork, **data: Any) -> OutreachEvent:
    """An education and empowerment event (activity 1.6); `reach` maps gender to jobseekers reached."""
    if not permissions.may_record_in(actor, network):
        _refuse()
    clean, cells = _clean_event(data)
    event = OutreachEvent.objects.create(network=network, organiser_id=actor.organisation_id, created_by=actor, **clean)
    for cell in cells:
        cell.event = event
    OutreachReach.objects.bulk_create(cells)
    audit.record(
        "recruitment.outreach_event_created",
        membership=actor,
        obj=event,
        detail={"network": network.pk, "reached": sum(c.count for c in cells)},
    )
    return event


@transaction.atomic
def outreach_event_update(
    *, actor: Any, event: OutreachEvent, version: int | None = None, **data: Any
) -> OutreachEvent:
    if not permissions.may_edit_record(actor, event.network, event.organiser_id):
        _refuse()
    clean, cells = _clean_event(data)
    event = lock(OutreachEvent, event.pk, version)
    for field, value in clean.items():
        setattr(event, field, value)
    event.version += 1
    event.save()
    event.reach.all().delete()
    for cell in cells:
        cell.event = event
    OutreachReach.objects.bulk_create(cells)
    audit.record(
        "recruitment.outreach_event_changed",
        membership=actor,
        obj=event,
        detail={"reached": sum(c.count for c in cells)},
    )
    return event


# --- referrals ---------------------------------------------------------------------------------------------


def _clean_referral(actor: Any, data: dict[str, Any], referring_org_id: int) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        "service": _choice(errors, data, "service", ReferralService, _("Choose the kind of service.")),
        "service_name": _required_text(
            errors, data, "service_name", 200, _("Enter the name of the service or organisation.")
        ),
        "referred_on": _required_day(errors, data, "referred_on"),
        "outcome": _choice(
            errors,
            {"outcome": data.get("outcome") or ReferralOutcome.PENDING},
            "outcome",
            ReferralOutcome,
            _("Choose an outcome from the list."),
        ),
        "outcome_note": _optional_text(errors, data, "outcome_note", 2000),
    }
    worker = data.get("worker")
    if worker is not None:
        from ilm.cases.models import Worker

        if not isinstance(worker, Worker) or worker.cso_id != referring_org_id:
            errors["worker"] = [_("Choose a jobseeker your organisation recorded, or leave it empty.")]
        elif worker.erased_at is not None:
            errors["worker"] = [_("This worker's identity was erased.")]
    clean["worker"] = worker
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def referral_create(*, actor: Any, network: RecruitmentNetwork, **data: Any) -> Referral:
    """A non-monetary referral (legal aid, health, shelter, documents, financial, other). A jobseeker is
    never named here: at most a worker the referring CSO recorded in cases."""
    if not permissions.may_record_in(actor, network):
        _refuse()
    clean = _clean_referral(actor, data, actor.organisation_id)
    referral = Referral.objects.create(network=network, referred_by_id=actor.organisation_id, created_by=actor, **clean)
    audit.record(
        "recruitment.referral_created",
        membership=actor,
        obj=referral,
        detail={"network": network.pk, "service": referral.service, "worker": referral.worker_id},
    )
    return referral


@transaction.atomic
def referral_update(*, actor: Any, referral: Referral, version: int | None = None, **data: Any) -> Referral:
    if not permissions.may_edit_record(actor, referral.network, referral.referred_by_id):
        _refuse()
    clean = _clean_referral(actor, data, referral.referred_by_id)
    referral = lock(Referral, referral.pk, version)
    for field, value in clean.items():
        setattr(referral, field, value)
    referral.version += 1
    referral.save()
    audit.record(
        "recruitment.referral_changed",
        membership=actor,
        obj=referral,
        detail={"outcome": referral.outcome},
    )
    return referral
