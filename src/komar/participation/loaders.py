from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA_DIR = Path(__file__).parent / "data"
EVENT_FIELDS = (
    "title_en",
    "title_km",
    "starts_on",
    "ends_on",
    "format",
    "place_en",
    "place_km",
    "description_en",
    "description_km",
    "citation",
)


def load_participation(apps: Apps) -> int:
    """Feedback themes follow their file. The 2021 events are created if missing and never
    overwritten: once loaded, the coalition keeps them."""
    data = read_toml(DATA_DIR / "feedback_themes.toml")
    rows = [
        {"code": row["code"], "name_en": row["name_en"], "name_km": row["name_km"], "sort_order": i}
        for i, row in enumerate(data["theme"])
    ]
    touched = upsert(apps.get_model("participation", "FeedbackTheme"), "code", rows)
    return touched + _load_events(apps)


def _load_events(apps: Apps) -> int:
    Event = apps.get_model("participation", "Event")
    Participation = apps.get_model("participation", "Participation")
    touched = 0
    for row in read_toml(DATA_DIR / "events.toml")["event"]:
        if Event.objects.filter(code=row["code"]).exists():
            continue
        event = Event.objects.create(
            code=row["code"], is_public=True, **{f: row.get(f) or _empty(f) for f in EVENT_FIELDS}
        )
        Participation.objects.bulk_create(
            Participation(event=event, group=group, count=None)
            for group in row.get("participant_groups", [])
        )
        touched += 1
    return touched


def _empty(field: str) -> object:
    return None if field == "ends_on" else ""
