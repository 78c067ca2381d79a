"""Building cases for tests through the services, as a caseworker would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.accounts.roles import Role
from komar.cases import services
from komar.cases.models import Case
from tests.conftest import World


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def open_case(
    world: World,
    *,
    name_km: str = "សុខ ដារា",
    name_latin: str = "Sok Dara",
    birth_date: dt.date | None = None,
    age: int = 16,
    organisation: Any = None,
    actor: Any = None,
    confirm: bool = True,
    **extra: Any,
) -> Case:
    """A case of a child aged `age` today (born `age` years and 100 days ago unless a birth date
    is given), owned by organisation A and opened by its caseworker."""
    actor = actor or world.user(Role.CASEWORKER)
    org = organisation or world.org_a
    birth = birth_date or (timezone.localdate() - dt.timedelta(days=int(age * 365.25) + 100))
    return services.case_open(
        actor=actor,
        organisation_id=org.pk,
        identity={"name_km": name_km, "name_latin": name_latin, "birth_date": birth, "sex": "male"},
        confirm_not_duplicate=confirm,
        **extra,
    )


def add_event(case: Case, actor: Any, **data: Any) -> Case:
    case.refresh_from_db()
    services.event_add(actor=actor, case=case, expected_version=case.version, data=data)
    case.refresh_from_db()
    return case


def detained_case(
    world: World, *, arrested_days_ago: int = 10, offence_class: str = "felony", **kw: Any
) -> Case:
    """Arrested `arrested_days_ago` days ago, charged, and in pre-trial detention since the next
    day, with the caseworker as lawyer."""
    cw = world.user(Role.CASEWORKER)
    case = open_case(world, lawyer=cw, **kw)
    add_event(case, cw, kind="arrest", date=days_ago(arrested_days_ago))
    add_event(
        case, cw, kind="charge", date=days_ago(arrested_days_ago), offence_class=offence_class
    )
    return add_event(case, cw, kind="pretrial_order", date=days_ago(arrested_days_ago - 1))
