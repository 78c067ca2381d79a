from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA = Path(__file__).parent / "data" / "indicators.toml"
FIELDS = ("code", "name_en", "name_km", "definition_en", "definition_km", "source", "unit")


def load_indicators(apps: Apps) -> int:
    Indicator = apps.get_model("statistics", "Indicator")
    rows = [
        {
            **{f: row[f] for f in FIELDS},
            "numerator": row["numerator"],
            "denominator": row.get("denominator"),
            "sort_order": i,
        }
        for i, row in enumerate(read_toml(DATA)["indicator"])
    ]
    return upsert(Indicator, "code", rows)
