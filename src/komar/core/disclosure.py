"""Disclosure control for published count tables (small-cell suppression).

A table is a grid of counts with row totals, column totals and a grand total — an "extended"
(m+1)×(n+1) grid whose last row and column are the totals. Publishing it must not reveal any
count from 1 to threshold−1, directly or by arithmetic on what is shown.

1. Primary suppression: every count (interior or total) from 1 to threshold−1 is hidden.
   Zeros are shown.
2. Secondary suppression by the hypercube method: every hidden cell must sit at a corner of a
   rectangle of hidden cells along which the counts can be shifted, keeping every row and column
   sum, by at least `threshold` in total (up plus down). An attacker who solves the table's linear
   constraints for that cell therefore gets a range at least `threshold` wide. Where no rectangle
   of small cost exists, the totals themselves are hidden (the rectangle with the row total,
   column total and grand total leaves the cell unbounded above).

Only one table per period is published, so nothing can be recovered by subtracting one period's
table from another's; tables that share totals are built from one protected table's margins.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Cell = tuple[int, int]


@dataclass
class ProtectedTable:
    """The extended grid after suppression: `value(r, c)` is None where hidden. Row index m and
    column index n are the totals."""

    grid: list[list[int]]
    hidden: set[Cell]
    threshold: int
    primary: set[Cell] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return len(self.grid) - 1

    @property
    def cols(self) -> int:
        return len(self.grid[0]) - 1

    def value(self, r: int, c: int) -> int | None:
        return None if (r, c) in self.hidden else self.grid[r][c]

    def published(self) -> list[list[int | None]]:
        return [[self.value(r, c) for c in range(self.cols + 1)] for r in range(self.rows + 1)]


def extend(values: Sequence[Sequence[int]]) -> list[list[int]]:
    if not values or not values[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(values[0])
    if any(len(row) != width for row in values):
        raise ValueError("rows of different lengths")
    if any(v < 0 for row in values for v in row):
        raise ValueError("counts cannot be negative")
    grid = [[*row, sum(row)] for row in values]
    grid.append([sum(row[c] for row in grid) for c in range(width + 1)])
    return grid


def _width(grid: list[list[int]], target: Cell, other: Cell) -> float:
    """How far the target can move along the rectangle spanned with `other` (up + down)."""
    (i, j), (k, q) = target, other
    m, n = len(grid) - 1, len(grid[0]) - 1
    a_k = -1 if (k == m) == (i == m) else 1  # same kind of row (interior/total) → opposite sign
    b_q = -1 if (q == n) == (j == n) else 1
    corners = {(i, j): 1, (i, q): b_q, (k, j): a_k, (k, q): a_k * b_q}
    up = min((grid[r][c] for (r, c), s in corners.items() if s < 0), default=math.inf)
    down = min((grid[r][c] for (r, c), s in corners.items() if s > 0), default=math.inf)
    return up + down


def _rectangle(target: Cell, other: Cell) -> set[Cell]:
    (i, j), (k, q) = target, other
    return {(i, j), (i, q), (k, j), (k, q)}


def protect(
    values: Sequence[Sequence[int]], threshold: int, also_hide: Iterable[Cell] = ()
) -> ProtectedTable:
    """Suppress a table of counts so no hidden count can be narrowed below `threshold`.
    `also_hide` hides cells that another published table hides (e.g. a shared grand total)."""
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    grid = extend(values)
    m, n = len(grid) - 1, len(grid[0]) - 1
    cells = [(r, c) for r in range(m + 1) for c in range(n + 1)]
    primary = {(r, c) for r, c in cells if 0 < grid[r][c] < threshold}
    hidden = primary | set(also_hide)
    changed = True
    while changed:
        changed = False
        for target in sorted(hidden, key=lambda rc: (grid[rc[0]][rc[1]], rc)):
            candidates = [
                (k, q)
                for k in range(m + 1)
                for q in range(n + 1)
                if k != target[0] and q != target[1] and _width(grid, target, (k, q)) >= threshold
            ]
            if any(_rectangle(target, o) <= hidden for o in candidates):
                continue
            if not candidates:  # cannot happen: the totals' rectangle is always unbounded
                raise AssertionError(f"no protecting rectangle for {target}")
            best = min(
                candidates,
                key=lambda o: (
                    sum(grid[r][c] + 1 for r, c in _rectangle(target, o) - hidden),
                    len(_rectangle(target, o) - hidden),
                    o,
                ),
            )
            hidden |= _rectangle(target, best)
            changed = True
            break
    return ProtectedTable(grid=grid, hidden=hidden, threshold=threshold, primary=primary)
