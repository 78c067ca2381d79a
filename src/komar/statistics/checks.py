"""Validation of a count return's numbers: a pure function, so it is tested exhaustively."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from komar.statistics.models import (
    MEASURE_DIMENSIONS,
    AgeBand,
    CaregiverAge,
    LegalStatus,
    Measure,
    Sex,
)

# (measure, sex, age band, legal status); dimensions a measure does not take are "".
CellKey = tuple[str, str, str, str]

ALLOWED = {
    "sex": set(Sex.values),
    "age_band": set(AgeBand.values),
    "legal_status": set(LegalStatus.values),
}
CAREGIVER_AGES = set(CaregiverAge.values)
# Stored for a total given without a breakdown; never entered directly.
TOTAL_ONLY_KEYS: tuple[CellKey, ...] = (
    (Measure.HELD.value, "", "", ""),
    (Measure.WITH_CAREGIVER.value, "", "", ""),
)
AT_MOST_HELD = (Measure.NOT_SEPARATED, Measure.FOREIGN, Measure.DISABILITY, Measure.FAMILY_VISITED)


@dataclass(frozen=True)
class Issue:
    field: str
    message: str


@dataclass
class CheckReport:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ReturnNumbers:
    reference_date: dt.date
    period_start: dt.date
    period_end: dt.date
    total_held: int | None
    total_with_caregiver: int | None
    cells: Mapping[CellKey, int]
    capacity: int | None = None


def cell_name(key: CellKey) -> str:
    return "/".join(part for part in key if part)


def valid_key(key: CellKey) -> bool:
    measure, sex, age_band, legal_status = key
    if measure not in MEASURE_DIMENSIONS:
        return False
    dims = MEASURE_DIMENSIONS[measure]
    values = {"sex": sex, "age_band": age_band, "legal_status": legal_status}
    for name, value in values.items():
        if name not in dims and value:
            return False
    if measure == Measure.WITH_CAREGIVER:
        return age_band in CAREGIVER_AGES
    return all(values[name] in ALLOWED[name] for name in dims)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check(numbers: ReturnNumbers) -> CheckReport:
    report = CheckReport()
    err, warn = report.errors.append, report.warnings.append
    if numbers.period_end < numbers.period_start:
        err(Issue("period_end", _("The period cannot end before it starts.")))
    elif not numbers.period_start <= numbers.reference_date <= numbers.period_end:
        err(Issue("reference_date", _("The reference date must fall within the period.")))
    for name, total in (
        ("total_held", numbers.total_held),
        ("total_with_caregiver", numbers.total_with_caregiver),
    ):
        if total is not None and not _is_count(total):
            err(Issue(name, _("Enter a whole number, 0 or more.")))
    sums: dict[str, int] = {}
    for key, value in numbers.cells.items():
        if not valid_key(key):
            err(Issue(cell_name(key), _("This is not a cell of a count return.")))
            continue
        if not _is_count(value):
            err(Issue(cell_name(key), _("Enter a whole number, 0 or more.")))
            continue
        sums[key[0]] = sums.get(key[0], 0) + value
    if report.errors:
        return report
    for measure, total_field, total in (
        (Measure.HELD, "total_held", numbers.total_held),
        (Measure.WITH_CAREGIVER, "total_with_caregiver", numbers.total_with_caregiver),
    ):
        if measure in sums:
            if total is None:
                err(Issue(total_field, _("Give the total as well as the breakdown.")))
            elif sums[measure] != total:
                err(
                    Issue(
                        total_field,
                        _("The breakdown adds up to %(sum)s, but the total says %(total)s.")
                        % {"sum": sums[measure], "total": total},
                    )
                )
    if numbers.total_held is not None:
        for measure in AT_MOST_HELD:
            if sums.get(measure, 0) > numbers.total_held:
                err(
                    Issue(
                        measure,
                        _("This cannot be more than the total children held (%(total)s).")
                        % {"total": numbers.total_held},
                    )
                )
        if numbers.capacity is not None and numbers.total_held > numbers.capacity:
            warn(
                Issue(
                    "total_held",
                    _("More children are held than the place's official capacity (%(capacity)s).")
                    % {"capacity": numbers.capacity},
                )
            )
    return report
