"""Building blocks for the commitments tests: a source, items, assessments in any state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.models import Assessment, AssessmentState, Item, Source
from tests.conftest import World

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def secretariat(world: World) -> Any:
    return world.user(Role.SECRETARIAT_ADMIN)


def make_source(world: World, **data: Any) -> Source:
    n = _next()
    fields = {
        "code": f"crc-co-{n}",
        "type": "crc_observations",
        "title_en": f"Concluding observations {n}",
        "title_km": f"សេចក្តីសន្និដ្ឋាន {n}",
        "date": dt.date(2022, 6, 1),
        "issuing_body_en": "Committee on the Rights of the Child",
        "symbol": f"CRC/C/KHM/CO/{n}",
        **data,
    }
    return services.source_save(actor=secretariat(world), data=fields)


def make_item(world: World, source: Source | None = None, **data: Any) -> Item:
    categories = {k: data.pop(k) for k in list(data) if k in services.CATEGORY_MODELS}
    n = _next()
    fields = {
        "reference": f"CRC/C/KHM/CO/4-5 §{n}",
        "paragraph": str(n),
        "kind": "recommendation",
        "text_en": f"Ensure that detention of children is a last resort ({n}).",
        "text_km": f"ធានាថាការឃុំខ្លួនកុមារជាវិធានការចុងក្រោយ ({n})។",
        **data,
    }
    return services.item_create(
        actor=secretariat(world),
        source=source or make_source(world),
        data=fields,
        categories=categories,
    )


def assess(
    world: World,
    item: Item,
    *,
    perspective: str = "coalition",
    status: str = "in_progress",
    state: str = AssessmentState.DRAFT,
    days_ago: int = 1,
    actor: Any = None,
) -> Assessment:
    """An assessment taken as far as `state` (the secretariat records, validates, publishes)."""
    actor = actor or secretariat(world)
    a = services.assessment_create(
        actor=actor,
        item=item,
        perspective=perspective,
        status=status,
        assessed_on=timezone.localdate() - dt.timedelta(days=days_ago),
        summary_en=f"{perspective} view",
    )
    steps = [
        (AssessmentState.SUBMITTED, services.assessment_submit),
        (AssessmentState.VALIDATED, services.assessment_validate),
        (AssessmentState.PUBLISHED, services.assessment_publish),
    ]
    order = [AssessmentState.DRAFT] + [s for s, _ in steps]
    for to, step in steps:
        if order.index(to) > order.index(AssessmentState(state)):
            break
        a = step(
            actor=actor if to == AssessmentState.SUBMITTED else secretariat(world), assessment=a
        )
    return a
