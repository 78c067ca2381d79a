"""Rule sets from cases/data/rules-*.toml. New rules are added; rules already in the database are
left alone, since an admin may have confirmed or corrected them in the app."""

from __future__ import annotations

from pathlib import Path

from django.apps.registry import Apps

from komar.core.reference import read_toml, upsert

DATA = Path(__file__).parent / "data"
RULE_FIELDS = (
    "code",
    "kind",
    "title_en",
    "title_km",
    "offence_class",
    "age_from",
    "age_to",
    "limit_value",
    "limit_unit",
    "extension_value",
    "extension_unit",
    "max_extensions",
    "age_value",
    "citation_en",
    "citation_km",
    "source_url",
    "note_en",
    "note_km",
    "verified",
)
DEFAULTS = {"offence_class": "", "limit_unit": "", "extension_unit": "", "max_extensions": 0}
TEXT = {"citation_km", "source_url", "note_en", "note_km"}


def load_rules(apps: Apps) -> int:
    RuleSet = apps.get_model("cases", "RuleSet")
    LegalRule = apps.get_model("cases", "LegalRule")
    touched = 0
    for path in sorted(DATA.glob("rules-*.toml")):
        data = read_toml(path)
        head = data["ruleset"]
        touched += upsert(RuleSet, "code", [head])
        ruleset = RuleSet.objects.get(code=head["code"])
        existing = set(ruleset.rules.values_list("code", flat=True))
        for row in data["rules"]:
            if row["code"] in existing:
                continue
            values = {
                f: row.get(f, DEFAULTS.get(f, "" if f in TEXT else None)) for f in RULE_FIELDS
            }
            LegalRule.objects.create(ruleset=ruleset, **values)
            touched += 1
    return touched
