from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA_DIR = Path(__file__).parent / "data"
ORGANISATION_FIELDS = (
    "slug",
    "name_en",
    "name_km",
    "name_km_source",
    "acronym",
    "kind",
    "scope",
    "note_en",
    "note_km",
    "website",
)


def load_organisations(apps: Apps) -> int:
    """Thematic areas follow the file. Organisations named in the 2021 joint statement are created
    if missing and never overwritten: once loaded, they belong to their admins."""
    ThematicArea = apps.get_model("organisations", "ThematicArea")
    Organisation = apps.get_model("organisations", "Organisation")
    areas = read_toml(DATA_DIR / "thematic_areas.toml")["area"]
    touched = upsert(
        ThematicArea,
        "code",
        [
            {"code": a["code"], "name_en": a["name_en"], "name_km": a["name_km"], "sort_order": i}
            for i, a in enumerate(areas)
        ],
    )
    area_ids = dict(ThematicArea.objects.values_list("code", "id"))
    existing = set(Organisation.objects.values_list("slug", flat=True))
    for row in read_toml(DATA_DIR / "organisations.toml")["organisation"]:
        if row["slug"] in existing:
            continue
        org = Organisation.objects.create(**{f: row.get(f, "") for f in ORGANISATION_FIELDS})
        org.thematic_areas.set([area_ids[code] for code in row.get("thematic_areas", [])])
        touched += 1
    return touched
