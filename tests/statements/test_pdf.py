"""Khmer word breaks (ICU) and the statement PDF (WeasyPrint, vendored Noto Sans Khmer)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from komar.accounts.roles import Role
from komar.statements import pdf, services
from komar.statements.khmer import ZWSP, insert_breaks, is_dependent, strip_breaks
from komar.statements.models import Statement
from tests.conftest import World
from tests.statements.helpers import TITLE_EN, TITLE_KM, endorse, make_statement, org_with_admin

# Khmer -----------------------------------------------------------------------------------------

# Segmentations checked by hand (a Khmer reader's word division of each sentence).
KNOWN = [
    (
        "យើងជាអង្គការដែលបានចុះហត្ថលេខាខាងក្រោម",
        ["យើង", "ជា", "អង្គការ", "ដែល", "បាន", "ចុះហត្ថលេខា", "ខាងក្រោម"],
    ),
    ("កុមារត្រូវបានឃុំខ្លួន", ["កុមារ", "ត្រូវ", "បាន", "ឃុំខ្លួន"]),
    ("យើងគាំទ្រសំណើរបស់កុមារ។", ["យើង", "គាំទ្រ", "សំណើ", "របស់", "កុមារ", "។"]),
]


@pytest.mark.parametrize(("sentence", "words"), KNOWN)
def test_breaks_at_word_boundaries(sentence: str, words: list[str]) -> None:
    assert insert_breaks(sentence).split(ZWSP) == words


def test_only_inside_khmer_runs() -> None:
    # ICU's dictionary keeps តំណាងដោយ ("represented by") together
    text = "Terre des hommes – តំណាងដោយអង្គការ Terre des hommes (TdH) 2021"
    out = insert_breaks(text).replace(ZWSP, "|")
    assert out == "Terre des hommes – តំណាងដោយ|អង្គការ Terre des hommes (TdH) 2021"
    assert insert_breaks("No Khmer here.") == "No Khmer here."
    assert insert_breaks("") == ""


def test_idempotent_and_keeps_breaks_already_there() -> None:
    once = insert_breaks("យើងជាអង្គការ")
    assert insert_breaks(once) == once
    manual = "ចុះ" + ZWSP + "ហត្ថលេខា"  # an author's own break stays, none is doubled
    assert insert_breaks(manual) == manual


def test_never_inside_a_cluster() -> None:
    # ក្ត្រ: a consonant with two subscripts; ស្ត្រី (woman) must stay whole
    out = insert_breaks("ស្ត្រីនិងកុមារ")
    assert "ស្ត្រី" in out.split(ZWSP)


KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
TEXT = st.text(
    alphabet=st.one_of(KHMER, st.sampled_from(list(" abc,.()–\n0123456789"))), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_property_breaks_are_only_added_where_allowed(text: str) -> None:
    out = insert_breaks(text)
    assert strip_breaks(out) == text
    assert insert_breaks(out) == out
    for i, ch in enumerate(out):
        if ch != ZWSP:
            continue
        before, after = out[i - 1], out[i + 1]
        assert not is_dependent(after)  # never before a vowel sign, a diacritic or the coeng
        assert before != "\u17d2"  # never after a coeng
        assert "\u1780" <= before <= "\u17ff" and "\u1780" <= after <= "\u17ff"


def test_template_filter_escapes_and_breaks() -> None:
    rendered = Template("{% load statement_tags %}{{ v|khmer_breaks }}").render(
        Context({"v": "<b>យើងជា</b>"})
    )
    assert rendered == f"&lt;b&gt;យើង{ZWSP}ជា&lt;/b&gt;"


# PDF -------------------------------------------------------------------------------------------

POPPLER = {name: shutil.which(name) or name for name in ("pdftotext", "pdffonts")}
NEEDS_POPPLER = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="needs poppler-utils (installed by .ci/run)"
)


def _published(world: World) -> Statement:
    s = make_statement(world, "open")
    org, user = org_with_admin("Global Initiative on Justice with Children", "គំនិតផ្តួចផ្តើមសកល")
    endorse(
        s,
        org,
        user,
        role="organising_committee",
        note_en="represented by Terre des hommes",
        note_km="តំណាងដោយ Terre des hommes",
    )
    endorse(s, world.org_b, world.other_admin)
    hidden, hidden_user = org_with_admin("Hidden At Risk", "លាក់")
    endorse(s, hidden, hidden_user, anonymous=True)
    for e in s.endorsements.all():
        services.endorsement_decide(
            actor=world.user(Role.SECRETARIAT_ADMIN), endorsement=e, approve=True
        )
    return services.statement_publish(actor=world.user(Role.SECRETARIAT_ADMIN), statement=s)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "s.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [POPPLER["pdftotext"], "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def pdf_fonts(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [POPPLER["pdffonts"], str(path)], capture_output=True, text=True, check=True
    ).stdout


def skeleton(text: str) -> str:
    """The Khmer consonants and independent vowels in order. A PDF maps each glyph to one piece of
    text, so Khmer vowel signs and subscripts come back out of order or doubled when the text is
    extracted (the page itself is right); the base letters come back in order."""
    return re.sub(r"[^\u1780-\u17b3]", "", text)


@pytest.mark.django_db
@NEEDS_POPPLER
def test_english_pdf_lists_the_signatories_by_role(world: World, tmp_path: Path) -> None:
    content = pdf.render_pdf(_published(world), "en")
    assert content.startswith(b"%PDF")
    text = " ".join(pdf_text(content, tmp_path).split())
    assert TITLE_EN in text
    assert (
        "Organising committee 1. Global Initiative on Justice with Children – represented by "
        "Terre des hommes Endorsing organisation 1. Krousar Thmey and 1 organisation that is "
        "not named"
    ) in text
    assert "Hidden At Risk" not in text


@pytest.mark.django_db
@NEEDS_POPPLER
def test_khmer_pdf_has_the_khmer_title_names_and_fonts(world: World, tmp_path: Path) -> None:
    statement = _published(world)
    html = strip_breaks(pdf.render_html(statement, "km"))
    for name in ("គំនិតផ្តួចផ្តើមសកល", world.org_b.name_km, "តំណាងដោយ Terre des hommes"):
        assert name in html
    assert "Hidden At Risk" not in html and "លាក់" not in html
    content = pdf.render_pdf(statement, "km")
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    # The title's letters come back in order; the names' vowel signs and subscripts do not
    # always (see skeleton), so the names are checked in the HTML the PDF is made from, and here
    # by their Latin part and their numbering.
    assert skeleton(TITLE_KM) in skeleton(text)
    assert "Terre des hommes" in text
    assert len(re.findall(r"(?m)^\s*1\.", text)) == 2  # two groups, one named each
    fonts = pdf_fonts(content, tmp_path)
    rows = fonts.splitlines()[2:]
    embedded = [line.split()[0] for line in rows]
    assert any(re.fullmatch(r"[A-Z]{6}\+Noto-Sans-Khmer", name) for name in embedded), fonts
    assert all("Noto-Sans-Khmer" in name for name in embedded), fonts  # no fallback font
    assert all(line.split()[-5] == "yes" for line in rows), fonts  # every font embedded


def test_fetcher_refuses_anything_but_static_files(tmp_path: Path) -> None:
    fetcher: Any = pdf._fetcher()
    with pytest.raises(ValueError, match="not a local static file"):
        fetcher.fetch("http://example.invalid/font.woff2")
    with pytest.raises(ValueError, match="outside the static directories"):
        fetcher.fetch("file:///etc/passwd")
    font = pdf.font_urls()["khmer_400"]
    response = fetcher.fetch(font)
    assert response is not None
