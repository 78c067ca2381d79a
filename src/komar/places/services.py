"""Writes to the places registry; each is audited in the same transaction (the audit trail is the
place's history of changes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from komar.audit import services as audit
from komar.places.models import Place

EDITABLE_FIELDS = (
    "code",
    "name_en",
    "name_km",
    "place_type",
    "situation_override",
    "authority_en",
    "authority_km",
    "operator",
    "province",
    "district_code",
    "latitude",
    "longitude",
    "capacity",
    "has_child_section",
    "admits_children_with_caregiver",
    "opened_on",
    "closed_on",
    "note_en",
    "note_km",
    "source",
)


def _apply(place: Place, data: Mapping[str, Any]) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(place, field, data[field])
    place.full_clean()
    place.save()


@transaction.atomic
def place_create(*, actor: Any, data: Mapping[str, Any]) -> Place:
    place = Place()
    _apply(place, data)
    audit.record(
        actor=actor,
        action="place.create",
        target=place,
        changes=audit.diff({}, audit.snapshot(place, EDITABLE_FIELDS)),
    )
    return place


@transaction.atomic
def place_update(*, actor: Any, place: Place, data: Mapping[str, Any]) -> Place:
    before = audit.snapshot(place, EDITABLE_FIELDS)
    _apply(place, data)
    changes = audit.diff(before, audit.snapshot(place, EDITABLE_FIELDS))
    if changes:
        audit.record(actor=actor, action="place.update", target=place, changes=changes)
    return place
