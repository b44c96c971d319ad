"""The one write path for action plans and baselines (STYLE.md habit 1): check the rule, validate,
write, record the audit event, in one transaction. Views, the API, the demo and tests call these.

Every function takes the acting membership as `actor`, and the plan (or business) already read
through a selector: what the actor cannot read never reaches here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

import phonenumbers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ilm.core import audit
from ilm.core.errors import Conflict
from ilm.core.versioning import apply_changes, bump, lock
from ilm.network.models import Country, Organisation
from ilm.plans.catalogue import parse_activity_codes
from ilm.plans.models import (
    Activity,
    Baseline,
    FocalPoint,
    IndicatorStatus,
    IndicatorSuggestion,
    IndicatorValue,
    Plan,
    PlanCheckIn,
    PlanKind,
    PlanningStatus,
    PlanRow,
    ProgressIndicator,
    RowStatus,
    SuggestionStatus,
)
from ilm.plans.permissions import (
    INDICATOR_BUSINESS_KINDS,
    PLAN_BUSINESS_KINDS,
    may_create_country_plan,
    may_edit_business,
    may_edit_plan,
)


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("Your role does not allow this."))


def _require_plan_editor(actor: Any, plan: Plan) -> None:
    if not may_edit_plan(actor, plan):
        raise _refuse()


def _full_clean(obj: Any, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_constraints=True)


# --- activities ------------------------------------------------------------------------------------


def resolve_activities(codes: str | Iterable[str]) -> list[Activity]:
    """Catalogue activities for codes as written ("ER 2.6-7") or as a list (["2.6", "2.7"]).

    An unknown code is a translated ValidationError on `activities`, naming the codes."""
    try:
        wanted = parse_activity_codes(codes) if isinstance(codes, str) else parse_activity_codes(", ".join(codes))
    except ValidationError as exc:
        raise ValidationError({"activities": exc.messages}) from exc
    found = {activity.code: activity for activity in Activity.objects.filter(code__in=wanted)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(
            {
                "activities": _("Unknown activity code: %(codes)s. The catalogue has 1.1–1.6, 2.1–2.10 and 3.1–3.9.")
                % {"codes": ", ".join(unknown)}
            }
        )
    return [found[code] for code in wanted]


# --- plans -----------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    kind: str,
    year: int,
    country: Country | None = None,
    organisation: Organisation | None = None,
) -> Plan:
    """A Country Action Plan (country + year) or a Business Action Plan (business + year)."""
    if kind == PlanKind.COUNTRY:
        if country is None:
            raise ValidationError({"country": _("Choose the country.")})
        if not may_create_country_plan(actor, country):
            raise _refuse()
        plan = Plan(kind=kind, country=country, year=year)
    elif kind == PlanKind.BUSINESS:
        if organisation is None:
            raise ValidationError({"organisation": _("Choose the business.")})
        if organisation.kind not in PLAN_BUSINESS_KINDS:
            raise ValidationError({"organisation": _("Business Action Plans are for suppliers, agencies and buyers.")})
        if not may_edit_business(actor, organisation):
            raise _refuse()
        plan = Plan(kind=kind, organisation=organisation, year=year)
    else:
        raise ValidationError({"kind": _("Choose a country or a business plan.")})
    duplicate = (
        Plan.objects.filter(kind=kind, year=year, country=country)
        if kind == PlanKind.COUNTRY
        else Plan.objects.filter(kind=kind, year=year, organisation=organisation)
    )
    if duplicate.exists():
        raise ValidationError({"year": _duplicate_message(kind)})
    _full_clean(plan)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # the same plan created at the same moment by someone else
        raise ValidationError({"year": _duplicate_message(kind)}) from exc
    audit.record(
        "plan.created",
        membership=actor,
        obj=plan,
        detail={"kind": kind, "year": year, "country": plan.country_id, "organisation": plan.organisation_id},
    )
    return plan


def _duplicate_message(kind: str) -> str:
    if kind == PlanKind.COUNTRY:
        return _("This country already has an action plan for this year. Open it to add rows.")
    return _("This business already has an action plan for this year. Open it to add rows.")


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, planning_status: str, expected_version: int | None = None) -> Plan:
    """Annual planning status: planning under way, agreed, mid-year check-in done, year closed."""
    _require_plan_editor(actor, plan)
    plan = lock(Plan, plan.pk, expected_version)
    if planning_status not in PlanningStatus.values:
        raise ValidationError({"planning_status": _("Choose a planning status from the list.")})
    changed = apply_changes(plan, {"planning_status": planning_status}, ("planning_status",))
    if changed:
        bump(plan)
        plan.save()
        audit.record("plan.changed", membership=actor, obj=plan, detail={"fields": changed})
    return plan


# --- rows ------------------------------------------------------------------------------------------

ROW_FIELDS = ("description", "other_partners", "remarks", "status", "due_quarter")


def _clean_text(changes: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}


def _set_relations(
    row: PlanRow, activities: list[Activity] | None, organisations: Iterable[Organisation] | None
) -> list[str]:
    changed = []
    if activities is not None and {a.pk for a in activities} != set(row.activities.values_list("pk", flat=True)):
        row.activities.set(activities)
        changed.append("activities")
    if organisations is not None:
        wanted = {org.pk for org in organisations}
        if wanted != set(row.organisations.values_list("pk", flat=True)):
            row.organisations.set(list(wanted))
            changed.append("organisations")
    return changed


@transaction.atomic
def plan_row_add(
    *,
    actor: Any,
    plan: Plan,
    activities: str | Iterable[str],
    description: str,
    organisations: Iterable[Organisation] = (),
    other_partners: str = "",
    remarks: str = "",
    status: str = RowStatus.PLANNED,
    due_quarter: str = "",
) -> PlanRow:
    _require_plan_editor(actor, plan)
    plan = lock(Plan, plan.pk, None)  # rows of one plan are numbered one at a time
    found = resolve_activities(activities)
    position = (plan.rows.aggregate(last=Max("position"))["last"] or 0) + 1
    row = PlanRow(
        plan=plan,
        position=position,
        **_clean_text(
            {
                "description": description,
                "other_partners": other_partners,
                "remarks": remarks,
                "status": status,
                "due_quarter": due_quarter.upper(),
            }
        ),
    )
    _full_clean(row)
    row.save()
    _set_relations(row, found, list(organisations))
    audit.record(
        "plan.row_added",
        membership=actor,
        obj=row,
        detail={"plan": plan.pk, "activities": [a.code for a in found]},
    )
    return row


@transaction.atomic
def plan_row_update(
    *,
    actor: Any,
    row: PlanRow,
    expected_version: int | None,
    activities: str | Iterable[str] | None = None,
    organisations: Iterable[Organisation] | None = None,
    **changes: Any,
) -> PlanRow:
    """Change a row. `expected_version` is the version the editor started from: if someone saved in
    between, `Conflict` (409) and nothing is written."""
    _require_plan_editor(actor, row.plan)
    row = lock(PlanRow, row.pk, expected_version)
    found = resolve_activities(activities) if activities is not None else None
    if "due_quarter" in changes and isinstance(changes["due_quarter"], str):
        changes["due_quarter"] = changes["due_quarter"].upper()
    changed = apply_changes(row, _clean_text(changes), ROW_FIELDS)
    _full_clean(row)
    changed += _set_relations(row, found, list(organisations) if organisations is not None else None)
    if changed:
        # Saved after the relations, so the last history record holds the whole row as it now stands.
        bump(row)
        row.save()
        audit.record("plan.row_changed", membership=actor, obj=row, detail={"fields": changed})
    return row


@transaction.atomic
def plan_row_delete(*, actor: Any, row: PlanRow, expected_version: int | None = None) -> None:
    """Delete a row (its history stays: the plan as it stood before still shows it)."""
    _require_plan_editor(actor, row.plan)
    row = lock(PlanRow, row.pk, expected_version)
    audit.record("plan.row_deleted", membership=actor, obj=row, detail={"plan": row.plan_id})
    row.delete()


# --- check-ins -------------------------------------------------------------------------------------


@transaction.atomic
def plan_checkin_record(
    *,
    actor: Any,
    plan: Plan,
    held_on: datetime.date,
    participants: str,
    summary: str,
    changes: str = "",
) -> PlanCheckIn:
    _require_plan_editor(actor, plan)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The check-in date is in the future.")})
    checkin = PlanCheckIn(
        plan=plan,
        held_on=held_on,
        participants=participants.strip(),
        summary=summary.strip(),
        changes=changes.strip(),
        recorded_by=actor,
    )
    _full_clean(checkin, exclude=["recorded_by"])
    checkin.save()
    audit.record("plan.checkin_recorded", membership=actor, obj=checkin, detail={"plan": plan.pk})
    return checkin


# --- baselines -------------------------------------------------------------------------------------

BASELINE_FIELDS = ("supply_chain", "labour_policies", "policy_links", "grievance_mechanism", "other_programmes")
MAX_POLICY_LINKS = 20


def _clean_links(links: Iterable[str]) -> list[str]:
    validate = URLValidator(schemes=["https"])
    cleaned = []
    for link in links:
        link = link.strip()
        if not link:
            continue
        try:
            validate(link)
        except ValidationError:
            raise ValidationError(
                {"policy_links": _("“%(link)s” is not an https:// address.") % {"link": link[:80]}}
            ) from None
        cleaned.append(link)
    if len(cleaned) > MAX_POLICY_LINKS:
        raise ValidationError({"policy_links": _("Give at most %(max)s links.") % {"max": MAX_POLICY_LINKS}})
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def baseline_update(
    *, actor: Any, organisation: Organisation, expected_version: int | None = None, **changes: Any
) -> Baseline:
    """Write a business's baseline (made on its first save)."""
    if organisation.kind not in PLAN_BUSINESS_KINDS:
        raise ValidationError(_("Baselines are for suppliers, agencies and buyers."))
    if not may_edit_business(actor, organisation):
        raise _refuse()
    Baseline.objects.get_or_create(organisation=organisation)
    baseline = lock(Baseline, Baseline.objects.get(organisation=organisation).pk, expected_version)
    if "policy_links" in changes:
        changes["policy_links"] = _clean_links(changes["policy_links"] or [])
    changed = apply_changes(baseline, _clean_text(changes), BASELINE_FIELDS)
    _full_clean(baseline)
    if changed:
        bump(baseline)
        baseline.save()
        audit.record("baseline.changed", membership=actor, obj=baseline, detail={"fields": changed})
    return baseline


FOCAL_POINT_FIELDS = ("role", "purpose", "name", "email", "phone")


def normalise_phone(value: str) -> str:
    """A phone number in international form (+66...); numbers without a country code are read as Thai."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else "TH")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValidationError({"phone": _("Enter a phone number with its country code, e.g. +66 2 123 4567.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@transaction.atomic
def focal_point_save(
    *,
    actor: Any,
    organisation: Organisation,
    focal_point: FocalPoint | None = None,
    expected_version: int | None = None,
    **values: Any,
) -> FocalPoint:
    """Add a focal point to the business's baseline, or change one (`focal_point` given)."""
    if not may_edit_business(actor, organisation):
        raise _refuse()
    values = _clean_text(values)
    if "phone" in values:
        values["phone"] = normalise_phone(values["phone"])
    if focal_point is None:
        baseline, _created = Baseline.objects.get_or_create(organisation=organisation)
        point = FocalPoint(baseline=baseline, **values)
        _full_clean(point)
        point.save()
        audit.record("baseline.focal_point_added", membership=actor, obj=point)
        return point
    if focal_point.baseline.organisation_id != organisation.pk:
        raise _refuse()
    point = lock(FocalPoint, focal_point.pk, expected_version)
    changed = apply_changes(point, values, FOCAL_POINT_FIELDS)
    _full_clean(point)
    if changed:
        bump(point)
        point.save()
        audit.record("baseline.focal_point_changed", membership=actor, obj=point, detail={"fields": changed})
    return point


@transaction.atomic
def focal_point_delete(*, actor: Any, focal_point: FocalPoint) -> None:
    if not may_edit_business(actor, focal_point.baseline.organisation):
        raise _refuse()
    audit.record("baseline.focal_point_deleted", membership=actor, obj=focal_point)
    focal_point.delete()


# --- progress indicators ---------------------------------------------------------------------------


def _require_indicator_business(actor: Any, organisation: Organisation) -> None:
    if organisation.kind not in INDICATOR_BUSINESS_KINDS:
        raise ValidationError(
            {"organisation": _("Progress indicators are kept for suppliers and recruitment agencies.")}
        )
    if not may_edit_business(actor, organisation):
        raise _refuse()


def _check_indicator(indicator: str, status: str) -> None:
    errors: dict[str, str] = {}
    if indicator not in ProgressIndicator.values:
        errors["indicator"] = _(
            "Unknown progress indicator %(code)s. The indicators are WV1–WV3, ER1–ER7 and WORK1–WORK3."
        ) % {"code": indicator[:16]}
    if status not in IndicatorStatus.values:
        errors["status"] = _("Choose one of: not yet initiated, partial progress, completed / ongoing.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_set(
    *,
    actor: Any,
    organisation: Organisation,
    indicator: str,
    status: str,
    evidence: str = "",
    expected_version: int | None = None,
) -> IndicatorValue:
    """Set a business's status on one progress indicator, with the evidence. `expected_version` (the version
    the person saw; 0 when there was no value yet) turns a concurrent change into a Conflict (409)."""
    _check_indicator(indicator, status)
    _require_indicator_business(actor, organisation)
    value = IndicatorValue.objects.select_for_update().filter(organisation=organisation, indicator=indicator).first()
    if value is None:
        if expected_version not in (None, 0):
            raise Conflict(_("Someone else changed this while you were editing. Reload to see their change."))
        value = IndicatorValue(organisation=organisation, indicator=indicator)
    else:
        value = lock(IndicatorValue, value.pk, expected_version)
        bump(value)
    value.status, value.evidence = status, evidence.strip()
    value.set_by, value.set_at = actor, timezone.now()
    _full_clean(value, exclude=["organisation", "set_by"])
    try:
        with transaction.atomic():
            value.save()
    except IntegrityError as exc:  # the first value set by two people at once
        raise Conflict(_("Someone else changed this while you were editing. Reload to see their change.")) from exc
    audit.record(
        "progress.indicator_set",
        membership=actor,
        obj=value,
        detail={"indicator": indicator, "status": status, "organisation": organisation.pk},
    )
    return value


def indicator_suggest(
    *, organisation: Organisation, indicator: str, suggested_status: str, reason: str, **source: Any
) -> IndicatorSuggestion | None:
    """Propose an update for a person to confirm (no actor: ILM proposes). Nothing is proposed when the
    business is already at that status or beyond, or the same or a further proposal is still open. An open
    proposal of a lower status (from the same source) is raised instead, with the new reason: nobody has
    decided it yet, and a second suggestion for the same indicator would only ask the question twice."""
    _check_indicator(indicator, suggested_status)
    order = list(IndicatorStatus.values)
    current = IndicatorValue.objects.filter(organisation=organisation, indicator=indicator).first()
    if current is not None and order.index(current.status) >= order.index(suggested_status):
        return None
    open_ones = IndicatorSuggestion.objects.filter(
        organisation=organisation, indicator=indicator, status=SuggestionStatus.OPEN, **source
    )
    for waiting in open_ones:
        if order.index(waiting.suggested_status) >= order.index(suggested_status):
            return None
    lower = open_ones.order_by("-created_at", "-id").first()
    if lower is not None:
        lower.suggested_status = suggested_status
        lower.reason = reason
        lower.save(update_fields=["suggested_status", "reason"])
        return lower
    return IndicatorSuggestion.objects.create(
        organisation=organisation, indicator=indicator, suggested_status=suggested_status, reason=reason, **source
    )


def _open_suggestion(actor: Any, suggestion: IndicatorSuggestion) -> IndicatorSuggestion:
    _require_indicator_business(actor, suggestion.organisation)
    locked = IndicatorSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != SuggestionStatus.OPEN:
        raise ValidationError(_("This suggestion was already decided."))
    return locked


@transaction.atomic
def suggestion_accept(
    *, actor: Any, suggestion: IndicatorSuggestion, status: str = "", evidence: str = ""
) -> IndicatorValue:
    """Apply the suggestion (or the status the person chose instead), with the reason as evidence."""
    locked = _open_suggestion(actor, suggestion)
    value = indicator_set(
        actor=actor,
        organisation=suggestion.organisation,
        indicator=locked.indicator,
        status=status or locked.suggested_status,
        evidence=evidence.strip() or locked.reason,
    )
    locked.status, locked.decided_by, locked.decided_at = SuggestionStatus.ACCEPTED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    return value


@transaction.atomic
def suggestion_dismiss(*, actor: Any, suggestion: IndicatorSuggestion) -> IndicatorSuggestion:
    locked = _open_suggestion(actor, suggestion)
    locked.status, locked.decided_by, locked.decided_at = SuggestionStatus.DISMISSED, actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record("progress.suggestion_dismissed", membership=actor, obj=locked, detail={"indicator": locked.indicator})
    return locked
