"""Writes to organisations. Each writes its audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from komar.audit import services as audit
from komar.geo.models import Province
from komar.organisations.models import Organisation, ThematicArea

EDITABLE_FIELDS = (
    "name_en",
    "name_km",
    "acronym",
    "kind",
    "scope",
    "note_en",
    "note_km",
    "description_en",
    "description_km",
    "email",
    "phone",
    "website",
    "address",
)
AUDITED_FIELDS = (*EDITABLE_FIELDS, "is_verified", "is_active", "thematic_areas", "provinces")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(
    organisation: Organisation,
    data: Mapping[str, Any],
    thematic_areas: Iterable[ThematicArea] | None,
    provinces: Iterable[Province] | None,
) -> None:
    for field in (*EDITABLE_FIELDS, "is_verified", "is_active"):
        if field in data:
            setattr(organisation, field, data[field])
    organisation.full_clean(exclude=["slug"])
    organisation.save()
    if thematic_areas is not None:
        organisation.thematic_areas.set(thematic_areas)
    if provinces is not None:
        organisation.provinces.set(provinces)


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    data: Mapping[str, Any],
    thematic_areas: Iterable[ThematicArea] = (),
    provinces: Iterable[Province] = (),
) -> Organisation:
    organisation = Organisation(slug=_unique_slug(str(data.get("name_en", ""))))
    _apply(organisation, data, thematic_areas, provinces)
    audit.record(
        actor=actor,
        action="organisation.create",
        target=organisation,
        changes=audit.diff({}, audit.snapshot(organisation, AUDITED_FIELDS)),
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    data: Mapping[str, Any],
    thematic_areas: Iterable[ThematicArea] | None = None,
    provinces: Iterable[Province] | None = None,
) -> Organisation:
    before = audit.snapshot(organisation, AUDITED_FIELDS)
    _apply(organisation, data, thematic_areas, provinces)
    changes = audit.diff(before, audit.snapshot(organisation, AUDITED_FIELDS))
    if changes:
        audit.record(
            actor=actor,
            action="organisation.update",
            target=organisation,
            changes=changes,
            organisation_id=organisation.pk,
        )
    return organisation
