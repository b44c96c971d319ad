"""Charts drawn on the server as SVG: no script, no CDN, nothing to download but the page. Each chart sits
beside a table with the same numbers (the table is what screen readers and the downloads use; the chart is
`aria-hidden`)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ilm.dashboards.selectors import Table

BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 170
WIDTH = 520
COLUMN_HEIGHT = 140


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bars(values: list[tuple[str, float]]) -> SafeString:
    """One horizontal bar per row, the value at its end."""
    if not values:
        return mark_safe("")
    top = max(value for _label, value in values) or 1
    span = WIDTH - LABEL_WIDTH - 50
    height = len(values) * (BAR_HEIGHT + BAR_GAP)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (label, value) in enumerate(values):
        y = index * (BAR_HEIGHT + BAR_GAP)
        length = max(1.0, span * value / top) if value else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" class="chart-label">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" class="chart-bar"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 13}" class="chart-value">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def columns(values: list[tuple[str, float]]) -> SafeString:
    """One column per period (months), labelled under the axis every few columns."""
    if not values:
        return mark_safe("")
    top = max(value for _label, value in values) or 1
    step = (WIDTH - 20) / len(values)
    every = max(1, len(values) // 6)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {COLUMN_HEIGHT + 34}" width="100%" aria-hidden="true" '
        'focusable="false" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="10" y1="{COLUMN_HEIGHT + 12}" x2="{WIDTH - 10}" y2="{COLUMN_HEIGHT + 12}" class="chart-axis"/>'
    ]
    for index, (label, value) in enumerate(values):
        x = 10 + index * step
        height = COLUMN_HEIGHT * value / top
        y = COLUMN_HEIGHT + 12 - height
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}" '
            'class="chart-bar"/>'
        )
        if value:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="chart-value">'
                f"{_number(value)}</text>"
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{COLUMN_HEIGHT + 28}" text-anchor="middle" class="chart-label">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def _number(value: float) -> str:
    return f"{value:g}"


def chart_for(table: Table) -> SafeString:
    values = table.chart_values
    if not table.chart or not any(value for _label, value in values):
        return mark_safe("")
    return columns(values) if table.chart == "columns" else bars(values)
