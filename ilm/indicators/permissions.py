"""Who may do what with the Ethical Performance Scores (docs/indicators.md).

Reading is the selectors' business (ilm/indicators/selectors.py): what a membership cannot read answers
404 before any rule here is asked.

- The technical partner assesses: its administrators and case managers create assessments, score them,
  accept ILM's suggestions and publish (`ASSESSOR_ROLES`). Its caseworkers and viewers read everything,
  drafts included.
- Suppliers and recruitment agencies read their own published assessments; buyers those of the suppliers
  and agencies in their chain; nobody else reads any (CSOs included: the assessment is the technical
  partner's judgement of a business, shared with the business and its buyers; a CSO sees the cases
  it works on, not the score given for them).

Assessing is not yet an `Action` of ilm/core/permissions.py; this table is the one place it is decided.
"""

from __future__ import annotations

from typing import Any

from ilm.core.permissions import Action, OrgKind, Role, can

# (kind, role) pairs that may create, score and publish assessments.
ASSESSOR_ROLES: frozenset[tuple[str, str]] = frozenset(
    {(OrgKind.TECHNICAL_PARTNER, Role.ADMIN), (OrgKind.TECHNICAL_PARTNER, Role.CASE_MANAGER)}
)
# Only these kinds of organisation are assessed (a buyer's score is its chain's aggregate).
ASSESSED_KINDS = frozenset({OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY})
# Kinds that see any scores at all (the menu entry and the list page).
READER_KINDS = frozenset({OrgKind.TECHNICAL_PARTNER, OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY, OrgKind.BUYER})


def sees_all(membership: Any) -> bool:
    """The technical partner: every assessment, drafts and ILM's suggestions included."""
    return can(membership, Action.VIEW_WHOLE_NETWORK)


def may_assess(membership: Any) -> bool:
    if membership is None:
        return False
    return (str(membership.organisation_kind), str(membership.role)) in ASSESSOR_ROLES


def may_read_scores(membership: Any) -> bool:
    return membership is not None and membership.organisation_kind in READER_KINDS
