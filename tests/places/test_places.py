import json
from typing import Any

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.geo.models import Province
from komar.places.models import Place, PlaceType, Situation
from tests.conftest import World, login, query_count

pytestmark = pytest.mark.django_db


def _place(
    code: str, type_code: str = "police_station", province: str = "17", **extra: Any
) -> Place:
    return Place.objects.create(
        code=code,
        name_en=f"Place {code}",
        name_km=f"កន្លែង {code}",
        place_type=PlaceType.objects.get(code=type_code),
        province=Province.objects.get(code=province),
        **extra,
    )


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "kh-new",
        "name_en": "New Centre",
        "name_km": "មជ្ឈមណ្ឌលថ្មី",
        "place_type": PlaceType.objects.get(code="social_affairs_centre").pk,
        "province": Province.objects.get(code="02").pk,
        "operator": "state",
    }
    data.update(overrides)
    return data


def test_only_confirmed_places_are_preloaded_with_sources() -> None:
    places = {p.code: p for p in Place.objects.all()}
    assert set(places) == {"kh-cc1", "kh-cc2", "kh-cc3", "kh-cc4", "kh-yrc"}
    assert places["kh-cc3"].province.code == "25"
    assert places["kh-cc4"].province.code == "15"
    assert places["kh-yrc"].province.code == "08"
    assert places["kh-yrc"].place_type.code == "youth_rehabilitation_centre"
    assert all(p.source and p.name_km for p in places.values())
    assert all(p.situation.code == "justice" for p in places.values())


def test_situation_comes_from_the_type_unless_overridden() -> None:
    care = _place("kh-care", "residential_care_institution")
    assert care.situation.code == "institutions"
    care.situation_override = Situation.objects.get(code="with_caregivers")
    assert care.situation.code == "with_caregivers"


def test_filters_by_type_situation_province_status_and_khmer_search(
    client: Client, world: World
) -> None:
    _place("kh-a", "immigration_detention", "12")
    _place("kh-b", "residential_care_institution", "12",
           situation_override=Situation.objects.get(code="migration"))  # fmt: skip
    _place("kh-c", "immigration_detention", "02", closed_on="2020-01-01")
    login(client, world.user(Role.ANALYST))

    def codes(**params: str) -> list[str]:
        return sorted(p.code for p in client.get("/places/", params).context["page"].object_list)

    assert codes(situation="migration") == ["kh-a", "kh-b", "kh-c"]
    assert codes(situation="migration", province="12") == ["kh-a", "kh-b"]
    assert codes(place_type="immigration_detention", status="open") == ["kh-a"]
    assert codes(status="closed") == ["kh-c"]
    assert codes(q="ព្រៃស") == ["kh-cc1", "kh-cc2"]
    assert codes(q="Prey Sar") == ["kh-cc1", "kh-cc2"]


def test_place_list_query_count_does_not_grow(client: Client, world: World) -> None:
    login(client, world.user(Role.MONITOR))
    baseline = query_count(lambda: client.get("/places/"))
    for i in range(30):
        _place(
            f"kh-many-{i}",
            "prison" if i % 2 else "residential_care_institution",
            f"{i % 25 + 1:02d}",
        )
    assert query_count(lambda: client.get("/places/")) == baseline
    assert query_count(lambda: client.get("/api/v1/places")) <= baseline


def test_monitor_adds_a_place_and_the_change_is_audited(client: Client, world: World) -> None:
    monitor = world.user(Role.MONITOR)
    login(client, monitor)
    response = client.post("/places/new/", _form(capacity="120", has_child_section="true"))
    assert response.status_code == 302 and response["Location"] == "/places/kh-new/"
    place = Place.objects.get(code="kh-new")
    assert (place.capacity, place.has_child_section, place.admits_children_with_caregiver) == (
        120,
        True,
        None,
    )
    event = AuditEvent.objects.get(action="place.create")
    assert event.actor == monitor and event.changes["capacity"] == {"old": None, "new": 120}


def test_edits_keep_a_history_shown_on_the_profile(client: Client, world: World) -> None:
    login(client, world.user(Role.GOVERNMENT_FOCAL_POINT))
    cc2 = Place.objects.get(code="kh-cc2")
    data = _form(code="kh-cc2", name_en=cc2.name_en, name_km=cc2.name_km,
                 place_type=cc2.place_type_id, province=cc2.province_id, capacity="900",
                 authority_en=cc2.authority_en, authority_km=cc2.authority_km,
                 note_en=cc2.note_en, note_km=cc2.note_km, source=cc2.source)  # fmt: skip
    assert client.post("/places/kh-cc2/edit/", data).status_code == 302
    event = AuditEvent.objects.get(action="place.update")
    assert event.changes == {"capacity": {"old": None, "new": 900}}
    page = client.get("/places/kh-cc2/")
    assert b"History of changes" in page.content and b"900" in page.content


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"district_code": "0801"}, "district_code"),  # province is 02
        ({"district_code": "12ab"}, "district_code"),
        ({"opened_on": "2020-05-01", "closed_on": "2019-01-01"}, "closed_on"),
        ({"place_type": "other"}, "situation_override"),
        ({"latitude": "11.5"}, "longitude"),
        ({"latitude": "123"}, "latitude"),
        ({"capacity": "-3"}, "capacity"),
        ({"code": "kh-cc1"}, "code"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_bad_input_gives_a_field_error_and_saves_nothing(
    client: Client, world: World, overrides: dict[str, Any], field: str
) -> None:
    if overrides.get("place_type") == "other":
        overrides["place_type"] = PlaceType.objects.get(code="other").pk
    login(client, world.user(Role.MONITOR))
    before = Place.objects.count()
    response = client.post("/places/new/", _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Place.objects.count() == before
    assert not AuditEvent.objects.filter(action="place.create").exists()


def test_api_creates_places_and_reports_field_paths(client: Client, world: World) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    payload = {"code": "kh-api", "name_en": "API Centre", "name_km": "មជ្ឈមណ្ឌល",
               "place_type": "other", "situation": "national_security", "province": "12"}  # fmt: skip
    created = client.post("/api/v1/places", json.dumps(payload), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["situation"] == "national_security"
    bad = client.post(
        "/api/v1/places",
        json.dumps({**payload, "code": "Bad Code!", "capacity": -1}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {"body.code", "body.capacity"} <= {f["path"] for f in bad.json()["error"]["fields"]}
    unknown = client.post(
        "/api/v1/places",
        json.dumps({**payload, "code": "kh-x", "place_type": "castle"}),
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["path"] == "body.place_type"
    assert not Place.objects.filter(code="kh-x").exists()
    patched = client.patch(
        "/api/v1/places/kh-api", json.dumps({"capacity": 40}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["capacity"] == 40
    listed = client.get("/api/v1/places", {"situation": "national_security"}).json()
    assert [p["code"] for p in listed["items"]] == ["kh-api"]


def test_profile_shows_latest_count_occupancy_and_trend(client: Client, world: World) -> None:
    from tests.statistics.test_indicator_values import _return

    cc2 = Place.objects.get(code="kh-cc2")
    cc2.capacity = 40
    cc2.save()
    _return(cc2, "2026-03-31", "validated", 30, {})
    _return(cc2, "2026-06-30", "published", 50, {})
    _return(cc2, "2026-09-30", "draft", 99, {})  # not counted until validated
    login(client, world.user(Role.YOUTH_MEMBER))
    page = client.get("/places/kh-cc2/")
    body = page.content.decode()
    assert "Children held here" in body
    assert "125%" in body  # 50 of a capacity of 40
    assert (
        "2026-03-31" in body and "99" not in body.split("Children held here")[1].split("History")[0]
    )
    baseline = query_count(lambda: client.get("/places/kh-cc2/"))
    for month in range(1, 13):
        _return(cc2, f"2025-{month:02d}-28", "published", month, {})
    assert query_count(lambda: client.get("/places/kh-cc2/")) == baseline
