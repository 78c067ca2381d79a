"""CSV exports (UTF-8 with a byte-order mark): events with participant counts by group, and the
published feedback themes exactly as the public page shows them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.test import Client

from komar.accounts.roles import Role
from komar.participation import services
from tests.conftest import World, login, query_count
from tests.participation.helpers import accept, make_event, make_feedback, secretariat

DAY = dt.date(2024, 2, 10)


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_events_export_has_counts_by_group(client: Client, world: World) -> None:
    event = make_event(world, title_km="ការពិគ្រោះយោបល់", organisers=[world.org_a, world.org_b])
    services.participants_set(
        actor=secretariat(world), event=event, groups={"children": 40, "youth": None}
    )
    services.request_save(
        actor=secretariat(world), event=event, data={"number": 1, "text_en": "Hear us"}, items=[]
    )
    rows = {r["id"]: r for r in _rows(client.get("/events/export.csv"))}
    row = rows[str(event.pk)]
    assert row["title_km"] == "ការពិគ្រោះយោបល់"
    assert row["participants_children"] == "40" and row["participants_youth"] == "?"
    assert row["participants_government"] == "" and row["participants_public"] == ""
    assert row["children_requests"] == "1" and row["is_public"] == "yes"
    assert row["organisers_en"] == f"{world.org_a.name_en}; {world.org_b.name_en}" or (
        row["organisers_en"] == f"{world.org_b.name_en}; {world.org_a.name_en}"
    )
    assert world.org_a.name_km in row["organisers_km"]


def test_unlisted_events_only_for_their_organisers(client: Client, world: World) -> None:
    unlisted = make_event(world, title_en="Closed meeting", is_public=False)
    public = make_event(world, title_en="Open meeting")

    def ids(c: Client) -> set[str]:
        return {r["id"] for r in _rows(c.get("/events/export.csv"))}

    assert str(public.pk) in ids(client) and str(unlisted.pk) not in ids(client)
    assert str(unlisted.pk) not in ids(login(Client(), world.user(Role.MONITOR)))
    assert str(unlisted.pk) not in ids(login(Client(), world.other_admin))
    assert str(unlisted.pk) in ids(login(Client(), world.user(Role.YOUTH_MEMBER)))


def test_events_export_query_count_does_not_grow(client: Client, world: World) -> None:
    def rows(n: int) -> None:
        for i in range(n):
            e = make_event(world, title_en=f"Event {i}")
            services.participants_set(actor=secretariat(world), event=e, groups={"children": i})

    rows(2)
    few = query_count(lambda: client.get("/events/export.csv"))
    rows(5)
    assert query_count(lambda: client.get("/events/export.csv")) == few


def _messages(world: World, n: int, code: str, day: dt.date = DAY) -> None:
    for _ in range(n):
        accept(world, make_feedback(worries="my school", change="", received_on=day), code)


def test_themes_export_shows_the_suppressed_numbers_exactly(
    client: Client, world: World, settings: Any
) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    _messages(world, 15, "education")
    _messages(world, 3, "health")
    _messages(world, 12, "violence")
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    _messages(world, 11, "health", day=dt.date(2024, 5, 2))  # Q2: not published
    response = client.get("/voices/themes/export.csv")
    text = response.content.decode("utf-8")
    assert "school" not in text
    rows = _rows(response)
    assert {(r["year"], r["quarter"]) for r in rows} == {("2024", "1")}
    themes = {r["code"]: r for r in rows if r["table"] == "themes"}
    assert themes["health"]["value"] == "" and themes["health"]["shown"] == "fewer than 10"
    assert themes["health"]["hidden"] == "small"
    assert themes["education"]["value"] == themes["education"]["shown"] == "15"
    stored = {c["code"]: c["value"] for c in pub.tables["themes"]}
    for code, row in themes.items():
        assert row["value"] == ("" if stored[code] is None else str(stored[code]))
        if row["value"] == "":
            assert row["shown"] in ("fewer than 10", "–")
    assert not any(r["value"] == "3" for r in rows)
    page = client.get("/voices/themes/").content.decode()
    assert "fewer than 10" in page  # the same words as the page


def test_themes_export_in_khmer_uses_khmer_labels(
    client: Client, world: World, settings: Any
) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    _messages(world, 12, "education")
    services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    km = Client(headers={"accept-language": "km"})
    rows = _rows(km.get("/voices/themes/export.csv"))
    education = next(r for r in rows if r["table"] == "themes" and r["code"] == "education")
    from komar.participation.models import FeedbackTheme

    assert education["label"] == FeedbackTheme.objects.get(code="education").name_km
