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

from ilm.core.permissions import Action, OrgKind, Role, can
from ilm.recruitment.models import FeeSurvey, RecruitmentNetwork


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


# --- Ethical Recruitment Networks ---------------------------------------------------------------------
#
# Reading: a network and everything recorded in it (members, broker reports, outreach events, referrals)
# is read by its active members and by the technical partner, nobody else (ilm/recruitment/selectors.py).
# Writing is this table: which roles of which kinds of organisation may do what. Object rules below add
# "a member of this network" and "the organisation that recorded it".

# Only these kinds of organisation can be members of a network (the technical partner runs them all).
ERN_MEMBER_KINDS = frozenset({OrgKind.RECRUITMENT_AGENCY, OrgKind.CSO, OrgKind.GOVERNMENT})

# Create and change networks, add and remove members: the technical partner's leads.
ERN_MANAGERS: dict[str, frozenset[str]] = {
    OrgKind.TECHNICAL_PARTNER: frozenset({Role.ADMIN, Role.CASE_MANAGER}),
}
# Record broker reports, outreach events and referrals: the technical partner's and members' working roles
# (never a viewer).
ERN_RECORDERS: dict[str, frozenset[str]] = {
    OrgKind.TECHNICAL_PARTNER: frozenset({Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER}),
    OrgKind.CSO: frozenset({Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER}),
    OrgKind.RECRUITMENT_AGENCY: frozenset({Role.ADMIN, Role.RESPONDER}),
    OrgKind.GOVERNMENT: frozenset({Role.ADMIN}),
}


def _in(table: dict[str, frozenset[str]], membership: Any) -> bool:
    return membership is not None and membership.role in table.get(membership.organisation_kind, frozenset())


def may_manage_networks(membership: Any) -> bool:
    return _in(ERN_MANAGERS, membership)


def is_active_member(membership: Any, network: RecruitmentNetwork) -> bool:
    from ilm.recruitment.selectors import active_member_q

    return bool(
        membership is not None
        and membership.organisation_kind in ERN_MEMBER_KINDS
        and network.members.filter(active_member_q(), organisation_id=membership.organisation_id).exists()
    )


def may_record_in(membership: Any, network: RecruitmentNetwork) -> bool:
    """Record a broker report, an outreach event or a referral in this network."""
    if not _in(ERN_RECORDERS, membership) or not network.is_active:
        return False
    return sees_all(membership) or is_active_member(membership, network)


def may_edit_record(membership: Any, network: RecruitmentNetwork, recorded_by_id: int) -> bool:
    """Change a report, event or referral: the organisation that recorded it (still a member), or the
    technical partner."""
    if not _in(ERN_RECORDERS, membership):
        return False
    if sees_all(membership):
        return True
    return recorded_by_id == membership.organisation_id and is_active_member(membership, network)
