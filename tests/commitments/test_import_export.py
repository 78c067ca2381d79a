"""Import of items (Komar's layout and the Universal Human Rights Index export) and export of
filtered lists: row-level errors, all or nothing, round trips, permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.commitments import importer, services
from komar.commitments.models import Item, ItemEvent
from tests.commitments.helpers import make_item, make_source, secretariat
from tests.conftest import World, login, query_count

KOMAR_HEADER = [
    "source_code", "reference", "paragraph", "kind", "text_en", "text_km", "summary_en",
    "summary_km", "state_response", "state_response_on", "themes", "situations",
    "affected_groups", "sdg_targets", "lead_actors", "supporting_actors", "due_on",
]  # fmt: skip

# As OHCHR's export spells its columns (some with odd spacing and case, as files come).
UHRI_HEADER = [
    "Symbol", "Paragraph", "Text", "Body", "Date", "Themes", " Affected  persons ", "SDG",
    "Countries", "Regions",
]  # fmt: skip


def uhri_rows(symbol: str) -> list[list[Any]]:
    return [
        UHRI_HEADER,
        [
            symbol,
            "43(a)",
            "Raise the minimum age of criminal responsibility and ensure that detention is "
            "used as a measure of last resort.",
            "CRC",
            "2022-06-27",
            "Children: juvenile justice;Liberty and security of the person",
            "Children\nPersons deprived of their liberty",
            "16.3 - Promote the rule of law at the national and international levels\n"
            "16.2 - End abuse, exploitation, trafficking",
            "Cambodia",
            "Asia-Pacific",
        ],
        [
            symbol,
            "43(b)",
            "Promote non-judicial measures, such as diversion, mediation and counselling.",
            "CRC",
            "2022-06-27",
            "Alternatives to detention",
            "Children",
            "16.3 - Promote the rule of law",
            "Cambodia",
            "Asia-Pacific",
        ],
    ]


def csv_file(rows: list[list[Any]], name: str = "items.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[Any]], name: str = "items.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def komar_row(source_code: str, reference: str, **cells: Any) -> list[Any]:
    values = {
        "source_code": source_code,
        "reference": reference,
        "paragraph": "12",
        "kind": "recommendation",
        "text_en": "End the detention of children for drug use.",
        "text_km": "បញ្ចប់ការឃុំខ្លួនកុមារដោយសារការប្រើប្រាស់គ្រឿងញៀន។",
        "summary_en": "No child should be locked up for using drugs.",
        "summary_km": "",
        "state_response": "supported",
        "state_response_on": "2022-09-01",
        "themes": "drug-detention; Health",
        "situations": "institutions",
        "affected_groups": "drug-users",
        "sdg_targets": "3.5",
        "lead_actors": "",
        "supporting_actors": "",
        "due_on": "2026-12-31",
        **cells,
    }
    return [values[c] for c in KOMAR_HEADER]


def post(client: Any, upload: SimpleUploadedFile, **data: Any) -> Any:
    return client.post("/commitments/import/", {"file": upload, "format": "auto", **data})


def errors(response: Any) -> list[tuple[int, str, str]]:
    result = response.context["result"]
    return [(e.row, e.column, e.message) for e in result.errors]


@pytest.fixture
def editor(world: World, client: Any) -> Any:
    return login(client, world.user(Role.ANALYST))


# Komar layout ------------------------------------------------------------------------------


def test_komar_import_creates_items_with_categories_and_actors(world: World, editor: Any) -> None:
    source = make_source(world)
    rows = [
        KOMAR_HEADER,
        komar_row(
            source.code,
            "CAM-1",
            lead_actors=world.org_a.slug,
            supporting_actors=world.org_b.slug,
        ),
        komar_row(source.code, "CAM-2", kind="Pledge", state_response="", state_response_on=""),
    ]
    response = post(editor, csv_file(rows))
    assert response.status_code == 200, errors(response) if response.context else response
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    item = Item.objects.get(reference="CAM-1")
    assert item.source == source
    assert item.text_km.startswith("បញ្ចប់")
    assert item.state_response == "supported"
    assert str(item.due_on) == "2026-12-31"
    assert {t.code for t in item.themes.all()} == {"drug-detention", "health"}
    assert [s.code for s in item.situations.all()] == ["institutions"]
    assert [g.code for g in item.affected_groups.all()] == ["drug-users"]
    assert [s.code for s in item.sdg_targets.all()] == ["3.5"]
    roles = {a.organisation_id: a.role for a in item.actors.all()}
    assert roles == {world.org_a.pk: "lead", world.org_b.pk: "supporting"}
    assert Item.objects.get(reference="CAM-2").kind == "pledge"
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.CREATED).exists()
    assert AuditEvent.objects.filter(action="commitments.import").count() == 1


def test_the_bilingual_template_header_is_read_back(world: World, editor: Any) -> None:
    source = make_source(world)
    for fmt in ("csv", "xlsx"):
        response = editor.get(f"/commitments/import/template.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
    response = editor.get("/commitments/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header[0].startswith("source_code — ")
    assert any("ប្រភព" in str(cell) for cell in header)
    text = editor.get("/commitments/import/template.csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    response = post(editor, csv_file([header, komar_row(source.code, "TPL-1")]))
    assert response.status_code == 200
    assert Item.objects.filter(reference="TPL-1").exists()
    assert editor.get("/commitments/import/template.pdf").status_code == 404


# UHRI layout -------------------------------------------------------------------------------


@pytest.mark.parametrize("builder", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_uhri_export_imports_with_labels_mapped_through_aliases(
    world: World, editor: Any, builder: Any
) -> None:
    source = make_source(world, symbol="CRC/C/KHM/CO/4-5")
    name = "uhri.csv" if builder is csv_file else "uhri.xlsx"
    response = post(editor, builder(uhri_rows("CRC/C/KHM/CO/4-5"), name))
    assert response.status_code == 200, errors(response)
    assert response.context["result"].format == "uhri"
    item = Item.objects.get(reference="CRC/C/KHM/CO/4-5 §43(a)")
    assert item.source == source
    assert item.paragraph == "43(a)"
    assert item.kind == "recommendation"
    assert item.text_en.startswith("Raise the minimum age")
    assert {t.code for t in item.themes.all()} == {"child-justice", "arrest-detention"}
    assert {g.code for g in item.affected_groups.all()} == {"children", "deprived-of-liberty"}
    assert {s.code for s in item.sdg_targets.all()} == {"16.3", "16.2"}
    other = Item.objects.get(reference="CRC/C/KHM/CO/4-5 §43(b)")
    assert [t.code for t in other.themes.all()] == ["non-custodial"]
    # The same file again changes nothing.
    before = ItemEvent.objects.count()
    response = post(editor, builder(uhri_rows("CRC/C/KHM/CO/4-5"), name))
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert ItemEvent.objects.count() == before


def test_uhri_upr_rows_with_responses_into_the_chosen_source(world: World, editor: Any) -> None:
    source = make_source(world, type="upr", code="upr-2019", symbol="")
    rows = [
        ["SYMBOL", "Recommendation number", "Recommendation", "Recommending State", "Position",
         "Date", "Themes", "Affected persons", "SDGs"],
        ["A/HRC/41/17", "110.45", "Ensure that children are detained only as a last resort",
         "Uruguay", "Supported", "2019-07-11", "Juvenile justice", "Children", "16.3"],
        ["A/HRC/41/17", "110.46", "Ratify OPCAT", "Denmark", "Noted", "2019-07-11",
         "Acceptance of international norms", "", ""],
    ]  # fmt: skip
    response = post(editor, csv_file(rows), format="uhri", source="upr-2019")
    assert response.status_code == 200, errors(response)
    supported = Item.objects.get(reference="A/HRC/41/17 §110.45")
    assert supported.source == source
    assert supported.state_response == "supported"
    assert str(supported.state_response_on) == "2019-07-11"
    noted = Item.objects.get(reference="A/HRC/41/17 §110.46")
    assert noted.state_response == "noted"
    assert [t.code for t in noted.themes.all()] == ["treaties"]


def test_uhri_errors_name_row_column_and_label(world: World, editor: Any) -> None:
    make_source(world, symbol="CRC/C/KHM/CO/4-5")
    rows = uhri_rows("CRC/C/KHM/CO/4-5")
    rows[2][5] = "Space exploration"  # themes
    rows[2][7] = "99.9 - Nothing"  # SDG
    rows.append(["A/HRC/99/1", "1", "Text", "", "", "", "", "", "", ""])
    before = Item.objects.count()
    response = post(editor, csv_file(rows))
    assert response.status_code == 400
    found = errors(response)
    assert (3, "Themes", "Unknown label “Space exploration”.") in found
    assert (3, "SDG", "Unknown label “99.9”.") in found
    assert any(r == 4 and c == "Symbol" and "A/HRC/99/1" in m for r, c, m in found)
    assert Item.objects.count() == before  # row 2 was fine, but nothing is saved
    assert b"Space exploration" in response.content


# Errors: all or nothing --------------------------------------------------------------------


def test_every_kind_of_row_error_is_reported_and_nothing_saved(world: World, editor: Any) -> None:
    source = make_source(world)
    rows = [
        KOMAR_HEADER,
        komar_row(source.code, "OK-1"),  # row 2: fine
        komar_row("no-such-source", "E-3"),  # row 3
        komar_row(source.code, "E-4", text_en=""),  # row 4: missing required cell
        komar_row(source.code, "E-5", kind="wish"),  # row 5
        komar_row(source.code, "E-6", state_response="maybe"),  # row 6
        komar_row(source.code, "E-7", due_on="31/31/2026"),  # row 7
        komar_row(source.code, "E-8", themes="drug-detention; astrology"),  # row 8
        komar_row(source.code, "E-9", lead_actors="no-such-ministry"),  # row 9
        komar_row(source.code, "E-10", state_response="", state_response_on="2022-01-01"),
        komar_row(source.code, "X" * 200),  # row 11: too long
    ]
    before = (Item.objects.count(), ItemEvent.objects.count(), AuditEvent.objects.count())
    response = post(editor, csv_file(rows))
    assert response.status_code == 400
    found = {(r, c) for r, c, _m in errors(response)}
    assert found == {
        (3, "source_code"),
        (4, "text_en"),
        (5, "kind"),
        (6, "state_response"),
        (7, "due_on"),
        (8, "themes"),
        (9, "lead_actors"),
        (10, "state_response"),
        (11, "reference"),
    }
    messages = {(r, c): m for r, c, m in errors(response)}
    assert "astrology" in messages[(8, "themes")]
    assert "no-such-ministry" in messages[(9, "lead_actors")]
    after = (Item.objects.count(), ItemEvent.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert b"nothing was imported" in response.content


def test_duplicate_references_in_the_file_and_in_the_database(world: World, editor: Any) -> None:
    source = make_source(world)
    existing = make_item(world, source, reference="OLD-1", text_en="Old text")
    rows = [
        KOMAR_HEADER,
        komar_row(source.code, "NEW-1"),
        komar_row(source.code, "NEW-1"),  # row 3: twice in the file
        komar_row(source.code, "OLD-1"),  # row 4: exists with other content
    ]
    before = Item.objects.count()
    response = post(editor, csv_file(rows))
    assert response.status_code == 400
    found = errors(response)
    assert [(r, c) for r, c, _m in found] == [(3, "reference"), (4, "reference")]
    assert "row 2" in found[0][2]
    assert "update existing" in found[1][2]
    assert Item.objects.count() == before
    assert Item.objects.get(pk=existing.pk).text_en == "Old text"


def test_update_existing_changes_items_through_the_services(world: World, editor: Any) -> None:
    source = make_source(world)
    existing = make_item(world, source, reference="OLD-1", text_en="Old text")
    rows = [KOMAR_HEADER, komar_row(source.code, "OLD-1", lead_actors=world.org_a.slug)]
    response = post(editor, csv_file(rows), update="on")
    assert response.status_code == 200, errors(response)
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    existing.refresh_from_db()
    assert existing.text_en == "End the detention of children for drug use."
    assert [a.organisation_id for a in existing.actors.all()] == [world.org_a.pk]
    assert ItemEvent.objects.filter(item=existing, kind=ItemEvent.Kind.UPDATED).exists()
    # Again: unchanged.
    response = post(editor, csv_file(rows), update="on")
    assert response.context["result"].unchanged == 1
    # Only the responsible organisation differs: still a difference.
    rows = [KOMAR_HEADER, komar_row(source.code, "OLD-1", lead_actors=world.org_b.slug)]
    response = post(editor, csv_file(rows))
    assert response.status_code == 400
    assert errors(response)[0][:2] == (2, "reference")


def test_reference_of_another_source_is_an_error(world: World, editor: Any) -> None:
    make_item(world, make_source(world), reference="OLD-1")
    other = make_source(world)
    response = post(editor, csv_file([KOMAR_HEADER, komar_row(other.code, "OLD-1")]), update="on")
    assert response.status_code == 400
    assert errors(response)[0][:2] == (2, "reference")


def test_too_large_and_non_spreadsheet_files_are_refused(
    world: World, editor: Any, monkeypatch: Any
) -> None:
    before = Item.objects.count()
    response = post(editor, SimpleUploadedFile("notes.pdf", b"%PDF-1.4 binary"))
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.context["form"].errors["file"]
    response = post(editor, SimpleUploadedFile("fake.xlsx", b"this is not a zip"))
    assert response.status_code == 400
    assert "not a readable XLSX" in response.context["form"].errors["file"][0]
    response = post(editor, SimpleUploadedFile("binary.csv", b"\x00\x01\x02" * 10))
    assert response.status_code == 400
    assert "not a CSV" in response.context["form"].errors["file"][0]
    response = post(editor, csv_file([["name", "age"], ["a", "1"]]))
    assert response.status_code == 400
    assert "columns were not recognised" in response.context["form"].errors["file"][0]
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 100)
    source = make_source(world)
    response = post(editor, csv_file([KOMAR_HEADER, komar_row(source.code, "BIG")]))
    assert response.status_code == 400
    assert "larger than" in response.context["form"].errors["file"][0]
    assert Item.objects.count() == before


def test_import_page_renders_for_editors_only(world: World, client: Any) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    response = client.get("/commitments/import/")
    assert response.status_code == 200
    assert b"/commitments/import/template.xlsx" in response.content
    login(client, world.user(Role.MONITOR))
    assert client.get("/commitments/import/").status_code == 403


# Export ------------------------------------------------------------------------------------


def _csv_rows(response: Any) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_export_respects_filters_and_is_audited(world: World, client: Any) -> None:
    source = make_source(world)
    other = make_source(world)
    drug = make_item(world, source, themes=["drug-detention"])
    make_item(world, source, themes=["health"])
    make_item(world, other, themes=["drug-detention"])
    archived = make_item(world, source, themes=["drug-detention"])
    services.item_archive(actor=secretariat(world), item=archived, archived=True)
    login(client, world.user(Role.YOUTH_MEMBER))
    response = client.get(f"/commitments/export.csv?source={source.pk}&theme=drug-detention")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="komar-commitments-')
    rows = _csv_rows(response)
    assert [r["reference"] for r in rows] == [drug.reference]
    assert rows[0]["themes"] == "drug-detention"
    assert rows[0]["archived"] == "0"
    event = AuditEvent.objects.filter(action="commitments.export").latest("seq")
    assert event.changes == {"rows": 1, "format": "csv"}
    rows = _csv_rows(client.get(f"/commitments/export.csv?source={source.pk}&archived=on"))
    assert [r["reference"] for r in rows] == [archived.reference]
    assert client.get("/commitments/export.pdf").status_code == 404


def test_export_needs_sign_in(world: World, client: Any) -> None:
    response = client.get("/commitments/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_export_query_count_does_not_grow_with_rows(world: World, client: Any) -> None:
    source = make_source(world)
    for _i in range(2):
        item = make_item(world, source, themes=["health"], sdg_targets=["3.5"])
        services.actor_set(
            actor=secretariat(world), item=item, organisation=world.org_a, role="lead"
        )
    login(client, world.user(Role.ANALYST))

    def export() -> None:
        response = client.get("/commitments/export.csv")
        b"".join(response.streaming_content)

    few = query_count(export)
    for _i in range(6):
        item = make_item(world, source, themes=["health"], situations=["justice"])
        services.actor_set(
            actor=secretariat(world), item=item, organisation=world.org_b, role="supporting"
        )
    assert query_count(export) == few


def test_round_trip_export_import_is_unchanged(world: World, client: Any) -> None:
    source = make_source(world)
    first = make_item(
        world,
        source,
        themes=["drug-detention", "health"],
        affected_groups=["drug-users"],
        sdg_targets=["3.5"],
        situations=["institutions"],
        summary_km="កុមារមិនគួរត្រូវបានឃុំខ្លួន",
        state_response="supported_in_part",
    )
    services.actor_set(actor=secretariat(world), item=first, organisation=world.org_a, role="lead")
    services.actor_set(
        actor=secretariat(world), item=first, organisation=world.org_b, role="supporting"
    )
    make_item(world, source)
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/commitments/export.{fmt}?source={source.pk}")
        content = b"".join(response.streaming_content) if fmt == "csv" else response.content
        before = (Item.objects.count(), ItemEvent.objects.count())
        upload = SimpleUploadedFile(f"export.{fmt}", content)
        result = post(client, upload).context["result"]
        assert result.error_count == 0, result.errors
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert (Item.objects.count(), ItemEvent.objects.count()) == before


def test_xlsx_export_keeps_khmer_text(world: World, client: Any) -> None:
    item = make_item(world, text_km="ធានាថាការឃុំខ្លួនកុមារជាវិធានការចុងក្រោយ")
    login(client, world.user(Role.MONITOR))
    response = client.get("/commitments/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:2] == ["source_code", "reference"]
    assert "government_status" in header
    found = {r[1]: r for r in rows[1:]}
    assert found[item.reference][header.index("text_km")] == item.text_km


def test_an_export_with_invalid_filters_exports_nothing(world: World, client: Any) -> None:
    make_item(world)
    login(client, world.user(Role.ANALYST))
    response = client.get("/commitments/export.csv?source=999999")
    assert response.status_code == 400
    assert "source" in response.content.decode()
    assert not AuditEvent.objects.filter(action="commitments.export").exists()
