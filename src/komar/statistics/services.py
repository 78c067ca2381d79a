"""The count-return workflow: draft → submitted → validated (by someone else) → published.
A validated or published return changes only through a new revision. Every step is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.audit import services as audit
from komar.places.models import Place
from komar.statistics.checks import (
    TOTAL_ONLY_KEYS,
    CellKey,
    CheckReport,
    ReturnNumbers,
    cell_name,
    check,
)
from komar.statistics.models import ChildPopulation, CountCell, CountReturn, ReturnStatus


def _require(actor: Any, perm: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied


def _require_status(count_return: CountReturn, *allowed: str) -> None:
    if count_return.status not in allowed:
        status = count_return.get_status_display().lower()
        message = _("This cannot be done to a return that is %(status)s.") % {"status": status}
        raise ValidationError({"status": message})


def cells_of(count_return: CountReturn) -> dict[CellKey, int]:
    """The cells as entered (without the stored not-broken-down totals)."""
    return {
        (c.measure, c.sex, c.age_band, c.legal_status): c.value
        for c in count_return.cells.all()
        if (c.measure, c.sex, c.age_band, c.legal_status) not in TOTAL_ONLY_KEYS
    }


def stored_cells(
    total_held: int | None, total_with_caregiver: int | None, cells: Mapping[CellKey, int]
) -> dict[CellKey, int]:
    """What is stored: the entered cells, plus a total-only cell for a total given without any
    breakdown, so every aggregate (indicators, dashboards) reads cells alone."""
    stored = {k: v for k, v in cells.items() if k not in TOTAL_ONLY_KEYS}
    for (measure, _s, _a, _l), total in zip(
        TOTAL_ONLY_KEYS, (total_held, total_with_caregiver), strict=True
    ):
        if total is not None and not any(k[0] == measure for k in stored):
            stored[(measure, "", "", "")] = total
    return stored


def numbers_of(
    count_return: CountReturn, cells: Mapping[CellKey, int] | None = None
) -> ReturnNumbers:
    return ReturnNumbers(
        reference_date=count_return.reference_date,
        period_start=count_return.period_start,
        period_end=count_return.period_end,
        total_held=count_return.total_held,
        total_with_caregiver=count_return.total_with_caregiver,
        cells=cells if cells is not None else cells_of(count_return),
        capacity=count_return.place.capacity,
    )


def _raise_errors(report: CheckReport) -> None:
    if not report.ok:
        errors: dict[str, list[str]] = {}
        for issue in report.errors:
            errors.setdefault(issue.field, []).append(issue.message)
        raise ValidationError(errors)


def _target(count_return: CountReturn) -> audit.Target:
    return audit.Target.of(count_return, str(count_return))


def _log(actor: Any, action: str, count_return: CountReturn, changes: Mapping[str, Any]) -> None:
    audit.record(
        actor=actor,
        action=f"count_return.{action}",
        target=_target(count_return),
        changes=changes,
        organisation_id=count_return.organisation_id,
    )


@transaction.atomic
def return_create(
    *,
    actor: Any,
    place: Place,
    reference_date: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    organisation_id: int | None,
    source: str = "",
) -> CountReturn:
    _require(actor, Perm.STATISTICS_SUBMIT)
    if CountReturn.objects.filter(place=place, reference_date=reference_date).exists():
        raise ValidationError(
            {"reference_date": _("There is already a return for this place and date.")}
        )
    count_return = CountReturn(
        place=place,
        reference_date=reference_date,
        period_start=period_start,
        period_end=period_end,
        organisation_id=organisation_id,
        source=source,
        created_by=actor,
    )
    count_return.full_clean(exclude=["created_by", "organisation"])
    try:
        with transaction.atomic():
            count_return.save()
    except IntegrityError as exc:  # a concurrent return for the same place and date
        raise ValidationError(
            {"reference_date": _("There is already a return for this place and date.")}
        ) from exc
    created = {
        "place": place.code,
        "reference_date": reference_date,
        "period_start": period_start,
        "period_end": period_end,
    }
    _log(actor, "create", count_return, audit.diff({}, created))
    return count_return


@transaction.atomic
def return_set_numbers(
    *,
    actor: Any,
    count_return: CountReturn,
    total_held: int | None,
    total_with_caregiver: int | None,
    cells: Mapping[CellKey, int],
) -> CheckReport:
    """Replace a draft's numbers. Errors refuse the change; warnings are returned."""
    _require(actor, Perm.STATISTICS_SUBMIT)
    _require_status(count_return, ReturnStatus.DRAFT)
    before = {
        "total_held": count_return.total_held,
        "total_with_caregiver": count_return.total_with_caregiver,
        **{cell_name(k): v for k, v in cells_of(count_return).items()},
    }
    count_return.total_held = total_held
    count_return.total_with_caregiver = total_with_caregiver
    report = check(numbers_of(count_return, cells))
    _raise_errors(report)
    count_return.save(update_fields=["total_held", "total_with_caregiver"])
    count_return.cells.all().delete()
    CountCell.objects.bulk_create(
        CountCell(count_return=count_return, measure=m, sex=s, age_band=a, legal_status=ls, value=v)
        for (m, s, a, ls), v in stored_cells(total_held, total_with_caregiver, cells).items()
    )
    after = {
        "total_held": total_held,
        "total_with_caregiver": total_with_caregiver,
        **{cell_name(k): v for k, v in cells.items()},
    }
    changes = audit.diff(before, after)
    if changes:
        _log(actor, "update", count_return, changes)
    return report


def _transition(
    actor: Any, count_return: CountReturn, new_status: str, **fields: Any
) -> CountReturn:
    old = count_return.status
    count_return.status = new_status
    for name, value in fields.items():
        setattr(count_return, name, value)
    count_return.save(update_fields=["status", *fields])
    action = "send_back" if new_status == ReturnStatus.DRAFT else new_status
    _log(actor, action, count_return, {"status": {"old": old, "new": new_status}})
    return count_return


@transaction.atomic
def return_submit(*, actor: Any, count_return: CountReturn) -> CountReturn:
    _require(actor, Perm.STATISTICS_SUBMIT)
    _require_status(count_return, ReturnStatus.DRAFT)
    if count_return.total_held is None:
        raise ValidationError({"total_held": _("Give at least the total children held.")})
    _raise_errors(check(numbers_of(count_return)))
    return _transition(
        actor, count_return, ReturnStatus.SUBMITTED, submitted_by=actor, submitted_at=timezone.now()
    )


@transaction.atomic
def return_send_back(*, actor: Any, count_return: CountReturn) -> CountReturn:
    _require(actor, Perm.STATISTICS_VALIDATE)
    _require_status(count_return, ReturnStatus.SUBMITTED)
    return _transition(
        actor, count_return, ReturnStatus.DRAFT, submitted_by=None, submitted_at=None
    )


@transaction.atomic
def return_validate(*, actor: Any, count_return: CountReturn) -> CountReturn:
    _require(actor, Perm.STATISTICS_VALIDATE)
    _require_status(count_return, ReturnStatus.SUBMITTED)
    if actor.pk in {count_return.created_by_id, count_return.submitted_by_id}:
        raise ValidationError(
            {"status": _("A return must be validated by someone other than who entered it.")}
        )
    _raise_errors(check(numbers_of(count_return)))
    validated = _transition(
        actor, count_return, ReturnStatus.VALIDATED, validated_by=actor, validated_at=timezone.now()
    )
    previous = count_return.supersedes
    if previous is not None and previous.status != ReturnStatus.SUPERSEDED:
        _transition(actor, previous, ReturnStatus.SUPERSEDED)
    return validated


@transaction.atomic
def return_publish(*, actor: Any, count_return: CountReturn) -> CountReturn:
    _require(actor, Perm.STATISTICS_PUBLISH)
    _require_status(count_return, ReturnStatus.VALIDATED)
    return _transition(actor, count_return, ReturnStatus.PUBLISHED, published_at=timezone.now())


@transaction.atomic
def return_revise(*, actor: Any, count_return: CountReturn) -> CountReturn:
    """Start a correction of a validated or published return: a new draft revision with the same
    numbers. The old one stays in force until the revision is validated."""
    _require(actor, Perm.STATISTICS_SUBMIT)
    _require_status(count_return, ReturnStatus.VALIDATED, ReturnStatus.PUBLISHED)
    if CountReturn.objects.filter(supersedes=count_return).exists():
        raise ValidationError({"status": _("A revision of this return already exists.")})
    revision = CountReturn.objects.create(
        place=count_return.place,
        reference_date=count_return.reference_date,
        period_start=count_return.period_start,
        period_end=count_return.period_end,
        revision=count_return.revision + 1,
        supersedes=count_return,
        total_held=count_return.total_held,
        total_with_caregiver=count_return.total_with_caregiver,
        organisation_id=count_return.organisation_id,
        source=count_return.source,
        created_by=actor,
    )
    CountCell.objects.bulk_create(
        CountCell(
            count_return=revision,
            measure=c.measure,
            sex=c.sex,
            age_band=c.age_band,
            legal_status=c.legal_status,
            value=c.value,
        )
        for c in count_return.cells.all()
    )
    _log(
        actor,
        "revise",
        revision,
        {"revision": {"old": count_return.revision, "new": revision.revision}},
    )
    return revision


@transaction.atomic
def population_save(
    *, actor: Any, province_id: int, year: int, population: int, source: str
) -> ChildPopulation:
    """Enter or correct one province's child population for a year (the denominator of rates)."""
    _require(actor, Perm.POPULATION_EDIT)
    if not source.strip():
        raise ValidationError({"source": _("Say where this figure comes from.")})
    record = ChildPopulation.objects.filter(province_id=province_id, year=year).first()
    before = {"population": record.population, "source": record.source} if record else {}
    if record is None:
        record = ChildPopulation(province_id=province_id, year=year, entered_by=actor)
    record.population, record.source = population, source.strip()
    record.save()
    changes = audit.diff(before, {"population": population, "source": record.source})
    if changes:
        audit.record(actor=actor, action="child_population.save", target=record, changes=changes)
    return record


def returns_validate_many(
    *, actor: Any, count_returns: Any, publish: bool = False
) -> tuple[int, list[str]]:
    """Validate each submitted return (or, with `publish`, publish each validated one) in turn,
    each in its own transaction and audited; the ones this person may not act on, or whose
    numbers do not hold, are left with the reason."""
    _require(actor, Perm.STATISTICS_PUBLISH if publish else Perm.STATISTICS_VALIDATE)
    status = ReturnStatus.VALIDATED if publish else ReturnStatus.SUBMITTED
    step = return_publish if publish else return_validate
    done, problems = 0, []
    for count_return in count_returns.filter(status=status).select_related("place"):
        try:
            step(actor=actor, count_return=count_return)
        except ValidationError as exc:
            problems.append(f"{count_return}: {' '.join(exc.messages)}")
        else:
            done += 1
    return done, problems


# The workflow actions by name, for the pages and the API.
TRANSITIONS = {
    "submit": return_submit,
    "send_back": return_send_back,
    "validate": return_validate,
    "publish": return_publish,
    "revise": return_revise,
}
