"""What each role of each kind of organisation may do: the one table (STYLE.md habit 4).

Views, the API, templates and services ask `can(membership, Action.X)`; object-level
rules (is this site theirs?) live in each app's `permissions.py` and start from here.
This module is data: it imports no model, so every app can read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol, cast

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    TECHNICAL_PARTNER = "technical_partner", _("Technical partner")
    CSO = "cso", _("Civil-society organisation")
    SUPPLIER = "supplier", _("Supplier / employer")
    RECRUITMENT_AGENCY = "recruitment_agency", _("Recruitment agency")
    BUYER = "buyer", _("Buyer")
    GOVERNMENT = "government", _("Government")
    INDUSTRY_BODY = "industry_body", _("Industry body")
    ACADEMIC = "academic", _("Academic")


BUSINESS_KINDS = frozenset({OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY, OrgKind.BUYER})
PARTNER_KINDS = frozenset(
    {OrgKind.TECHNICAL_PARTNER, OrgKind.CSO, OrgKind.GOVERNMENT, OrgKind.INDUSTRY_BODY, OrgKind.ACADEMIC}
)
# Members of these kinds can see worker identity, so every one of them needs two-factor sign-in.
IDENTITY_KINDS = frozenset({OrgKind.TECHNICAL_PARTNER, OrgKind.CSO})


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CASE_MANAGER = "case_manager", _("Case manager")
    CASEWORKER = "caseworker", _("Caseworker")
    RESPONDER = "responder", _("Responder")
    VIEWER = "viewer", _("Viewer")


ROLES_BY_KIND: Mapping[str, tuple[Role, ...]] = {
    OrgKind.TECHNICAL_PARTNER: (Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER, Role.VIEWER),
    OrgKind.CSO: (Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER, Role.VIEWER),
    OrgKind.SUPPLIER: (Role.ADMIN, Role.RESPONDER, Role.VIEWER),
    OrgKind.RECRUITMENT_AGENCY: (Role.ADMIN, Role.RESPONDER, Role.VIEWER),
    OrgKind.BUYER: (Role.ADMIN, Role.VIEWER),
    OrgKind.GOVERNMENT: (Role.ADMIN, Role.VIEWER),
    OrgKind.INDUSTRY_BODY: (Role.ADMIN, Role.VIEWER),
    OrgKind.ACADEMIC: (Role.ADMIN, Role.VIEWER),
}


class Action(StrEnum):
    """Things a membership may do. Reading is decided by the selectors' scope, not here."""

    VIEW_WHOLE_NETWORK = "network.view_all"
    CREATE_ORGANISATION = "organisation.create"
    CHANGE_OWN_ORGANISATION = "organisation.change_own"
    CHANGE_ANY_ORGANISATION = "organisation.change_any"
    CHANGE_OWN_SITES = "site.change_own"
    CHANGE_ANY_SITE = "site.change_any"
    PROPOSE_LINK = "link.propose"
    CONFIRM_LINK = "link.confirm"
    MANAGE_ANY_LINK = "link.manage_any"
    IMPORT_NETWORK = "network.import"
    MANAGE_CHANNELS = "channel.manage"
    MANAGE_COLLABORATIONS = "collaboration.manage"
    MANAGE_MEMBERS = "membership.manage"
    MANAGE_OWN_TOKENS = "token.manage_own"
    VIEW_ORG_AUDIT = "audit.view_org"
    VIEW_ALL_AUDIT = "audit.view_all"
    VIEW_WORKER_IDENTITY = "identity.view"
    USE_ADMIN_SITE = "admin_site.use"
    WORK_CASES = "case.work"
    APPROVE_IDENTITY_REVEAL = "identity.approve_reveal"
    RESPOND_TO_CASES = "case.respond"
    MANAGE_CATEGORIES = "category.manage"
    ERASE_WORKERS = "worker.erase"
    EXPORT_CASES = "case.export"
    BROWSE_COUNTRY_PLANS = "plan.browse_country"
    EDIT_COUNTRY_PLANS = "plan.edit_country"
    EDIT_OWN_BUSINESS_PLAN = "plan.edit_own_business"
    EDIT_ANY_PLAN = "plan.edit_any"
    MANAGE_TRAININGS = "training.manage"
    MANAGE_ANY_TRAINING = "training.manage_any"
    # recruitment (ilm/recruitment: fee surveys and repayment)
    RUN_FEE_SURVEYS = "fee_survey.run"
    OVERRIDE_FEE_ELIGIBILITY = "fee_eligibility.override"
    RECORD_REPAYMENTS = "repayment.record"
    SET_REPAYMENT_POLICY = "repayment_policy.set"
    # jobs (ilm/jobs: the job marketplace)
    POST_JOBS = "job.post"
    MANAGE_JOB_APPLICATIONS = "job_application.manage"
    APPLY_FOR_JOBSEEKERS = "job_application.apply_on_behalf"
    TRANSLATE_ANY_VACANCY = "job.translate_any"
    # surveys (ilm/surveys: worker satisfaction surveys)
    RUN_INDEPENDENT_SURVEYS = "survey.run_independent"
    RUN_INTERNAL_SURVEYS = "survey.run_internal"


A = Action
_EVERYONE = frozenset({A.MANAGE_OWN_TOKENS, A.EXPORT_CASES})
_ORG_ADMIN = _EVERYONE | {A.CHANGE_OWN_ORGANISATION, A.MANAGE_MEMBERS, A.VIEW_ORG_AUDIT}
_BUSINESS_ADMIN = _ORG_ADMIN | {A.CHANGE_OWN_SITES, A.PROPOSE_LINK, A.CONFIRM_LINK, A.IMPORT_NETWORK}
_TP_STAFF = _EVERYONE | {A.VIEW_WHOLE_NETWORK}
_CASE_ROLES = frozenset({A.VIEW_WORKER_IDENTITY, A.WORK_CASES})
_CASE_LEADS = _CASE_ROLES | {A.APPROVE_IDENTITY_REVEAL}
_RESPONDERS = frozenset({A.RESPOND_TO_CASES})
# Action plans (ilm/plans/permissions.py adds the object rules: which country, whose plan).
_PLAN_READERS = frozenset({A.BROWSE_COUNTRY_PLANS})
_TP_PLANNERS = _PLAN_READERS | {A.EDIT_ANY_PLAN}
_CSO_PLANNERS = _PLAN_READERS | {A.EDIT_COUNTRY_PLANS}
_BUSINESS_PLANNERS = frozenset({A.EDIT_OWN_BUSINESS_PLAN})
# Trainings (the Academy): the technical partner manages all courses and sessions; a CSO those it provides
# or gives (object rules in ilm/plans/permissions.py). Every member reads the courses.
_TP_TRAINERS = frozenset({A.MANAGE_ANY_TRAINING, A.MANAGE_TRAININGS})
_CSO_TRAINERS = frozenset({A.MANAGE_TRAININGS})
# recruitment: fee surveys are run by CSO and technical-partner case roles (leads override eligibility);
# the surveyed supplier records its repayments and sets its repayment policy (ilm/recruitment/permissions.py).
_FEE_SURVEYORS = frozenset({A.RUN_FEE_SURVEYS})
_FEE_SURVEY_LEADS = _FEE_SURVEYORS | {A.OVERRIDE_FEE_ELIGIBILITY}
_REPAYERS = frozenset({A.RECORD_REPAYMENTS})

GRANTS: Mapping[str, Mapping[str, frozenset[Action]]] = {
    OrgKind.TECHNICAL_PARTNER: {
        Role.ADMIN: _TP_STAFF
        | _ORG_ADMIN
        | _CASE_ROLES
        | _TP_PLANNERS
        | _TP_TRAINERS
        | {
            A.CREATE_ORGANISATION,
            A.CHANGE_ANY_ORGANISATION,
            A.CHANGE_ANY_SITE,
            A.MANAGE_ANY_LINK,
            A.PROPOSE_LINK,
            A.CONFIRM_LINK,
            A.IMPORT_NETWORK,
            A.MANAGE_CHANNELS,
            A.MANAGE_COLLABORATIONS,
            A.VIEW_ALL_AUDIT,
            A.USE_ADMIN_SITE,
            A.APPROVE_IDENTITY_REVEAL,
            A.MANAGE_CATEGORIES,
            A.ERASE_WORKERS,
        }
        | _FEE_SURVEY_LEADS
        | {A.SET_REPAYMENT_POLICY},
        Role.CASE_MANAGER: _TP_STAFF
        | _FEE_SURVEY_LEADS
        | {A.SET_REPAYMENT_POLICY}
        | _CASE_LEADS
        | _TP_PLANNERS
        | _TP_TRAINERS
        | {A.CHANGE_ANY_SITE, A.VIEW_ALL_AUDIT},
        Role.CASEWORKER: _TP_STAFF | _CASE_ROLES | _TP_PLANNERS | _TP_TRAINERS | _FEE_SURVEYORS,
        Role.VIEWER: _TP_STAFF | _PLAN_READERS,
    },
    OrgKind.CSO: {
        Role.ADMIN: _ORG_ADMIN
        | _CASE_LEADS
        | _CSO_PLANNERS
        | _CSO_TRAINERS
        | _FEE_SURVEY_LEADS
        | {A.MANAGE_CHANNELS, A.ERASE_WORKERS},
        Role.CASE_MANAGER: _EVERYONE | _CASE_LEADS | _CSO_PLANNERS | _CSO_TRAINERS | _FEE_SURVEY_LEADS,
        Role.CASEWORKER: _EVERYONE | _CASE_ROLES | _CSO_PLANNERS | _CSO_TRAINERS | _FEE_SURVEYORS,
        Role.VIEWER: _EVERYONE | _PLAN_READERS,
    },
    OrgKind.SUPPLIER: {
        Role.ADMIN: _BUSINESS_ADMIN | _RESPONDERS | _BUSINESS_PLANNERS | _REPAYERS | {A.SET_REPAYMENT_POLICY},
        Role.RESPONDER: _EVERYONE | _RESPONDERS | _BUSINESS_PLANNERS | _REPAYERS | {A.CHANGE_OWN_SITES},
        Role.VIEWER: _EVERYONE,
    },
    OrgKind.RECRUITMENT_AGENCY: {
        Role.ADMIN: (_BUSINESS_ADMIN - {A.CHANGE_OWN_SITES}) | _RESPONDERS | _BUSINESS_PLANNERS,
        Role.RESPONDER: _EVERYONE | _RESPONDERS | _BUSINESS_PLANNERS,
        Role.VIEWER: _EVERYONE,
    },
    OrgKind.BUYER: {
        Role.ADMIN: _ORG_ADMIN | _BUSINESS_PLANNERS | {A.PROPOSE_LINK, A.CONFIRM_LINK},
        Role.VIEWER: _EVERYONE,
    },
    OrgKind.GOVERNMENT: {Role.ADMIN: _ORG_ADMIN | _PLAN_READERS, Role.VIEWER: _EVERYONE | _PLAN_READERS},
    OrgKind.INDUSTRY_BODY: {Role.ADMIN: _ORG_ADMIN | _PLAN_READERS, Role.VIEWER: _EVERYONE | _PLAN_READERS},
    OrgKind.ACADEMIC: {Role.ADMIN: _ORG_ADMIN | _PLAN_READERS, Role.VIEWER: _EVERYONE | _PLAN_READERS},
}

# jobs (ilm/jobs: the job marketplace): suppliers' and agencies' admins and responders post vacancies and run
# their applications; CSO case roles apply for jobseekers (and confirm hires for them); the technical
# partner's case roles translate any vacancy. Object rules: ilm/jobs/permissions.py.
_JOB_ROLES = {
    OrgKind.SUPPLIER: ((Role.ADMIN, Role.RESPONDER), frozenset({A.POST_JOBS, A.MANAGE_JOB_APPLICATIONS})),
    OrgKind.RECRUITMENT_AGENCY: ((Role.ADMIN, Role.RESPONDER), frozenset({A.POST_JOBS, A.MANAGE_JOB_APPLICATIONS})),
    OrgKind.CSO: ((Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER), frozenset({A.APPLY_FOR_JOBSEEKERS})),
    OrgKind.TECHNICAL_PARTNER: ((Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER), frozenset({A.TRANSLATE_ANY_VACANCY})),
}


def _with_job_grants(kind: str, role: str, actions: frozenset[Action]) -> frozenset[Action]:
    roles, extra = _JOB_ROLES.get(kind, ((), frozenset()))  # type: ignore[call-overload]
    return actions | extra if role in roles else actions


_WITH_JOBS: dict[str, Mapping[str, frozenset[Action]]] = {
    str(kind): {str(role): _with_job_grants(kind, role, actions) for role, actions in roles.items()}
    for kind, roles in GRANTS.items()
}
GRANTS = _WITH_JOBS

# surveys (ilm/surveys: worker satisfaction surveys): CSO and technical-partner case roles run independent
# surveys; a supplier's admins and responders run internal surveys at its own sites. Who reads results is
# decided by ilm/surveys/selectors.py; object rules in ilm/surveys/permissions.py.
_SURVEY_RUNNERS = (Role.ADMIN, Role.CASE_MANAGER, Role.CASEWORKER)
_SURVEY_GRANTS: dict[str, dict[str, frozenset[Action]]] = {
    str(kind): {str(role): frozenset({A.RUN_INDEPENDENT_SURVEYS}) for role in _SURVEY_RUNNERS}
    for kind in (OrgKind.TECHNICAL_PARTNER, OrgKind.CSO)
}
_SURVEY_GRANTS[str(OrgKind.SUPPLIER)] = {
    str(role): frozenset({A.RUN_INTERNAL_SURVEYS}) for role in (Role.ADMIN, Role.RESPONDER)
}
GRANTS = {
    kind: {role: actions | _SURVEY_GRANTS.get(kind, {}).get(role, frozenset()) for role, actions in roles.items()}
    for kind, roles in GRANTS.items()
}


class ActingMembership(Protocol):
    """What the permission table needs of a membership (accounts.Membership satisfies it)."""

    role: str
    organisation_id: int

    @property
    def organisation_kind(self) -> str: ...


def grants_for(kind: str, role: str) -> frozenset[Action]:
    return GRANTS.get(kind, {}).get(role, frozenset())


def can(membership: ActingMembership | None, action: Action) -> bool:
    """True when the acting membership's role, in its kind of organisation, grants `action`."""
    if membership is None:
        return False
    return action in grants_for(membership.organisation_kind, membership.role)


def role_allowed(kind: str, role: str) -> bool:
    return role in ROLES_BY_KIND.get(kind, ())


def requires_two_factor(kind: str, role: str) -> bool:
    """Members who can see worker identity, and every administrator, must use two-factor sign-in."""
    return kind in IDENTITY_KINDS or role == Role.ADMIN


class OTPUser(Protocol):
    """A `request.user` after django-otp's OTPMiddleware, which adds `is_verified()` at run time."""

    def is_verified(self) -> bool: ...


def is_verified(user: object) -> bool:
    """Whether the request's user completed two-factor sign-in (the stubs cannot see OTPMiddleware's method)."""
    return cast(OTPUser, user).is_verified()
