"""Indicator values for publication: the numerator and denominator of every value are protected
as count tables (komar.core.disclosure) over the requested breakdown, and a value is shown only
where neither is hidden. At most two breakdown dimensions, so each set is one protected table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from komar.core.disclosure import protect
from komar.statistics.indicators import (
    PARTNER_STATUSES,
    PUBLIC_STATUSES,
    component_names,
    indicator_table,
)
from komar.statistics.models import Indicator

MAX_DIMENSIONS = 2


@dataclass(frozen=True)
class PublishedValue:
    key: dict[str, str]  # {} for the national total
    value: Decimal | int | None
    suppressed: bool


def _protected_totals(
    keys: list[tuple[str, ...]], counts: dict[tuple[str, ...], int], dims: int, threshold: int
) -> set[tuple[str, ...]]:
    """Which keys (and the national total, key ()) are hidden when these counts are published
    as a table with totals."""
    if dims == 0:
        total = counts.get((), 0)
        return {()} if 0 < total < threshold else set()
    rows = sorted({k[0] for k in keys})
    cols = sorted({k[1] for k in keys}) if dims == 2 else [""]
    grid = [[counts.get((r, c) if dims == 2 else (r,), 0) for c in cols] for r in rows]
    table = protect(grid, threshold)
    hidden: set[tuple[str, ...]] = set()
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if (i, j) in table.hidden:
                hidden.add((r, c) if dims == 2 else (r,))
    if (len(rows), len(cols)) in table.hidden:
        hidden.add(())
    return hidden


def published_values(
    *, code: str, year: int, by: Sequence[str], public: bool
) -> tuple[Indicator, int, list[PublishedValue]]:
    if len(by) > MAX_DIMENSIONS:
        raise ValueError(f"at most {MAX_DIMENSIONS} breakdown dimensions")
    statuses = PUBLIC_STATUSES if public else PARTNER_STATUSES
    threshold = settings.KOMAR_PUBLIC_THRESHOLD if public else settings.KOMAR_PARTNER_THRESHOLD
    indicator = Indicator.objects.get(code=code)
    _, rows = indicator_table(year=year, by=by, statuses=statuses, codes=[code])
    _, national_rows = indicator_table(year=year, statuses=statuses, codes=[code])
    num_name, den_name = component_names(indicator)
    keys = [tuple(row.key[d] for d in by) for row in rows]
    hidden: set[tuple[str, ...]] = set()
    for name in filter(None, (num_name, den_name)):
        if name == "population":
            continue  # entered as public data with its source
        counts = {k: row.components.get(name, 0) for k, row in zip(keys, rows, strict=True)}
        if national_rows:
            counts[()] = national_rows[0].components.get(name, 0)
        hidden |= _protected_totals(keys, counts, len(by), threshold) if by else set()
        if not by:
            hidden |= _protected_totals([], counts, 0, threshold)
    result = [
        PublishedValue(
            key=dict(zip(by, k, strict=True)),
            value=None if k in hidden else row.values[code],
            suppressed=k in hidden,
        )
        for k, row in zip(keys, rows, strict=True)
    ]
    if national_rows:
        national_hidden = () in hidden
        result.append(
            PublishedValue(
                key={},
                value=None if national_hidden else national_rows[0].values[code],
                suppressed=national_hidden,
            )
        )
    return indicator, threshold, result
