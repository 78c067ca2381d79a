from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA = Path(__file__).parent / "data" / "provinces.toml"


def load_provinces(apps: Apps) -> int:
    Province = apps.get_model("geo", "Province")
    rows = read_toml(DATA)["province"]
    return upsert(Province, "code", rows)
