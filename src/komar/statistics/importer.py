"""Importing count returns from CSV or XLSX: one row per return, one column per cell.

Every row and column is checked before anything is written (pass 1, streaming); then, only if
there are no errors, every row is written in one transaction (pass 2, streaming again). Memory
stays bounded whatever the file's size. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.places.models import Place
from komar.statistics.checks import CellKey, ReturnNumbers, check
from komar.statistics.forms import ALL_KEYS, cell_label
from komar.statistics.models import CountCell, CountReturn, ReturnStatus
from komar.statistics.services import stored_cells

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000
BASE_COLUMNS = [
    "place_code",
    "reference_date",
    "period_start",
    "period_end",
    "total_held",
    "total_with_caregiver",
]
REQUIRED = {"place_code", "reference_date", "period_start", "period_end", "total_held"}
BATCH = 500


def cell_code(key: CellKey) -> str:
    return ".".join(part for part in key if part)


CELL_COLUMNS = {cell_code(k): k for k in ALL_KEYS}
ALL_COLUMNS = BASE_COLUMNS + list(CELL_COLUMNS)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, empty, too big, wrong headers)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))


def header_labels() -> list[str]:
    """The bilingual header: `code — English / Khmer`; only the code before " — " is read."""
    from django.utils import translation

    labels = {
        "place_code": ("Place code", "លេខកូដកន្លែង"),
        "reference_date": ("Reference date (YYYY-MM-DD)", "កាលបរិច្ឆេទយោង"),
        "period_start": ("Period start", "ការចាប់ផ្តើមរយៈពេល"),
        "period_end": ("Period end", "ការបញ្ចប់រយៈពេល"),
        "total_held": ("Total children held", "ចំនួនកុមារដែលត្រូវបានឃុំខ្លួនសរុប"),
        "total_with_caregiver": (
            "Total children living with a caregiver",
            "ចំនួនកុមាររស់នៅជាមួយអ្នកថែទាំសរុប",
        ),
    }
    header = [f"{code} — {en} / {km}" for code, (en, km) in labels.items()]
    for code, key in CELL_COLUMNS.items():
        with translation.override("en"):
            en = cell_label(key)
        with translation.override("km"):
            km = cell_label(key)
        header.append(f"{code} — {en} / {km}")
    return header


def _rows(path: Path, name: str) -> Iterator[list[Any]]:
    if path.stat().st_size == 0:
        raise ImportFileError(_("The file is empty."))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB. Split it into smaller files."))
    if name.lower().endswith(".xlsx"):
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFileError(_("This is not a readable XLSX spreadsheet.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open("rb") as raw:
        head = raw.read(4096)
    if b"\x00" in head:
        raise ImportFileError(_("This is not a CSV text file."))
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield from csv.reader(handle)
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The CSV file must be saved as UTF-8 text.")) from exc


def _header(row: list[Any]) -> list[str]:
    codes = []
    for cell in row:
        text = "" if cell is None else str(cell).strip()
        codes.append(text.split(" — ")[0].strip())
    while codes and not codes[-1]:
        codes.pop()
    missing = sorted(REQUIRED - set(codes))
    unknown = [c for c in codes if c and c not in ALL_COLUMNS]
    duplicated = sorted({c for c in codes if c and codes.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(duplicated)})
    if problems:
        raise ImportFileError(
            _("The first row must be the template's header (%(problems)s).")
            % {"problems": "; ".join(problems)}
        )
    return codes


@dataclass
class ParsedRow:
    line: int
    place_id: int
    reference_date: dt.date
    period_start: dt.date
    period_end: dt.date
    total_held: int | None
    total_with_caregiver: int | None
    cells: dict[CellKey, int]


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("="):
            raise TypeError  # a formula
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise ValueError
    return value


def _parse(
    line: int, codes: list[str], raw: list[Any], places: dict[str, Place], result: ImportResult
) -> ParsedRow | None:
    values = {code: (raw[i] if i < len(raw) else None) for i, code in enumerate(codes) if code}
    errors_before = result.error_count
    place = places.get(str(values.get("place_code") or "").strip())
    if place is None:
        result.add_error(line, "place_code", _("Unknown place code."))
    dates: dict[str, dt.date] = {}
    for name in ("reference_date", "period_start", "period_end"):
        try:
            dates[name] = _date(values.get(name))
        except (TypeError, ValueError):
            result.add_error(line, name, _("Enter a date as YYYY-MM-DD."))
    numbers: dict[str, int | None] = {}
    for name in ("total_held", "total_with_caregiver", *CELL_COLUMNS):
        if name not in values:
            continue
        try:
            numbers[name] = _count(values[name])
        except TypeError:
            result.add_error(line, name, _("Formulas are not accepted: enter the number itself."))
        except ValueError:
            result.add_error(line, name, _("Enter a whole number, 0 or more."))
    if numbers.get("total_held") is None and "total_held" not in {
        e.column for e in result.errors[-5:] if e.row == line
    }:
        result.add_error(line, "total_held", _("Give at least the total children held."))
    if result.error_count > errors_before or place is None:
        return None
    cells = {CELL_COLUMNS[n]: v for n, v in numbers.items() if n in CELL_COLUMNS and v is not None}
    parsed = ParsedRow(
        line=line,
        place_id=place.pk,
        reference_date=dates["reference_date"],
        period_start=dates["period_start"],
        period_end=dates["period_end"],
        total_held=numbers.get("total_held"),
        total_with_caregiver=numbers.get("total_with_caregiver"),
        cells=cells,
    )
    report = check(
        ReturnNumbers(
            parsed.reference_date,
            parsed.period_start,
            parsed.period_end,
            parsed.total_held,
            parsed.total_with_caregiver,
            cells,
            place.capacity,
        )
    )
    for issue in report.errors:
        column = issue.field.replace("/", ".")
        result.add_error(line, column, issue.message)
    return None if report.errors else parsed


Existing = dict[tuple[int, dt.date], tuple[int, str]]


def _existing_returns() -> Existing:
    """(place, reference date) → (id, status) of each return in force, loaded once."""
    found: Existing = {}
    rows = (
        CountReturn.objects.exclude(status=ReturnStatus.SUPERSEDED)
        .order_by("revision")
        .values_list("place_id", "reference_date", "pk", "status")
    )
    for place_id, day, pk, status in rows.iterator(chunk_size=5000):
        found[(place_id, day)] = (pk, status)
    return found


def _existing(parsed: ParsedRow, existing: Existing) -> CountReturn | None:
    hit = existing.get((parsed.place_id, parsed.reference_date))
    return CountReturn.objects.get(pk=hit[0]) if hit else None


def _same(existing: CountReturn, parsed: ParsedRow) -> bool:
    stored = {(c.measure, c.sex, c.age_band, c.legal_status): c.value for c in existing.cells.all()}
    return (
        existing.period_start == parsed.period_start
        and existing.period_end == parsed.period_end
        and existing.total_held == parsed.total_held
        and existing.total_with_caregiver == parsed.total_with_caregiver
        and stored == stored_cells(parsed.total_held, parsed.total_with_caregiver, parsed.cells)
    )


def run_import(
    path: Path,
    name: str,
    *,
    actor: Any,
    organisation_id: int | None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check the whole file, then write it all or nothing."""
    result = ImportResult()
    places = {p.code: p for p in Place.objects.all()}
    existing_returns = _existing_returns()
    seen: set[tuple[int, dt.date]] = set()
    rows = _rows(path, name)
    try:
        codes = _header(next(rows))
    except StopIteration as exc:
        raise ImportFileError(_("The file is empty.")) from exc
    for line, raw in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in raw):
            continue
        result.rows += 1
        parsed = _parse(line, codes, raw, places, result)
        if parsed is not None:
            key = (parsed.place_id, parsed.reference_date)
            if key in seen:
                message = _("This place and date appear twice in the file.")
                result.add_error(line, "reference_date", message)
            seen.add(key)
            existing = _existing(parsed, existing_returns)
            if existing and existing.status != ReturnStatus.DRAFT and not _same(existing, parsed):
                status = existing.get_status_display().lower()
                message = _(
                    "A return for this place and date is already %(status)s; correct it with a "
                    "revision."
                ) % {"status": status}
                result.add_error(line, "reference_date", message)
        if progress and line % BATCH == 0:
            progress(line)
    if result.rows == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    if result.error_count:
        return result
    _write(path, name, codes, places, existing_returns, actor, organisation_id, result, progress)
    return result


def _write(
    path: Path,
    name: str,
    codes: list[str],
    places: dict[str, Place],
    existing_returns: Existing,
    actor: Any,
    organisation_id: int | None,
    result: ImportResult,
    progress: Callable[[int], None] | None,
) -> None:
    now = timezone.now()
    source = _("Imported from %(file)s") % {"file": name}
    scratch = ImportResult()
    with transaction.atomic():
        rows = _rows(path, name)
        next(rows)
        pending: list[tuple[CountReturn, ParsedRow]] = []
        for line, raw in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in raw):
                continue
            parsed = _parse(line, codes, raw, places, scratch)
            assert parsed is not None  # checked in the first pass
            existing = _existing(parsed, existing_returns)
            if existing and existing.status != ReturnStatus.DRAFT:
                result.unchanged += 1
                continue
            if existing:
                if _same(existing, parsed):
                    result.unchanged += 1
                    continue
                existing.cells.all().delete()
                CountReturn.objects.filter(pk=existing.pk).update(
                    period_start=parsed.period_start,
                    period_end=parsed.period_end,
                    total_held=parsed.total_held,
                    total_with_caregiver=parsed.total_with_caregiver,
                )
                pending.append((existing, parsed))
                result.updated += 1
            else:
                count_return = CountReturn(
                    place_id=parsed.place_id,
                    reference_date=parsed.reference_date,
                    period_start=parsed.period_start,
                    period_end=parsed.period_end,
                    total_held=parsed.total_held,
                    total_with_caregiver=parsed.total_with_caregiver,
                    organisation_id=organisation_id,
                    source=source,
                    created_by=actor,
                    status=ReturnStatus.SUBMITTED,
                    submitted_by=actor,
                    submitted_at=now,
                )
                pending.append((count_return, parsed))
                result.created += 1
            if len(pending) >= BATCH:
                _flush(pending)
                if progress:
                    progress(line)
        _flush(pending)


CELL_INSERT = (
    f"INSERT INTO {CountCell._meta.db_table} "  # noqa: S608 - table name from the model, values bound
    "(count_return_id, measure, sex, age_band, legal_status, value) VALUES (%s, %s, %s, %s, %s, %s)"
)


def _flush(pending: list[tuple[CountReturn, ParsedRow]]) -> None:
    """Write a batch: returns through the ORM (their ids are needed), cells — the bulk of the
    rows — with one parameterised executemany, which is several times faster than model
    instances for this narrow table."""
    new = [r for r, _p in pending if r.pk is None]
    CountReturn.objects.bulk_create(new)
    cells = [
        (r.pk, m, s, a, ls, v)
        for r, p in pending
        for (m, s, a, ls), v in stored_cells(p.total_held, p.total_with_caregiver, p.cells).items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(CELL_INSERT, cells)
    pending.clear()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header_labels())
    return out.getvalue()
