import re
import tomllib
from pathlib import Path

import pycountry
import pytest

from komar.core.reference import load_all
from komar.geo.models import Province
from komar.organisations.models import Organisation, ThematicArea
from komar.places.models import Situation

STATEMENT = (
    Path(__file__).resolve().parents[2]
    / "src/komar/organisations/data/sources/joint-statement-2021.txt"
)
ORGS_FILE = Path(__file__).resolve().parents[2] / "src/komar/organisations/data/organisations.toml"
KHMER = re.compile(r"[\u1780-\u17FF]")


@pytest.mark.django_db
def test_provinces_are_the_capital_and_24_provinces() -> None:
    provinces = list(Province.objects.order_by("code"))
    assert [p.code for p in provinces] == [f"{n:02d}" for n in range(1, 26)]
    capital = Province.objects.get(kind=Province.Kind.CAPITAL)
    assert (capital.code, capital.name_en, capital.name_km) == ("12", "Phnom Penh", "ភ្នំពេញ")
    assert Province.objects.get(code="25").name_en == "Tboung Khmum"
    assert Province.objects.get(code="08").name_km == "កណ្តាល"
    assert all(KHMER.search(p.name_km) for p in provinces)


@pytest.mark.django_db
def test_province_iso_codes_and_names_match_iso_3166_2() -> None:
    iso = {s.code: s.name for s in pycountry.subdivisions.get(country_code="KH")}
    ours = {p.iso_code: p.iso_name for p in Province.objects.all()}
    assert ours == iso
    for province in Province.objects.all():
        assert province.iso_code == f"KH-{int(province.code)}"


@pytest.mark.django_db
def test_the_six_global_study_situations() -> None:
    situations = list(Situation.objects.order_by("number"))
    assert [s.number for s in situations] == [1, 2, 3, 4, 5, 6]
    assert situations[0].name_en == "Administration of justice"
    assert situations[5].name_en == "National security"
    assert all(KHMER.search(s.name_km) and s.description_en for s in situations)


@pytest.mark.django_db
def test_every_organisation_named_in_the_2021_statement_is_preloaded() -> None:
    text = STATEMENT.read_text()
    block = text.split("following civil society members of the Organizing Committee")[1]
    listed = re.findall(r"^\d+\.\s+(.+?)\s*$", block, flags=re.M)
    names = {re.split(r" – ", line)[0].replace("\u2019", "'") for line in listed}
    assert len(names) == 7 + 2 + 24
    stored = set(Organisation.objects.values_list("name_en", flat=True))
    assert names <= stored, names - stored
    for extra in ("Defence for Children International", "Human Rights Watch"):
        assert extra in stored
    lac = Organisation.objects.get(name_en="Legal Aid of Cambodia")
    assert lac.note_en == "member of the NGO Panel for the Global Study"
    gi = Organisation.objects.get(name_en="Global Initiative on Justice with Children")
    assert gi.note_en == "represented by Terre des hommes"
    assert all(KHMER.search(o.name_km) for o in Organisation.objects.all())


def test_organisation_data_file_cites_its_source_and_uses_known_areas() -> None:
    data = tomllib.loads(ORGS_FILE.read_text())
    assert "Joint Statement" in data["meta"]["source"]
    area_file = tomllib.loads((ORGS_FILE.parent / "thematic_areas.toml").read_text())
    areas = {area["code"] for area in area_file["area"]}
    for org in data["organisation"]:
        assert set(org["thematic_areas"]) <= areas, org["slug"]
        assert org["name_km_source"], org["slug"]


@pytest.mark.django_db
def test_loading_reference_data_again_changes_nothing_and_keeps_edits() -> None:
    lac = Organisation.objects.get(slug="legal-aid-of-cambodia")
    lac.phone = "+855 12 000 000"
    lac.save()
    counts = (Province.objects.count(), Situation.objects.count(), ThematicArea.objects.count())
    results = load_all()
    assert results == {
        "geo": 0,
        "organisations": 0,
        "places": 0,
        "statistics": 0,
        "cases": 0,
        "commitments": 0,
        "statements": 0,
        "participation": 0,
    }
    assert counts == (
        Province.objects.count(),
        Situation.objects.count(),
        ThematicArea.objects.count(),
    )
    assert Organisation.objects.get(slug="legal-aid-of-cambodia").phone == "+855 12 000 000"


@pytest.mark.django_db
def test_reference_loader_repairs_a_changed_province_name() -> None:
    Province.objects.filter(code="17").update(name_en="Wrong")
    assert load_all(only="geo") == {"geo": 1}
    assert Province.objects.get(code="17").name_en == "Siem Reap"
