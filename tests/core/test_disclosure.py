"""Attacks on protected tables: every hidden count's feasible range, found by linear programming
over the table's row and column sums, must stay at least the threshold wide."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from komar.core.disclosure import ProtectedTable, protect


def feasible_range(table: ProtectedTable, target: tuple[int, int]) -> tuple[float, float]:
    m, n = table.rows, table.cols
    hidden = sorted(table.hidden)
    index = {cell: i for i, cell in enumerate(hidden)}
    equations: list[list[tuple[tuple[int, int], int]]] = []
    for r in range(m + 1):  # each row's cells sum to its total (the total row too)
        equations.append([((r, c), 1) for c in range(n)] + [((r, n), -1)])
    for c in range(n):  # each column's cells sum to its total
        equations.append([((r, c), 1) for r in range(m)] + [((m, c), -1)])
    a_eq, b_eq = [], []
    for terms in equations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for cell, coefficient in terms:
            if cell in index:
                row[index[cell]] += coefficient
            else:
                constant += coefficient * table.grid[cell[0]][cell[1]]
        if row.any():
            a_eq.append(row)
            b_eq.append(-constant)
    objective = np.zeros(len(hidden))
    objective[index[target]] = 1
    bounds = [(0, None)] * len(hidden)
    low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    assert low.status == 0
    upper = math.inf if high.status == 3 else -high.fun
    return low.fun, upper


def assert_safe(table: ProtectedTable) -> None:
    for r, row in enumerate(table.published()):
        for c, value in enumerate(row):
            assert value is None or value == 0 or value >= table.threshold, (r, c, value)
    for cell in table.hidden:
        low, high = feasible_range(table, cell)
        assert high - low >= table.threshold, (cell, low, high, table.published())


def test_a_small_cell_and_its_partners_are_hidden() -> None:
    table = protect([[3, 40, 25], [30, 12, 50], [20, 45, 60]], threshold=10)
    assert (0, 0) in table.primary
    assert len(table.hidden) >= 4  # a rectangle of hidden cells around it
    assert table.value(3, 3) == 285  # the grand total stays public here
    assert_safe(table)


def test_small_totals_are_hidden_too() -> None:
    table = protect([[2, 3], [1, 0]], threshold=10)
    assert table.value(2, 2) is None  # the grand total (6) is itself a small count
    assert_safe(table)


def test_zeros_and_large_counts_are_shown() -> None:
    table = protect([[0, 25], [14, 0]], threshold=10)
    assert table.hidden == set()
    assert table.published() == [[0, 25, 25], [14, 0, 14], [14, 25, 39]]


def test_one_column_tables_are_protected() -> None:
    table = protect([[5], [30], [40]], threshold=10)
    assert table.value(0, 0) is None and table.value(0, 1) is None  # the cell and its row total
    assert_safe(table)


@pytest.mark.parametrize("threshold", [5, 10])
def test_threshold_is_a_parameter(threshold: int) -> None:
    table = protect([[7, 30], [30, 30]], threshold=threshold)
    assert ((0, 0) in table.hidden) == (threshold > 7)
    assert_safe(table)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        protect([[1, -2]], threshold=10)
    with pytest.raises(ValueError, match="different lengths"):
        protect([[1, 2], [3]], threshold=10)
    with pytest.raises(ValueError, match="at least one"):
        protect([], threshold=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 5).flatmap(
        lambda rows: st.integers(1, 5).flatmap(
            lambda cols: st.lists(
                st.lists(
                    st.one_of(st.integers(0, 12), st.integers(0, 80)), min_size=cols, max_size=cols
                ),
                min_size=rows,
                max_size=rows,
            )
        )
    ),
    st.sampled_from([5, 10]),
)
def test_random_tables_survive_the_linear_programming_attack(values: list, threshold: int) -> None:
    assert_safe(protect(values, threshold=threshold))


def test_cells_hidden_elsewhere_can_be_hidden_here_and_stay_protected() -> None:
    table = protect([[30, 40], [50, 60]], threshold=10, also_hide=[(2, 2)])
    assert table.value(2, 2) is None
    assert_safe(table)
