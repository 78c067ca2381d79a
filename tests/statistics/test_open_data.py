import csv
import io

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.places.models import Place
from tests.conftest import World, login
from tests.statistics.test_indicator_values import _return

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: World) -> None:
    h = "held"
    _return(Place.objects.get(code="kh-cc2"), "2026-06-30", "published", 82,
            {(h, "male", "16_17", "pre_trial"): 52, (h, "female", "14_15", "sentenced"): 30,
             ("not_separated", "", "", ""): 3})  # fmt: skip
    _return(Place.objects.get(code="kh-yrc"), "2026-06-30", "published", 60,
            {("not_separated", "", "", ""): 20})  # fmt: skip
    _return(Place.objects.get(code="kh-cc3"), "2026-06-30", "published", 7, {})
    _return(Place.objects.get(code="kh-cc4"), "2026-06-30", "validated", 40, {})


def test_registry_is_public(client: Client) -> None:
    codes = [i["code"] for i in client.get("/api/v1/indicators").json()]
    assert {"jj2", "jj3", "jj6", "jj7", "jj8"} <= set(codes)


def test_public_values_hide_small_counts_and_what_reveals_them(data: None) -> None:
    body = (
        Client()
        .get("/api/v1/indicators/held_by_situation", {"year": 2026, "by": "province"})
        .json()
    )
    assert body["audience"] == "public" and body["disclosure_threshold"] == 10
    values = {v["province"]: v for v in body["values"] if v["province"]}
    assert values["25"]["suppressed"] and values["25"]["value"] is None  # 7 children
    for v in body["values"]:
        assert v["value"] is None or v["value"] == 0 or v["value"] >= 10
    # jj7: CC2's 3 children not separated is small, so its share is hidden too.
    jj7 = Client().get("/api/v1/indicators/jj7", {"year": 2026, "by": "province"}).json()
    assert {v["province"]: v["suppressed"] for v in jj7["values"] if v["province"]}["12"]


def test_partners_get_validated_returns_and_threshold_five(world: World, data: None) -> None:
    client = login(Client(), world.user(Role.ANALYST))
    body = client.get(
        "/api/v1/indicators/held_by_situation", {"year": 2026, "by": "province"}
    ).json()
    assert body["audience"] == "partners" and body["disclosure_threshold"] == 5
    values = {v["province"]: v["value"] for v in body["values"] if v["province"]}
    assert values["25"] == 7 and values["15"] == 40


def test_sdmx_csv_flags_confidential_observations(data: None) -> None:
    response = Client().get("/api/v1/indicators/held_by_situation/sdmx.csv",
                            {"year": 2026, "by": "province"})  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    tbk = next(r for r in rows if r["REF_AREA"] == "KH-25")
    assert (tbk["OBS_VALUE"], tbk["CONF_STATUS"]) == ("", "C")
    assert all(r["CONF_STATUS"] in {"C", "F"} for r in rows)
    assert any(r["REF_AREA"] == "KH" for r in rows)


def test_bad_queries_get_field_errors(data: None) -> None:
    client = Client()
    too_many = client.get(
        "/api/v1/indicators/jj2", {"year": 2026, "by": ["province", "situation", "sex"]}
    )
    assert too_many.status_code == 422
    assert client.get("/api/v1/indicators/jj2").status_code == 422  # year is required
    assert client.get("/api/v1/indicators/nope", {"year": 2026}).status_code == 404
    repeated = client.get("/api/v1/indicators/jj2", {"year": 2026, "by": ["sex", "sex"]})
    assert repeated.status_code == 422
