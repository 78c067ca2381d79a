"""The preloaded 2021 joint statement reproduces its source: the text, and the signatories grouped
by role in the source's order with their notes. The source file is parsed here, so the test
fails if the data file drifts from it."""

from __future__ import annotations

import re
import tomllib
from html import unescape
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.test import Client
from django.utils import timezone

from komar.core.reference import load_all
from komar.organisations.models import Organisation
from komar.statements.loaders import DATA_DIR, StatementDataError, load_statements
from komar.statements.models import Endorsement, EndorsementRole, Statement, StatementVersion

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src/komar/organisations/data/sources/joint-statement-2021.txt"
DATA_FILE = DATA_DIR / "statement-2021.toml"
SLUG = "2021-civil-society-support-children-deprived-of-liberty"
KHMER = re.compile(r"[\u1780-\u17FF]")
LATIN = re.compile(r"[A-Za-z]")

HEADINGS = {
    EndorsementRole.ORGANISING_COMMITTEE: "following civil society members of the Organizing Committee",
    EndorsementRole.SPEAKER: "following civil society speakers at the National Launch",
    EndorsementRole.ENDORSER: "following civil society organizations in Cambodia",
}


def source_paragraphs() -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", SOURCE.read_text()) if p.strip()]


def split_note(line: str) -> tuple[str, str]:
    """ "Legal Aid of Cambodia – member of …" → (name, note); no dash, no note."""
    name, _dash, note = line.partition(" – ")
    return name, note


def source_signatories() -> dict[str, list[tuple[str, str]]]:
    """Role → [(name, note)] as printed: the numbered lines under each heading, and the NGO
    Panel named in its own sentence."""
    text = SOURCE.read_text()
    positions = sorted((text.index(heading), role) for role, heading in HEADINGS.items())
    ends = [start for start, _role in positions[1:]] + [text.index("also endorsed by the NGO")]
    groups: dict[str, list[tuple[str, str]]] = {}
    for (start, role), end in zip(positions, ends, strict=True):
        lines = re.findall(r"^(\d+)\.\s+(.+?)\s*$", text[start:end], flags=re.M)
        assert [int(n) for n, _line in lines] == list(range(1, len(lines) + 1))
        groups[role] = [split_note(line) for _n, line in lines]
    panel = re.search(r"also endorsed by the (.+?), a group of", text)
    assert panel
    groups[EndorsementRole.NETWORK] = [(panel.group(1), "")]
    return groups


def loaded() -> Statement:
    return Statement.objects.get(slug=SLUG)


def signatories(statement: Statement) -> dict[str, list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {role: [] for role in statement.role_order}
    for e in (
        statement.endorsements.filter(status=Endorsement.Status.APPROVED)
        .select_related("organisation")
        .order_by("position")
    ):
        groups[e.role].append((e.organisation.name_en, e.note_en))
    return groups


def test_the_source_is_parsed_as_expected() -> None:
    groups = source_signatories()
    assert [len(groups[role]) for role in EndorsementRole] == [7, 2, 24, 1]
    assert groups[EndorsementRole.ORGANISING_COMMITTEE][4] == (
        "Legal Aid of Cambodia",
        "member of the NGO Panel for the Global Study",
    )


@pytest.mark.django_db
def test_the_2021_statement_is_published_with_its_text_place_date_and_contact() -> None:
    s = loaded()
    assert s.status == Statement.Status.PUBLISHED
    assert s.title_en == source_paragraphs()[0]
    assert s.title_en == (
        "Joint Statement of Civil Society Support for Children Deprived of Liberty in Cambodia"
    )
    assert (s.place_en, s.place_km, s.date.isoformat()) == ("Phnom Penh", "ភ្នំពេញ", "2021-05-05")
    assert source_paragraphs()[1] == "Phnom Penh, 5 May 2021"
    assert s.published_at is not None
    assert timezone.localtime(s.published_at).date() == s.date
    assert s.contact == "GSCDLCambodia@gmail.com"
    assert s.contact in SOURCE.read_text()
    assert s.link_list() == [
        "https://omnibook.com/Global-Study-2019",
        "https://nochildbehindbars.com",
    ]
    assert all(f"<{link}>" in SOURCE.read_text() for link in s.link_list())
    assert s.role_order == [role.value for role in EndorsementRole]


@pytest.mark.django_db
def test_the_english_text_is_the_source_body_exactly() -> None:
    paragraphs = source_paragraphs()
    first = next(i for i, p in enumerate(paragraphs) if p.startswith("We, the undersigned"))
    last = next(i for i, p in enumerate(paragraphs) if p.startswith("This statement has been"))
    body = "\n\n".join(paragraphs[first:last])
    s = loaded()
    assert s.text_en == body
    assert s.text_en.endswith(
        "sensitive to the needs and circumstances of children deprived of liberty."
    )
    assert len(s.text_en.split("\n\n")) == 7
    assert "“Global Study”" in s.text_en and "government’s ongoing efforts" in s.text_en


@pytest.mark.django_db
def test_version_1_keeps_the_same_text() -> None:
    s = loaded()
    assert s.version == 1
    version = StatementVersion.objects.get(statement=s)
    assert version.number == 1
    assert (version.title_en, version.title_km, version.text_en, version.text_km) == (
        s.title_en,
        s.title_km,
        s.text_en,
        s.text_km,
    )


@pytest.mark.django_db
def test_signatories_reproduce_the_source_by_role_in_order_with_notes() -> None:
    s = loaded()
    assert s.endorsements.count() == 34
    assert set(s.endorsements.values_list("status", "version")) == {("approved", 1)}
    assert not s.endorsements.filter(anonymous=True).exists()
    assert signatories(s) == source_signatories()
    for role in EndorsementRole:
        positions = list(s.endorsements.filter(role=role).values_list("position", flat=True))
        assert sorted(positions) == list(range(1, len(positions) + 1))
    notes = {
        e.organisation.slug: (e.note_en, e.note_km)
        for e in s.endorsements.exclude(note_en="").select_related("organisation")
    }
    assert notes == {
        "legal-aid-of-cambodia": (
            "member of the NGO Panel for the Global Study",
            "សមាជិកនៃក្រុមអង្គការមិនមែនរដ្ឋាភិបាលសម្រាប់ការសិក្សាសកល",
        ),
        "global-initiative-on-justice-with-children": (
            "represented by Terre des hommes",
            "តំណាងដោយអង្គការ តែរ ដេហ្សូម",
        ),
    }


@pytest.mark.django_db
def test_the_committee_is_the_seven_organising_committee_members() -> None:
    s = loaded()
    committee = set(s.committee.values_list("name_en", flat=True))
    assert committee == {
        name for name, _note in source_signatories()[EndorsementRole.ORGANISING_COMMITTEE]
    }
    assert len(committee) == 7


@pytest.mark.django_db
def test_the_khmer_translation_is_khmer_and_says_it_is_unofficial() -> None:
    s = loaded()
    # Said in both languages: Khmer readers see it beside the Khmer text.
    assert "ក្រៅផ្លូវការ" in s.text_km_note
    assert "Unofficial Khmer translation made for Komar" in s.text_km_note
    assert KHMER.search(s.title_km) and not LATIN.search(s.title_km)
    paragraphs_km = s.text_km.split("\n\n")
    assert len(paragraphs_km) == len(s.text_en.split("\n\n"))
    for paragraph in paragraphs_km:
        assert not LATIN.search(paragraph), paragraph  # no untranslated English left
        assert len(KHMER.findall(paragraph)) > 0.9 * len(re.sub(r"\s", "", paragraph))
        assert paragraph.endswith("។")
    # Terms from the glossary (shared/GLOSSARY-km.md).
    for term in ("កុមារ", "ការដកហូតសេរីភាព", "យុត្តិធម៌អនីតិជន", "ការសិក្សាសកល"):
        assert term in s.text_km
    assert all(
        e.note_km and not LATIN.search(e.note_km) for e in s.endorsements.exclude(note_en="")
    )


@pytest.mark.django_db
def test_loading_again_creates_nothing_and_keeps_edits() -> None:
    s = loaded()
    Statement.objects.filter(pk=s.pk).update(title_en="Edited title")
    Endorsement.objects.filter(statement=s, position=1, role="speaker").update(note_en="edited")
    counts = (
        Statement.objects.count(),
        StatementVersion.objects.count(),
        Endorsement.objects.count(),
    )
    assert load_all(only="statements") == {"statements": 0}
    assert counts == (
        Statement.objects.count(),
        StatementVersion.objects.count(),
        Endorsement.objects.count(),
    )
    assert loaded().title_en == "Edited title"
    assert Endorsement.objects.get(statement=s, position=1, role="speaker").note_en == "edited"


@pytest.mark.django_db
def test_a_deleted_statement_is_loaded_again_with_all_its_rows() -> None:
    loaded().delete()
    assert load_statements(global_apps) == 1 + 1 + 34
    assert signatories(loaded()) == source_signatories()


def _data_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DATA_FILE.read_text()
    assert old in text
    path = tmp_path / "statement.toml"
    path.write_text(text.replace(old, new))
    tomllib.loads(path.read_text())
    return path


@pytest.mark.django_db
def test_an_unknown_organisation_is_a_clear_error_and_nothing_is_created(tmp_path: Path) -> None:
    loaded().delete()
    path = _data_with(tmp_path, '"krousar-thmey"', '"krousar-thmey-typo"')
    with pytest.raises(StatementDataError, match="no organisation with slug 'krousar-thmey-typo'"):
        load_statements(global_apps, files=(path,))
    assert not Statement.objects.exists()
    assert not Endorsement.objects.exists()


@pytest.mark.django_db
def test_an_unknown_role_is_a_clear_error(tmp_path: Path) -> None:
    loaded().delete()
    path = _data_with(tmp_path, 'role = "network"', 'role = "netwrok"')
    with pytest.raises(StatementDataError, match="unknown endorsement role"):
        load_statements(global_apps, files=(path,))
    assert not Statement.objects.exists()


def page_groups(html: str) -> list[tuple[str, list[str]]]:
    """The signatory groups of a statement page: (role, ["name – note", …]) in page order."""
    groups = []
    for role, body in re.findall(
        r'<section class="signatory-group" aria-labelledby="group-(\w+)">(.*?)</section>',
        html,
        re.S,
    ):
        items = []
        for item in re.findall(r"<li>(.*?)</li>", body, re.S):
            text = unescape(re.sub(r"<[^>]+>", "", item)).replace("\u200b", "")
            items.append(re.sub(r"^\d+\.\s*", "", " ".join(text.split())))
        groups.append((role, items))
    return groups


def expected_groups(language: str) -> list[tuple[str, list[str]]]:
    """The source's signatories as the page should list them: in English as printed, in Khmer
    with the organisations' Khmer names and the notes' Khmer."""
    expected = []
    for role, rows in source_signatories().items():
        items = []
        for name, note in rows:
            if language == "km":
                org = Organisation.objects.get(name_en=name)
                e = Endorsement.objects.get(statement__slug=SLUG, organisation=org)
                name, note = org.name_km, e.note_km
            items.append(f"{name} – {note}" if note else name)
        expected.append((str(role), items))
    return expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "km"])
def test_the_public_page_lists_the_signatories_of_the_source(language: str) -> None:
    response = Client(headers={"accept-language": language}).get(f"/statements/{SLUG}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert page_groups(html) == expected_groups(language)
    plain = unescape(html).replace("\u200b", "")
    text = loaded().text_en if language == "en" else loaded().text_km
    for paragraph in text.split("\n\n"):
        assert paragraph in plain
