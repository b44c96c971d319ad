"""Property tests of the public tables' cell suppression (ilm/public/suppression.py).

For random tables, an attacker who knows every published number and that totals are sums of cells
learns nothing about a group of fewer than 10 people: no published cell under 10 (except zero), no
"total minus its published cells" under 10 (except 0 when nothing in the line is hidden), and no hidden
number that the published equations, combined, fix to one value. The last check is written here
independently of the module (by rank, not by reduced echelon rows).
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilm.public.suppression import THRESHOLD, Published, suppress

tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=6).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=50), min_size=n_cols, max_size=n_cols),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)
# Tables with many small counts: the hard cases for complementary suppression.
sparse_tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=6).flatmap(
        lambda n_cols: st.lists(
            st.lists(
                st.one_of(st.just(0), st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=50)),
                min_size=n_cols,
                max_size=n_cols,
            ),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix if any(row)]
    rank = 0
    n_cols = len(rows[0]) if rows else 0
    for col in range(n_cols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def _hidden_variables(published: Published) -> list[tuple[str, int, int]]:
    names: list[tuple[str, int, int]] = []
    for r, row in enumerate(published.cells):
        names += [("cell", r, c) for c, value in enumerate(row) if value is None]
    names += [("row", r, 0) for r, value in enumerate(published.row_totals) if value is None]
    names += [("col", c, 0) for c, value in enumerate(published.column_totals) if value is None]
    names += [("total", 0, 0)] if published.total is None else []
    return names


def _coefficients(published: Published, unknown: list[tuple[str, int, int]]) -> list[list[Fraction]]:
    """Each published relation (row, column, grand total by rows, by columns), restricted to the unknowns."""
    n_rows, n_cols = len(published.cells), len(published.cells[0])
    equations: list[dict[tuple[str, int, int], int]] = []
    for r in range(n_rows):
        equations.append({**{("cell", r, c): 1 for c in range(n_cols)}, ("row", r, 0): -1})
    for c in range(n_cols):
        equations.append({**{("cell", r, c): 1 for r in range(n_rows)}, ("col", c, 0): -1})
    equations.append({**{("row", r, 0): 1 for r in range(n_rows)}, ("total", 0, 0): -1})
    equations.append({**{("col", c, 0): 1 for c in range(n_cols)}, ("total", 0, 0): -1})
    return [[Fraction(eq.get(name, 0)) for name in unknown] for eq in equations]


def assert_safe(counts: list[list[int]], published: Published) -> None:
    n_rows, n_cols = len(counts), len(counts[0])
    # Published numbers are the true ones.
    for r in range(n_rows):
        for c in range(n_cols):
            assert published.cells[r][c] in (None, counts[r][c])
            # No published cell under the threshold, except zero.
            assert published.cells[r][c] is None or published.cells[r][c] == 0 or published.cells[r][c] >= THRESHOLD
    for r, total in enumerate(published.row_totals):
        assert total in (None, sum(counts[r]))
    for c, total in enumerate(published.column_totals):
        assert total in (None, sum(counts[r][c] for r in range(n_rows)))
    assert published.total in (None, sum(map(sum, counts)))

    # Every published total minus its published parts: 0 only when nothing is hidden, else at least 10.
    lines: list[tuple[int | None, list[int | None]]] = [
        (published.row_totals[r], published.cells[r]) for r in range(n_rows)
    ]
    lines += [(published.column_totals[c], [published.cells[r][c] for r in range(n_rows)]) for c in range(n_cols)]
    lines += [(published.total, list(published.row_totals)), (published.total, list(published.column_totals))]
    for total, parts in lines:
        if total is None:
            continue
        hidden_parts = sum(1 for p in parts if p is None)
        rest = total - sum(p for p in parts if p is not None)
        if hidden_parts == 0:
            assert rest == 0
        else:
            assert hidden_parts >= 2, (counts, published)
            assert rest >= THRESHOLD, (counts, published)

    # No hidden number is pinned by the published equations, however they are combined: its unit vector
    # is outside the row space of the equations (adding it as one more equation would not raise the rank).
    unknown = _hidden_variables(published)
    if not unknown:
        return
    matrix = _coefficients(published, unknown)
    full = _rank(matrix)
    for i, name in enumerate(unknown):
        with_unit = [*matrix, [Fraction(1 if j == i else 0) for j in range(len(unknown))]]
        pinned = _rank(with_unit) == full
        assert not pinned, (name, counts, published)


@settings(max_examples=250, deadline=None)
@given(tables)
def test_random_tables_reveal_no_small_group(counts: list[list[int]]) -> None:
    assert_safe(counts, suppress(counts))


@settings(max_examples=250, deadline=None)
@given(sparse_tables)
def test_sparse_tables_reveal_no_small_group(counts: list[list[int]]) -> None:
    assert_safe(counts, suppress(counts))


def test_worked_example_of_the_docs() -> None:
    """docs/public.md: contacts in three countries over three months."""
    counts = [[5, 40, 30], [25, 12, 60], [11, 50, 9]]
    published = suppress(counts)
    assert published.cells == [[None, 40, None], [25, 12, 60], [None, 50, None]]
    assert published.row_totals == [75, 97, 70]
    assert published.column_totals == [41, 102, 99]
    assert published.total == 242


def test_zero_is_published_and_a_lone_small_cell_hides_its_total() -> None:
    published = suppress([[3, 0, 0]])
    assert published.cells == [[None, 0, 0]]
    assert published.row_totals == [None]
    assert published.total is None


def test_a_table_of_large_counts_is_published_whole() -> None:
    published = suppress([[12, 20], [30, 0]])
    assert published.cells == [[12, 20], [30, 0]]
    assert published.row_totals == [32, 30]
    assert published.column_totals == [42, 20]
    assert published.total == 62


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[-1]]])
def test_refuses_what_is_not_a_table_of_counts(bad: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        suppress(bad)
