"""Who may change which plan, built on the role table in `ilm.core.permissions`.

- Country Action Plan: the technical partner (EDIT_ANY_PLAN), and the CSOs working in that country
  (EDIT_COUNTRY_PLANS; a CSO's countries are its organisation's countries of operation).
- Business Action Plan and baseline: the technical partner, and the business itself
  (EDIT_OWN_BUSINESS_PLAN).

Reading is the selectors' business (ilm/plans/selectors.py): what a membership cannot read answers 404
before any of these rules is asked.

    plan_rules.test_rule("change_plan", membership, plan)
"""

from __future__ import annotations

from typing import Any

import rules

from ilm.core.permissions import Action, OrgKind, can
from ilm.network.models import Country, Organisation
from ilm.plans.models import Plan, PlanKind


def _has(action: Action) -> Any:
    @rules.predicate(name=f"plans_has:{action}")
    def predicate(membership: Any) -> bool:
        return can(membership, action)

    return predicate


def country_codes(membership: Any) -> frozenset[str]:
    """The acting organisation's countries of operation, read once per request (kept on the membership)."""
    codes: frozenset[str] | None = getattr(membership, "_ilm_plan_countries", None)
    if codes is None:
        codes = frozenset(
            Country.objects.filter(organisations__id=membership.organisation_id).values_list("code", flat=True)
        )
        membership._ilm_plan_countries = codes
    return codes


@rules.predicate
def is_cso(membership: Any) -> bool:
    return bool(membership.organisation_kind == OrgKind.CSO)


@rules.predicate
def works_in_plan_country(membership: Any, target: Plan | Country | str) -> bool:
    if isinstance(target, Plan):
        if target.kind != PlanKind.COUNTRY:
            return False
        code = target.country_id
    else:
        code = target.pk if isinstance(target, Country) else target
    return code in country_codes(membership)


@rules.predicate
def is_own_business(membership: Any, target: Plan | Organisation) -> bool:
    if isinstance(target, Plan):
        return target.kind == PlanKind.BUSINESS and target.organisation_id == membership.organisation_id
    return target.pk == membership.organisation_id


@rules.predicate
def is_country_plan(membership: Any, plan: Plan) -> bool:
    return plan.kind == PlanKind.COUNTRY


plan_rules = rules.RuleSet()
plan_rules.add_rule(
    "edit_country_plan",
    _has(Action.EDIT_ANY_PLAN) | (_has(Action.EDIT_COUNTRY_PLANS) & is_cso & works_in_plan_country),
)
plan_rules.add_rule(
    "edit_business_plan",
    _has(Action.EDIT_ANY_PLAN) | (_has(Action.EDIT_OWN_BUSINESS_PLAN) & is_own_business),
)


def may_edit_plan(membership: Any, plan: Plan) -> bool:
    if membership is None:
        return False
    rule = "edit_country_plan" if plan.kind == PlanKind.COUNTRY else "edit_business_plan"
    return bool(plan_rules.test_rule(rule, membership, plan))


def may_create_country_plan(membership: Any, country: Country | str | None = None) -> bool:
    """For one country, or (without one) for any country at all (to show the button)."""
    if membership is None:
        return False
    if country is None:
        return can(membership, Action.EDIT_ANY_PLAN) or (
            can(membership, Action.EDIT_COUNTRY_PLANS) and is_cso(membership) and bool(country_codes(membership))
        )
    return bool(plan_rules.test_rule("edit_country_plan", membership, country))


def may_edit_business(membership: Any, organisation: Organisation) -> bool:
    """The business's plans and its baseline."""
    return membership is not None and bool(plan_rules.test_rule("edit_business_plan", membership, organisation))


def may_create_business_plan(membership: Any) -> bool:
    """Whether to offer "new Business Action Plan" at all (for itself, or for any business)."""
    return can(membership, Action.EDIT_ANY_PLAN) or (
        can(membership, Action.EDIT_OWN_BUSINESS_PLAN) and membership.organisation_kind in PLAN_BUSINESS_KINDS
    )


PLAN_BUSINESS_KINDS = frozenset({OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY, OrgKind.BUYER})

# Progress indicators are kept for the businesses that run sites and recruit (not buyers).
INDICATOR_BUSINESS_KINDS = frozenset({OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY})


# --- trainings (the Academy) -------------------------------------------------------------------------
#
# Courses: every member reads them; the technical partner (MANAGE_ANY_TRAINING) creates and edits any,
# a CSO (MANAGE_TRAININGS) those its organisation provides. Sessions: read as ilm/plans/training_selectors.py
# says; the technical partner edits any, a CSO those its organisation gave (it is the trainer).

# Who runs courses and gives sessions.
TRAINER_KINDS = frozenset({OrgKind.TECHNICAL_PARTNER, OrgKind.CSO})


@rules.predicate
def is_own_trainer(membership: Any, target: Any) -> bool:
    """The target (a course, a session or an organisation) is provided or given by the acting CSO."""
    from ilm.plans.models import Course, TrainingSession

    if isinstance(target, Course):
        return target.provider_id == membership.organisation_id
    if isinstance(target, TrainingSession):
        return target.trainer_organisation_id == membership.organisation_id
    return bool(getattr(target, "pk", None) == membership.organisation_id)


plan_rules.add_rule(
    "manage_training",
    _has(Action.MANAGE_ANY_TRAINING) | (_has(Action.MANAGE_TRAININGS) & is_cso & is_own_trainer),
)


def may_manage_trainings(membership: Any) -> bool:
    """Whether to offer "new course" and "record a session" at all."""
    return can(membership, Action.MANAGE_ANY_TRAINING) or (
        can(membership, Action.MANAGE_TRAININGS) and membership is not None and is_cso(membership)
    )


def may_edit_training(membership: Any, target: Any) -> bool:
    """A course (its provider), a session (its trainer), or an organisation as provider or trainer."""
    return membership is not None and bool(plan_rules.test_rule("manage_training", membership, target))
