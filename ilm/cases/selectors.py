"""Who reads which cases, and how much of them (DOMAIN.md §3, docs/cases.md).

| acting organisation | cases | what of them |
|---|---|---|
| technical partner | all | everything |
| CSO | its own | everything (identity: roles with `identity.view`, every view audited) |
| supplier, recruitment agency | those concerning it, once shared | the business view |
| buyer | those concerning a business in its chain, once shared; those escalated to it | the business view |
| others | none | — |

The business view: reference, status and dates, the shareable summary, issues (category, counts,
flags, shareable description, rating), the businesses concerned, actions, business-visible updates
and attachments, escalations, repayment totals. Never worker identity (unless revealed under the
two-person rule), internal notes, issue descriptions, validation comments or the retaliation risk.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from ilm.cases.models import (
    Attachment,
    Case,
    CaseAction,
    CaseBusiness,
    CaseExport,
    CaseStatus,
    CaseUpdate,
    Contact,
    Escalation,
    IdentityReveal,
    IssueCategory,
    Notification,
    Worker,
    search_term,
)
from ilm.core.permissions import Action, OrgKind, can
from ilm.network.selectors import network_scope


def sees_all_cases(membership: Any) -> bool:
    return can(membership, Action.VIEW_WHOLE_NETWORK)


def owns_case(membership: Any, case: Case) -> bool:
    """The full case: its CSO, and the technical partner."""
    return sees_all_cases(membership) or (
        membership.organisation_kind == OrgKind.CSO and case.cso_id == membership.organisation_id
    )


def may_read_case_record(membership: Any, case: Case) -> bool:
    """The case's free text that may name workers (internal notes, issue descriptions, validation comments,
    contact notes): the owner's roles that may see worker identity. Every read is audited."""
    return owns_case(membership, case) and can(membership, Action.VIEW_WORKER_IDENTITY)


def overdue_q(now: Any = None) -> Q:
    """Overdue, one definition for pages, API and reminders: shared without a business response for
    ILM_SLA_RESPONSE_DAYS, or open without any activity for ILM_SLA_STALE_DAYS."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    response = now - datetime.timedelta(days=getattr(settings, "ILM_SLA_RESPONSE_DAYS", 7))
    stale = now - datetime.timedelta(days=getattr(settings, "ILM_SLA_STALE_DAYS", 14))
    return Q(status=CaseStatus.SHARED, first_response_at__isnull=True, shared_at__lte=response) | (
        ~Q(status=CaseStatus.CLOSED) & Q(last_activity_at__lte=stale)
    )


def case_list(*, membership: Any) -> QuerySet[Case]:
    queryset = Case.objects.select_related("cso", "country", "assigned_to__user")
    if sees_all_cases(membership):
        return queryset
    org_id = membership.organisation_id
    kind = membership.organisation_kind
    if kind == OrgKind.CSO:
        return queryset.filter(cso_id=org_id)
    if kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY):
        concerned = CaseBusiness.objects.filter(case=OuterRef("pk"), organisation_id=org_id)
        return queryset.filter(Exists(concerned), shared_at__isnull=False)
    if kind == OrgKind.BUYER:
        # IN subqueries, not EXISTS: PostgreSQL hashes each once, where an OR of correlated EXISTS ran both
        # for every case (docs/indicators.md, "Benchmark").
        businesses = network_scope(membership).organisation_ids
        in_chain = CaseBusiness.objects.filter(organisation_id__in=businesses).values("case_id")
        escalated = Escalation.objects.filter(buyer_id=org_id).values("case_id")
        return queryset.filter(Q(pk__in=in_chain, shared_at__isnull=False) | Q(pk__in=escalated))
    return queryset.none()


def worker_list(*, membership: Any) -> QuerySet[Worker]:
    """Workers are their CSO's (and the technical partner's): nobody else lists them."""
    queryset = Worker.objects.select_related("nationality", "site", "recruitment_agency")
    if sees_all_cases(membership):
        return queryset
    if membership.organisation_kind == OrgKind.CSO:
        return queryset.filter(cso_id=membership.organisation_id)
    return queryset.none()


def contact_list(*, membership: Any) -> QuerySet[Contact]:
    queryset = Contact.objects.select_related("channel", "worker", "case", "logged_by__user")
    if sees_all_cases(membership):
        return queryset
    if membership.organisation_kind == OrgKind.CSO:
        return queryset.filter(cso_id=membership.organisation_id)
    return queryset.none()


def update_list(*, membership: Any, case: Case) -> QuerySet[CaseUpdate]:
    queryset = case.updates.select_related("organisation", "author__user", "action")
    return queryset if owns_case(membership, case) else queryset.filter(visible_to_business=True)


def attachment_list(*, membership: Any) -> QuerySet[Attachment]:
    """Attachments of visible cases: all of them for the case's owners, business-visible ones otherwise."""
    queryset = Attachment.objects.filter(case__in=case_list(membership=membership).values("pk"))
    if sees_all_cases(membership):
        return queryset
    if membership.organisation_kind == OrgKind.CSO:
        return queryset.filter(Q(case__cso_id=membership.organisation_id))
    return queryset.filter(Q(visible_to_business=True) | Q(organisation_id=membership.organisation_id))


def action_list(*, membership: Any) -> QuerySet[CaseAction]:
    return CaseAction.objects.filter(case__in=case_list(membership=membership).values("pk")).select_related(
        "responsible", "issue__category"
    )


def identity_reveal_list(*, membership: Any) -> QuerySet[IdentityReveal]:
    queryset = IdentityReveal.objects.select_related("case", "organisation", "requested_by__user")
    if sees_all_cases(membership):
        return queryset
    if membership.organisation_kind == OrgKind.CSO:
        return queryset.filter(case__cso_id=membership.organisation_id)
    return queryset.none()


def revealed_worker_ids(*, membership: Any, case: Case) -> set[int]:
    """Workers whose identity this business may see on this case: approved, not withdrawn, and the
    worker's consent still recorded."""
    return set(
        IdentityReveal.objects.filter(
            case=case,
            organisation_id=membership.organisation_id,
            approved_at__isnull=False,
            withdrawn_at__isnull=True,
            worker__consent_share_identity=True,
            worker__erased_at__isnull=True,
        ).values_list("worker_id", flat=True)
    )


def may_view_identity(membership: Any, worker: Worker, case: Case | None = None) -> bool:
    if worker.erased_at is not None:
        return False
    if can(membership, Action.VIEW_WORKER_IDENTITY) and (
        sees_all_cases(membership) or worker.cso_id == membership.organisation_id
    ):
        return True
    return case is not None and worker.pk in revealed_worker_ids(membership=membership, case=case)


def category_list() -> QuerySet[IssueCategory]:
    return IssueCategory.objects.filter(is_active=True)


def notification_list(*, membership: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=membership.user_id, organisation_id=membership.organisation_id)


def export_list(*, membership: Any) -> QuerySet[CaseExport]:
    return CaseExport.objects.filter(membership_id=membership.pk)


def dangerously_duplicate_workers(*, cso_id: int, indexes: list[str], name_index: str = "") -> QuerySet[Worker]:
    """Workers of the same CSO sharing an identifier (or the exact name): a likely duplicate. Unscoped by
    design: the caller is a service acting for that CSO."""
    condition = Q(identifiers__value_index__in=[i for i in indexes if i])
    if name_index:
        condition |= Q(name_index=name_index)
    return Worker.objects.filter(condition, cso_id=cso_id, erased_at__isnull=True).distinct()


SMALL_GROUP = 10


def identifiable_group_warnings(case: Case) -> list[dict[str, Any]]:
    """Groups at a concerned site, by the case's workers' nationality and gender, smaller than SMALL_GROUP in
    the site's latest headcount (or missing from it): sharing details could point at the worker."""
    from django.db.models import Max

    from ilm.network.models import HeadcountSnapshot

    sites = [b.site for b in case.businesses.select_related("site") if b.site_id]
    groups = {
        (w.nationality_id, w.gender)
        for w in Worker.objects.filter(case_links__case=case)
        if w.nationality_id and w.gender in ("female", "male")
    }
    warnings: list[dict[str, Any]] = []
    for site in sites:
        latest = HeadcountSnapshot.objects.filter(site=site).aggregate(last=Max("as_of"))["last"]
        cells = (
            {}
            if latest is None
            else {
                (row.nationality_id, row.gender): row.count
                for row in HeadcountSnapshot.objects.filter(site=site, as_of=latest)
            }
        )
        for nationality, gender in sorted(groups):
            count = cells.get((nationality, gender), 0)
            if count < SMALL_GROUP:
                warnings.append(
                    {"site": site, "nationality": nationality, "gender": gender, "count": count, "as_of": latest}
                )
    return warnings


def search_cases(queryset: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Narrow cases to those whose shareable text (reference, summary, issues' shareable descriptions)
    contains `query`, whatever its case. One column, so PostgreSQL answers from a trigram index."""
    term = search_term(query)
    return queryset.filter(search_text__contains=term) if term else queryset
