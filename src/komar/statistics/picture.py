"""The national picture: children deprived of liberty by province, situation and sex for one
year, protected by disclosure control before anything leaves the server."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F

from komar.core.disclosure import ProtectedTable, protect
from komar.geo.models import Province
from komar.places.models import Situation
from komar.statistics.indicators import (
    PARTNER_STATUSES,
    PUBLIC_STATUSES,
    indicator_table,
    latest_returns,
)
from komar.statistics.models import CountReturn, Sex

UNSENTENCED = "held[police_custody,pre_trial]"
STATED = "held[stated]"


@dataclass
class OverCapacity:
    place_name: str
    province_name: str
    held: int
    capacity: int

    @property
    def occupancy(self) -> Decimal:
        return (Decimal(self.held) * 100 / Decimal(self.capacity)).quantize(Decimal("1"))


@dataclass
class Picture:
    year: int
    audience: str  # "public" | "partners"
    threshold: int
    provinces: list[Province]
    situations: list[Situation]
    table: ProtectedTable  # provinces × situations
    sex_labels: list[str]
    sex_table: ProtectedTable  # sexes × 1
    unsentenced_share: Decimal | None
    over_capacity: list[OverCapacity]

    @property
    def total(self) -> int | None:
        return self.table.value(self.table.rows, self.table.cols)


def years_with_data(*, public: bool) -> list[int]:
    statuses = PUBLIC_STATUSES if public else PARTNER_STATUSES
    dates = CountReturn.objects.filter(status__in=statuses).dates("reference_date", "year")
    return sorted({d.year for d in dates}, reverse=True)


def national_picture(*, year: int, public: bool) -> Picture:
    statuses = PUBLIC_STATUSES if public else PARTNER_STATUSES
    threshold = settings.KOMAR_PUBLIC_THRESHOLD if public else settings.KOMAR_PARTNER_THRESHOLD
    provinces = list(Province.objects.order_by("code"))
    situations = list(Situation.objects.order_by("number"))
    codes = ["held_by_situation", "unsentenced_share"]
    _, by_place = indicator_table(
        year=year, by=["province", "situation"], statuses=statuses, codes=codes
    )
    held = {(r.key["province"], r.key["situation"]): r.components["held"] for r in by_place}
    grid = [[held.get((p.code, s.code), 0) for s in situations] for p in provinces]
    _, by_sex = indicator_table(year=year, by=["sex"], statuses=statuses, codes=codes)
    sex_held = {r.key["sex"]: r.components["held"] for r in by_sex}
    sexes = [*Sex.values, ""]
    sex_grid = [[sex_held.get(code, 0)] for code in sexes]
    table = protect(grid, threshold)
    sex_table = protect(sex_grid, threshold)
    # Both tables publish the same grand total: hide it in both if either hides it.
    corner, sex_corner = (table.rows, table.cols), (sex_table.rows, sex_table.cols)
    if corner in table.hidden and sex_corner not in sex_table.hidden:
        sex_table = protect(sex_grid, threshold, also_hide=[sex_corner])
    elif sex_corner in sex_table.hidden and corner not in table.hidden:
        table = protect(grid, threshold, also_hide=[corner])
    national_rows = indicator_table(year=year, statuses=statuses, codes=codes)[1]
    share: Decimal | None = None
    if national_rows:
        national = national_rows[0]
        numerator = national.components.get(UNSENTENCED, 0)
        denominator = national.components.get(STATED, 0)
        value = national.values["unsentenced_share"]
        # No percentage is shown whose numerator or denominator is a small count.
        small = 0 < numerator < threshold or denominator < threshold
        if value is not None and not small:
            share = Decimal(value)
    return Picture(
        year=year,
        audience="public" if public else "partners",
        threshold=threshold,
        provinces=provinces,
        situations=situations,
        table=table,
        sex_labels=[str(Sex(code).label) if code else "" for code in sexes],
        sex_table=sex_table,
        unsentenced_share=share,
        over_capacity=_over_capacity(year=year, statuses=statuses, threshold=threshold),
    )


def _over_capacity(*, year: int, statuses: tuple[str, ...], threshold: int) -> list[OverCapacity]:
    """Places whose latest return of the year holds more children than their capacity. A place is
    listed only when its count is not small (the count itself is shown)."""
    rows = (
        latest_returns(year, statuses)
        .filter(place__capacity__isnull=False)
        .filter(total_held__gt=F("place__capacity"), total_held__gte=threshold)
        .select_related("place__province")
        .order_by("-total_held")
    )
    return [
        OverCapacity(r.place.name, r.place.province.name, r.total_held or 0, r.place.capacity or 0)
        for r in rows
    ]


TREND_YEARS = 6


def national_trend(*, public: bool, known: Picture | None = None) -> list[tuple[int, int | None]]:
    """Children held nationally, year by year: each year's total exactly as that year's protected
    table publishes it (hidden where the table hides it). The last TREND_YEARS years; `known` is
    a picture already built for one of them, so it is not built twice."""
    years = sorted(years_with_data(public=public))[-TREND_YEARS:]
    return [
        (
            year,
            known.total
            if known is not None and known.year == year
            else national_picture(year=year, public=public).total,
        )
        for year in years
    ]
