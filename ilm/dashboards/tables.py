"""The dashboards' building blocks: a table (with its chart kind), the period it covers, and who sees small cells.

Kept apart from the selectors so that every module of tables (ilm/dashboards/selectors.py for issues,
ilm/dashboards/panels.py for scores and progress) builds on the same types without importing each other.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ilm.core.permissions import Action, OrgKind, can

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
    # Per row (when given): the dashboard's query parameters that narrow it to what the row counts, e.g.
    # {"business": 12}; the page links the row's label to them.
    row_keys: list[dict[str, Any]] = field(default_factory=list)
    wide: bool = False  # many columns: the page gives it the whole width

    @property
    def chart_values(self) -> list[tuple[str, float]]:
        return [(str(row[0]), float(row[1] or 0)) for row in self.rows if isinstance(row[1], int | float)]


@dataclass(frozen=True)
class Window:
    """The period shown (cases opened from `start` to `end`, both included) and, for a drill-down, the one
    business whose cases the issue tables are narrowed to."""

    start: datetime.date
    end: datetime.date
    business_id: int | None = None

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
