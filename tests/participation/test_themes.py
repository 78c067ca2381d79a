"""Published themes: suppressed counts by quarter; only published quarters are public."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from komar.accounts.roles import Role
from komar.geo.models import Province
from komar.participation import services, themes
from komar.participation.models import ThemePublication
from komar.participation.selectors import published_themes
from tests.conftest import World, login
from tests.participation.helpers import accept, make_feedback, secretariat

pytestmark = pytest.mark.django_db

DAY = dt.date(2024, 2, 10)  # 2024 Q1


def _messages(world: World, n: int, *codes: str, day: dt.date = DAY, **kw: Any) -> None:
    for _ in range(n):
        accept(world, make_feedback(worries="school", change="", received_on=day, **kw), *codes)


def _cells(pub: ThemePublication) -> dict[str, Any]:
    return {c["code"]: c for c in pub.tables["themes"]}


def test_small_counts_show_as_fewer_than_and_cannot_be_worked_out(
    world: World, settings: Any
) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    _messages(world, 15, "education")
    _messages(world, 3, "health")
    _messages(world, 12, "violence")
    make_feedback(received_on=DAY)  # not accepted: not counted
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    cells = _cells(pub)
    assert cells["health"] == {"code": "health", "value": None, "small": True}
    assert cells["police"]["value"] == 0  # zeros are shown
    hidden = [c for c in cells.values() if c["value"] is None]
    total = pub.tables["themes_total"]
    # Secondary suppression: with the total shown, one hidden cell alone could be subtracted.
    assert total["value"] is None or len(hidden) >= 2
    assert all(c["value"] is None or c["value"] == 0 or c["value"] >= 10 for c in cells.values())
    shown = sum(c["value"] or 0 for c in cells.values())
    if total["value"] is not None:
        assert total["value"] - shown >= 3  # what is hidden is not one small number alone
    raw = themes.raw_counts(2024, 1)["themes"]
    assert raw == {"education": 15, "health": 3, "violence": 12}
    assert "3" not in str([c["value"] for c in cells.values()])


def test_breakdowns_only_when_every_cell_survives(world: World, settings: Any) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    kampot = Province.objects.get(code="07")
    _messages(world, 12, "education", age_band="15_17", province=kampot)
    _messages(world, 11, "violence", age_band="12_14", province=kampot)
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    ages = {c["code"]: c["value"] for c in pub.tables["age_bands"]}
    assert ages == {"under_12": 0, "12_14": 11, "15_17": 12, "18_24": 0, "": 0}
    assert pub.tables["provinces"] == [{"code": "07", "value": 23}]
    assert pub.tables["messages"] == 23
    services.themes_withdraw(actor=secretariat(world), publication=pub)
    _messages(world, 2, "education", age_band="under_12")  # a small cell in both breakdowns
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    assert pub.tables["age_bands"] is None and pub.tables["provinces"] is None
    assert pub.tables["messages"] is None


def test_public_page_shows_only_published_quarters(
    client: Any, world: World, settings: Any
) -> None:
    settings.KOMAR_PUBLIC_THRESHOLD = 10
    _messages(world, 12, "family-contact")
    _messages(world, 4, "police")
    _messages(world, 11, "health", day=dt.date(2024, 5, 3))  # Q2: never published
    assert "Family contact" not in client.get("/voices/themes/").content.decode()
    services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    html = client.get("/voices/themes/").content.decode()
    assert "Family contact" in html and "12" in html
    assert "fewer than 10" in html
    assert "quarter 2" not in html
    km = client.get("/voices/themes/", headers={"accept-language": "km"}).content.decode()
    assert "ការទាក់ទងជាមួយគ្រួសារ" in km  # theme names in Khmer


def test_labels_follow_the_language(world: World) -> None:
    _messages(world, 12, "family-contact")
    pub = services.themes_publish(actor=secretariat(world), year=2024, quarter=1)
    from django.utils import translation

    with translation.override("km"):
        labels = [c.label for c in published_themes(pub).themes]
    assert "ការទាក់ទងជាមួយគ្រួសារ" in labels


def test_publishing_rules(world: World) -> None:
    sec = secretariat(world)
    year, quarter = themes.quarter_of(timezone.localdate())
    with pytest.raises(ValidationError) as running:
        services.themes_publish(actor=sec, year=year, quarter=quarter)
    assert "ended" in str(running.value)
    with pytest.raises(ValidationError) as empty:
        services.themes_publish(actor=sec, year=2023, quarter=3)
    assert "No accepted feedback" in str(empty.value)
    _messages(world, 1, "other")
    services.themes_publish(actor=sec, year=2024, quarter=1)
    with pytest.raises(ValidationError):
        services.themes_publish(actor=sec, year=2024, quarter=1)
    assert ThemePublication.objects.count() == 1


def test_publish_and_withdraw_through_the_page(client: Any, world: World) -> None:
    _messages(world, 12, "education")
    login(client, secretariat(world))
    assert client.get("/participation/themes/").status_code == 200
    response = client.post("/participation/themes/", {"year": "2024", "quarter": "1"})
    assert response.status_code == 302
    pub = ThemePublication.objects.get()
    bad = client.post("/participation/themes/", {"year": "2024", "quarter": "1"})
    assert bad.status_code == 400 and bad.context["form"].errors["quarter"]
    assert client.post(f"/participation/themes/{pub.pk}/withdraw/").status_code == 302
    assert not ThemePublication.objects.exists()
    assert "Education" not in client.get("/voices/themes/").content.decode()


def test_only_the_secretariat_publishes(client: Any, world: World) -> None:
    _messages(world, 12, "education")
    login(client, world.user(Role.ORG_ADMIN))
    assert (
        client.post("/participation/themes/", {"year": "2024", "quarter": "1"}).status_code == 403
    )
    assert not ThemePublication.objects.exists()


def test_quarter_bounds() -> None:
    assert themes.quarter_bounds(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert themes.quarter_bounds(2024, 4) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert themes.quarter_of(dt.date(2024, 8, 31)) == (2024, 3)
