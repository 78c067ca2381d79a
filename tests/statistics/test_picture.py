import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.places.models import Place
from tests.conftest import World, login, query_count
from tests.statistics.test_indicator_values import _return

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world: World) -> None:
    h = "held"
    big = {(h, "male", "16_17", "pre_trial"): 40, (h, "male", "16_17", "sentenced"): 30,
           (h, "female", "14_15", "pre_trial"): 12}  # fmt: skip
    _return(Place.objects.get(code="kh-cc2"), "2026-06-30", "published", 82, big)
    _return(Place.objects.get(code="kh-yrc"), "2026-06-30", "published", 60, {})
    small = {(h, "female", "16_17", "pre_trial"): 3, (h, "male", "14_15", "pre_trial"): 4}
    _return(Place.objects.get(code="kh-cc3"), "2026-06-30", "published", 7, small)
    _return(Place.objects.get(code="kh-cc4"), "2026-06-30", "validated", 6, {})


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\b\d+\b", text)]


def test_public_page_never_shows_a_small_count(published: None) -> None:
    response = Client(headers={"accept-language": "en"}).get("/statistics/")
    assert response.status_code == 200
    picture = response.context["picture"]
    assert picture.audience == "public" and picture.threshold == 10
    for row in picture.table.published() + picture.sex_table.published():
        assert all(v is None or v == 0 or v >= 10 for v in row), row
    tboung_khmum = picture.table.published()[24]  # 7 children at CC3 (published)
    assert tboung_khmum[-1] is None
    # CC4's return is only validated: the public total excludes it.
    assert picture.total in (None, 82 + 60 + 7)
    assert picture.unsentenced_share == Decimal("66.3")  # (40 + 12 + 3 + 4) / (82 + 7)


def test_public_csv_has_hxl_tags_blank_suppressed_cells_and_the_threshold(published: None) -> None:
    response = Client().get("/statistics/children-held.csv", {"year": "2026"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "#adm1+code" and "#meta+suppressed" in rows[1]
    assert "#affected+children+justice" in rows[1]
    threshold_col = rows[1].index("#meta+threshold")
    value_cols = range(3, rows[1].index("#meta+suppressed"))
    for row in rows[2:]:
        assert row[threshold_col] == "10"
        for c in value_cols:
            assert row[c] == "" or int(row[c]) == 0 or int(row[c]) >= 10, row
    tboung_khmum = next(r for r in rows if r[0] == "25")
    assert "total" in tboung_khmum[rows[1].index("#meta+suppressed")].split()


def test_partners_see_validated_returns_with_their_threshold(world: World, published: None) -> None:
    client = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    picture = client.get("/statistics/").context["picture"]
    assert picture.audience == "partners" and picture.threshold == 5
    assert picture.table.published()[24][-1] == 7  # 7 ≥ 5: shown to partners
    public_again = client.get("/statistics/", {"view": "public"}).context["picture"]
    assert public_again.audience == "public"


def test_picture_query_count_does_not_grow(published: None) -> None:
    client = Client()
    baseline = query_count(lambda: client.get("/statistics/"))
    for i, code in enumerate(["kh-cc1", "kh-cc4"]):
        _return(Place.objects.get(code=code), f"2026-0{i + 1}-28", "published", 50 + i, {})
    # The trend adds a fixed set of queries per year shown (at most six years), never per row.
    assert query_count(lambda: client.get("/statistics/")) == baseline <= 30


def test_picture_in_khmer_and_with_no_data() -> None:
    empty = Client(headers={"accept-language": "km"}).get("/statistics/")
    assert empty.status_code == 200 and empty.context["picture"] is None
    assert "រូបភាពថ្នាក់ជាតិ".encode() in empty.content
    assert Client().get("/statistics/children-held.csv").status_code == 404


def test_trend_shows_each_year_as_its_own_table_publishes_it(published: None) -> None:
    _return(Place.objects.get(code="kh-cc2"), "2025-06-30", "published", 40, {})
    _return(Place.objects.get(code="kh-yrc"), "2024-06-30", "published", 3, {})
    trend = Client(headers={"accept-language": "en"}).get("/statistics/").context["trend"]
    totals = {point["year"]: point["total"] for point in trend}
    assert totals[2025] == 40
    assert totals[2024] is None  # 3 children: hidden in the trend as in that year's table
    assert totals[2026] in (None, 82 + 60 + 7)


def test_files_over_50_mb_are_refused_before_reading(world: World, tmp_path: Path) -> None:
    from komar.statistics.importer import ImportFileError, run_import

    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)  # sparse: no 50 MB written to disk
    with pytest.raises(ImportFileError, match="50 MB"):
        run_import(big, "big.csv", actor=world.user(Role.MONITOR), organisation_id=None)


def test_every_table_has_a_csv_without_small_counts(published: None) -> None:
    client = Client()
    for table in ("provinces", "sex", "trend"):
        response = client.get("/statistics/children-held.csv", {"table": table, "year": "2026"})
        assert response.status_code == 200, table
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[1][0].startswith("#")
        threshold_col = rows[1].index("#meta+threshold")
        for row in rows[2:]:
            assert row[threshold_col] == "10"
            for value in row[: rows[1].index("#meta+suppressed")]:
                if value.isdigit() and len(value) < 4:
                    assert int(value) == 0 or int(value) >= 10 or value == row[0], (table, row)
    assert client.get("/statistics/children-held.csv", {"table": "secret"}).status_code == 404
