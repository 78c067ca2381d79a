"""Indicator values checked against numbers worked out by hand (see the comments)."""

import datetime as dt
from decimal import Decimal

import pytest

from komar.geo.models import Province
from komar.places.models import Place, PlaceType
from komar.statistics.indicators import PUBLIC_STATUSES, indicator_table
from komar.statistics.models import ChildPopulation, CountCell, CountReturn
from komar.statistics.services import stored_cells
from tests.conftest import query_count
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _return(place: Place, day: str, status: str, total: int | None, cells: dict) -> None:
    date = dt.date.fromisoformat(day)
    ret = CountReturn.objects.create(
        place=place, reference_date=date, period_start=date.replace(day=1), period_end=date,
        status=status, total_held=total, created_by=UserFactory(),
    )  # fmt: skip
    CountCell.objects.bulk_create(
        CountCell(count_return=ret, measure=m, sex=s, age_band=a, legal_status=ls, value=v)
        for (m, s, a, ls), v in stored_cells(total, None, cells).items()
    )


@pytest.fixture
def scenario() -> None:
    cc2 = Place.objects.get(code="kh-cc2")  # Phnom Penh, justice
    cc2.capacity = 100
    cc2.save()
    yrc = Place.objects.get(code="kh-yrc")  # Kandal, justice, capacity unknown
    rci = Place.objects.create(
        code="kh-rci", name_en="Care home", name_km="មណ្ឌល", province=Province.objects.get(code="12"),
        place_type=PlaceType.objects.get(code="residential_care_institution"),
    )  # fmt: skip
    h = "held"
    _return(cc2, "2026-03-31", "published", 10, {
        (h, "male", "16_17", "pre_trial"): 6, (h, "male", "16_17", "sentenced"): 2,
        (h, "female", "14_15", "pre_trial"): 2, ("deaths", "", "", ""): 1,
        ("not_separated", "", "", ""): 3, ("family_visited", "", "", ""): 5,
    })  # fmt: skip
    _return(cc2, "2026-06-30", "published", 20, {  # the latest CC2 return of 2026
        (h, "male", "16_17", "pre_trial"): 8, (h, "male", "16_17", "awaiting_final"): 4,
        (h, "female", "14_15", "police_custody"): 2, (h, "female", "14_15", "sentenced"): 6,
        ("deaths", "", "", ""): 0, ("not_separated", "", "", ""): 4,
        ("family_visited", "", "", ""): 10,
    })  # fmt: skip
    _return(yrc, "2026-06-30", "published", 50, {})  # a total without breakdown
    _return(rci, "2026-06-30", "validated", 30, {})  # partners see it, the public does not
    _return(cc2, "2025-12-31", "published", 99, {})  # another year
    _return(rci, "2026-09-30", "draft", 77, {})  # not counted
    user = UserFactory()
    for code, population in (("12", 400_000), ("08", 500_000)):
        ChildPopulation.objects.create(province=Province.objects.get(code=code), year=2026,
                                       population=population, source="test", entered_by=user)  # fmt: skip


def _by(rows: list, **key: str) -> dict:
    return next(r.values for r in rows if r.key == key)


def test_by_province_for_partners(scenario: None) -> None:
    _, rows = indicator_table(year=2026, by=["province"])
    pp = _by(rows, province="12")
    # Phnom Penh: latest CC2 (20) + care home (30) = 50 held.
    assert pp["held_by_situation"] == 50
    assert pp["jj2"] == Decimal("12.5")  # 50 / 400,000 × 100,000
    assert pp["jj3"] == Decimal("2.5")  # (pre-trial 8 + police custody 2) / 400,000 × 100,000
    assert pp["unsentenced_share"] == Decimal("50.0")  # 10 of the 20 with a stated status
    assert pp["jj6"] == Decimal("20.0")  # deaths over the year 1 (+0) per 1,000 of 50 held
    assert pp["jj7"] == Decimal("8.0")  # 4 not separated of 50
    assert pp["jj8"] == Decimal("20.0")  # 10 visited of 50
    assert pp["occupancy"] == Decimal("20.0")  # 20 held at CC2 / capacity 100
    kandal = _by(rows, province="08")
    assert kandal["jj2"] == Decimal("10.0")  # 50 / 500,000 × 100,000
    assert kandal["unsentenced_share"] is None  # no legal status stated
    assert kandal["occupancy"] is None  # capacity unknown


def test_public_sees_only_published_returns(scenario: None) -> None:
    _, rows = indicator_table(year=2026, by=["province"], statuses=PUBLIC_STATUSES)
    assert _by(rows, province="12")["held_by_situation"] == 20


def test_by_situation_and_by_sex(scenario: None) -> None:
    _, rows = indicator_table(year=2026, by=["situation"])
    assert _by(rows, situation="justice")["held_by_situation"] == 70  # 20 + 50
    assert _by(rows, situation="institutions")["held_by_situation"] == 30
    assert _by(rows, situation="justice")["jj2"] is None  # no national population (2 of 25)
    _, by_sex = indicator_table(year=2026, by=["sex"])
    assert _by(by_sex, sex="male")["held_by_situation"] == 12  # 8 + 4
    assert _by(by_sex, sex="female")["held_by_situation"] == 8  # 2 + 6
    assert _by(by_sex, sex="")["held_by_situation"] == 80  # totals without breakdown
    assert _by(by_sex, sex="male")["unsentenced_share"] == Decimal("66.7")  # 8 / 12
    assert _by(by_sex, sex="female")["unsentenced_share"] == Decimal("25.0")  # 2 / 8
    assert _by(by_sex, sex="male")["jj2"] is None  # population is not entered by sex


def test_query_count_does_not_depend_on_the_data(scenario: None) -> None:
    small = query_count(lambda: indicator_table(year=2026, by=["province", "situation"]))
    place = Place.objects.get(code="kh-cc4")
    for month in range(1, 13):
        _return(place, f"2026-{month:02d}-28", "published", month, {})
    assert (
        query_count(lambda: indicator_table(year=2026, by=["province", "situation"])) == small <= 4
    )


def test_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown"):
        indicator_table(year=2026, by=["colour"])


def test_national_totals(scenario: None) -> None:
    _, rows = indicator_table(year=2026)
    assert len(rows) == 1
    national = rows[0].values
    assert national["held_by_situation"] == 100  # 20 + 50 + 30
    assert national["unsentenced_share"] == Decimal("50.0")  # 10 of the 20 with a stated status
    assert national["jj2"] is None  # population entered for 2 of 25 provinces only
    assert indicator_table(year=1999)[1] == []
