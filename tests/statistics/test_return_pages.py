import datetime as dt

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.places.models import Place
from komar.statistics.models import CountReturn, ReturnStatus
from tests.conftest import World, login, query_count

pytestmark = pytest.mark.django_db


def _create(client: Client, place: str = "kh-cc2", day: str = "2026-06-30") -> CountReturn:
    response = client.post(
        "/statistics/returns/new/",
        {"place": Place.objects.get(code=place).pk, "reference_date": day,
         "period_start": "2026-01-01", "period_end": day},
    )  # fmt: skip
    assert response.status_code == 302, response.content[:500]
    return CountReturn.objects.get(place__code=place, reference_date=day)


def test_a_monitor_enters_a_return_and_a_second_person_validates_it(world: World) -> None:
    monitor = login(Client(headers={"accept-language": "en"}), world.user(Role.MONITOR))
    ret = _create(monitor)
    edit = f"/statistics/returns/{ret.pk}/edit/"
    bad = monitor.post(edit, {"total_held": "5", "c__held__male__16_17__pre_trial": "3"})
    assert bad.status_code == 200
    assert "adds up to 3" in bad.context["form"].errors["total_held"][0]
    negative = monitor.post(edit, {"total_held": "3", "c__held__male__16_17__pre_trial": "-3"})
    assert "c__held__male__16_17__pre_trial" in negative.context["form"].errors
    ret.refresh_from_db()
    assert ret.total_held is None
    good = monitor.post(edit, {"total_held": "3", "c__held__male__16_17__pre_trial": "3",
                               "c__admissions": "5"})  # fmt: skip
    assert good.status_code == 302
    page = monitor.get(f"/statistics/returns/{ret.pk}/")
    assert b"Submit for validation" in page.content and b"Admissions" in page.content
    monitor.post(f"/statistics/returns/{ret.pk}/submit/")
    assert monitor.post(f"/statistics/returns/{ret.pk}/validate/").status_code == 403
    analyst = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    analyst.post(f"/statistics/returns/{ret.pk}/validate/")
    secretariat = login(
        Client(headers={"accept-language": "en"}), world.user(Role.SECRETARIAT_ADMIN)
    )
    secretariat.post(f"/statistics/returns/{ret.pk}/publish/")
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.PUBLISHED
    locked = monitor.get(f"/statistics/returns/{ret.pk}/edit/")
    assert locked.status_code == 302
    revised = monitor.post(f"/statistics/returns/{ret.pk}/revise/")
    new = CountReturn.objects.get(supersedes=ret)
    assert revised["Location"] == f"/statistics/returns/{new.pk}/"


def test_over_capacity_warns_but_saves(world: World) -> None:
    Place.objects.filter(code="kh-cc2").update(capacity=2)
    monitor = login(Client(headers={"accept-language": "en"}), world.user(Role.MONITOR))
    ret = _create(monitor)
    response = monitor.post(f"/statistics/returns/{ret.pk}/edit/", {"total_held": "5"}, follow=True)
    assert b"official capacity" in response.content
    ret.refresh_from_db()
    assert ret.total_held == 5


def test_the_same_place_and_date_twice_is_a_field_error(world: World) -> None:
    monitor = login(Client(headers={"accept-language": "en"}), world.user(Role.MONITOR))
    _create(monitor)
    again = monitor.post(
        "/statistics/returns/new/",
        {"place": Place.objects.get(code="kh-cc2").pk, "reference_date": "2026-06-30",
         "period_start": "2026-01-01", "period_end": "2026-06-30"},
    )  # fmt: skip
    assert again.status_code == 200
    assert "reference_date" in again.context["form"].errors
    assert CountReturn.objects.count() == 1


def test_return_list_query_count_does_not_grow(client: Client, world: World) -> None:
    login(client, world.user(Role.ANALYST))
    monitor = world.user(Role.MONITOR)
    place = Place.objects.get(code="kh-cc1")

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            day = dt.date(2020, 1, 1) + dt.timedelta(days=i)
            CountReturn.objects.create(place=place, reference_date=day, period_start=day,
                                       period_end=day, total_held=i, created_by=monitor)  # fmt: skip

    add(3, 0)
    baseline = query_count(lambda: client.get("/statistics/returns/"))
    add(40, 10)
    assert query_count(lambda: client.get("/statistics/returns/")) == baseline
    khmer = Client(headers={"accept-language": "km"})
    login(khmer, world.user(Role.ANALYST))
    assert "របាយការណ៍ចំនួន".encode() in khmer.get("/statistics/returns/").content


def test_api_enters_and_moves_a_return_through_the_workflow(world: World) -> None:
    import json

    monitor = login(Client(), world.user(Role.MONITOR))
    payload = {
        "place": "kh-yrc", "reference_date": "2026-06-30", "period_start": "2026-01-01",
        "period_end": "2026-06-30", "total_held": 5,
        "cells": [{"measure": "held", "sex": "male", "age_band": "16_17",
                   "legal_status": "sentenced", "value": 5}],
    }  # fmt: skip
    created = monitor.post("/api/v1/returns", json.dumps(payload), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["cells"][0]["value"] == 5
    bad = monitor.put(
        f"/api/v1/returns/{body['id']}/numbers",
        json.dumps({"total_held": 6, "cells": payload["cells"]}), content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["path"] == "body.total_held"
    negative = monitor.put(
        f"/api/v1/returns/{body['id']}/numbers",
        json.dumps({"cells": [{**payload["cells"][0], "value": -1}]}), content_type="application/json",
    )  # fmt: skip
    assert negative.status_code == 422
    assert negative.json()["error"]["fields"][0]["path"] == "body.cells.0.value"
    submitted = monitor.post(f"/api/v1/returns/{body['id']}/submit")
    assert submitted.json()["status"] == "submitted"
    refused = monitor.post(f"/api/v1/returns/{body['id']}/validate")
    assert refused.status_code == 403
    analyst = login(Client(), world.user(Role.ANALYST))
    assert analyst.post(f"/api/v1/returns/{body['id']}/validate").json()["status"] == "validated"
    unknown = analyst.post(f"/api/v1/returns/{body['id']}/explode")
    assert unknown.status_code == 422
    listed = analyst.get("/api/v1/returns", {"status": "validated"}).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
