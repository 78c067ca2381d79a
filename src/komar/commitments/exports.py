"""Export of a filtered list of items as CSV or XLSX, in the import's layout (so an exported
file imports again unchanged) plus each item's current status from both perspectives."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from komar.audit import services as audit
from komar.commitments import selectors
from komar.commitments.importer import CATEGORY_COLUMNS, EXPORT_ONLY_COLUMNS, KOMAR_COLUMNS
from komar.commitments.models import Item, ItemActor

COLUMNS = KOMAR_COLUMNS + EXPORT_ONLY_COLUMNS
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 500


def export_items(*, actor: Any, filters: selectors.ItemFilters, fmt: str) -> tuple[int, Any]:
    """The items the actor may see under `filters`: (count, rows); the export is written to the
    audit log. Rows are lists of cells in COLUMNS order, header first, read lazily."""
    items = _items(actor, filters)
    count = items.count()
    audit.record(actor=actor, action="commitments.export", changes={"rows": count, "format": fmt})
    return count, _rows(items)


def _items(actor: Any, filters: selectors.ItemFilters) -> QuerySet[Item]:
    return (
        selectors.items_visible_to(user=actor, filters=filters)
        .distinct()
        .prefetch_related("situations", "affected_groups", "sdg_targets")
        .order_by("source__code", "reference")
    )


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _codes(rows: Any) -> str:
    return "; ".join(sorted(r.code for r in rows))


def _rows(items: QuerySet[Item]) -> Iterator[list[Any]]:
    yield list(COLUMNS)
    for item in items.iterator(chunk_size=CHUNK):
        actors = list(item.actors.all())
        cells = {
            "source_code": item.source.code,
            "reference": item.reference,
            "paragraph": item.paragraph,
            "kind": item.kind,
            "text_en": item.text_en,
            "text_km": item.text_km,
            "summary_en": item.summary_en,
            "summary_km": item.summary_km,
            "state_response": item.state_response,
            "state_response_on": _date(item.state_response_on),
            **{name: _codes(getattr(item, name).all()) for name in CATEGORY_COLUMNS},
            "lead_actors": "; ".join(
                sorted(a.organisation.slug for a in actors if a.role == ItemActor.Role.LEAD)
            ),
            "supporting_actors": "; ".join(
                sorted(a.organisation.slug for a in actors if a.role == ItemActor.Role.SUPPORTING)
            ),
            "due_on": _date(item.due_on),
            "government_status": item.government_status,
            "government_status_on": _date(item.government_status_on),
            "coalition_status": item.coalition_status,
            "coalition_status_on": _date(item.coalition_status_on),
            "gap": int(item.has_gap),
            "archived": int(item.is_archived),
            "published": int(item.is_published),
        }
        yield [cells[name] for name in COLUMNS]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterator[list[Any]]) -> Iterator[str]:
    """CSV text, line by line, starting with a byte-order mark so Excel reads UTF-8 (Khmer)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(rows: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("items")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(fmt: str) -> str:
    return f"komar-commitments-{timezone.localdate():%Y-%m-%d}.{fmt}"
