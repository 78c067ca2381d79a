"""Cambodia's legal rules as shipped data (cases/data/rules-kh.toml) and their loader."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from komar.accounts.roles import Role
from komar.cases import deadlines, services
from komar.cases.models import LegalRule, RuleSet
from komar.core.reference import load_all, read_toml
from tests.cases.test_deadlines import RULES_FILE, kh_rules
from tests.conftest import World

PHASES = ("police_custody", "pretrial_detention", "immediate_appearance")
# Confirmed in the Code of Criminal Procedure (DOMAIN.md §3): shipped as verified.
CONFIRMED = {
    "police-custody-adult",
    "pretrial-adult-felony",
    "immediate-appearance",
    "min-age-criminal-responsibility",
}


def test_the_loaded_rules_are_the_data_file(db: Any) -> None:
    data = read_toml(RULES_FILE)
    ruleset = RuleSet.objects.get(code=data["ruleset"]["code"])
    assert ruleset.majority_age == 18
    assert [deadlines.Rule.of(r) for r in ruleset.rules.order_by("code")] == [
        deadlines.Rule(**{**r.__dict__, "id": LegalRule.objects.get(code=r.code).pk})
        for r in sorted(kh_rules(), key=lambda r: r.code)
    ]


def test_only_confirmed_limits_are_shipped_as_verified() -> None:
    verified = {r.code for r in kh_rules() if r.verified}
    assert verified == CONFIRMED
    juvenile = [r for r in kh_rules() if r.age_to == 18 or (r.age_from or 0) in (14, 16)]
    assert juvenile
    assert not any(r.verified for r in juvenile)


def test_every_rule_cites_its_source_and_is_complete() -> None:
    rows = read_toml(RULES_FILE)["rules"]
    assert len({r["code"] for r in rows}) == len(rows)
    for row in rows:
        assert row["citation_en"].strip(), row["code"]
        assert row["title_km"].strip(), row["code"]
        if row["kind"] in PHASES:
            assert row.get("limit_value") is not None and row.get("limit_unit"), row["code"]
            if row.get("max_extensions"):
                assert row.get("extension_value") and row.get("extension_unit"), row["code"]
        else:
            assert row.get("age_value") is not None, row["code"]


def test_rules_of_the_same_kind_and_class_never_overlap_in_age() -> None:
    for a, b in itertools.combinations(kh_rules(), 2):
        if a.kind != b.kind or a.offence_class != b.offence_class or a.kind not in PHASES:
            continue
        a_from, a_to = a.age_from or 0, a.age_to or 200
        b_from, b_to = b.age_from or 0, b.age_to or 200
        assert a_to <= b_from or b_to <= a_from, (a.code, b.code)


@pytest.mark.parametrize("age", [14, 15, 16, 17])
@pytest.mark.parametrize("offence_class", ["", "petty", "misdemeanour", "felony"])
@pytest.mark.parametrize("kind", PHASES)
def test_every_minor_and_class_has_a_limit(age: int, offence_class: str, kind: str) -> None:
    rule, note = deadlines.choose_rule(kh_rules(), kind, age, offence_class)
    assert rule is not None
    assert note in ("", "class_unknown")
    assert (rule.age_from or 0) <= age < (rule.age_to or 200)


def test_the_loader_adds_new_rules_but_never_overwrites_an_edited_one(world: World) -> None:
    rule = LegalRule.objects.get(code="police-custody-minor")
    services.rule_update(
        actor=world.user(Role.SECRETARIAT_ADMIN),
        rule=rule,
        data={"limit_value": 36, "note_en": "Confirmed by counsel"},
        verified=True,
    )
    LegalRule.objects.filter(code="immediate-appearance").delete()
    results = load_all()
    assert results["cases"] == 1  # the missing rule, re-added
    rule.refresh_from_db()
    assert (rule.limit_value, rule.note_en, rule.verified) == (36, "Confirmed by counsel", True)
    restored = LegalRule.objects.get(code="immediate-appearance")
    assert (restored.limit_value, restored.limit_unit, restored.verified) == (14, "days", True)
    assert load_all()["cases"] == 0  # idempotent
