"""The commitments API: who may read and change what, bad input as 422 with field paths, state
conflicts as 409, the query count of the lists, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from komar.accounts.roles import Role
from komar.accounts.services import token_create
from komar.commitments import services
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Evidence,
    Item,
    ItemActor,
    Source,
)
from tests.commitments.helpers import assess, make_item, make_source, secretariat
from tests.conftest import World, login, query_count

API = "/api/v1/commitments"
SEC = Role.SECRETARIAT_ADMIN
ANALYST = Role.ANALYST
MONITOR = Role.MONITOR
GFP = Role.GOVERNMENT_FOCAL_POINT
YOUTH = Role.YOUTH_MEMBER


def _json(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json")


def _paths(response: Any) -> set[str]:
    return {f["path"] for f in response.json()["error"]["fields"]}


def _as(client: Client, world: World, role: str | None) -> Client:
    return login(client, world.other_admin if role is None else world.user(role))


def _today(days_ago: int = 0) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def _refs(response: Any) -> set[str]:
    return {row["reference"] for row in response.json()["items"]}


# Authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/sources"),
        ("get", "/items"),
        ("post", "/items"),
        ("get", "/actions?item=1"),
        ("get", "/assessments"),
        ("post", "/assessments/1/submit"),
    ],
)
def test_anonymous_callers_get_401(client: Client, world: World, method: str, path: str) -> None:
    response = _json(client, method, API + path) if method == "post" else client.get(API + path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_bearer_token_reads_the_items(client: Client, world: World) -> None:
    item = make_item(world)
    _token, secret = token_create(user=world.user(YOUTH), name="script")
    response = client.get(f"{API}/items/{item.pk}", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["reference"] == item.reference


# Sources ----------------------------------------------------------------------------------------


def test_sources_list_and_detail(client: Client, world: World) -> None:
    source = make_source(world)
    make_item(world, source=source)
    c = _as(client, world, YOUTH)
    response = c.get(f"{API}/sources")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["items"]}
    assert rows[source.code]["item_count"] == 1
    assert rows[source.code]["title_km"] == source.title_km
    detail = c.get(f"{API}/sources/{source.pk}").json()
    assert detail["symbol"] == source.symbol
    assert c.get(f"{API}/sources/999999").status_code == 404


def test_source_create_and_patch(client: Client, world: World) -> None:
    c = _as(client, world, ANALYST)
    data = {
        "code": "upr-2024",
        "type": "upr",
        "title_en": "UPR fourth cycle",
        "title_km": "UPR វដ្តទី៤",
        "date": "2024-05-01",
        "issuing_body_en": "Human Rights Council",
    }
    response = _json(c, "post", f"{API}/sources", data)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = _json(c, "patch", f"{API}/sources/{pk}", {"symbol": "A/HRC/56/1", "citation": None})
    assert response.status_code == 200
    assert Source.objects.get(pk=pk).symbol == "A/HRC/56/1"
    again = _json(c, "post", f"{API}/sources", data)
    assert again.status_code == 422
    assert _paths(again) == {"body.code"}
    assert Source.objects.filter(code="upr-2024").count() == 1


def test_source_create_bad_type_is_422_and_youth_403(client: Client, world: World) -> None:
    before = Source.objects.count()
    c = _as(client, world, ANALYST)
    response = _json(c, "post", f"{API}/sources", {"code": "x", "type": "rumour"})
    assert response.status_code == 422
    assert {"body.type", "body.title_en", "body.date"} <= _paths(response)
    youth = _json(
        _as(Client(), world, YOUTH),
        "post",
        f"{API}/sources",
        {
            "code": "y",
            "type": "upr",
            "title_en": "Y",
            "title_km": "Y",
            "date": "2024-01-01",
            "issuing_body_en": "Y",
        },
    )
    assert youth.status_code == 403
    assert Source.objects.count() == before


# Items: reading ---------------------------------------------------------------------------------


def test_items_list_filters(client: Client, world: World) -> None:
    source = make_source(world)
    a = make_item(world, source=source, themes=["child-justice"], kind="pledge")
    b = make_item(world, source=source, themes=["detention-conditions"])
    c_ = make_item(world, source=source, state_response="noted")
    services.actor_set(
        actor=secretariat(world), item=a, organisation=world.org_b, role=ItemActor.Role.LEAD
    )
    assess(world, b, perspective="government", status="implemented", state="published")
    assess(world, b, perspective="coalition", status="not_started", state="published")
    assess(world, c_, perspective="coalition", status="implemented", state="published")
    services.item_archive(actor=secretariat(world), item=c_, archived=True)
    c = _as(client, world, YOUTH)

    def refs(query: str) -> set[str]:
        response = c.get(f"{API}/items?{query}")
        assert response.status_code == 200, response.content
        return _refs(response)

    assert refs(f"source={source.pk}") == {a.reference, b.reference}
    assert refs(f"source={source.pk}&archived=true") == {c_.reference}
    assert refs("theme=child-justice") >= {a.reference}
    assert b.reference not in refs("theme=child-justice")
    assert refs("kind=pledge") == {a.reference}
    assert refs(f"actor={world.org_b.slug}") == {a.reference}
    assert refs(f"actor={world.org_b.pk}") == {a.reference}
    assert refs("gap=true") == {b.reference}
    assert refs("status=implemented&perspective=government") == {b.reference}
    assert refs("status=implemented&perspective=coalition") == set()
    assert refs("response=noted&archived=true") == {c_.reference}
    assert refs(f"q={a.reference}") == {a.reference}


def test_items_list_bad_filters_are_422(client: Client, world: World) -> None:
    c = _as(client, world, YOUTH)
    response = c.get(f"{API}/items?actor=no-such-org")
    assert response.status_code == 422
    assert _paths(response) == {"query.actor"}
    response = c.get(f"{API}/items?status=finished&kind=wish")
    assert response.status_code == 422
    assert _paths(response) == {"query.status", "query.kind"}


def test_items_list_query_count_does_not_grow(client: Client, world: World) -> None:
    source = make_source(world)

    def rows(n: int) -> None:
        for _ in range(n):
            item = make_item(world, source=source, themes=["child-justice", "data"])
            services.actor_set(
                actor=secretariat(world), item=item, organisation=world.org_a, role="lead"
            )

    c = _as(client, world, YOUTH)
    rows(2)
    few = query_count(lambda: c.get(f"{API}/items"))
    rows(8)
    many = query_count(lambda: c.get(f"{API}/items"))
    assert c.get(f"{API}/items").json()["count"] == 15  # 5 preloaded from the Global Study
    assert many == few


def test_item_detail_has_categories_actors_links_and_statuses(client: Client, world: World) -> None:
    other = make_item(world)
    item = make_item(
        world,
        themes=["child-justice"],
        situations=["justice"],
        sdg_targets=["16.3"],
    )
    sec = secretariat(world)
    services.actor_set(actor=sec, item=item, organisation=world.org_b, role="lead")
    services.actor_set(actor=sec, item=item, organisation=world.org_a, role="supporting")
    services.link_add(actor=sec, from_item=item, to_item=other, kind="repeats")
    assess(world, item, perspective="government", status="implemented", state="published")
    assess(world, item, perspective="coalition", status="in_progress", state="published")
    body = _as(client, world, YOUTH).get(f"{API}/items/{item.pk}").json()
    assert body["themes"] == ["child-justice"]
    assert body["situations"] == ["justice"]
    assert body["sdg_targets"] == ["16.3"]
    assert {(a["organisation"], a["role"]) for a in body["actors"]} == {
        (world.org_b.slug, "lead"),
        (world.org_a.slug, "supporting"),
    }
    assert body["links"] == [
        {"relation": "repeats", "direction": "out", "id": other.pk, "reference": other.reference}
    ]
    assert body["government_status"] == "implemented"
    assert body["coalition_status"] == "in_progress"
    assert body["has_gap"] is True
    assert body["text_km"] == item.text_km
    back = _as(Client(), world, YOUTH).get(f"{API}/items/{other.pk}").json()
    assert back["links"][0]["direction"] == "in"
    assert _as(Client(), world, YOUTH).get(f"{API}/items/999999").status_code == 404


# Items: writing ---------------------------------------------------------------------------------


def _new_item(into: Source, **extra: Any) -> dict[str, Any]:
    return {
        "source": into.code,
        "reference": "CRC/C/KHM/CO/4-5 §77",
        "kind": "observation",
        "text_en": "Raise the minimum age of criminal responsibility.",
        "text_km": "បង្កើនអាយុអប្បបរមានៃការទទួលខុសត្រូវព្រហ្មទណ្ឌ។",
        **extra,
    }


def test_item_create_with_categories_by_code_or_label(client: Client, world: World) -> None:
    source = make_source(world)
    c = _as(client, world, ANALYST)
    response = _json(
        c,
        "post",
        f"{API}/items",
        _new_item(
            source,
            themes=["Juvenile justice", "data"],
            situations=["1"],
            focal_point=world.user(GFP).email,
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["themes"] == ["child-justice", "data"]
    assert body["situations"] == ["justice"]
    assert body["focal_point"] == world.user(GFP).email
    assert body["source"]["code"] == source.code
    assert Item.objects.get(pk=body["id"]).events.filter(kind="created").exists()


def test_item_create_bad_input_is_422_and_saves_nothing(client: Client, world: World) -> None:
    source = make_source(world)
    existing = make_item(world, source=source)
    before = Item.objects.count()
    c = _as(client, world, ANALYST)
    unknown = _json(
        c,
        "post",
        f"{API}/items",
        _new_item(source, themes=["child-justice", "astrology"], sdg_targets=["99.9"]),
    )
    assert unknown.status_code == 422
    assert _paths(unknown) == {"body.themes", "body.sdg_targets"}
    assert "astrology" in json.dumps(unknown.json())
    duplicate = _json(c, "post", f"{API}/items", _new_item(source, reference=existing.reference))
    assert duplicate.status_code == 422
    assert _paths(duplicate) == {"body.reference"}
    no_source = _json(c, "post", f"{API}/items", _new_item(source, source="nowhere"))
    assert no_source.status_code == 422
    assert _paths(no_source) == {"body.source"}
    bad_person = _json(c, "post", f"{API}/items", _new_item(source, focal_point="x@y.invalid"))
    assert _paths(bad_person) == {"body.focal_point"}
    schema = _json(c, "post", f"{API}/items", {"source": source.pk, "kind": "wish"})
    assert schema.status_code == 422
    assert {"body.kind", "body.reference", "body.text_en"} <= _paths(schema)
    assert Item.objects.count() == before


@pytest.mark.parametrize("role", [MONITOR, GFP, YOUTH, Role.ORG_ADMIN])
def test_item_create_is_forbidden_without_edit(client: Client, world: World, role: str) -> None:
    source = make_source(world)
    response = _json(_as(client, world, role), "post", f"{API}/items", _new_item(source))
    assert response.status_code == 403
    assert not Item.objects.filter(source=source).exists()


def test_item_patch(client: Client, world: World) -> None:
    item = make_item(world, themes=["child-justice"], summary_en="Old")
    c = _as(client, world, ANALYST)
    response = _json(
        c,
        "patch",
        f"{API}/items/{item.pk}",
        {"summary_en": None, "themes": ["data"], "state_response": "supported"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary_en"] == ""
    assert body["themes"] == ["data"]
    assert body["state_response"] == "supported"
    assert body["text_en"] == item.text_en  # not sent, not changed
    bad = _json(c, "patch", f"{API}/items/{item.pk}", {"themes": ["nope"]})
    assert _paths(bad) == {"body.themes"}
    assert list(Item.objects.get(pk=item.pk).themes.values_list("code", flat=True)) == ["data"]


def test_archive_restore_and_publish(client: Client, world: World) -> None:
    item = make_item(world)
    analyst = _as(client, world, ANALYST)
    assert _json(analyst, "post", f"{API}/items/{item.pk}/publish").status_code == 403
    archived = _json(analyst, "post", f"{API}/items/{item.pk}/archive")
    assert archived.status_code == 200
    assert archived.json()["is_archived"] is True
    changed = _json(analyst, "patch", f"{API}/items/{item.pk}", {"paragraph": "9"})
    assert changed.status_code == 422
    sec = _as(Client(), world, SEC)
    refused = _json(sec, "post", f"{API}/items/{item.pk}/publish")
    assert refused.status_code == 422
    assert Item.objects.get(pk=item.pk).is_published is False
    assert _json(analyst, "post", f"{API}/items/{item.pk}/restore").json()["is_archived"] is False
    assert _json(sec, "post", f"{API}/items/{item.pk}/publish").json()["is_published"] is True
    assert _json(sec, "post", f"{API}/items/{item.pk}/unpublish").json()["is_published"] is False


def test_actors_and_links(client: Client, world: World) -> None:
    item, other = make_item(world), make_item(world)
    c = _as(client, world, ANALYST)
    response = _json(
        c,
        "post",
        f"{API}/items/{item.pk}/actors",
        {"organisation": world.org_b.slug, "role": "lead"},
    )
    assert response.status_code == 200
    assert response.json()["actors"][0]["organisation"] == world.org_b.slug
    again = _json(
        c,
        "post",
        f"{API}/items/{item.pk}/actors",
        {"organisation": world.org_b.pk, "role": "supporting"},
    )
    assert [a["role"] for a in again.json()["actors"]] == ["supporting"]
    unknown = _json(
        c, "post", f"{API}/items/{item.pk}/actors", {"organisation": "nobody", "role": "lead"}
    )
    assert _paths(unknown) == {"body.organisation"}
    bad_role = _json(
        c, "post", f"{API}/items/{item.pk}/actors", {"organisation": "nobody", "role": "boss"}
    )
    assert _paths(bad_role) == {"body.role"}
    removed = c.delete(f"{API}/items/{item.pk}/actors/{world.org_b.slug}")
    assert removed.status_code == 200
    assert removed.json()["actors"] == []
    assert c.delete(f"{API}/items/{item.pk}/actors/{world.org_b.slug}").status_code == 404

    linked = _json(
        c,
        "post",
        f"{API}/items/{item.pk}/links",
        {"to_item": other.reference, "kind": "overlaps"},
    )
    assert linked.status_code == 201
    assert linked.json()["links"][0]["reference"] == other.reference
    itself = _json(
        c, "post", f"{API}/items/{item.pk}/links", {"to_item": item.pk, "kind": "repeats"}
    )
    assert _paths(itself) == {"body.to_item"}
    nowhere = _json(
        c, "post", f"{API}/items/{item.pk}/links", {"to_item": "nothing", "kind": "repeats"}
    )
    assert _paths(nowhere) == {"body.to_item"}


def test_history_newest_first(client: Client, world: World) -> None:
    item = make_item(world)
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    body = _as(client, world, YOUTH).get(f"{API}/items/{item.pk}/history").json()
    assert [row["kind"] for row in body["items"]] == ["archived", "created"]
    assert body["items"][0]["label"] == "Archived"


# Actions ----------------------------------------------------------------------------------------


def test_actions_create_list_and_status(client: Client, world: World) -> None:
    item = make_item(world)
    c = _as(client, world, MONITOR)
    response = _json(
        c,
        "post",
        f"{API}/actions",
        {
            "item": item.reference,
            "description": "Train police on diversion",
            "status": "planned",
            "due_on": "2030-01-01",
            "responsible": world.user(MONITOR).email,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == world.org_a.slug
    assert body["responsible"] == world.user(MONITOR).email
    listed = _as(Client(), world, YOUTH).get(f"{API}/actions?item={item.pk}").json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]
    patched = _json(c, "patch", f"{API}/actions/{body['id']}", {"status": "done"})
    assert patched.json()["status"] == "done"
    other = _json(
        _as(Client(), world, None), "patch", f"{API}/actions/{body['id']}", {"status": "dropped"}
    )
    assert other.status_code == 403
    assert Action.objects.get(pk=body["id"]).status == "done"


def test_actions_bad_input(client: Client, world: World) -> None:
    item = make_item(world)
    before = Action.objects.count()
    c = _as(client, world, MONITOR)
    data = {"item": item.pk, "description": "Something", "status": "planned"}
    wrong_org = _json(c, "post", f"{API}/actions", {**data, "organisation": world.org_b.slug})
    assert _paths(wrong_org) == {"body.organisation"}
    outsider = _json(c, "post", f"{API}/actions", {**data, "responsible": world.other_admin.email})
    assert _paths(outsider) == {"body.responsible"}
    backwards = _json(
        c, "post", f"{API}/actions", {**data, "starts_on": "2026-05-01", "due_on": "2026-01-01"}
    )
    assert _paths(backwards) == {"body.due_on"}
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    archived = _json(c, "post", f"{API}/actions", data)
    assert archived.status_code == 422
    assert _paths(archived) == {"body.item"}
    youth = _json(_as(Client(), world, YOUTH), "post", f"{API}/actions", data)
    assert youth.status_code == 403
    assert Action.objects.count() == before


# Assessments ------------------------------------------------------------------------------------


def _new_assessment(on: Item, **extra: Any) -> dict[str, Any]:
    return {
        "item": on.pk,
        "perspective": "coalition",
        "status": "in_progress",
        "assessed_on": _today(1),
        "summary_en": "Some progress",
        **extra,
    }


def test_government_focal_point_records_government_reports_only(
    client: Client, world: World
) -> None:
    item = make_item(world)
    c = _as(client, world, GFP)
    coalition = _json(c, "post", f"{API}/assessments", _new_assessment(item))
    assert coalition.status_code == 422
    assert _paths(coalition) == {"body.perspective"}
    assert not Assessment.objects.filter(item=item).exists()
    government = _json(
        c, "post", f"{API}/assessments", _new_assessment(item, perspective="government")
    )
    assert government.status_code == 201, government.content
    assert government.json()["state"] == "draft"
    assert government.json()["organisation"] == world.org_a.slug


@pytest.mark.parametrize("role", [YOUTH, Role.CASEWORKER])
def test_assessment_create_forbidden_without_assessor_role(
    client: Client, world: World, role: str
) -> None:
    item = make_item(world)
    response = _json(_as(client, world, role), "post", f"{API}/assessments", _new_assessment(item))
    assert response.status_code == 403
    assert not Assessment.objects.filter(item=item).exists()


def test_assessment_bad_input(client: Client, world: World) -> None:
    item = make_item(world)
    c = _as(client, world, MONITOR)
    future = _json(c, "post", f"{API}/assessments", _new_assessment(item, assessed_on=_today(-3)))
    assert _paths(future) == {"body.assessed_on"}
    scale = _json(c, "post", f"{API}/assessments", _new_assessment(item, status="great"))
    assert _paths(scale) == {"body.status"}
    unknown = _json(c, "post", f"{API}/assessments", _new_assessment(item, item="nothing"))
    assert _paths(unknown) == {"body.item"}
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    archived = _json(c, "post", f"{API}/assessments", _new_assessment(item, item=item.reference))
    assert archived.status_code == 422
    assert _paths(archived) == {"body.item"}
    assert "archived" in archived.json()["error"]["fields"][0]["message"]
    assert not Assessment.objects.filter(item=item).exists()


def test_other_organisation_cannot_see_a_draft(client: Client, world: World) -> None:
    item = make_item(world)
    draft = assess(world, item, actor=world.user(MONITOR))
    published = assess(world, item, state="published", status="implemented")
    b = _as(client, world, None)
    listed = b.get(f"{API}/assessments?item={item.pk}").json()
    assert [row["id"] for row in listed["items"]] == [published.pk]
    assert b.get(f"{API}/assessments/{draft.pk}").status_code == 404
    assert (
        _json(b, "patch", f"{API}/assessments/{draft.pk}", {"status": "regressed"}).status_code
        == 404
    )
    assert _json(b, "post", f"{API}/assessments/{draft.pk}/submit").status_code == 404
    assert Assessment.objects.get(pk=draft.pk).status == "in_progress"
    # the recording organisation sees and changes it
    a = _as(Client(), world, Role.ORG_ADMIN)
    assert a.get(f"{API}/assessments/{draft.pk}").status_code == 200
    listed_a = a.get(f"{API}/assessments?item={item.pk}&state=draft").json()
    assert [row["id"] for row in listed_a["items"]] == [draft.pk]


def test_assessment_workflow_and_state_conflicts(client: Client, world: World) -> None:
    item = make_item(world)
    monitor = _as(client, world, MONITOR)
    created = _json(monitor, "post", f"{API}/assessments", _new_assessment(item))
    pk = created.json()["id"]
    path = f"{API}/assessments/{pk}"
    patched = _json(monitor, "patch", path, {"status": "partly_implemented", "summary_km": "ខ"})
    assert patched.status_code == 200
    assert patched.json()["status"] == "partly_implemented"
    assert patched.json()["summary_en"] == "Some progress"
    cleared = _json(monitor, "patch", path, {"summary_en": None, "assessed_on": None})
    assert cleared.json()["summary_en"] == ""
    assert cleared.json()["assessed_on"] == _today(1)
    future = _json(monitor, "patch", path, {"assessed_on": _today(-1)})
    assert _paths(future) == {"body.assessed_on"}
    assert _json(monitor, "post", f"{path}/validate").status_code == 403
    assert _json(monitor, "post", f"{path}/submit").json()["state"] == "submitted"
    late = _json(monitor, "patch", path, {"status": "implemented"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "state_conflict"
    assert _json(monitor, "post", f"{path}/submit").status_code == 409

    analyst = _as(Client(), world, ANALYST)
    assert _json(analyst, "post", f"{path}/publish").status_code == 403
    assert _json(analyst, "post", f"{path}/validate").json()["state"] == "validated"
    assert _json(analyst, "post", f"{path}/validate").status_code == 409
    assert _json(analyst, "post", f"{path}/return").status_code == 409

    sec = _as(Client(), world, SEC)
    published = _json(sec, "post", f"{path}/publish")
    assert published.status_code == 200
    assert published.json()["published_at"]
    assert Item.objects.get(pk=item.pk).coalition_status == "partly_implemented"
    assert _json(sec, "post", f"{path}/publish").status_code == 409
    assert Assessment.objects.get(pk=pk).state == AssessmentState.PUBLISHED


def test_return_sends_back_to_draft(client: Client, world: World) -> None:
    item = make_item(world)
    a = assess(world, item, state="submitted", actor=world.user(MONITOR))
    validator = _as(client, world, ANALYST)
    response = _json(validator, "post", f"{API}/assessments/{a.pk}/return")
    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    draft = assess(world, item, actor=world.user(MONITOR))
    assert _json(validator, "post", f"{API}/assessments/{draft.pk}/validate").status_code == 409


def test_evidence_links_and_tiers(client: Client, world: World) -> None:
    item = make_item(world)
    a = assess(world, item, actor=world.user(MONITOR), state="draft")
    monitor = _as(client, world, MONITOR)
    for tier in ("public", "coalition", "organisation"):
        response = _json(
            monitor,
            "post",
            f"{API}/assessments/{a.pk}/evidence",
            {"title": f"{tier} report", "url": f"https://example.org/{tier}", "tier": tier},
        )
        assert response.status_code == 201, response.content
        assert response.json()["download"] is None
    bad = _json(
        monitor,
        "post",
        f"{API}/assessments/{a.pk}/evidence",
        {"title": "x", "url": "not a link", "tier": "secret"},
    )
    assert _paths(bad) == {"body.tier"}
    bad_url = _json(
        monitor,
        "post",
        f"{API}/assessments/{a.pk}/evidence",
        {"title": "x", "url": "not a link", "tier": "public"},
    )
    assert _paths(bad_url) == {"body.url"}
    assert Evidence.objects.filter(assessment=a).count() == 3
    mine = monitor.get(f"{API}/assessments/{a.pk}").json()["evidence"]
    assert {e["tier"] for e in mine} == {"public", "coalition", "organisation"}

    sec = secretariat(world)
    a = services.assessment_submit(actor=world.user(MONITOR), assessment=a)
    a = services.assessment_validate(actor=sec, assessment=a)
    a = services.assessment_publish(actor=sec, assessment=a)
    theirs = _as(Client(), world, None).get(f"{API}/assessments/{a.pk}").json()["evidence"]
    assert {e["tier"] for e in theirs} == {"public", "coalition"}
    closed = _json(
        monitor,
        "post",
        f"{API}/assessments/{a.pk}/evidence",
        {"title": "late", "url": "https://example.org/late", "tier": "public"},
    )
    assert closed.status_code == 409
    assert Evidence.objects.filter(assessment=a).count() == 3


def test_assessments_list_query_count_does_not_grow(client: Client, world: World) -> None:
    def rows(n: int) -> None:
        for _ in range(n):
            assess(world, make_item(world), state="validated")

    c = _as(client, world, YOUTH)
    rows(2)
    few = query_count(lambda: c.get(f"{API}/assessments"))
    rows(6)
    many = query_count(lambda: c.get(f"{API}/assessments"))
    assert c.get(f"{API}/assessments").json()["count"] == 8
    assert many == few


# OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_documents_the_commitments_api(client: Client, world: World) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/commitments/sources",
        "/api/v1/commitments/sources/{pk}",
        "/api/v1/commitments/items",
        "/api/v1/commitments/items/{pk}",
        "/api/v1/commitments/items/{pk}/archive",
        "/api/v1/commitments/items/{pk}/publish",
        "/api/v1/commitments/items/{pk}/actors",
        "/api/v1/commitments/items/{pk}/history",
        "/api/v1/commitments/actions",
        "/api/v1/commitments/actions/{pk}",
        "/api/v1/commitments/assessments",
        "/api/v1/commitments/assessments/{pk}/validate",
        "/api/v1/commitments/assessments/{pk}/evidence",
    ):
        assert path in paths, path
    validate = paths["/api/v1/commitments/assessments/{pk}/validate"]["post"]
    assert "409" in validate["responses"]
    assert "state_conflict" in validate["description"]
    filters = {p["name"] for p in paths["/api/v1/commitments/items"]["get"]["parameters"]}
    assert {"source", "theme", "situation", "actor", "status", "perspective", "gap"} <= filters
