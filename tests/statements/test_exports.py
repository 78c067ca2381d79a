"""The signatories of a published statement as CSV: UTF-8 with a byte-order mark (Khmer in
Excel), in the published order, organisations that asked not to be named only counted."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from komar.accounts.roles import Role
from komar.statements import services
from tests.conftest import World, login
from tests.statements.helpers import endorse, make_statement, org_with_admin

SLUG_2021 = "2021-civil-society-support-children-deprived-of-liberty"


def _rows(response: Any) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_2021_signatories_are_public_in_order_with_notes(client: Client, world: Any) -> None:
    response = client.get(f"/statements/{SLUG_2021}/signatories.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert len(rows) == 34
    roles = [r["role"] for r in rows]
    assert roles == sorted(
        roles, key=["organising_committee", "speaker", "endorser", "network"].index
    )
    assert [roles.count(r) for r in ("organising_committee", "speaker", "endorser", "network")] == [
        7, 2, 24, 1,
    ]  # fmt: skip
    committee = [r for r in rows if r["role"] == "organising_committee"]
    assert [r["position"] for r in committee] == [str(i) for i in range(1, 8)]
    assert any(r["note_en"] == "represented by Terre des hommes" and r["note_km"] for r in rows)
    assert all(r["organisation_en"] and r["organisation_km"] for r in rows)
    assert all(r["group_en"] for r in rows) and all(r["not_named"] == "" for r in rows)


def test_anonymous_endorsers_are_a_count_row_only(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    quiet, quiet_admin = org_with_admin("Quiet Org", "អង្គការស្ងាត់")
    shy, shy_admin = org_with_admin("Shy Org", "អង្គការខ្មាស")
    sec = world.user(Role.SECRETARIAT_ADMIN)
    for e in (
        endorse(statement, world.org_b, world.other_admin, note_en="with friends"),
        endorse(statement, quiet, quiet_admin, anonymous=True),
        endorse(statement, shy, shy_admin, anonymous=True),
    ):
        services.endorsement_decide(actor=sec, endorsement=e, approve=True)
    services.statement_publish(actor=sec, statement=statement)
    response = client.get(f"/statements/{statement.slug}/signatories.csv")
    text = response.content.decode("utf-8")
    assert "Quiet" not in text and "Shy" not in text and "ស្ងាត់" not in text
    named, count = _rows(response)
    assert named["organisation_en"] == world.org_b.name_en
    assert named["organisation_km"] == world.org_b.name_km
    assert named["note_en"] == "with friends" and named["not_named"] == ""
    assert count["role"] == "endorser" and count["not_named"] == "2"
    assert count["organisation_en"] == count["organisation_km"] == count["position"] == ""


def test_only_a_published_statement_is_exported(client: Client, world: World) -> None:
    opened = make_statement(world, "open", title_en="Still open")
    draft = make_statement(world, "draft", title_en="A draft")
    sec = login(client, world.user(Role.SECRETARIAT_ADMIN))
    for statement in (opened, draft):
        assert sec.get(f"/statements/{statement.slug}/signatories.csv").status_code == 404
    assert Client().get("/statements/no-such-thing/signatories.csv").status_code == 404
