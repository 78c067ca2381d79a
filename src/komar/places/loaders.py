from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA = Path(__file__).parent / "data" / "situations.toml"


def load_situations(apps: Apps) -> int:
    Situation = apps.get_model("places", "Situation")
    return upsert(Situation, "code", read_toml(DATA)["situation"])
