"""The statements API: who may read and change what, bad input as 422 with field paths, state
conflicts as 409, anonymous endorsements only counted, constant list query counts, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.statements import services
from komar.statements.models import Endorsement, Statement
from tests.conftest import World, login, query_count
from tests.statements.helpers import endorse, fresh, make_statement, org_with_admin, statement_data

API = "/api/v1/statements"
SEC = Role.SECRETARIAT_ADMIN
ORG_ADMIN = Role.ORG_ADMIN
MONITOR = Role.MONITOR
YOUTH = Role.YOUTH_MEMBER
SLUG_2021 = "2021-civil-society-support-children-deprived-of-liberty"


def _json(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json")


def _paths(response: Any) -> set[str]:
    return {f["path"] for f in response.json()["error"]["fields"]}


def _messages(response: Any) -> str:
    return " ".join(f["message"] for f in response.json()["error"]["fields"])


def _as(client: Client, world: World, role: str | None) -> Client:
    return login(client, world.other_admin if role is None else world.user(role))


def _new(**overrides: Any) -> dict[str, Any]:
    data = statement_data(**overrides)
    data["date"] = data["date"].isoformat()
    data["links"] = [data["links"]]
    return data


# Authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", f"/{SLUG_2021}"),
        ("get", f"/{SLUG_2021}/versions"),
        ("get", f"/{SLUG_2021}/endorsements"),
        ("post", ""),
        ("post", f"/{SLUG_2021}/endorsements"),
        ("post", f"/{SLUG_2021}/publish"),
        ("post", "/endorsements/1/withdraw"),
        ("post", "/endorsements/1/approve"),
    ],
)
def test_anonymous_callers_get_401(client: Client, world: World, method: str, path: str) -> None:
    response = _json(client, method, API + path) if method == "post" else client.get(API + path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# Reading ----------------------------------------------------------------------------------------


def test_the_list_shows_what_the_caller_may_see(client: Client, world: World) -> None:
    draft = make_statement(world, "draft", title_en="A draft of organisation A")
    opened = make_statement(world, "open", title_en="An open statement")
    mine = {r["slug"] for r in _as(client, world, MONITOR).get(API).json()["items"]}
    assert {draft.slug, opened.slug, SLUG_2021} <= mine  # org A sits on the draft's committee
    theirs = {r["slug"] for r in _as(Client(), world, None).get(API).json()["items"]}
    assert opened.slug in theirs and SLUG_2021 in theirs
    assert draft.slug not in theirs
    row = next(
        r for r in _as(Client(), world, None).get(API).json()["items"] if r["slug"] == SLUG_2021
    )
    assert row["status"] == "published"
    assert row["signatory_count"] == 34
    assert len(row["committee"]) == 7


def test_a_draft_of_another_committee_is_404(client: Client, world: World) -> None:
    draft = make_statement(world, "draft")
    assert _as(client, world, None).get(f"{API}/{draft.slug}").status_code == 404
    assert client.get(f"{API}/no-such-statement").json()["error"]["code"] == "not_found"


def test_the_2021_statement_lists_its_signatories_by_role_in_order(
    client: Client, world: World
) -> None:
    body = _as(client, world, YOUTH).get(f"{API}/{SLUG_2021}").json()
    groups = body["signatories"]
    assert [g["role"] for g in groups] == ["organising_committee", "speaker", "endorser", "network"]
    assert [g["total"] for g in groups] == [7, 2, 24, 1]
    assert all(g["anonymous"] == 0 for g in groups)
    notes = [s["note_en"] for s in groups[0]["named"]]
    assert "represented by Terre des hommes" in notes
    assert body["versions"][0]["number"] == 1
    assert body["text_en"].startswith("We, the undersigned")
    assert body["links"] and isinstance(body["links"], list)


def test_an_organisation_that_asked_not_to_be_named_is_only_counted(
    client: Client, world: World
) -> None:
    statement = make_statement(world, "open")
    hidden_org, hidden_admin = org_with_admin("Quiet Org", "អង្គការស្ងាត់")
    named = endorse(statement, world.org_b, world.other_admin)
    secret = endorse(statement, hidden_org, hidden_admin, anonymous=True)
    sec = world.user(SEC)
    for e in (named, secret):
        services.endorsement_decide(actor=sec, endorsement=e, approve=True)
    services.statement_publish(actor=sec, statement=statement)

    c = _as(client, world, MONITOR)
    body = c.get(f"{API}/{statement.slug}").json()
    [group] = body["signatories"]
    assert group["anonymous"] == 1 and group["total"] == 2
    assert [s["organisation"]["slug"] for s in group["named"]] == [world.org_b.slug]
    assert "Quiet Org" not in json.dumps(body)
    listed = c.get(f"{API}/{statement.slug}/endorsements").json()
    assert [r["organisation"]["slug"] for r in listed["items"]] == [world.org_b.slug]
    assert "Quiet Org" not in json.dumps(listed)
    # The secretariat and the organisation's own members see it.
    every = _as(Client(), world, SEC).get(f"{API}/{statement.slug}/endorsements").json()
    assert {r["organisation"]["name_en"] for r in every["items"]} == {
        world.org_b.name_en,
        "Quiet Org",
    }
    own = login(Client(), hidden_admin).get(f"{API}/{statement.slug}/endorsements").json()
    assert {r["organisation"]["name_en"] for r in own["items"]} == {
        world.org_b.name_en,
        "Quiet Org",
    }


def test_pending_endorsements_are_seen_by_the_secretariat_and_their_own_organisation(
    client: Client, world: World
) -> None:
    statement = make_statement(world, "open")
    endorse(statement, world.org_b, world.other_admin)
    path = f"{API}/{statement.slug}/endorsements"
    assert _as(client, world, MONITOR).get(path).json()["count"] == 0
    assert _as(Client(), world, None).get(path).json()["items"][0]["status"] == "pending"
    assert _as(Client(), world, SEC).get(path).json()["count"] == 1


def test_versions_newest_first(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    services.statement_update(
        actor=world.user(SEC), statement=statement, data={"text_en": "A new text."}
    )
    rows = _as(client, world, YOUTH).get(f"{API}/{statement.slug}/versions").json()
    assert [r["number"] for r in rows] == [2, 1]
    assert rows[0]["text_en"] == "A new text."


def test_list_query_counts_do_not_grow(client: Client, world: World) -> None:
    c = _as(client, world, MONITOR)
    few = query_count(lambda: c.get(API))
    for i in range(5):
        make_statement(world, "open", title_en=f"Statement {i}")
    many = query_count(lambda: c.get(API))
    assert c.get(API).json()["count"] >= 6
    assert many == few


def test_endorsements_list_query_count_does_not_grow(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    c = _as(client, world, SEC)
    path = f"{API}/{statement.slug}/endorsements"
    endorse(statement, world.org_b, world.other_admin)
    few = query_count(lambda: c.get(path))
    for i in range(4):
        org, admin = org_with_admin(f"Org {i}", f"អង្គការ {i}")
        endorse(statement, org, admin)
    many = query_count(lambda: c.get(path))
    assert c.get(path).json()["count"] == 5
    assert many == few


# Drafting and the lifecycle ---------------------------------------------------------------------


def test_an_org_admin_drafts_a_statement(client: Client, world: World) -> None:
    c = _as(client, world, ORG_ADMIN)
    response = _json(c, "post", API, _new(title_en="Our new statement"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 0
    assert [o["slug"] for o in body["committee"]] == [world.org_a.slug]
    assert body["role_order"] == ["organising_committee", "speaker", "endorser", "network"]
    assert Statement.objects.get(slug=body["slug"]).links == "https://example.invalid/study"


def test_drafting_is_refused_without_the_permission(client: Client, world: World) -> None:
    before = Statement.objects.count()
    response = _json(_as(client, world, MONITOR), "post", API, _new())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Statement.objects.count() == before


def test_bad_statements_are_422_with_field_paths_and_nothing_saved(
    client: Client, world: World
) -> None:
    before = Statement.objects.count()
    c = _as(client, world, ORG_ADMIN)
    response = _json(c, "post", API, {"title_en": "x" * 301, "date": "not a date"})
    assert response.status_code == 422
    assert {"body.title_en", "body.date", "body.text_en", "body.place_km"} <= _paths(response)
    twice = _json(c, "post", API, _new(role_order=["speaker", "speaker"]))
    assert twice.status_code == 422
    assert _paths(twice) == {"body.role_order"}
    bad_role = _json(c, "post", API, _new(role_order=["friends"]))
    assert bad_role.status_code == 422 and _paths(bad_role) == {"body.role_order.0"}
    other = _json(c, "post", API, _new(organisation=world.org_b.slug))
    assert other.status_code == 422 and _paths(other) == {"body.organisation"}
    unknown = _json(c, "post", API, _new(organisation="no-such-org"))
    assert _paths(unknown) == {"body.organisation"} and "no-such-org" in _messages(unknown)
    assert Statement.objects.count() == before


def test_a_change_while_open_makes_a_new_version(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    c = _as(client, world, ORG_ADMIN)
    response = _json(c, "patch", f"{API}/{statement.slug}", {"text_en": "Changed text."})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert [v["number"] for v in response.json()["versions"]] == [2, 1]
    contact = _json(c, "patch", f"{API}/{statement.slug}", {"contact": None})
    assert contact.json()["contact"] == "" and contact.json()["version"] == 2
    empty = _json(c, "patch", f"{API}/{statement.slug}", {"title_en": None})
    assert empty.status_code == 422 and _paths(empty) == {"body.title_en"}


def test_changing_is_for_the_committee(client: Client, world: World) -> None:
    draft = make_statement(world, "draft")
    opened = make_statement(world, "open", title_en="Open one")
    other = _as(client, world, None)
    assert _json(other, "patch", f"{API}/{draft.slug}", {"contact": "x"}).status_code == 404
    assert _json(other, "patch", f"{API}/{opened.slug}", {"contact": "x"}).status_code == 403
    monitor = _as(Client(), world, MONITOR)
    assert _json(monitor, "patch", f"{API}/{draft.slug}", {"contact": "x"}).status_code == 403
    assert fresh(opened).contact == fresh(draft).contact == "committee@example.invalid"


def test_a_published_statement_cannot_change_409(client: Client, world: World) -> None:
    statement = make_statement(world, "published")
    c = _as(client, world, SEC)
    response = _json(c, "patch", f"{API}/{statement.slug}", {"text_en": "Rewritten."})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "state_conflict"
    assert fresh(statement).text_en != "Rewritten."


def test_the_lifecycle_through_the_api(client: Client, world: World) -> None:
    statement = make_statement(world, "draft")
    c = _as(client, world, ORG_ADMIN)
    base = f"{API}/{statement.slug}"
    assert _json(c, "post", f"{base}/close").status_code == 409  # a draft cannot close
    opened = _json(c, "post", f"{base}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert opened.json()["version"] == 1
    assert _json(c, "post", f"{base}/close").json()["status"] == "closed"
    assert _json(c, "post", f"{base}/reopen").json()["status"] == "open"
    # Publishing is the secretariat's, once every endorsement is decided.
    assert _json(c, "post", f"{base}/publish").status_code == 403
    e = endorse(statement, world.org_b, world.other_admin)
    sec = _as(Client(), world, SEC)
    waiting = _json(sec, "post", f"{base}/publish")
    assert waiting.status_code == 409
    assert world.org_b.name in waiting.json()["error"]["message"]
    assert fresh(statement).status == "open"
    assert _json(sec, "post", f"/api/v1/statements/endorsements/{e.pk}/approve").status_code == 200
    published = _json(sec, "post", f"{base}/publish")
    assert published.status_code == 200
    assert published.json()["signatories"][0]["named"][0]["organisation"]["slug"] == (
        world.org_b.slug
    )
    assert _json(sec, "post", f"{base}/publish").status_code == 409


# Endorsing --------------------------------------------------------------------------------------


def test_an_organisation_endorses_once(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    c = _as(client, world, None)
    path = f"{API}/{statement.slug}/endorsements"
    data = {"organisation": world.org_b.slug, "role": "speaker", "note_en": "represented by X"}
    response = _json(c, "post", path, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["version"] == 1 and body["role"] == "speaker"
    again = _json(c, "post", path, {"role": "endorser"})  # its only organisation by default
    assert again.status_code == 422
    assert _paths(again) == {"body.organisation"}
    assert statement.endorsements.count() == 1


def test_endorsing_for_another_organisation_is_422_naming_it(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    response = _json(
        _as(client, world, None),
        "post",
        f"{API}/{statement.slug}/endorsements",
        {"organisation": world.org_a.pk, "role": "endorser"},
    )
    assert response.status_code == 422
    assert _paths(response) == {"body.organisation"}
    assert world.org_a.name in _messages(response)
    assert not statement.endorsements.exists()


def test_a_member_without_the_permission_gets_403(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    response = _json(
        _as(client, world, MONITOR),
        "post",
        f"{API}/{statement.slug}/endorsements",
        {"organisation": world.org_a.slug, "role": "endorser"},
    )
    assert response.status_code == 403
    assert not statement.endorsements.exists()


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
def test_endorsing_a_statement_not_open_is_422(client: Client, world: World, status: str) -> None:
    statement = make_statement(world, status)
    response = _json(
        _as(client, world, ORG_ADMIN),
        "post",
        f"{API}/{statement.slug}/endorsements",
        {"organisation": world.org_a.slug, "role": "endorser"},
    )
    assert response.status_code == 422
    assert _paths(response) == {"path.slug"}
    assert not statement.endorsements.exists()


def test_bad_endorsements_are_422_with_field_paths(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    c = _as(client, world, ORG_ADMIN)
    path = f"{API}/{statement.slug}/endorsements"
    response = _json(c, "post", path, {"role": "friend", "note_en": "x" * 301})
    assert response.status_code == 422
    assert _paths(response) == {"body.role", "body.note_en"}
    unknown = _json(c, "post", path, {"organisation": "nowhere", "role": "endorser"})
    assert _paths(unknown) == {"body.organisation"}
    # The secretariat admin endorses for organisation A only: no choice needed either.
    assert not statement.endorsements.exists()


def test_withdraw_and_reconfirm_are_for_the_organisation(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    e = endorse(statement, world.org_b, world.other_admin)
    services.statement_update(
        actor=world.user(SEC), statement=statement, data={"text_en": "New words."}
    )
    base = "/api/v1/statements/endorsements"
    assert (
        _json(_as(client, world, ORG_ADMIN), "post", f"{base}/{e.pk}/reconfirm").status_code == 404
    )
    assert (
        _json(_as(Client(), world, MONITOR), "post", f"{base}/{e.pk}/withdraw").status_code == 403
    )
    other = _as(Client(), world, None)
    reconfirmed = _json(other, "post", f"{base}/{e.pk}/reconfirm")
    assert reconfirmed.status_code == 200 and reconfirmed.json()["version"] == 2
    assert _json(other, "post", f"{base}/{e.pk}/reconfirm").status_code == 409
    withdrawn = _json(other, "post", f"{base}/{e.pk}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert _json(other, "post", f"{base}/{e.pk}/withdraw").status_code == 409


def test_withdrawing_after_publication_is_409(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    e = endorse(statement, world.org_b, world.other_admin)
    sec = world.user(SEC)
    services.endorsement_decide(actor=sec, endorsement=e, approve=True)
    services.statement_publish(actor=sec, statement=statement)
    response = _json(
        _as(client, world, None), "post", f"/api/v1/statements/endorsements/{e.pk}/withdraw"
    )
    assert response.status_code == 409
    assert Endorsement.objects.get(pk=e.pk).status == "approved"


def test_approving_and_rejecting_are_the_secretariats(client: Client, world: World) -> None:
    statement = make_statement(world, "open")
    e = endorse(statement, world.org_b, world.other_admin)
    base = "/api/v1/statements/endorsements"
    assert _json(_as(client, world, ORG_ADMIN), "post", f"{base}/{e.pk}/approve").status_code == 403
    assert _json(_as(Client(), world, None), "post", f"{base}/{e.pk}/reject").status_code == 403
    assert Endorsement.objects.get(pk=e.pk).status == "pending"
    sec = _as(Client(), world, SEC)
    rejected = _json(sec, "post", f"{base}/{e.pk}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert _json(sec, "post", f"{base}/{e.pk}/approve").status_code == 409
    assert _json(sec, "post", f"{base}/999999/approve").status_code == 404


# OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_documents_the_statements_api(client: Client, world: World) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/statements",
        "/api/v1/statements/{slug}",
        "/api/v1/statements/{slug}/open",
        "/api/v1/statements/{slug}/close",
        "/api/v1/statements/{slug}/reopen",
        "/api/v1/statements/{slug}/publish",
        "/api/v1/statements/{slug}/versions",
        "/api/v1/statements/{slug}/endorsements",
        "/api/v1/statements/endorsements/{pk}/withdraw",
        "/api/v1/statements/endorsements/{pk}/reconfirm",
        "/api/v1/statements/endorsements/{pk}/approve",
        "/api/v1/statements/endorsements/{pk}/reject",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/statements/{slug}/endorsements"])
    assert "409" in paths["/api/v1/statements/{slug}/publish"]["post"]["responses"]
