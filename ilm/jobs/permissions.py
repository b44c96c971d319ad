"""Who may do what in the job marketplace, built on the role table in `ilm.core.permissions`.

- Vacancies: the employer's admins and responders (POST_JOBS) write, publish and close their own
  organisation's vacancies; suppliers and recruitment agencies only.
- Translations: the poster (POST_JOBS on its own vacancy) and the technical partner (TRANSLATE_ANY_VACANCY).
- Applications: the employer's admins and responders (MANAGE_JOB_APPLICATIONS) run the pipeline of their
  own vacancies; CSO case roles (APPLY_FOR_JOBSEEKERS) apply for jobseekers and confirm a hire for those
  they helped; the technical partner reads all.
- Applicant identity (name, phone or handle): the employer of the vacancy applied to (pipeline roles), the
  CSO that helped (VIEW_WORKER_IDENTITY), the technical partner (VIEW_WORKER_IDENTITY). Never buyers, other
  employers or the public. Every view is audited (ilm/jobs/services.py: `application_identity_viewed`).

Reading is the selectors' business (ilm/jobs/selectors.py): what a membership cannot read is 404 first.
"""

from __future__ import annotations

from typing import Any

from ilm.core.permissions import Action, OrgKind, can

EMPLOYER_KINDS = frozenset({OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY})


def may_post_jobs(membership: Any) -> bool:
    return (
        membership is not None and membership.organisation_kind in EMPLOYER_KINDS and can(membership, Action.POST_JOBS)
    )


def may_edit_vacancy(membership: Any, vacancy: Any) -> bool:
    return may_post_jobs(membership) and vacancy.employer_id == membership.organisation_id


def may_translate_vacancy(membership: Any, vacancy: Any) -> bool:
    return may_edit_vacancy(membership, vacancy) or can(membership, Action.TRANSLATE_ANY_VACANCY)


def may_apply_for_jobseekers(membership: Any) -> bool:
    return (
        membership is not None
        and membership.organisation_kind == OrgKind.CSO
        and can(membership, Action.APPLY_FOR_JOBSEEKERS)
    )


def may_manage_application(membership: Any, application: Any) -> bool:
    """Shortlist, offer, hire, reject: the employer of the vacancy."""
    return (
        membership is not None
        and can(membership, Action.MANAGE_JOB_APPLICATIONS)
        and application.vacancy.employer_id == membership.organisation_id
    )


def is_helping_cso(membership: Any, application: Any) -> bool:
    return membership is not None and application.via_cso_id == membership.organisation_id


def may_message_applicant(membership: Any, application: Any) -> bool:
    """The employer's pipeline roles, and the CSO that applied for the jobseeker."""
    return may_manage_application(membership, application) or (
        is_helping_cso(membership, application) and may_apply_for_jobseekers(membership)
    )


def may_confirm_for_worker(membership: Any, application: Any) -> bool:
    return is_helping_cso(membership, application) and may_apply_for_jobseekers(membership)


def may_see_applicant_identity(membership: Any, application: Any) -> bool:
    if membership is None:
        return False
    if can(membership, Action.VIEW_WHOLE_NETWORK):
        return can(membership, Action.VIEW_WORKER_IDENTITY)
    if is_helping_cso(membership, application):
        return can(membership, Action.VIEW_WORKER_IDENTITY)
    return may_manage_application(membership, application)
