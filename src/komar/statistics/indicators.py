"""Indicators computed in the database from count-return cells.

Semantics (also shown to users on the indicator pages):
- A return counts if its status is one of `statuses` (published only, for the public). A
  superseded return never counts; a revision counts once it is validated.
- Snapshot measures (children held, with a caregiver, not separated, foreign, disability, visited
  by family) use, for each place, its latest counting return with a reference date in the year.
- Flow measures (admissions, releases, deaths) add up every counting return in the year.
- A numerator restricted to legal statuses is divided by the children held *with* a stated legal
  status, so returns that give only a total do not dilute the share.
- Rates per child population use the population entered for the province and year; a breakdown
  by sex has no denominator (the population is not entered by sex) and shows no rate.

One grouped query over cells gives every component for the requested breakdown; capacity and
population come from one small grouped query each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from komar.places.models import Situation
from komar.statistics.models import (
    FLOW_MEASURES,
    ChildPopulation,
    CountCell,
    CountReturn,
    Indicator,
    IndicatorUnit,
    ReturnStatus,
)

DIMENSIONS = {
    "province": "count_return__place__province__code",
    "situation": "situation_code",
    "sex": "sex",
}
PARTNER_STATUSES = (ReturnStatus.VALIDATED, ReturnStatus.PUBLISHED)
PUBLIC_STATUSES = (ReturnStatus.PUBLISHED,)
SCALE = {
    IndicatorUnit.PERCENT: Decimal(100),
    IndicatorUnit.PER_1000: Decimal(1000),
    IndicatorUnit.PER_100000: Decimal(100000),
}


@dataclass
class IndicatorRow:
    key: dict[str, str]
    components: dict[str, int]
    values: dict[str, Decimal | int | None] = field(default_factory=dict)


def counting_returns(year: int, statuses: Sequence[str]) -> QuerySet[CountReturn]:
    return CountReturn.objects.filter(reference_date__year=year, status__in=statuses)


def latest_returns(year: int, statuses: Sequence[str]) -> QuerySet[CountReturn]:
    """Each place's latest counting return of the year (an uncorrelated subquery for cells)."""
    newest = (
        counting_returns(year, statuses)
        .filter(place_id=OuterRef("place_id"))
        .order_by("-reference_date")
        .values("reference_date")[:1]
    )
    return counting_returns(year, statuses).filter(reference_date=Subquery(newest))


def _component_name(part: dict[str, Any], *, stated_status: bool = False) -> str:
    statuses = part.get("legal_status")
    if statuses:
        return f"{part['measure']}[{','.join(sorted(statuses))}]"
    return f"{part['measure']}[stated]" if stated_status else part["measure"]


def _components(indicators: Iterable[Indicator]) -> dict[str, Q]:
    """Each distinct numerator/denominator over cells, as a filter for a conditional sum."""
    wanted: dict[str, Q] = {}
    for indicator in indicators:
        num, den = indicator.numerator, indicator.denominator
        for part, stated in ((num, False), (den, bool(num.get("legal_status")))):
            if not part or part["measure"] in {"population", "capacity"}:
                continue
            condition = Q(measure=part["measure"])
            if part.get("legal_status"):
                condition &= Q(legal_status__in=part["legal_status"])
            elif stated:
                condition &= ~Q(legal_status="")
            if part["measure"] not in FLOW_MEASURES:
                condition &= Q(is_latest=True)
            wanted[_component_name(part, stated_status=stated)] = condition
    return wanted


def indicator_table(
    *,
    year: int,
    by: Sequence[str] = (),
    statuses: Sequence[str] = PARTNER_STATUSES,
    codes: Sequence[str] | None = None,
) -> tuple[list[Indicator], list[IndicatorRow]]:
    """Indicator values for one year, broken down by any of province, situation and sex."""
    unknown = set(by) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown breakdown: {sorted(unknown)}")
    indicators = list(
        Indicator.objects.filter(code__in=codes) if codes else Indicator.objects.all()
    )
    components = _components(indicators)
    base = CountCell.objects.filter(
        count_return__reference_date__year=year, count_return__status__in=statuses
    ).annotate(
        is_latest=Q(count_return_id__in=latest_returns(year, statuses).values("pk")),
        situation_code=Coalesce(
            F("count_return__place__situation_override__code"),
            F("count_return__place__place_type__default_situation__code"),
        ),
    )
    sums = {f"c{i}": Sum("value", filter=q, default=0) for i, q in enumerate(components.values())}
    if by:
        grouped: list[dict[str, Any]] = list(
            base.values(*[DIMENSIONS[d] for d in by])
            .annotate(**sums)
            .order_by(*[DIMENSIONS[d] for d in by])
        )
    else:  # the national total: one aggregate row (if there is any data)
        grouped = [base.aggregate(**sums)] if base.exists() else []
    rows = [
        IndicatorRow(
            key={d: row[DIMENSIONS[d]] or "" for d in by},
            components={name: row[f"c{i}"] for i, name in enumerate(components)},
        )
        for row in grouped
    ]
    needs = {p["measure"] for i in indicators for p in (i.numerator, i.denominator or {}) if p}
    if "capacity" in needs and "sex" not in by:
        _add_capacity(rows, year=year, by=by, statuses=statuses)
    if "population" in needs and set(by) <= {"province", "situation"}:
        _add_population(rows, year=year, by=by)
    for row in rows:
        for indicator in indicators:
            row.values[indicator.code] = _value(indicator, row)
    return indicators, rows


def _add_capacity(
    rows: list[IndicatorRow], *, year: int, by: Sequence[str], statuses: Sequence[str]
) -> None:
    """Official capacity (and children held there) of the places counted, per group."""
    returns = (
        latest_returns(year, statuses)
        .filter(place__capacity__isnull=False)
        .annotate(
            situation_code=Coalesce(
                F("place__situation_override__code"),
                F("place__place_type__default_situation__code"),
            )
        )
    )
    dims = {"province": "place__province__code", "situation": "situation_code"}
    grouped = returns.values(*[dims[d] for d in by]).annotate(
        capacity=Sum("place__capacity"), held_at_capacity=Sum("total_held", default=0)
    )
    by_key = {tuple(g[dims[d]] or "" for d in by): g for g in grouped}
    for row in rows:
        found = by_key.get(tuple(row.key[d] for d in by))
        row.components["capacity"] = found["capacity"] if found else 0
        row.components["held_at_capacity"] = found["held_at_capacity"] if found else 0


def _add_population(rows: list[IndicatorRow], *, year: int, by: Sequence[str]) -> None:
    populations = ChildPopulation.objects.filter(year=year)
    if "province" in by:
        per_province = dict(populations.values_list("province__code", "population"))
        for row in rows:
            row.components["population"] = per_province.get(row.key["province"], 0)
    else:
        total = populations.aggregate(total=Sum("population"))["total"] or 0
        complete = populations.count() == 25  # a national rate needs every province
        for row in rows:
            row.components["population"] = total if complete else 0


def component_names(indicator: Indicator) -> tuple[str, str | None]:
    """The row components holding an indicator's numerator and denominator."""
    num, den = indicator.numerator, indicator.denominator
    if not den:
        return _component_name(num), None
    if den["measure"] == "capacity":
        return "held_at_capacity", "capacity"
    if den["measure"] == "population":
        return _component_name(num), "population"
    return _component_name(num), _component_name(den, stated_status=bool(num.get("legal_status")))


def _value(indicator: Indicator, row: IndicatorRow) -> Decimal | int | None:
    num_name, den_name = component_names(indicator)
    if indicator.unit == IndicatorUnit.COUNT or den_name is None:
        return row.components.get(num_name)
    numerator, denominator = row.components.get(num_name), row.components.get(den_name)
    if numerator is None or not denominator:
        return None
    return (
        Decimal(numerator) * SCALE[IndicatorUnit(indicator.unit)] / Decimal(denominator)
    ).quantize(Decimal("0.1"))


def situations_by_code() -> dict[str, Situation]:
    return {s.code: s for s in Situation.objects.all()}
