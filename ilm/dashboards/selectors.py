"""The dashboards' tables: worker-reported issues over what the viewer may read, aggregated in SQL.

Every table starts from the viewer's scoped cases (`ilm.cases.selectors.case_list`): a buyer reads the
shared cases of the suppliers and agencies in its confirmed chain (and those escalated to it), a supplier or
an agency its own shared cases, a CSO its own cases, the technical partner all. The date that places an
issue in the window and in a month is the day its case was opened (when the worker reported it).

Counting units (docs/indicators.md, "Dashboards"):
- an issue is counted once per table, except "by business", where an issue of a case that concerns two
  businesses counts once for each (so that column may sum to more than the issues);
- workers are distinct workers linked to the cases; a business or a buyer never sees a demographic cell
  under SMALL_CELL workers (shown as "fewer than 5"), the CSO and the technical partner see the counts.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.cases import selectors as cases
from ilm.cases.models import Case, CaseBusiness, CaseStatus, CaseWorker, Issue, IssueCategory, Rating
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.templatetags.ilm import language_name
from ilm.dashboards import panels
from ilm.dashboards.tables import SMALL_CELL, Table, Window, sees_small_cells
from ilm.network.models import Country, Link, LinkKind, Tier, current_link_q

# --- shared queries: within one page (or report), tables that read the same grouping run it once ---------

_shared: ContextVar[dict[str, Any] | None] = ContextVar("ilm_dashboard_shared", default=None)


@contextmanager
def shared_queries() -> Iterator[None]:
    """Inside this block the grouped queries below run once and every table reads their result."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _once(key: str, compute: Callable[[], Any]) -> Any:
    shared = _shared.get()
    if shared is None:
        return compute()
    if key not in shared:
        shared[key] = compute()
    return shared[key]


def window_cases(membership: Any, window: Window) -> QuerySet[Case]:
    queryset = cases.case_list(membership=membership).filter(window.q()).order_by()
    if window.business_id is not None:
        concerned = CaseBusiness.objects.filter(organisation_id=window.business_id).values("case_id")
        queryset = queryset.filter(pk__in=concerned)
    return queryset


def window_issues(membership: Any, window: Window) -> QuerySet[Issue]:
    return Issue.objects.filter(case__in=window_cases(membership, window).values("pk")).order_by()


Group = dict[str, Any]
ISSUE_DIMENSIONS = ("month", "category_id", "case__country_id", "case__status", "rating", "forced_labour")


def issue_groups(membership: Any, window: Window) -> list[dict[str, Any]]:
    """The window's issues counted per month, category, country, case status, rating and forced-labour flag,
    in one grouped query (a few thousand groups at most: 12 months x the categories x the countries ...).
    The per-issue tables add these groups up; measured on 1,000,000 issues this is 2.6x faster than five
    queries that each work out the viewer's scope again (docs/indicators.md, "Benchmark")."""

    def compute() -> list[dict[str, Any]]:
        return list(
            window_issues(membership, window)
            .annotate(month=TruncMonth("case__opened_at"))
            .values(*ISSUE_DIMENSIONS)
            .annotate(n=Count("pk"))
        )

    return _once("issue_groups", compute)


def _sum_by(
    groups: list[dict[str, Any]], key: str, only: Callable[[dict[str, Any]], bool] | None = None
) -> Counter[Any]:
    totals: Counter[Any] = Counter()
    for group in groups:
        if only is None or only(group):
            totals[group[key]] += group["n"]
    return totals


def _month(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def issues_by_month(membership: Any, window: Window) -> Table:
    groups = issue_groups(membership, window)
    issues = _sum_by(groups, "month")
    forced = _sum_by(groups, "month", lambda group: group["forced_labour"])
    issues_of = Counter({_month(month): n for month, n in issues.items()})
    forced_of = Counter({_month(month): n for month, n in forced.items()})
    table = Table(
        "issues_by_month",
        _("Issues reported per month"),
        [_("Month"), _("Issues"), _("Forced-labour indicators")],
        chart="columns",
    )
    for month in window.months():
        table.rows.append([month.strftime("%Y-%m"), issues_of[month], forced_of[month]])
    return table


def issues_by_category(membership: Any, window: Window) -> Table:
    counts = _sum_by(issue_groups(membership, window), "category_id")
    categories = IssueCategory.objects.in_bulk(list(counts))
    table = Table(
        "issues_by_category",
        _("Issues by category"),
        [_("Category"), _("Issues"), _("Forced-labour indicator")],
    )
    for category_id, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        category = categories[category_id]
        table.rows.append([str(category), n, _("yes") if category.is_forced_labour_indicator else ""])
    return table


def issues_by_country(membership: Any, window: Window) -> Table:
    counts = _sum_by(issue_groups(membership, window), "case__country_id")
    names = dict(Country.objects.filter(pk__in=[pk for pk in counts if pk is not None]).values_list("pk", "name"))
    table = Table("issues_by_country", _("Issues by country"), [_("Country"), _("Issues")])
    for country_id, n in sorted(counts.items(), key=lambda item: (-item[1], item[0] or 0)):
        table.rows.append([names.get(country_id, _("Not recorded")), n])
    return table


def issues_by_status(membership: Any, window: Window) -> Table:
    counts = _sum_by(issue_groups(membership, window), "case__status")
    table = Table("issues_by_status", _("Issues by case status"), [_("Status"), _("Issues")])
    for value, label in CaseStatus.choices:
        if value in counts:
            table.rows.append([label, counts[value]])
    return table


def _business_rows(membership: Any, window: Window) -> QuerySet[Any]:
    concerned = CaseBusiness.objects.filter(
        case__in=window_cases(membership, window).values("pk"), organisation__isnull=False
    )
    if membership.organisation_kind == OrgKind.BUYER:
        from ilm.network.selectors import network_scope

        concerned = concerned.filter(organisation_id__in=network_scope(membership).organisation_ids)
    return concerned


def business_groups(membership: Any, window: Window) -> list[dict[str, Any]]:
    """Issues, forced-labour indicators and open cases per business concerned (one grouped query, shared by
    the tables "by business" and "by tier")."""

    def compute() -> list[dict[str, Any]]:
        return list(
            _business_rows(membership, window)
            .values("organisation_id", "organisation__name", "organisation__kind")
            .annotate(
                issues=Count("case__issues"),
                forced=Count("case__issues", filter=Q(case__issues__forced_labour=True)),
                open_cases=Count("case", filter=~Q(case__status=CaseStatus.CLOSED), distinct=True),
            )
            .order_by("-issues", "organisation__name")
        )

    return _once("business_groups", compute)


def drill_down_businesses(membership: Any) -> QuerySet[Any]:
    """The businesses a viewer may narrow its dashboard to: a buyer, those of its chain; the CSO and the
    technical partner, every supplier and agency they read. A supplier or an agency reads only its own."""
    from ilm.network.selectors import organisation_list

    if membership.organisation_kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY):
        return organisation_list(membership=membership).none()
    return (
        organisation_list(membership=membership)
        .filter(kind__in=(OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY))
        .prefetch_related(None)
        .order_by("name", "id")
    )


def issues_by_business(membership: Any, window: Window) -> Table | None:
    """Per supplier and agency (a buyer: those in its chain; the CSO and the technical partner: all); each
    name opens the dashboard narrowed to that business."""
    if membership.organisation_kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY) or window.business_id:
        return None
    kinds = dict(OrgKind.choices)
    table = Table(
        "issues_by_business",
        _("Issues by supplier and agency"),
        [_("Business"), _("Issues"), _("Forced-labour indicators"), _("Open cases"), _("Kind")],
        note=_("An issue of a case that concerns two businesses counts for each."),
    )
    for row in business_groups(membership, window):
        table.rows.append(
            [
                row["organisation__name"],
                row["issues"],
                row["forced"],
                row["open_cases"],
                kinds.get(row["organisation__kind"], ""),
            ]
        )
        table.row_keys.append({"business": row["organisation_id"]})
    return table


def issues_by_tier(membership: Any, window: Window) -> Table | None:
    """A buyer's issues by the tier of its link to the supplier concerned (agencies: "recruitment")."""
    if membership.organisation_kind != OrgKind.BUYER or window.business_id:
        return None
    groups = business_groups(membership, window)
    tier_of = dict(
        Link.objects.filter(
            current_link_q(),
            kind=LinkKind.SUPPLY,
            customer_id=membership.organisation_id,
            provider_id__in=[group["organisation_id"] for group in groups],
        ).values_list("provider_id", "tier")
    )
    counts: Counter[Any] = Counter()
    for group in groups:
        counts[tier_of.get(group["organisation_id"])] += group["issues"]
    table = Table("issues_by_tier", _("Issues by supplier tier"), [_("Tier"), _("Issues")])
    for value, label in Tier.choices:
        table.rows.append([label, counts.get(value, 0)])
    if counts.get(None):
        table.rows.append([pgettext_lazy("tier", "Agencies and other links"), counts[None]])
    return table


def timeliness(membership: Any, window: Window) -> Table:
    """Cases shared in the window: how many got a first business response, how many within the SLA, the
    average days to that response, and how many are overdue now."""
    sla = datetime.timedelta(days=getattr(settings, "ILM_SLA_RESPONSE_DAYS", 7))
    shared = window_cases(membership, window).filter(shared_at__isnull=False)
    wait = ExpressionWrapper(F("first_response_at") - F("shared_at"), output_field=DurationField())
    figures = shared.annotate(wait=wait).aggregate(
        shared=Count("pk"),
        responded=Count("pk", filter=Q(first_response_at__isnull=False)),
        within=Count("pk", filter=Q(first_response_at__isnull=False, wait__lte=sla)),
        average=Avg("wait", filter=Q(first_response_at__isnull=False)),
    )
    overdue = shared.filter(cases.overdue_q()).count()
    average = figures["average"]
    days = round(average.total_seconds() / 86400, 1) if average is not None else "—"
    table = Table(
        "timeliness",
        _("Response times"),
        [_("Measure"), _("Value")],
        note=_("Within %(days)s days of sharing counts as on time.") % {"days": sla.days},
        chart="",
    )
    table.rows = [
        [_("Cases shared with the business"), figures["shared"]],
        [_("Answered"), figures["responded"]],
        [_("Answered on time"), figures["within"]],
        [_("Overdue now"), overdue],
        [_("Average days to the first response"), days],
    ]
    return table


def remediation_quality(membership: Any, window: Window) -> Table:
    counts = _sum_by(issue_groups(membership, window), "rating")
    table = Table(
        "remediation_quality",
        _("Remediation rated by the CSO"),
        [_("Rating"), _("Issues")],
        note=_("Issues of closed cases whose remediation was rated."),
    )
    for value, label in Rating.choices:
        table.rows.append([label, counts.get(value, 0)])
    return table


def workers_by_nationality(membership: Any, window: Window) -> Table:
    """Distinct workers linked to the window's cases, by nationality; cells under SMALL_CELL workers are
    hidden from businesses and buyers (the others are still listed, their sum is not shown)."""
    rows = (
        CaseWorker.objects.filter(case__in=window_cases(membership, window).values("pk"))
        .values("worker__nationality_id")
        .annotate(workers=Count("worker", distinct=True))
        .order_by("-workers", "worker__nationality_id")
    )
    names = dict(Country.objects.values_list("pk", "name"))
    shows_all = sees_small_cells(membership)
    table = Table(
        "workers_by_nationality",
        _("Workers by nationality"),
        [_("Nationality"), _("Workers")],
        note="" if shows_all else _("Groups of fewer than 5 workers are not shown."),
    )
    for row in rows:
        count = row["workers"]
        shown: Any = count if shows_all or count >= SMALL_CELL else _("fewer than 5")
        table.rows.append([names.get(row["worker__nationality_id"], _("Not recorded")), shown])
    return table


def contacts_by_language(membership: Any, window: Window) -> Table | None:
    """The CSO's (the technical partner: every CSO's) contacts in the window by language and channel kind:
    where the channels are busy, in which languages."""
    if not sees_small_cells(membership):
        return None
    rows = (
        cases.contact_list(membership=membership)
        .filter(window.q("occurred_at"))
        .values("language")
        .annotate(
            contacts=Count("pk"),
            workers=Count("worker", distinct=True),
            chat=Count("pk", filter=Q(channel__isnull=False) & ~Q(channel__provider="hotline")),
        )
        .order_by("-contacts", "language")
    )
    table = Table(
        "contacts_by_language",
        _("Contacts by language"),
        [_("Language"), _("Contacts"), _("Workers"), _("By message")],
        note=_("Workers: distinct workers recorded on the contacts; a contact without a worker counts none."),
    )
    for row in rows:
        language = language_name(row["language"]) or _("Not recorded")
        table.rows.append([language, row["contacts"], row["workers"], row["chat"]])
    return table


def caseload(membership: Any) -> Table | None:
    """Open cases now, for the CSO per caseworker (the technical partner: per CSO): how many, how many
    overdue, how many wait for the worker's validation."""
    if not sees_small_cells(membership):
        return None
    by_cso = can(membership, Action.VIEW_WHOLE_NETWORK)
    key = "cso__name" if by_cso else "assigned_to__user__username"
    rows = (
        cases.case_list(membership=membership)
        .exclude(status=CaseStatus.CLOSED)
        .order_by()
        .values(key)
        .annotate(
            open_cases=Count("pk"),
            overdue=Count("pk", filter=cases.overdue_q()),
            awaiting=Count("pk", filter=Q(status=CaseStatus.AWAITING_VALIDATION)),
        )
        .order_by("-open_cases", key)
    )
    table = Table(
        "caseload",
        _("Open cases now"),
        [_("CSO") if by_cso else _("Caseworker"), _("Open cases"), _("Overdue"), _("Awaiting validation")],
        note=_("Today, whatever the period above."),
    )
    for row in rows:
        table.rows.append([row[key] or _("Not assigned"), row["open_cases"], row["overdue"], row["awaiting"]])
    return table


# The dashboard's tables, in the order shown: each name is also the table's `download=` value.
TABLES: dict[str, Any] = {
    "caseload": lambda membership, window: caseload(membership),
    "contacts_by_language": contacts_by_language,
    "issues_by_month": issues_by_month,
    "issues_by_category": issues_by_category,
    "issues_by_country": issues_by_country,
    "issues_by_status": issues_by_status,
    "issues_by_business": issues_by_business,
    "issues_by_tier": issues_by_tier,
    "timeliness": timeliness,
    "remediation_quality": remediation_quality,
    "workers_by_nationality": workers_by_nationality,
    **panels.PANELS,
}


def dashboard_tables(membership: Any, window: Window) -> list[Table]:
    """Every table the viewer's dashboard shows, in order (those that are not the viewer's left out)."""
    with shared_queries():
        tables = [build(membership, window) for build in TABLES.values()]
    return [table for table in tables if table is not None]


def dashboard_table(membership: Any, window: Window, name: str) -> Table | None:
    """One table (a download): the page's, when it is still kept, so that the file holds the numbers the
    page showed; otherwise only its own query runs. None when there is no such table for the viewer."""
    kept = cache.get(_cache_key(membership, window))
    if isinstance(kept, _Kept):
        return next((table for table in kept.tables if table.name == name), None)
    build = TABLES.get(name)
    return build(membership, window) if build is not None else None


# The page's tables are kept this long for everyone who reads the same scope (the organisation, its kind and
# the member's role decide what the tables count): a viewer's figures are never more than a minute old, and a
# second reader, a reload or a download costs no aggregation. On 1,000,000 issues a buyer's page takes
# seconds to compute (docs/indicators.md, "Benchmark").
CACHE_SECONDS = 50


def _cache_key(membership: Any, window: Window) -> str:
    from ilm.network.selectors import network_version

    parts = (
        "ilm:dashboard",
        network_version(),  # a change to the network (a chain link, a site) is seen at once
        membership.organisation_id,
        membership.organisation_kind,
        membership.role,
        int(can(membership, Action.VIEW_WHOLE_NETWORK)),
        translation.get_language() or "",
        window.start.isoformat(),
        window.end.isoformat(),
        window.business_id or "",
    )
    return ":".join(str(part) for part in parts)


@dataclass
class _Kept:
    """What is kept of one scope's page: its tables, when they go, and (once a reader has rendered them) their
    HTML, so that later readers within the minute neither count nor render (a buyer's 300-business tables take
    longer to render than to read from the cache). Kept together, the HTML is always that of these tables."""

    tables: list[Table]
    expires_at: float
    html: str | None = None


def _kept(membership: Any, window: Window) -> tuple[str, _Kept]:
    key = _cache_key(membership, window)
    kept = cache.get(key)
    if not isinstance(kept, _Kept):
        kept = _Kept([_in_words(table) for table in dashboard_tables(membership, window)], time.time() + CACHE_SECONDS)
        cache.set(key, kept, CACHE_SECONDS)
    return key, kept


def _in_words(table: Table) -> Table:
    """The table with its lazy texts (labels, titles) turned into text now, in the language of the request: it
    is kept per language, and a lazy text costs a new class each time it is unpickled (hundreds per page)."""

    def text(value: Any) -> Any:
        return str(value) if isinstance(value, Promise) else value

    table.title, table.note = text(table.title), text(table.note)
    table.columns = [text(column) for column in table.columns]
    table.rows = [[text(value) for value in row] for row in table.rows]
    return table


def kept_dashboard_tables(membership: Any, window: Window) -> list[Table]:
    """`dashboard_tables`, kept for CACHE_SECONDS per scope, language and window."""
    return _kept(membership, window)[1].tables


def kept_dashboard_html(membership: Any, window: Window, render: Callable[[list[Table]], str]) -> str:
    """The page's tables as `render` draws them, kept with them (until they go) for the next reader of the same
    scope, language and window. `render` must depend on nothing else (no reader, no token, no raw query)."""
    key, kept = _kept(membership, window)
    if kept.html is None:
        kept.html = render(kept.tables)
        remaining = kept.expires_at - time.time()
        if remaining >= 1:
            cache.set(key, kept, int(remaining))
    return kept.html
