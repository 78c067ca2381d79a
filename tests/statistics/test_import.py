import csv
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.statistics.importer import ALL_COLUMNS, ImportFileError, run_import
from komar.statistics.models import CountReturn, ImportJob, ReturnStatus
from tests.conftest import World, login

pytestmark = pytest.mark.django_db
HEADER = ["place_code", "reference_date", "period_start", "period_end", "total_held",
          "held.male.16_17.pre_trial", "held.female.14_15.sentenced", "admissions"]  # fmt: skip
GOOD = [
    ["kh-cc2", "2026-03-31", "2026-01-01", "2026-03-31", "9", "6", "3", "4"],
    ["kh-cc2", "2026-06-30", "2026-04-01", "2026-06-30", "12", "8", "4", ""],
    ["kh-yrc", "2026-06-30", "2026-01-01", "2026-06-30", "350", "", "", "20"],
]


def _csv(tmp_path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    path = tmp_path / "returns.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _import(world: World, path: Path, name: str = "returns.csv") -> Any:
    return run_import(path, name, actor=world.user(Role.MONITOR), organisation_id=world.org_a.pk)


def test_a_good_file_is_imported_once(world: World, tmp_path: Path) -> None:
    result = _import(world, _csv(tmp_path, GOOD))
    assert (result.error_count, result.created, result.rows) == (0, 3, 3)
    ret = CountReturn.objects.get(place__code="kh-cc2", reference_date="2026-03-31")
    assert ret.status == ReturnStatus.SUBMITTED and ret.total_held == 9
    assert ret.cells.get(measure="held", sex="male").value == 6
    again = _import(world, _csv(tmp_path, GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert CountReturn.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (
            ["kh-nowhere", "2026-03-31", "2026-01-01", "2026-03-31", "1", "", "", ""],
            "place_code",
            "Unknown place",
        ),
        (
            ["kh-cc1", "31/03/2026", "2026-01-01", "2026-03-31", "1", "", "", ""],
            "reference_date",
            "YYYY-MM-DD",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-01-01", "2026-03-31", "lots", "", "", ""],
            "total_held",
            "whole number",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-01-01", "2026-03-31", "-4", "", "", ""],
            "total_held",
            "whole number",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-01-01", "2026-03-31", "=2+2", "", "", ""],
            "total_held",
            "Formulas",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-01-01", "2026-03-31", "5", "2", "2", ""],
            "total_held",
            "adds up to 4",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-01-01", "2026-03-31", "", "", "", ""],
            "total_held",
            "total children held",
        ),
        (
            ["kh-cc1", "2026-03-31", "2026-04-01", "2026-06-30", "1", "", "", ""],
            "reference_date",
            "within the period",
        ),
    ],
)
def test_each_bad_cell_is_reported_and_nothing_is_written(
    world: World, tmp_path: Path, row: list[str], column: str, words: str
) -> None:
    result = _import(world, _csv(tmp_path, [*GOOD, row]))
    assert result.error_count == 1
    error = result.errors[0]
    assert (error.row, error.column) == (5, column)
    assert words in error.message
    assert CountReturn.objects.count() == 0  # all or nothing


def test_all_errors_are_reported_at_once(world: World, tmp_path: Path) -> None:
    bad = [["kh-x", "x", "2026-01-01", "2026-03-31", "-1", "a", "", ""]] * 3
    result = _import(world, _csv(tmp_path, bad))
    assert result.error_count == 3 * 4  # place, date, total, cell on each of three rows
    assert {e.row for e in result.errors} == {2, 3, 4}


def test_duplicate_rows_in_a_file_are_refused(world: World, tmp_path: Path) -> None:
    result = _import(world, _csv(tmp_path, [GOOD[0], GOOD[0]]))
    assert [(e.row, e.column) for e in result.errors] == [(3, "reference_date")]


def test_a_validated_return_is_not_overwritten_by_an_import(world: World, tmp_path: Path) -> None:
    _import(world, _csv(tmp_path, GOOD))
    CountReturn.objects.update(status=ReturnStatus.VALIDATED)
    changed = [[*GOOD[0][:4], "10", "7", "3", "4"]]
    result = _import(world, _csv(tmp_path, changed))
    assert "revision" in result.errors[0].message
    assert CountReturn.objects.get(reference_date="2026-03-31").total_held == 9


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "empty.csv", "empty"),
        (b"place_code,colour\nkh-cc1,blue\n", "bad.csv", "missing columns"),
        (b"this is not a spreadsheet at all", "fake.xlsx", "not a readable XLSX"),
        (b"\x00\x01\x02binary", "binary.csv", "not a CSV"),
        (",".join(HEADER).encode() + b"\n", "header-only.csv", "no rows"),
        ("\ufeff".encode() + ",".join(HEADER).encode() + b"\n\xff\xfe\n", "latin.csv", "UTF-8"),
    ],
)
def test_unreadable_files_give_one_clear_message(
    world: World, tmp_path: Path, content: bytes, name: str, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=words):
        _import(world, path, name)
    assert CountReturn.objects.count() == 0


def test_xlsx_files_are_read_and_formulas_refused(world: World, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["kh-cc2", "2026-03-31", "2026-01-01", "2026-03-31", 9, 6, 3, 4])
    sheet.append(
        ["kh-yrc", "2026-03-31", "2026-01-01", "2026-03-31", "=SUM(1,2)", None, None, None]
    )
    path = tmp_path / "returns.xlsx"
    workbook.save(path)
    result = _import(world, path, "returns.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(3, "total_held")]
    sheet.delete_rows(3)
    workbook.save(path)
    assert _import(world, path, "returns.xlsx").created == 1


@pytest.mark.django_db(transaction=True)
def test_upload_runs_in_the_worker_and_reports_progress(world: World, client: Client) -> None:
    login(client, world.user(Role.MONITOR))
    template = client.get("/statistics/import/template.xlsx")
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows())]
    assert [h.split(" — ")[0] for h in header] == ALL_COLUMNS
    assert "ចំនួនកុមារដែលត្រូវបានឃុំខ្លួនសរុប" in header[4]
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(header)
    writer.writerow(
        ["kh-cc4", "2026-06-30", "2026-01-01", "2026-06-30", "3"] + [""] * (len(header) - 5)
    )
    upload = io.BytesIO(content.getvalue().encode())
    upload.name = "mine.csv"
    response = client.post("/statistics/import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/statistics/import/{job.pk}/"
    waiting = client.get(f"/statistics/import/{job.pk}/", headers={"hx-request": "true"})
    assert b'hx-trigger="every 1s"' in waiting.content
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.created) == ("succeeded", 1)
    done = client.get(f"/statistics/import/{job.pk}/", headers={"hx-request": "true"})
    assert b"every 1s" not in done.content and b"1 new returns" in done.content
    assert AuditEvent.objects.filter(action="count_return.import").exists()


def test_only_spreadsheets_up_to_50_mb_are_accepted(world: World, client: Client) -> None:
    login(client, world.user(Role.MONITOR))
    upload = io.BytesIO(b"hello")
    upload.name = "notes.txt"
    response = client.post("/statistics/import/", {"file": upload})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_a_validator_validates_a_whole_import_at_once(world: World, tmp_path: Path) -> None:
    _import(world, _csv(tmp_path, GOOD))  # entered by the monitor
    analyst = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    response = analyst.post("/statistics/returns/validate/", {"place": "kh-cc2"}, follow=True)
    assert b"2 returns validated" in response.content
    statuses = dict(
        CountReturn.objects.values_list("place__code", "status").order_by("place__code")
    )
    assert statuses["kh-yrc"] == ReturnStatus.SUBMITTED  # not in the filter
    assert set(
        CountReturn.objects.filter(place__code="kh-cc2").values_list("status", flat=True)
    ) == {ReturnStatus.VALIDATED}
    focal = world.user(Role.GOVERNMENT_FOCAL_POINT)
    CountReturn.objects.filter(place__code="kh-yrc").update(created_by=focal, submitted_by=focal)
    mine = login(Client(headers={"accept-language": "en"}), focal)
    skipped = mine.post("/statistics/returns/validate/", {}, follow=True)
    assert b"0 returns validated" in skipped.content and b"someone other" in skipped.content


def test_the_secretariat_publishes_validated_returns_at_once(world: World, tmp_path: Path) -> None:
    _import(world, _csv(tmp_path, GOOD))
    CountReturn.objects.update(status=ReturnStatus.VALIDATED)
    analyst = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    assert analyst.post("/statistics/returns/validate/", {"action": "publish"}).status_code == 403
    secretariat = login(
        Client(headers={"accept-language": "en"}), world.user(Role.SECRETARIAT_ADMIN)
    )
    response = secretariat.post("/statistics/returns/validate/", {"action": "publish"}, follow=True)
    assert b"3 returns published" in response.content
    assert set(CountReturn.objects.values_list("status", flat=True)) == {ReturnStatus.PUBLISHED}
