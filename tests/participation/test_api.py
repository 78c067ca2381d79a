"""The participation API: events as the web shows them (public ones for every member, unlisted
ones for their organisers), writes per the service rules, and published feedback themes that
never expose a hidden cell, a message or an unpublished quarter."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.participation import services
from komar.participation.models import ChildRequest, Event
from tests.commitments.helpers import make_item
from tests.conftest import World, login, query_count
from tests.participation.helpers import accept, make_event, make_feedback, secretariat

API = "/api/v1/events"
THEMES = "/api/v1/feedback-themes"
SEC = Role.SECRETARIAT_ADMIN
ORG_ADMIN = Role.ORG_ADMIN
YOUTH = Role.YOUTH_MEMBER
MONITOR = Role.MONITOR
DAY = dt.date(2024, 2, 10)  # 2024 Q1


def _json(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json")


def _paths(response: Any) -> set[str]:
    return {f["path"] for f in response.json()["error"]["fields"]}


def _as(client: Client, world: World, role: str | None) -> Client:
    return login(client, world.other_admin if role is None else world.user(role))


def _ids(response: Any) -> set[int]:
    return {row["id"] for row in response.json()["items"]}


# Authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", API),
        ("get", f"{API}/1"),
        ("post", API),
        ("patch", f"{API}/1"),
        ("put", f"{API}/1/participants"),
        ("post", f"{API}/1/requests"),
        ("get", THEMES),
        ("get", f"{THEMES}/2024/1"),
    ],
)
def test_anonymous_callers_get_401(client: Client, world: World, method: str, path: str) -> None:
    response = client.get(path) if method == "get" else _json(client, method, path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# Events: reading --------------------------------------------------------------------------------


def test_unlisted_events_are_for_their_organisers_and_the_secretariat(
    client: Client, world: World
) -> None:
    public = make_event(world, title_en="Open consultation")
    unlisted = make_event(world, title_en="Closed meeting", is_public=False)
    for role in (SEC, ORG_ADMIN, YOUTH):  # events.edit in organisation A, the organiser
        c = _as(Client(), world, role)
        assert {public.pk, unlisted.pk} <= _ids(c.get(API)), role
        assert c.get(f"{API}/{unlisted.pk}").status_code == 200
    for role in (MONITOR, None):  # no events.edit in A / another organisation
        c = _as(Client(), world, role)
        seen = _ids(c.get(API))
        assert public.pk in seen and unlisted.pk not in seen, role
        assert c.get(f"{API}/{unlisted.pk}").status_code == 404
    assert _as(client, world, MONITOR).get(f"{API}/999999").json()["error"]["code"] == "not_found"


def test_an_event_with_counts_by_group_and_the_childrens_requests(
    client: Client, world: World
) -> None:
    event = make_event(world)
    services.participants_set(
        actor=secretariat(world), event=event, groups={"youth": None, "children": 40}
    )
    item = make_item(world, reference="CRC/C/KHM/CO/2-3 para 70")
    services.request_save(
        actor=secretariat(world),
        event=event,
        data={"number": 1, "text_en": "Stop detaining children", "text_km": "ឈប់ឃុំខ្លួនកុមារ"},
        items=[item],
    )
    c = _as(client, world, MONITOR)
    body = c.get(f"{API}/{event.pk}").json()
    assert body["participants"] == [
        {"group": "children", "count": 40},
        {"group": "youth", "count": None},
    ]
    assert body["request_count"] == 1
    [req] = body["requests"]
    assert req["text_km"] == "ឈប់ឃុំខ្លួនកុមារ"
    assert req["items"] == [{"id": item.pk, "reference": item.reference}]
    assert body["can_edit"] is False
    assert [o["slug"] for o in body["organisers"]] == [world.org_a.slug]
    row = next(r for r in c.get(API).json()["items"] if r["id"] == event.pk)
    assert row["participants"] == body["participants"] and row["request_count"] == 1


def test_the_event_list_query_count_does_not_grow(client: Client, world: World) -> None:
    def rows(n: int) -> None:
        for i in range(n):
            e = make_event(world, title_en=f"Event {i}", organisers=[world.org_a, world.org_b])
            services.participants_set(
                actor=secretariat(world), event=e, groups={"children": i, "public": None}
            )

    c = _as(client, world, YOUTH)
    rows(2)
    few = query_count(lambda: c.get(API))
    rows(6)
    many = query_count(lambda: c.get(API))
    assert many == few


# Events: writing --------------------------------------------------------------------------------


def _new(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "title_en": "Consultation in Battambang",
        "title_km": "ការពិគ្រោះយោបល់នៅបាត់ដំបង",
        "starts_on": "2025-06-01",
        "format": "in_person",
        "organisers": [world.org_a.slug],
        **overrides,
    }


def test_a_youth_member_records_an_event_of_their_organisation(
    client: Client, world: World
) -> None:
    c = _as(client, world, YOUTH)
    response = _json(c, "post", API, _new(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["can_edit"] is True and body["is_public"] is True
    pk = body["id"]
    patched = _json(c, "patch", f"{API}/{pk}", {"place_en": "Battambang", "ends_on": "2025-06-02"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["title_en"] == "Consultation in Battambang"  # untouched
    assert Event.objects.get(pk=pk).place_en == "Battambang"
    counts = _json(c, "put", f"{API}/{pk}/participants", {"children": 25, "government": None})
    assert counts.json()["participants"] == [
        {"group": "children", "count": 25},
        {"group": "government", "count": None},
    ]


def test_events_are_refused_without_the_permission_or_for_another_organisation(
    client: Client, world: World
) -> None:
    before = Event.objects.count()
    assert _json(_as(client, world, MONITOR), "post", API, _new(world)).status_code == 403
    other = _as(Client(), world, None)
    response = _json(other, "post", API, _new(world))  # org B records in org A's name
    assert response.status_code == 422
    assert _paths(response) == {"body.organisers"}
    assert Event.objects.count() == before
    event = make_event(world)
    assert _json(other, "patch", f"{API}/{event.pk}", {"title_en": "Ours"}).status_code == 403
    assert _json(other, "put", f"{API}/{event.pk}/participants", {"children": 1}).status_code == 403
    assert Event.objects.get(pk=event.pk).title_en != "Ours"
    assert not event.participants.exists()


def test_bad_events_are_422_with_field_paths_and_nothing_saved(
    client: Client, world: World
) -> None:
    before = Event.objects.count()
    c = _as(client, world, ORG_ADMIN)
    response = _json(c, "post", API, {"format": "by pigeon", "title_en": "x" * 301})
    assert response.status_code == 422
    assert {"body.format", "body.title_en", "body.starts_on", "body.organisers"} <= _paths(response)
    backwards = _json(c, "post", API, _new(world, ends_on="2025-05-01"))
    assert _paths(backwards) == {"body.ends_on"}
    untitled = _json(c, "post", API, _new(world, title_en="", title_km=""))
    assert _paths(untitled) == {"body.title_en"}
    unknown = _json(c, "post", API, _new(world, organisers=["nowhere"]))
    assert _paths(unknown) == {"body.organisers"}
    assert Event.objects.count() == before
    event = make_event(world)
    negative = _json(c, "put", f"{API}/{event.pk}/participants", {"children": -1})
    assert _paths(negative) == {"body.children"}
    assert not event.participants.exists()


def test_childrens_requests_are_recorded_and_linked_to_the_tracker(
    client: Client, world: World
) -> None:
    event = make_event(world)
    item = make_item(world, reference="UPR 4 para 9")
    c = _as(client, world, ORG_ADMIN)
    path = f"{API}/{event.pk}/requests"
    created = _json(c, "post", path, {"number": 1, "text_km": "ស្តាប់យើង", "items": [item.reference]})
    assert created.status_code == 201, created.content
    [req] = created.json()["requests"]
    assert req["items"] == [{"id": item.pk, "reference": item.reference}]
    again = _json(c, "post", path, {"number": 1, "text_en": "Again"})
    assert again.status_code == 422 and _paths(again) == {"body.number"}
    empty = _json(c, "post", path, {"number": 2})
    assert empty.status_code == 422 and _paths(empty) == {"body.text_km"}
    unknown = _json(c, "post", path, {"number": 3, "text_en": "x", "items": ["NOPE/1"]})
    assert unknown.status_code == 422 and _paths(unknown) == {"body.items"}
    assert event.requests.count() == 1
    patched = _json(c, "patch", f"{path}/{req['id']}", {"text_en": "Listen to us", "items": []})
    assert patched.status_code == 200, patched.content
    [req] = patched.json()["requests"]
    assert req["text_km"] == "ស្តាប់យើង" and req["text_en"] == "Listen to us"
    assert req["items"] == []
    assert ChildRequest.objects.get(pk=req["id"]).items.count() == 0
    other_event = make_event(world, title_en="Another")
    assert _json(c, "patch", f"{API}/{other_event.pk}/requests/{req['id']}", {}).status_code == 404


# Published themes -------------------------------------------------------------------------------


def _messages(world: World, n: int, *codes: str, day: dt.date = DAY) -> None:
    for _ in range(n):
        accept(world, make_feedback(worries="school", change="", received_on=day), *codes)


def test_published_themes_never_expose_a_hidden_cell(
    client: Client, world: World, settings: Any
) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    _messages(world, 15, "education")
    _messages(world, 3, "health")
    _messages(world, 12, "violence")
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    _messages(world, 4, "health", day=dt.date(2024, 5, 1))  # Q2: not published
    c = _as(client, world, YOUTH)
    periods = c.get(THEMES).json()
    assert [(p["year"], p["quarter"]) for p in periods["items"]] == [(2024, 1)]
    assert c.get(f"{THEMES}/2024/2").status_code == 404
    body = c.get(f"{THEMES}/2024/1").json()
    cells = {row["code"]: row for row in body["themes"]}
    assert cells["health"] == {
        "code": "health",
        "label": cells["health"]["label"],
        "value": None,
        "hidden": "small",
        "shown": "fewer than 10",
    }
    assert cells["education"]["value"] == 15 and cells["education"]["shown"] == "15"
    stored = {r["code"]: r["value"] for r in pub.tables["themes"]}
    for code, row in cells.items():
        assert row["value"] == stored[code]  # exactly what was published, nothing more
        if row["value"] is None:
            assert row["hidden"] in ("small", "secondary") and row["shown"] != ""
    hidden = [r for r in cells.values() if r["value"] is None]
    assert len(hidden) >= 2 or body["themes_total"]["value"] is None
    text = json.dumps(body)
    assert "school" not in text  # never a message
    values = [r["value"] for r in body["themes"]] + [body["themes_total"]["value"]]
    values += [r["value"] for r in (body["age_bands"] or []) + (body["provinces"] or [])]
    assert 3 not in values and 4 not in values  # the small count, and Q2's
    assert body["messages"] == 30  # every breakdown cell survives: no small count among them


def test_themes_list_query_count_does_not_grow(client: Client, world: World, settings: Any) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    c = _as(client, world, YOUTH)
    for quarter in (1, 2, 3, 4):
        _messages(world, 1, "education", day=dt.date(2023, 3 * quarter, 1))
    for quarter in (1, 2):
        services.themes_publish(actor=secretariat(world), year=2023, quarter=quarter)
    few = query_count(lambda: c.get(THEMES))
    for quarter in (3, 4):
        services.themes_publish(actor=secretariat(world), year=2023, quarter=quarter)
    many = query_count(lambda: c.get(THEMES))
    assert c.get(THEMES).json()["count"] == 4
    assert many == few


# OpenAPI ----------------------------------------------------------------------------------------


def test_openapi_documents_the_participation_api(client: Client, world: World) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/events",
        "/api/v1/events/{pk}",
        "/api/v1/events/{pk}/participants",
        "/api/v1/events/{pk}/requests",
        "/api/v1/events/{pk}/requests/{rid}",
        "/api/v1/feedback-themes",
        "/api/v1/feedback-themes/{year}/{quarter}",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/events"])
    assert {"get", "patch"} <= set(paths["/api/v1/events/{pk}"])
