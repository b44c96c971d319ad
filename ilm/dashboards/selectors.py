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
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ilm.cases import selectors as cases
from ilm.cases.models import Case, CaseBusiness, CaseStatus, CaseWorker, Issue, IssueCategory, Rating
from ilm.core.permissions import Action, OrgKind, can
from ilm.core.templatetags.ilm import language_name
from ilm.network.models import Country, Link, LinkKind, Tier, current_link_q

SMALL_CELL = 5


@dataclass
class Table:
    """One table of the dashboard: its rows are (label, values...) and its first value column is charted."""

    name: str
    title: Any
    columns: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    note: Any = ""
    chart: str = "bars"  # "bars" (one bar per row), "columns" (over time) or "" (measures of unlike units)

    @property
    def chart_values(self) -> list[tuple[str, float]]:
        return [(str(row[0]), float(row[1] or 0)) for row in self.rows if isinstance(row[1], int | float)]


@dataclass(frozen=True)
class Window:
    start: datetime.date
    end: datetime.date

    @classmethod
    def last_months(cls, months: int = 12, today: datetime.date | None = None) -> Window:
        today = today or timezone.localdate()
        first = today.replace(day=1)
        year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
        return cls(datetime.date(year, month + 1, 1), today)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From the first day's midnight to the midnight after the last day (local time)."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))
        return start, end

    def q(self, field: str = "opened_at") -> Q:
        start, end = self.bounds()
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    def months(self) -> list[datetime.date]:
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        return months


def sees_small_cells(membership: Any) -> bool:
    """The CSO and the technical partner see every count; businesses and buyers not the small ones."""
    return can(membership, Action.VIEW_WHOLE_NETWORK) or membership.organisation_kind == OrgKind.CSO


def window_cases(membership: Any, window: Window) -> QuerySet[Case]:
    return cases.case_list(membership=membership).filter(window.q()).order_by()


def window_issues(membership: Any, window: Window) -> QuerySet[Issue]:
    return Issue.objects.filter(case__in=window_cases(membership, window).values("pk")).order_by()


def issues_by_month(membership: Any, window: Window) -> Table:
    counts: dict[datetime.date, Any] = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row
        for row in window_issues(membership, window)
        .annotate(month=TruncMonth("case__opened_at"))
        .values("month")
        .annotate(issues=Count("pk"), forced=Count("pk", filter=Q(forced_labour=True)))
    }
    table = Table(
        "issues_by_month",
        _("Issues reported per month"),
        [_("Month"), _("Issues"), _("Forced-labour indicators")],
        chart="columns",
    )
    for month in window.months():
        row = counts.get(month) or {}
        table.rows.append([month.strftime("%Y-%m"), row.get("issues", 0), row.get("forced", 0)])
    return table


def issues_by_category(membership: Any, window: Window) -> Table:
    rows = (
        window_issues(membership, window)
        .values("category_id")
        .annotate(issues=Count("pk"))
        .order_by("-issues", "category_id")
    )
    categories = IssueCategory.objects.in_bulk([row["category_id"] for row in rows])
    table = Table(
        "issues_by_category",
        _("Issues by category"),
        [_("Category"), _("Issues"), _("Forced-labour indicator")],
    )
    for row in rows:
        category = categories[row["category_id"]]
        table.rows.append([str(category), row["issues"], _("yes") if category.is_forced_labour_indicator else ""])
    return table


def issues_by_country(membership: Any, window: Window) -> Table:
    rows = (
        window_issues(membership, window)
        .values("case__country_id")
        .annotate(issues=Count("pk"))
        .order_by("-issues", "case__country_id")
    )
    names = dict(Country.objects.values_list("pk", "name"))
    table = Table("issues_by_country", _("Issues by country"), [_("Country"), _("Issues")])
    for row in rows:
        table.rows.append([names.get(row["case__country_id"], _("Not recorded")), row["issues"]])
    return table


def issues_by_status(membership: Any, window: Window) -> Table:
    counts = dict(
        window_issues(membership, window)
        .values("case__status")
        .annotate(n=Count("pk"))
        .values_list("case__status", "n")
    )
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


def issues_by_business(membership: Any, window: Window) -> Table | None:
    """Per supplier and agency (a buyer: those in its chain; the CSO and the technical partner: all)."""
    if membership.organisation_kind in (OrgKind.SUPPLIER, OrgKind.RECRUITMENT_AGENCY):
        return None
    rows = (
        _business_rows(membership, window)
        .values("organisation_id", "organisation__name", "organisation__kind")
        .annotate(
            issues=Count("case__issues"),
            forced=Count("case__issues", filter=Q(case__issues__forced_labour=True)),
            open_cases=Count("case", filter=~Q(case__status=CaseStatus.CLOSED), distinct=True),
        )
        .order_by("-issues", "organisation__name")
    )
    kinds = dict(OrgKind.choices)
    table = Table(
        "issues_by_business",
        _("Issues by supplier and agency"),
        [_("Business"), _("Issues"), _("Forced-labour indicators"), _("Open cases"), _("Kind")],
        note=_("An issue of a case that concerns two businesses counts for each."),
    )
    for row in rows:
        table.rows.append(
            [
                row["organisation__name"],
                row["issues"],
                row["forced"],
                row["open_cases"],
                kinds.get(row["organisation__kind"], ""),
            ]
        )
    return table


def issues_by_tier(membership: Any, window: Window) -> Table | None:
    """A buyer's issues by the tier of its link to the supplier concerned (agencies: "recruitment")."""
    if membership.organisation_kind != OrgKind.BUYER:
        return None
    tier = Link.objects.filter(
        current_link_q(),
        kind=LinkKind.SUPPLY,
        customer_id=membership.organisation_id,
        provider_id=OuterRef("organisation_id"),
    ).values("tier")[:1]
    counts = dict(
        _business_rows(membership, window)
        .annotate(tier=Subquery(tier))
        .values("tier")
        .annotate(issues=Count("case__issues"))
        .values_list("tier", "issues")
    )
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
    counts = dict(
        window_issues(membership, window)
        .exclude(rating="")
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
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
}


def dashboard_tables(membership: Any, window: Window) -> list[Table]:
    """Every table the viewer's dashboard shows, in order (those that are not the viewer's left out)."""
    tables = [build(membership, window) for build in TABLES.values()]
    return [table for table in tables if table is not None]


def dashboard_table(membership: Any, window: Window, name: str) -> Table | None:
    """One table (a download): only its own query runs. None when there is no such table for the viewer."""
    build = TABLES.get(name)
    return build(membership, window) if build is not None else None
