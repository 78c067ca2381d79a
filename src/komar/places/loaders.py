from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA = Path(__file__).parent / "data"
PLACE_FIELDS = (
    "code", "name_en", "name_km", "authority_en", "authority_km", "operator", "note_en", "note_km",
    "source",
)  # fmt: skip


def load_places(apps: Apps) -> int:
    """Situations and place types follow their files; the preloaded places are created once and
    then belong to their users (never overwritten)."""
    Situation = apps.get_model("places", "Situation")
    PlaceType = apps.get_model("places", "PlaceType")
    Place = apps.get_model("places", "Place")
    Province = apps.get_model("geo", "Province")
    touched = upsert(Situation, "code", read_toml(DATA / "situations.toml")["situation"])
    situation_ids = dict(Situation.objects.values_list("code", "id"))
    types = read_toml(DATA / "place_types.toml")["type"]
    touched += upsert(
        PlaceType,
        "code",
        [
            {
                "code": t["code"],
                "name_en": t["name_en"],
                "name_km": t["name_km"],
                "default_situation_id": situation_ids.get(t["situation"]),
                "sort_order": i,
            }
            for i, t in enumerate(types)
        ],
    )
    if not Province.objects.exists():
        return touched  # geo loads first on a fresh database; places follow on the next run
    type_ids = dict(PlaceType.objects.values_list("code", "id"))
    province_ids = dict(Province.objects.values_list("code", "id"))
    existing = set(Place.objects.values_list("code", flat=True))
    for row in read_toml(DATA / "places.toml")["place"]:
        if row["code"] in existing:
            continue
        Place.objects.create(
            place_type_id=type_ids[row["type"]],
            province_id=province_ids[row["province"]],
            **{f: row.get(f, "") for f in PLACE_FIELDS},
        )
        touched += 1
    return touched
