from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA_DIR = Path(__file__).parent / "data"
VOCABULARIES = {"theme": "Theme", "affected_group": "AffectedGroup", "sdg_target": "SdgTarget"}


def load_commitments(apps: Apps) -> int:
    """Vocabularies follow their file. The Global Study source and its items are created if
    missing and never overwritten: once loaded, the coalition keeps them."""
    touched = 0
    data = read_toml(DATA_DIR / "vocabularies.toml")
    for key, model_name in VOCABULARIES.items():
        rows = [
            {
                "code": row["code"],
                "name_en": row["name_en"],
                "name_km": row["name_km"],
                "aliases": "\n".join(row.get("aliases", [])),
                "sort_order": i,
            }
            for i, row in enumerate(data[key])
        ]
        touched += upsert(apps.get_model("commitments", model_name), "code", rows)
    touched += _load_global_study(apps)
    return touched


def _load_global_study(apps: Apps) -> int:
    Source = apps.get_model("commitments", "Source")
    Item = apps.get_model("commitments", "Item")
    Theme = apps.get_model("commitments", "Theme")
    SdgTarget = apps.get_model("commitments", "SdgTarget")
    data = read_toml(DATA_DIR / "global_study.toml")
    source, created = Source.objects.get_or_create(
        code=data["source"]["code"], defaults=data["source"]
    )
    touched = int(created)
    for row in data["item"]:
        if Item.objects.filter(reference=row["reference"]).exists():
            continue
        item = Item.objects.create(
            source=source,
            reference=row["reference"],
            kind="recommendation",
            text_en=row["text_en"],
            text_km=row["text_km"],
            summary_en=row["summary_en"],
            summary_km=row["summary_km"],
            is_published=True,
        )
        item.themes.set(Theme.objects.filter(code__in=row.get("themes", [])))
        item.sdg_targets.set(SdgTarget.objects.filter(code__in=row.get("sdg_targets", [])))
        touched += 1
    return touched
