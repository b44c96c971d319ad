"""Aggregate selectors for the public statistics (DOMAIN.md §8 reach, §11 transparency; docs/public.md).

The only reads of case data that the public site (ilm/public) makes: each function returns a plain
`CountTable` (labels and counts, no model instance), computed by SQL aggregation. Suppression of small
cells is the public site's job (ilm/public/suppression.py); these tables hold the true counts.

**Who is counted.** Workers and jobseekers who consented to be counted in anonymised statistics
(`Worker.consent_statistics`) and whose identity has not been erased (`erased_at`): a worker who asked
to be erased is treated as having withdrawn from statistics too. Contacts without a known worker and
cases without a linked worker count nobody: consent cannot be known for them.

**The counting unit is the person.** Every cell counts *distinct workers*, never contacts, cases, issues
or the "workers affected" a caseworker estimates, so that "fewer than 10 people" means what it says.
A worker who appears in two cells (two months, two categories) counts in each; row and column totals
are the sums of their cells, not distinct people over the row.

Tables: contacts by country x month and issues by category x month over the last `MONTHS` months;
forced-labour indicator reports by month; cases by country x industry, remediation outcomes (closed cases
by closure x rating) and reach (workers by nationality x gender) over all time. Cases closed as
duplicates are left out. No table has an organisation, a site, a channel or a worker as a dimension.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from babel.dates import format_skeleton
from django.db.models import Case as CaseWhen
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ilm.cases.models import (
    CaseBusiness,
    CaseStatus,
    CaseWorker,
    Closure,
    Contact,
    Issue,
    IssueCategory,
    Rating,
    Worker,
)
from ilm.core.languages import current_babel_locale
from ilm.network.models import Gender, Industry

MONTHS = 12
UNKNOWN = ""


@dataclass(frozen=True)
class CountTable:
    """Distinct consenting workers per (row, column); labels in the active language."""

    key: str
    title: str
    row_heading: str
    column_heading: str
    rows: list[tuple[str, str]]  # (key, label)
    columns: list[tuple[str, str]]
    counts: list[list[int]] = field(default_factory=list)


def _countable(prefix: str = "") -> Q:
    return Q(**{f"{prefix}consent_statistics": True, f"{prefix}erased_at__isnull": True})


def _months(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    year, month = today.year, today.month
    keys = []
    for _i in range(MONTHS):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _window_start(months: list[str]) -> datetime.datetime:
    year, month = map(int, months[0].split("-"))
    return datetime.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())


def _month_key(value: datetime.datetime | datetime.date | None) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}"


def _month_label(key: str) -> str:
    year, month = map(int, key.split("-"))
    return format_skeleton("yMMM", datetime.date(year, month, 1), locale=current_babel_locale())


def _country_label(code: str) -> str:
    if not code:
        return _("Not known")
    return str(current_babel_locale().territories.get(code, code))


def _table(
    key: str,
    title: str,
    headings: tuple[str, str],
    cells: dict[tuple[str, str], int],
    rows: Iterable[tuple[str, str]],
    columns: Iterable[tuple[str, str]],
) -> CountTable:
    rows, columns = list(rows), list(columns)
    return CountTable(
        key=key,
        title=title,
        row_heading=headings[0],
        column_heading=headings[1],
        rows=rows,
        columns=columns,
        counts=[[cells.get((r, c), 0) for c, _label in columns] for r, _label in rows],
    )


def _by_label_unknown_last(keys: Iterable[str], label: dict[str, str] | None = None) -> list[tuple[str, str]]:
    pairs = [(k, (label or {}).get(k) or _country_label(k)) for k in set(keys)]
    return sorted(pairs, key=lambda pair: (pair[0] == UNKNOWN, pair[1]))


def _not_duplicate(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}closure": Closure.DUPLICATE})


# --- the tables ----------------------------------------------------------------------------------------


def contacts_by_country_and_month() -> CountTable:
    """Workers who contacted a channel, by the country of the case their contact joined (else of their
    workplace) and the month of the contact."""
    months = _months()
    rows = (
        Contact.objects.filter(_countable("worker__"), occurred_at__gte=_window_start(months))
        .annotate(
            place=Coalesce("case__country_id", "worker__site__country_id", output_field=CharField()),
            month=TruncMonth("occurred_at"),
        )
        .values("place", "month")
        .annotate(n=Count("worker_id", distinct=True))
    )
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["place"] or UNKNOWN, _month_key(row["month"]))
        cells[key] = cells.get(key, 0) + row["n"]
    return _table(
        "contacts",
        _("Workers who contacted a worker voice channel"),
        (_("Country"), _("Month")),
        cells,
        _by_label_unknown_last(k for k, _m in cells),
        [(m, _month_label(m)) for m in months],
    )


def _case_industry() -> Subquery:
    """The industry of the businesses a case concerns: the first of their industries in the catalogue's
    order, rolled up to its parent (poultry and palm oil count as agriculture)."""
    return Subquery(
        Industry.objects.filter(organisations__case_concerns__case_id=OuterRef("case_id"))
        .annotate(top=Coalesce("parent_id", "code", output_field=CharField()))
        .order_by("position", "code")
        .values("top")[:1]
    )


def _case_country() -> Coalesce:
    site_country = CaseBusiness.objects.filter(case_id=OuterRef("case_id"), site__isnull=False).order_by("id")
    return Coalesce("case__country_id", Subquery(site_country.values("site__country_id")[:1]), output_field=CharField())


def _case_workers() -> QuerySet[CaseWorker]:
    return CaseWorker.objects.filter(_countable("worker__"), _not_duplicate("case__"))


def cases_by_country_and_industry() -> CountTable:
    """Workers on cases, by the case's country (else its first site's) and industry, since the start."""
    rows = (
        _case_workers()
        .annotate(place=_case_country(), industry=_case_industry())
        .values("place", "industry")
        .annotate(n=Count("worker_id", distinct=True))
    )
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["place"] or UNKNOWN, row["industry"] or UNKNOWN)
        cells[key] = cells.get(key, 0) + row["n"]
    industries = {i.code: (i.position, str(i)) for i in Industry.objects.filter(code__in={k for _p, k in cells})}
    columns = sorted(
        ((k, industries[k][1] if k in industries else _("Not known")) for k in {k for _p, k in cells}),
        key=lambda pair: (pair[0] not in industries, industries.get(pair[0], (0, ""))[0]),
    )
    return _table(
        "cases",
        _("Workers with a case, by industry"),
        (_("Country"), _("Industry")),
        cells,
        _by_label_unknown_last(p for p, _k in cells),
        columns,
    )


def _issues_counted(months: list[str]) -> QuerySet[Issue]:
    return Issue.objects.filter(
        _countable("case__case_workers__worker__"),
        _not_duplicate("case__"),
        created_at__gte=_window_start(months),
    )


def issues_by_category_and_month() -> CountTable:
    """Workers on cases with an issue of each category, by the month the issue was recorded."""
    months = _months()
    rows = (
        _issues_counted(months)
        .annotate(month=TruncMonth("created_at"))
        .values("category__code", "month")
        .annotate(n=Count("case__case_workers__worker", distinct=True))
    )
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["category__code"], _month_key(row["month"]))
        cells[key] = cells.get(key, 0) + row["n"]
    categories = IssueCategory.objects.filter(code__in={k for k, _m in cells}).order_by("position", "id")
    return _table(
        "issues",
        _("Workers reporting issues, by category"),
        (_("Issue category"), _("Month")),
        cells,
        [(c.code, str(c)) for c in categories],
        [(m, _month_label(m)) for m in months],
    )


def forced_labour_by_month() -> CountTable:
    """Workers on cases with an issue that is one of the ILO indicators of forced labour (by category) or
    flagged as a forced-labour indicator, by the month the issue was recorded."""
    months = _months()
    rows = (
        _issues_counted(months)
        .filter(Q(forced_labour=True) | Q(category__is_forced_labour_indicator=True))
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("case__case_workers__worker", distinct=True))
    )
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = ("forced_labour", _month_key(row["month"]))
        cells[key] = cells.get(key, 0) + row["n"]
    return _table(
        "forced_labour",
        _("Workers reporting an indicator of forced labour"),
        (pgettext("statistics", "Measure"), _("Month")),
        cells,
        [("forced_labour", _("Forced-labour indicators"))],
        [(m, _month_label(m)) for m in months],
    )


RATING_RANK = {Rating.POOR: 1, Rating.FAIR: 2, Rating.GOOD: 3, Rating.EXCELLENT: 4}
NOT_RATED = "not_rated"


def remediation_outcomes() -> CountTable:
    """Workers on closed cases, by how the case was closed and the lowest rating of its remediated issues."""
    rank = CaseWhen(
        *[When(rating=rating, then=Value(value)) for rating, value in RATING_RANK.items()],
        output_field=IntegerField(),
    )
    worst = Subquery(
        Issue.objects.filter(case_id=OuterRef("case_id"))
        .exclude(rating="")
        .annotate(rank=rank)
        .order_by("rank")
        .values("rank")[:1]
    )
    rows = (
        _case_workers()
        .filter(case__status=CaseStatus.CLOSED)
        .exclude(case__closure="")
        .annotate(worst=worst)
        .values("case__closure", "worst")
        .annotate(n=Count("worker_id", distinct=True))
    )
    by_rank = {value: str(rating) for rating, value in RATING_RANK.items()}
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["case__closure"], by_rank.get(row["worst"], NOT_RATED))
        cells[key] = cells.get(key, 0) + row["n"]
    closures = [(c.value, str(c.label)) for c in Closure if c != Closure.DUPLICATE]
    ratings = [(r.value, str(r.label)) for r in Rating] + [(NOT_RATED, _("Not rated"))]
    return _table(
        "outcomes",
        _("Remediation outcomes: workers on closed cases"),
        (_("Closed as"), _("Remediation rated")),
        cells,
        closures,
        ratings,
    )


def reach_by_nationality_and_gender() -> CountTable:
    """Reach 1: jobseekers and workers known to the network's worker voice channels, by nationality and
    gender (every consenting worker a CSO recorded, since the start)."""
    rows = Worker.objects.filter(_countable()).values("nationality_id", "gender").annotate(n=Count("pk"))
    cells: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["nationality_id"] or UNKNOWN, row["gender"])
        cells[key] = cells.get(key, 0) + row["n"]
    return _table(
        "reach",
        _("Network reach: workers and jobseekers with access to worker voice channels"),
        (_("Nationality"), _("Gender")),
        cells,
        _by_label_unknown_last(n for n, _g in cells),
        [(g.value, str(g.label)) for g in Gender],
    )


def public_tables() -> list[CountTable]:
    """Every table the public site publishes, in the active language (one query each, plus labels)."""
    return [
        contacts_by_country_and_month(),
        cases_by_country_and_industry(),
        issues_by_category_and_month(),
        forced_labour_by_month(),
        remediation_outcomes(),
        reach_by_nationality_and_gender(),
    ]
