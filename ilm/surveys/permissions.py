"""Who may run and manage which survey, on top of the role table in `ilm.core.permissions`.

- Independent surveys: CSO and technical-partner case roles (RUN_INDEPENDENT_SURVEYS), at a site their
  organisation sees (a CSO: sites in its countries or of the businesses it collaborates with; the technical
  partner: any site).
- Internal surveys: a supplier's admins and responders (RUN_INTERNAL_SURVEYS), at its own sites only.
- Managing a survey (paper entry, closing it, seeing its public link): the members of the organisation
  that runs it who hold the action for its kind. The technical partner's survey runners also see the public
  link of every survey (support), but only the running organisation enters responses and closes it.

Reading surveys and their aggregated results is ilm/surveys/selectors.py's business (not yours: 404).
"""

from __future__ import annotations

from typing import Any

from ilm.core.permissions import Action, OrgKind, can
from ilm.surveys.models import Survey, SurveyKind

ACTION_BY_KIND = {
    SurveyKind.INDEPENDENT: Action.RUN_INDEPENDENT_SURVEYS,
    SurveyKind.INTERNAL: Action.RUN_INTERNAL_SURVEYS,
}
INDEPENDENT_RUNNER_KINDS = frozenset({OrgKind.TECHNICAL_PARTNER, OrgKind.CSO})


def kinds_offered(membership: Any) -> list[str]:
    """The kinds of survey the membership may create (empty: no "new survey" button)."""
    if membership is None:
        return []
    return [kind for kind, action in ACTION_BY_KIND.items() if can(membership, action)]


def may_create_survey(membership: Any) -> bool:
    return bool(kinds_offered(membership))


def is_runner(membership: Any, survey: Survey) -> bool:
    return membership is not None and survey.run_by_id == membership.organisation_id


def may_manage_survey(membership: Any, survey: Survey) -> bool:
    """Enter paper responses, close it: the running organisation's members with the action for its kind."""
    return is_runner(membership, survey) and can(membership, ACTION_BY_KIND[SurveyKind(survey.kind)])


def may_see_link(membership: Any, survey: Survey) -> bool:
    """The public link (its token lets anyone answer): the runner's survey runners and the technical partner's."""
    if may_manage_survey(membership, survey):
        return True
    return can(membership, Action.VIEW_WHOLE_NETWORK) and can(membership, Action.RUN_INDEPENDENT_SURVEYS)


def sees_live_results(membership: Any, survey: Survey) -> bool:
    """The runner and the technical partner see results while a survey is open. Everyone else (the business,
    its buyers) only once it closed: watching the aggregate move after each new response would tell them
    what the last worker answered."""
    return is_runner(membership, survey) or can(membership, Action.VIEW_WHOLE_NETWORK)
