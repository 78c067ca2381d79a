"""Geometry of the progress charts: stacked horizontal bars, one for what the government reports
and one for what the coalition assesses, per row (a theme, a lead actor, or all items).

The numbers come from selectors.progress_by / progress_totals; this module only lays them out
(SVG coordinates in a 640-unit-wide viewBox that scales to the screen) and lists the same
numbers for the accessible table under each chart."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from komar.commitments.models import Perspective, Progress
from komar.core.i18n import pick

NONE = ""  # the key of "no assessment yet"
STATUSES: list[str] = [*Progress.values, NONE]
WIDTH = 420  # narrow, so that text stays legible when a phone scales the chart down
BAR_X = 80  # bars start after the perspective labels
BAR_MAX = 300  # the widest bar (the row with most items); its total is written after it
BAR_HEIGHT = 18
ROW_HEIGHT = 76  # row label, two bars, and a gap
MIN_WIDTH_FOR_NUMBER = 18  # narrower segments carry no number (the table has it)
LABEL_LIMIT = 55
KHMER_COENG = "\u17d2"


def status_label(status: str) -> str:
    return str(Progress(status).label) if status else _("No assessment yet")


def perspective_label(perspective: str) -> str:
    return str(Perspective(perspective).label)


def perspective_short(perspective: str) -> str:
    """A label short enough to stand left of a bar."""
    return _("Government") if perspective == Perspective.GOVERNMENT else _("Coalition")


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    """`text` cut to about `limit` characters with an ellipsis, never inside a Khmer cluster
    (no dangling subscript sign or vowel)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = limit - 1
    # Step back over combining marks and a subscript sign so the cluster is kept whole.
    while cut > 0 and (
        unicodedata.category(text[cut]).startswith("M") or text[cut - 1] == KHMER_COENG
    ):
        cut -= 1
    return text[:cut].rstrip() + "…"


def svg_number(value: float) -> str:
    """A coordinate as SVG wants it, whatever the language ("75.5", never the Khmer "75,5")."""
    return f"{round(value, 1):g}"


@dataclass
class Segment:
    status: str
    label: str
    n: int
    x: str  # SVG coordinates are text: templates would localise numbers
    width: str
    text_x: str
    show_n: bool


@dataclass
class Bar:
    perspective: str
    label: str
    short: str
    y: int
    text_y: int
    total: int
    total_x: str
    segments: list[Segment]
    counts: list[int]  # per STATUSES, for the table


@dataclass
class Row:
    label: str
    short_label: str
    y: int
    text_y: int
    total: int
    gap: int
    bars: list[Bar]
    key: Any = None


@dataclass
class Chart:
    title: str
    height: int
    rows: list[Row] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # table columns
    width: int = WIDTH
    dimension_label: str = ""
    label_x: int = BAR_X - 6
    bar_height: int = BAR_HEIGHT


def _bar(perspective: str, counts: dict[str, int], y: int, scale: float) -> Bar:
    segments = []
    x = float(BAR_X)
    ordered = [int(counts.get(s) or 0) for s in STATUSES]
    for status, n in zip(STATUSES, ordered, strict=True):
        if not n:
            continue
        width = round(n * scale, 1)
        segments.append(
            Segment(
                status=status or "none",
                label=status_label(status),
                n=n,
                x=svg_number(x),
                width=svg_number(width),
                text_x=svg_number(x + width / 2),
                show_n=width >= MIN_WIDTH_FOR_NUMBER,
            )
        )
        x += width
    return Bar(
        perspective=perspective,
        label=perspective_label(perspective),
        short=perspective_short(perspective),
        y=y,
        text_y=y + 13,
        total=sum(ordered),
        total_x=svg_number(x + 6),
        segments=segments,
        counts=ordered,
    )


def progress_chart(rows: list[dict[str, Any]], *, title: str, dimension_label: str = "") -> Chart:
    """Lay out rows shaped like selectors.progress_by's ({"label_en", "label_km", "total",
    "gap", "government": {status: n}, "coalition": {status: n}})."""
    top = max([int(r.get("total") or 0) for r in rows] or [0]) or 1
    scale = BAR_MAX / top
    chart = Chart(
        title=title,
        height=8 + ROW_HEIGHT * len(rows),
        legend=[(s or "none", status_label(s)) for s in STATUSES],
        statuses=[(s or "none", status_label(s)) for s in STATUSES],
        dimension_label=dimension_label,
    )
    for i, r in enumerate(rows):
        y = 8 + ROW_HEIGHT * i
        label = pick(r.get("label_km") or "", r.get("label_en") or "")
        chart.rows.append(
            Row(
                key=r.get("key"),
                label=label,
                short_label=shorten(label),
                y=y,
                text_y=y + 14,
                total=int(r.get("total") or 0),
                gap=int(r.get("gap") or 0),
                bars=[
                    _bar(
                        Perspective.GOVERNMENT, r.get(Perspective.GOVERNMENT) or {}, y + 22, scale
                    ),
                    _bar(Perspective.COALITION, r.get(Perspective.COALITION) or {}, y + 44, scale),
                ],
            )
        )
    return chart


def totals_row(totals: dict[str, Any]) -> dict[str, Any]:
    """selectors.progress_totals as one chart row ("All items")."""
    label = _("All items")
    return {
        "key": None,
        "label_en": label,
        "label_km": label,
        "total": totals["total"],
        "gap": totals["gap"],
        Perspective.GOVERNMENT: totals.get(Perspective.GOVERNMENT) or {},
        Perspective.COALITION: totals.get(Perspective.COALITION) or {},
    }
