"""Who may do what with fee surveys, built on the role table in `ilm.core.permissions`.

- technical partner: reads every survey and identities (case roles, audited); runs surveys
  (RUN_FEE_SURVEYS), overrides eligibility (leads), sets any policy, verifies repayments.
- the surveying CSO: the same, for its own surveys.
- the surveyed supplier: reads surveys at its sites, fee lines and repayment status per pseudonymous
  worker; records its repayments (RECORD_REPAYMENTS), sets its own policy (SET_REPAYMENT_POLICY).
- the supplier's buyers: totals per currency only.
- everyone else: nothing (404).

Reading is the selectors' business (ilm/recruitment/selectors.py): what a membership cannot read answers 404
before any of these rules is asked.
"""

from __future__ import annotations

from typing import Any

from ilm.core.permissions import Action, OrgKind, can
from ilm.recruitment.models import FeeSurvey


def sees_all(membership: Any) -> bool:
    return can(membership, Action.VIEW_WHOLE_NETWORK)


def runs_survey(membership: Any, survey: FeeSurvey) -> bool:
    """The surveying organisation (or the technical partner), in a role that runs fee surveys."""
    return can(membership, Action.RUN_FEE_SURVEYS) and (
        sees_all(membership) or survey.surveyor_id == membership.organisation_id
    )


def may_create_survey(membership: Any) -> bool:
    return can(membership, Action.RUN_FEE_SURVEYS) and membership.organisation_kind in (
        OrgKind.CSO,
        OrgKind.TECHNICAL_PARTNER,
    )


def may_view_identities(membership: Any, survey: FeeSurvey) -> bool:
    """Names of the surveyed workers: the surveying organisation's and the technical partner's roles that
    may see worker identity. Every view goes through `ilm.cases.services.worker_identity` (audited)."""
    return can(membership, Action.VIEW_WORKER_IDENTITY) and (
        sees_all(membership) or survey.surveyor_id == membership.organisation_id
    )


def may_override_eligibility(membership: Any, survey: FeeSurvey) -> bool:
    return can(membership, Action.OVERRIDE_FEE_ELIGIBILITY) and (
        sees_all(membership) or survey.surveyor_id == membership.organisation_id
    )


def is_surveyed_business(membership: Any, survey: FeeSurvey) -> bool:
    return bool(membership.organisation_kind == OrgKind.SUPPLIER and survey.supplier_id == membership.organisation_id)


def may_record_repayment(membership: Any, survey: FeeSurvey) -> bool:
    """The surveyed supplier (repayments it made) and the surveying organisation (on its behalf)."""
    return (can(membership, Action.RECORD_REPAYMENTS) and is_surveyed_business(membership, survey)) or runs_survey(
        membership, survey
    )


def may_verify_repayment(membership: Any, survey: FeeSurvey) -> bool:
    """Only the surveying organisation (or the technical partner) records the worker's verification."""
    return runs_survey(membership, survey)


def may_set_policy(membership: Any, organisation_id: int) -> bool:
    if not can(membership, Action.SET_REPAYMENT_POLICY):
        return False
    return sees_all(membership) or organisation_id == membership.organisation_id
