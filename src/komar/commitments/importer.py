"""Importing commitment items from CSV or XLSX, in Komar's own layout or as the Universal Human
Rights Index (UHRI, https://uhri.ohchr.org) exports them.

Every row is checked first — cells, source, categories, organisations, references within the file
and against the database. Only when no row has an error is anything written, all in one
transaction and through the services, so each item gets its history and audit lines. An item that
is already there with the same content counts as "unchanged": importing the same file again
changes nothing. Files are read with the statistics importer's reader (CSV as UTF-8, XLSX with
openpyxl in read-only mode) and its result records.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from komar.audit import services as audit
from komar.commitments import services
from komar.commitments.models import Item, ItemActor, ItemKind, Source, StateResponse
from komar.organisations.models import Organisation
from komar.statistics.importer import (
    MAX_FILE_BYTES,
    ImportFileError,
    ImportResult,
    RowError,
)
from komar.statistics.importer import _rows as read_rows

__all__ = [
    "AUTO",
    "KOMAR",
    "MAX_FILE_BYTES",
    "UHRI",
    "ImportFileError",
    "ItemImportResult",
    "RowError",
    "header_labels",
    "import_file",
    "import_upload",
]

KOMAR = "komar"
UHRI = "uhri"
AUTO = "auto"

CATEGORY_COLUMNS = ("themes", "situations", "affected_groups", "sdg_targets")
ACTOR_COLUMNS = {"lead_actors": ItemActor.Role.LEAD, "supporting_actors": ItemActor.Role.SUPPORTING}
TEXT_COLUMNS = ("paragraph", "text_en", "text_km", "summary_en", "summary_km")
DATE_COLUMNS = ("state_response_on", "due_on")
KOMAR_COLUMNS = [
    "source_code",
    "reference",
    "paragraph",
    "kind",
    "text_en",
    "text_km",
    "summary_en",
    "summary_km",
    "state_response",
    "state_response_on",
    *CATEGORY_COLUMNS,
    *ACTOR_COLUMNS,
    "due_on",
]
# Columns the export adds; an exported file imports again, these are not read.
EXPORT_ONLY_COLUMNS = [
    "government_status",
    "government_status_on",
    "coalition_status",
    "coalition_status_on",
    "gap",
    "archived",
    "published",
]
KOMAR_REQUIRED = ("source_code", "reference", "kind", "text_en")

# UHRI headers, compared after lower-casing and keeping letters and digits only; several names
# are accepted for each because the export's wording has changed over the years.
UHRI_HEADERS: dict[str, set[str]] = {
    "symbol": {"symbol", "document symbol", "document", "symbols", "doc symbol"},
    "paragraph": {
        "paragraph", "para", "paragraph number", "paragraph no", "paragraphs",
        "recommendation number", "recommendation no", "number",
    },
    "text": {
        "text", "recommendation", "recommendation text", "annotation", "annotation text",
        "recommendations observations", "full text",
    },
    "themes": {"themes", "theme", "human rights themes", "thematic issues"},
    "affected": {
        "affected persons", "affected person", "affected groups", "persons affected",
        "concerned groups", "affected persons groups",
    },
    "sdg": {
        "sdg", "sdgs", "sdg targets", "sdg target", "sdg goals", "sustainable development goals",
    },
    "body": {"body", "mechanism", "body mechanism", "mechanisms", "treaty body"},
    "date": {"date", "document date", "publication date", "date of document"},
    "year": {"year", "session year"},
    "state": {
        "recommending state", "recommending states", "recommending country",
        "recommending countries", "recommending state s",
    },
    "response": {
        "response", "position", "upr position", "state response", "position of the state",
        "response position", "state position",
    },
}  # fmt: skip
UHRI_REQUIRED = ("symbol", "paragraph", "text")
RESPONSES = {
    "supported": StateResponse.SUPPORTED,
    "accepted": StateResponse.SUPPORTED,
    "supported in part": StateResponse.SUPPORTED_IN_PART,
    "supported_in_part": StateResponse.SUPPORTED_IN_PART,
    "partially supported": StateResponse.SUPPORTED_IN_PART,
    "partially accepted": StateResponse.SUPPORTED_IN_PART,
    "noted": StateResponse.NOTED,
}
SDG_CODE = re.compile(r"^\s*(\d{1,2}\.[0-9a-zA-Z]{1,2}(?:\.\d+)?)(?=$|[\s\-–—:])")


@dataclass
class ItemImportResult(ImportResult):
    format: str = ""
    file_name: str = ""


def header_labels() -> list[str]:
    """The template's bilingual header: `code — English / Khmer`; only the code before " — " is
    read back."""
    labels = {
        "source_code": ("Source short code", "លេខកូដប្រភព"),
        "reference": ("Reference (unique)", "លេខយោង (មិនជាន់គ្នា)"),
        "paragraph": ("Paragraph", "កថាខណ្ឌ"),
        "kind": ("Kind: recommendation, observation, request, pledge, finding", "ប្រភេទ"),
        "text_en": ("Full text (English)", "អត្ថបទពេញ (អង់គ្លេស)"),
        "text_km": ("Full text (Khmer)", "អត្ថបទពេញ (ខ្មែរ)"),
        "summary_en": ("Plain-language summary (English)", "សេចក្តីសង្ខេបងាយយល់ (អង់គ្លេស)"),
        "summary_km": ("Plain-language summary (Khmer)", "សេចក្តីសង្ខេបងាយយល់ (ខ្មែរ)"),
        "state_response": (
            "State's response: supported, supported_in_part, noted",
            "ចម្លើយរបស់រដ្ឋ",
        ),
        "state_response_on": ("Date of the response (YYYY-MM-DD)", "កាលបរិច្ឆេទនៃចម្លើយ"),
        "themes": ("Themes (codes or names, separated by ;)", "ប្រធានបទ"),
        "situations": ("Global Study situations (separated by ;)", "ស្ថានភាពតាមការសិក្សាសកល"),
        "affected_groups": ("Affected groups (separated by ;)", "ក្រុមដែលរងផលប៉ះពាល់"),
        "sdg_targets": ("SDG targets, e.g. 16.3 (separated by ;)", "គោលដៅ SDG"),
        "lead_actors": ("Lead organisations (short names, separated by ;)", "ស្ថាប័នដឹកនាំ"),
        "supporting_actors": (
            "Supporting organisations (short names, separated by ;)",
            "ស្ថាប័នគាំទ្រ",
        ),
        "due_on": ("Due date (YYYY-MM-DD)", "កាលបរិច្ឆេទកំណត់"),
    }
    return [f"{code} — {en} / {km}" for code, (en, km) in labels.items()]


# Reading cells ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _split(value: Any, newlines: bool = False) -> list[str]:
    text = _text(value)
    pattern = r"[;\n\r]+" if newlines else r";"
    return [part.strip() for part in re.split(pattern, text) if part.strip()]


def _normal(header: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _text(header).casefold()).split())


def _code(header: Any) -> str:
    return _text(header).split(" — ")[0].strip()


# The file's layout -----------------------------------------------------------------------


@dataclass
class Layout:
    """Which column (index) holds what, and the column's name as the file spells it."""

    format: str
    columns: dict[str, int]
    names: dict[str, str]

    def get(self, raw: list[Any], key: str) -> Any:
        index = self.columns.get(key)
        return raw[index] if index is not None and index < len(raw) else None

    def has(self, key: str) -> bool:
        return key in self.columns


def _komar_layout(header: list[Any]) -> Layout:
    codes = [_code(cell) for cell in header]
    while codes and not codes[-1]:
        codes.pop()
    known = set(KOMAR_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    missing = [c for c in KOMAR_REQUIRED if c not in codes]
    unknown = [c for c in codes if c and c not in known]
    repeated = sorted({c for c in codes if c and codes.count(c) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise ImportFileError(
            _("The first row must be the template's header (%(problems)s).")
            % {"problems": "; ".join(problems)}
        )
    columns = {c: i for i, c in enumerate(codes) if c in KOMAR_COLUMNS}
    return Layout(KOMAR, columns, {c: c for c in columns})


def _uhri_layout(header: list[Any]) -> Layout:
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, cell in enumerate(header):
        normal = _normal(cell)
        for key, variants in UHRI_HEADERS.items():
            if normal in variants and key not in columns:
                columns[key] = index
                names[key] = _text(cell)
    missing = [key for key in UHRI_REQUIRED if key not in columns]
    if missing:
        raise ImportFileError(
            _(
                "This does not look like a Universal Human Rights Index export: the columns "
                "%(names)s are missing."
            )
            % {"names": ", ".join(k.capitalize() for k in missing)}
        )
    return Layout(UHRI, columns, names)


def detect(header: list[Any], wanted: str = AUTO) -> Layout:
    """The layout of the file: the one asked for, or recognised from the header."""
    if wanted == KOMAR:
        return _komar_layout(header)
    if wanted == UHRI:
        return _uhri_layout(header)
    codes = {_code(cell) for cell in header}
    if {"source_code", "reference"} <= codes:
        return _komar_layout(header)
    normals = {_normal(cell) for cell in header}
    if normals & UHRI_HEADERS["symbol"] and normals & UHRI_HEADERS["text"]:
        return _uhri_layout(header)
    raise ImportFileError(
        _(
            "The columns were not recognised: use Komar's template, or a Universal Human Rights "
            "Index export with Symbol, Paragraph and Text columns."
        )
    )


# Checking rows ----------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    source: Source
    reference: str
    reference_column: str
    data: dict[str, Any]
    categories: dict[str, list[Any]]
    actors: dict[int, str] | None  # organisation id → role, when the file says
    existing: Item | None = None
    action: str = "create"  # or "update", "unchanged"


@dataclass
class Context:
    """What the rows are checked against, loaded once per import."""

    sources_by_code: dict[str, Source]
    sources_by_symbol: dict[str, Source]
    organisations: dict[str, Organisation]
    chosen_source: Source | None
    labels: dict[tuple[str, str], Any] = field(default_factory=dict)

    @classmethod
    def load(cls, chosen_source: Source | None) -> Context:
        sources = list(Source.objects.all())
        return cls(
            sources_by_code={s.code: s for s in sources},
            sources_by_symbol={s.symbol.strip().casefold(): s for s in sources if s.symbol},
            organisations={o.slug: o for o in Organisation.objects.all()},
            chosen_source=chosen_source,
        )

    def category(self, column: str, label: str) -> Any:
        """The vocabulary row a label names (code, name or alias), or None; one look-up per
        distinct label, through the services' resolver."""
        key = (column, label.casefold())
        if key not in self.labels:
            try:
                found = services.resolve_categories({column: [label]})[column]
            except ValidationError:
                found = []
            self.labels[key] = found[0] if found else None
        return self.labels[key]


class RowChecker:
    def __init__(self, layout: Layout, context: Context, result: ImportResult) -> None:
        self.layout = layout
        self.context = context
        self.result = result
        self.line = 0
        self.failed = False

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.result.add_error(self.line, self.layout.names.get(key, key), message)

    def categories(self, key: str, column: str, labels: Iterable[str]) -> list[Any]:
        rows: list[Any] = []
        for label in labels:
            found = self.context.category(column, label)
            if found is None:
                self.error(key, _("Unknown label “%(label)s”.") % {"label": label})
            elif found not in rows:
                rows.append(found)
        return rows

    def date(self, key: str, value: Any) -> dt.date | None:
        try:
            return _date(value)
        except ValueError:
            self.error(key, _("Enter a date as YYYY-MM-DD."))
            return None

    def response(self, key: str, value: Any) -> str:
        text = " ".join(_text(value).casefold().split())
        if not text:
            return ""
        if text in RESPONSES:
            return RESPONSES[text]
        self.error(
            key,
            _("Unknown response “%(value)s”: use supported, supported in part or noted.")
            % {"value": _text(value)},
        )
        return ""

    def check(self, line: int, raw: list[Any]) -> Row | None:
        self.line, self.failed = line, False
        row = self._komar(raw) if self.layout.format == KOMAR else self._uhri(raw)
        if row is None or self.failed:
            return None
        self._check_fields(row)
        return None if self.failed else row

    def _komar(self, raw: list[Any]) -> Row | None:
        get = self.layout.get
        for key in KOMAR_REQUIRED:
            if not _text(get(raw, key)):
                self.error(key, _("This cell is required."))
        source = None
        code = _text(get(raw, "source_code"))
        if code:
            source = self.context.sources_by_code.get(code)
            if source is None:
                self.error("source_code", _("No source has the code “%(code)s”.") % {"code": code})
        data: dict[str, Any] = {}
        for key in TEXT_COLUMNS:
            if self.layout.has(key):
                data[key] = _text(get(raw, key))
        kind = _text(get(raw, "kind")).casefold()
        if kind:
            labels = {str(label).casefold(): value for value, label in ItemKind.choices}
            kind = labels.get(kind, kind)
            if kind not in ItemKind.values:
                self.error(
                    "kind",
                    _("Unknown kind “%(value)s”: use one of %(values)s.")
                    % {"value": _text(get(raw, "kind")), "values": ", ".join(ItemKind.values)},
                )
        data["kind"] = kind
        if self.layout.has("state_response"):
            data["state_response"] = self.response("state_response", get(raw, "state_response"))
        for key in DATE_COLUMNS:
            if self.layout.has(key):
                data[key] = self.date(key, get(raw, key))
        categories = {
            key: self.categories(key, key, _split(get(raw, key)))
            for key in CATEGORY_COLUMNS
            if self.layout.has(key)
        }
        actors: dict[int, str] | None = None
        if any(self.layout.has(key) for key in ACTOR_COLUMNS):
            actors = {}
            for key, role in ACTOR_COLUMNS.items():
                for slug in _split(get(raw, key)):
                    org = self.context.organisations.get(slug)
                    if org is None:
                        self.error(
                            key,
                            _("No organisation has the short name “%(slug)s”.") % {"slug": slug},
                        )
                    elif org.pk in actors:
                        self.error(key, _("“%(slug)s” is named twice.") % {"slug": slug})
                    else:
                        actors[org.pk] = role
        if source is None:
            return None
        reference = _text(get(raw, "reference"))
        return Row(self.line, source, reference, "reference", data, categories, actors)

    def _uhri(self, raw: list[Any]) -> Row | None:
        get = self.layout.get
        for key in UHRI_REQUIRED:
            if not _text(get(raw, key)):
                self.error(key, _("This cell is required."))
        symbol = _text(get(raw, "symbol"))
        source = self.context.chosen_source
        if source is None and symbol:
            source = self.context.sources_by_symbol.get(symbol.casefold())
            if source is None:
                self.error(
                    "symbol",
                    _(
                        "No source has the symbol “%(symbol)s”: add the source first, or choose "
                        "it on the form."
                    )
                    % {"symbol": symbol},
                )
        paragraph = _text(get(raw, "paragraph"))
        data: dict[str, Any] = {"paragraph": paragraph, "text_en": _text(get(raw, "text"))}
        if self.layout.has("response"):
            data["state_response"] = self.response("response", get(raw, "response"))
            if data["state_response"] and self.layout.has("date"):
                data["state_response_on"] = self.date("date", get(raw, "date"))
        sdg_labels = []
        for label in _split(get(raw, "sdg"), newlines=True):
            match = SDG_CODE.match(label)
            sdg_labels.append(match.group(1) if match else label)
        categories = {
            "themes": self.categories("themes", "themes", _split(get(raw, "themes"), True)),
            "affected_groups": self.categories(
                "affected", "affected_groups", _split(get(raw, "affected"), True)
            ),
            "sdg_targets": self.categories("sdg", "sdg_targets", sdg_labels),
        }
        categories = {
            name: rows
            for name, rows, key in zip(
                categories, categories.values(), ("themes", "affected", "sdg"), strict=True
            )
            if self.layout.has(key)
        }
        if source is None or not symbol or not paragraph:
            return None
        reference = f"{symbol} §{paragraph}"
        return Row(self.line, source, reference, "paragraph", data, categories, None)

    def _check_fields(self, row: Row) -> None:
        """The model's own checks (lengths, choices) on the row's values."""
        item = Item(source=row.source, reference=row.reference, **row.data)
        if not item.kind:
            item.kind = ItemKind.RECOMMENDATION
        if item.state_response_on and not item.state_response:
            self.error("state_response", _("Choose the state's response for the date you gave."))
        try:
            item.full_clean(exclude=["source"], validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = row.reference_column if name == "reference" else name
                if self.layout.format == UHRI:
                    column = {"text_en": "text", "paragraph": "paragraph"}.get(column, column)
                for message in messages:
                    self.error(column, message)


def _same(item: Item, row: Row) -> bool:
    if item.source_id != row.source.pk:
        return False
    for name, value in row.data.items():
        if getattr(item, name) != value:
            return False
    for name, rows in row.categories.items():
        if {r.pk for r in getattr(item, name).all()} != {r.pk for r in rows}:
            return False
    if row.actors is not None:
        now = {a.organisation_id: a.role for a in item.actors.all()}
        if now != row.actors:
            return False
    return True


def _compare(rows: list[Row], result: ImportResult, layout: Layout, update: bool) -> None:
    """Duplicates within the file, and each row against the item already there."""
    first: dict[str, int] = {}
    for row in rows:
        if row.reference in first:
            message = _("The reference “%(reference)s” is also on row %(row)s.") % {
                "reference": row.reference,
                "row": first[row.reference],
            }
            result.add_error(row.line, layout.names.get(row.reference_column, "reference"), message)
        else:
            first[row.reference] = row.line
    existing = {
        item.reference: item
        for item in Item.objects.filter(reference__in=list(first)).prefetch_related(
            *CATEGORY_COLUMNS, "actors"
        )
    }
    for row in rows:
        item = existing.get(row.reference)
        if item is None:
            continue
        row.existing = item
        column = layout.names.get(row.reference_column, "reference")
        if _same(item, row):
            row.action = "unchanged"
        elif item.source_id != row.source.pk:
            result.add_error(
                row.line,
                column,
                _("The reference “%(reference)s” exists in another source (%(source)s).")
                % {"reference": row.reference, "source": item.source.code},
            )
        elif not update:
            result.add_error(
                row.line,
                column,
                _(
                    "The reference “%(reference)s” exists with different content; tick “update "
                    "existing items” to change it."
                )
                % {"reference": row.reference},
            )
        elif item.is_archived:
            result.add_error(
                row.line,
                column,
                _("The item “%(reference)s” is archived: restore it before changing it.")
                % {"reference": row.reference},
            )
        else:
            row.action = "update"


# Running ----------------------------------------------------------------------------------


def _lines(path: Path, name: str) -> Iterator[tuple[int, list[Any]]]:
    for line, raw in enumerate(read_rows(path, name), start=1):
        yield line, list(raw)


def import_file(
    path: Path,
    name: str,
    *,
    actor: Any,
    format: str = AUTO,
    source: Source | None = None,
    update: bool = False,
) -> ItemImportResult:
    """Check every row of the file, then write them all, or nothing if any row has an error."""
    result = ItemImportResult(file_name=name)
    lines = _lines(path, name)
    try:
        _line, header = next(lines)
    except StopIteration as exc:
        raise ImportFileError(_("The file is empty.")) from exc
    layout = detect(header, format)
    result.format = layout.format
    checker = RowChecker(layout, Context.load(source), result)
    rows: list[Row] = []
    for line, raw in lines:
        if not any(_text(v) for v in raw):
            continue
        result.rows += 1
        row = checker.check(line, raw)
        if row is not None:
            rows.append(row)
    if result.rows == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    _compare(rows, result, layout, update)
    if result.error_count:
        return result
    _write(rows, actor, result, layout)
    return result


def _write(rows: list[Row], actor: Any, result: ItemImportResult, layout: Layout) -> None:
    current: Row | None = None
    try:
        with transaction.atomic():
            for current in rows:
                if current.action == "unchanged":
                    result.unchanged += 1
                    continue
                if current.action == "update":
                    assert current.existing is not None
                    item = services.item_update(
                        actor=actor,
                        item=current.existing,
                        data=current.data,
                        categories=current.categories,
                    )
                    result.updated += 1
                else:
                    data = {"kind": ItemKind.RECOMMENDATION, **current.data}
                    if not data["kind"]:
                        data["kind"] = ItemKind.RECOMMENDATION
                    item = services.item_create(
                        actor=actor,
                        source=current.source,
                        data={**data, "reference": current.reference},
                        categories=current.categories,
                    )
                    result.created += 1
                _set_actors(actor, item, current.actors)
            audit.record(
                actor=actor,
                action="commitments.import",
                changes={
                    "file": result.file_name[:200],
                    "format": result.format,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except ValidationError as exc:  # a refusal the checks did not foresee: nothing is kept
        result.created = result.updated = result.unchanged = 0
        line = current.line if current else 0
        for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            for message in messages:
                result.add_error(line, layout.names.get(name, name), message)


def _set_actors(actor: Any, item: Item, wanted: dict[int, str] | None) -> None:
    if wanted is None:
        return
    present = {a.organisation_id: a for a in ItemActor.objects.filter(item=item)}
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=list(wanted))}
    for org_id, role in wanted.items():
        link = present.get(org_id)
        if link is None or link.role != role:
            services.actor_set(
                actor=actor, item=item, organisation=organisations[org_id], role=role
            )
    for org_id, link in present.items():
        if org_id not in wanted:
            services.actor_remove(actor=actor, item_actor=link)


def import_upload(upload: UploadedFile, **options: Any) -> ItemImportResult:
    """Import an uploaded file (copied to a temporary file so the reader can open it)."""
    name = upload.name or "upload.csv"
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    with tempfile.TemporaryDirectory(prefix="komar-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return import_file(path, name, **options)
