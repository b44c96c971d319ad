"""Statistical disclosure control for the public tables: primary and complementary cell suppression.

Pure functions on a table of counts (a list of rows of non-negative integers), no Django. A table is
published with its row totals, column totals and grand total; every number either appears or is hidden
(None). The rules (docs/public.md has a worked example):

1. **Primary.** A cell counting 1 to 9 people is hidden. Zero is published: it says that nobody is in
   that cell, which reveals nothing about a person.
2. **Lines.** In every row and column whose total is published, the hidden cells must be none, or at
   least two whose sum is at least `threshold`, so that "total minus the published cells" neither pins
   one cell nor reveals a group under 10. Otherwise the smallest published non-zero cell of that line is
   hidden too (complementary suppression); if none is left, the line's total is hidden.
3. **Totals of totals.** The grand total is published only if the hidden row totals (and the hidden
   column totals) are none, or at least two summing to `threshold` or more.
4. **No unique solution.** Finally the published numbers are read as a system of linear equations
   (each row, each column, and the grand total); a hidden number that the system determines (the
   equations, combined, leave it only one value) is unpicked: another cell of its line is hidden, or,
   failing that, the totals. Steps 2 to 4 repeat until nothing changes. Suppression only grows, so this
   ends.

Totals are sums of the cells (computed from the true counts, before suppression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = 10


@dataclass(frozen=True)
class Published:
    """What may be shown: the same shape as the input, hidden numbers as None."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


# Variables of the equation system, in this order: cells (row-major), row totals, column totals, grand total.


def _equations(n_rows: int, n_cols: int) -> list[dict[int, int]]:
    cell = lambda r, c: r * n_cols + c  # noqa: E731
    row_total = lambda r: n_rows * n_cols + r  # noqa: E731
    col_total = lambda c: n_rows * n_cols + n_rows + c  # noqa: E731
    grand = n_rows * n_cols + n_rows + n_cols
    equations: list[dict[int, int]] = []
    for r in range(n_rows):
        equations.append({**{cell(r, c): 1 for c in range(n_cols)}, row_total(r): -1})
    for c in range(n_cols):
        equations.append({**{cell(r, c): 1 for r in range(n_rows)}, col_total(c): -1})
    equations.append({**{row_total(r): 1 for r in range(n_rows)}, grand: -1})
    equations.append({**{col_total(c): 1 for c in range(n_cols)}, grand: -1})
    return equations


def determined_unknowns(equations: list[dict[int, int]], unknown: set[int]) -> set[int]:
    """The unknowns whose value the equations fix, whatever the other unknowns are.

    Each equation is {variable: coefficient} = 0; known variables only move to the right-hand side, so
    only the coefficients of the unknowns matter. An unknown is determined when its unit vector lies in
    the row space of that coefficient matrix: in reduced row echelon form, a row with a single non-zero.
    """
    order = sorted(unknown)
    column = {v: i for i, v in enumerate(order)}
    matrix = [[Fraction(0)] * len(order) for _ in equations]
    for i, equation in enumerate(equations):
        for variable, coefficient in equation.items():
            if variable in column:
                matrix[i][column[variable]] = Fraction(coefficient)
    pivot_row = 0
    pivots: list[int] = []
    for col in range(len(order)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivots.append(col)
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    determined = set()
    for r, col in enumerate(pivots):
        if sum(1 for x in matrix[r] if x != 0) == 1:
            determined.add(order[col])
    return determined


def _line_needs_more(values: Sequence[int], hidden: Sequence[bool], threshold: int) -> bool:
    hidden_values = [v for v, h in zip(values, hidden, strict=True) if h]
    return bool(hidden_values) and (len(hidden_values) < 2 or sum(hidden_values) < threshold)


def _smallest_published(values: Sequence[int], hidden: Sequence[bool]) -> int | None:
    candidates = [(v, i) for i, (v, h) in enumerate(zip(values, hidden, strict=True)) if not h and v > 0]
    return min(candidates)[1] if candidates else None


def suppress(counts: Sequence[Sequence[int]], threshold: int = THRESHOLD) -> Published:
    """Hide what could reveal a group of fewer than `threshold` people (the rules in the module docstring)."""
    n_rows = len(counts)
    n_cols = len(counts[0]) if n_rows else 0
    if any(len(row) != n_cols for row in counts) or any(v < 0 for row in counts for v in row):
        raise ValueError("counts must be a rectangle of non-negative integers")
    rows = [sum(row) for row in counts]
    cols = [sum(counts[r][c] for r in range(n_rows)) for c in range(n_cols)]
    grand = sum(rows)
    hidden = [[0 < v < threshold for v in row] for row in counts]
    row_hidden = [False] * n_rows
    col_hidden = [False] * n_cols
    grand_hidden = False
    equations = _equations(n_rows, n_cols)

    changed = True
    while changed:
        changed = False
        for r in range(n_rows):
            while not row_hidden[r] and _line_needs_more(counts[r], hidden[r], threshold):
                pick = _smallest_published(counts[r], hidden[r])
                if pick is None:
                    row_hidden[r] = True
                else:
                    hidden[r][pick] = True
                changed = True
        for c in range(n_cols):
            values = [counts[r][c] for r in range(n_rows)]
            while not col_hidden[c] and _line_needs_more(values, [hidden[r][c] for r in range(n_rows)], threshold):
                pick = _smallest_published(values, [hidden[r][c] for r in range(n_rows)])
                if pick is None:
                    col_hidden[c] = True
                else:
                    hidden[pick][c] = True
                changed = True
        if changed:
            continue
        if not grand_hidden and (
            _line_needs_more(rows, row_hidden, threshold) or _line_needs_more(cols, col_hidden, threshold)
        ):
            grand_hidden = changed = True
            continue
        unknown = {r * n_cols + c for r in range(n_rows) for c in range(n_cols) if hidden[r][c]}
        unknown |= {n_rows * n_cols + r for r in range(n_rows) if row_hidden[r]}
        unknown |= {n_rows * n_cols + n_rows + c for c in range(n_cols) if col_hidden[c]}
        if grand_hidden:
            unknown.add(n_rows * n_cols + n_rows + n_cols)
        determined = determined_unknowns(equations, unknown)
        before = (sum(map(sum, hidden)), sum(row_hidden), sum(col_hidden), grand_hidden)
        for variable in sorted(determined):
            if variable < n_rows * n_cols:  # a hidden cell: hide another of its row, else of its column
                r, c = divmod(variable, n_cols)
                column_values = [counts[i][c] for i in range(n_rows)]
                pick = _smallest_published(counts[r], hidden[r])
                if pick is not None:
                    hidden[r][pick] = True
                elif (pick := _smallest_published(column_values, [hidden[i][c] for i in range(n_rows)])) is not None:
                    hidden[pick][c] = True
                else:
                    row_hidden, col_hidden, grand_hidden = [True] * n_rows, [True] * n_cols, True
                break
            # A hidden total the equations fix is as good as published: harmless unless its line then
            # reveals a small group (one hidden part, or hidden parts summing under the threshold).
            index = variable - n_rows * n_cols
            if index < n_rows:
                values, flags = list(counts[index]), hidden[index]
            elif index < n_rows + n_cols:
                values = [counts[i][index - n_rows] for i in range(n_rows)]
                flags = [hidden[i][index - n_rows] for i in range(n_rows)]
            elif _line_needs_more(rows, row_hidden, threshold) or _line_needs_more(cols, col_hidden, threshold):
                values, flags = rows, row_hidden
            else:
                continue
            if index < n_rows + n_cols and not _line_needs_more(values, flags, threshold):
                continue
            pick = _smallest_published(values, flags) if index < n_rows + n_cols else None
            if pick is not None and index < n_rows:
                hidden[index][pick] = True
            elif pick is not None:
                hidden[pick][index - n_rows] = True
            else:
                row_hidden, col_hidden, grand_hidden = [True] * n_rows, [True] * n_cols, True
            break
        changed = before != (sum(map(sum, hidden)), sum(row_hidden), sum(col_hidden), grand_hidden)

    # A hidden total the published numbers fix anyway is shown: hiding it would protect nobody.
    unknown = {r * n_cols + c for r in range(n_rows) for c in range(n_cols) if hidden[r][c]}
    unknown |= {n_rows * n_cols + r for r in range(n_rows) if row_hidden[r]}
    unknown |= {n_rows * n_cols + n_rows + c for c in range(n_cols) if col_hidden[c]}
    if grand_hidden:
        unknown.add(n_rows * n_cols + n_rows + n_cols)
    for variable in determined_unknowns(equations, unknown):
        index = variable - n_rows * n_cols
        if 0 <= index < n_rows:
            row_hidden[index] = False
        elif n_rows <= index < n_rows + n_cols:
            col_hidden[index - n_rows] = False
        elif index == n_rows + n_cols:
            grand_hidden = False
    return Published(
        cells=[[None if hidden[r][c] else counts[r][c] for c in range(n_cols)] for r in range(n_rows)],
        row_totals=[None if row_hidden[r] else rows[r] for r in range(n_rows)],
        column_totals=[None if col_hidden[c] else cols[c] for c in range(n_cols)],
        total=None if grand_hidden else grand,
    )
