"""CSV exports (UTF-8 with a byte-order mark, so Excel shows Khmer): events with their
participant counts by group, and the published feedback themes of every quarter exactly as the
public page shows them. Neither ever holds a child's identity or words."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from komar.core.access import public
from komar.participation import selectors
from komar.participation.api import period_tables
from komar.participation.models import ParticipantGroup

UNKNOWN = "?"  # the group took part; the number is not known


def _csv(rows: Iterable[list[Any]], name: str) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@public
def events_csv(request: HttpRequest) -> HttpResponse:
    """The events the visitor may see (public ones; for members holding `events.edit` also
    their organisations' unlisted ones), one row each. A group's cell (`participants_<group>`)
    is its count, "?" when it took part but the number is not known, blank when it did not take
    part."""
    events = selectors.events_visible_to(user=request.user).prefetch_related("participants")
    groups = list(ParticipantGroup.values)
    rows: list[list[Any]] = [
        [
            "id", "title_en", "title_km", "starts_on", "ends_on", "format", "place_en",
            "place_km", "organisers_en", "organisers_km", "is_public",
            *[f"participants_{g}" for g in groups], "children_requests",
        ]
    ]  # fmt: skip
    for e in events:
        counts = {p.group: p.count for p in e.participants.all()}
        organisers = list(e.organisers.all())
        rows.append(
            [
                e.pk,
                e.title_en,
                e.title_km,
                e.starts_on.isoformat(),
                e.ends_on.isoformat() if e.ends_on else "",
                e.format,
                e.place_en,
                e.place_km,
                "; ".join(o.name_en for o in organisers),
                "; ".join(o.name_km for o in organisers),
                "yes" if e.is_public else "no",
                *[
                    ("" if g not in counts else UNKNOWN if counts[g] is None else counts[g])
                    for g in groups
                ],
                e.n_requests,  # type: ignore[attr-defined]
            ]
        )
    return _csv(rows, f"komar-events-{timezone.localdate():%Y-%m-%d}.csv")


@public
def themes_csv(request: HttpRequest) -> HttpResponse:
    """Every published quarter's tables, one row per cell, labels in the page's language.
    `value` is blank where the page hides a count; `shown` is exactly what the page shows."""
    rows: list[list[Any]] = [
        ["year", "quarter", "table", "code", "label", "value", "shown", "hidden", "threshold"]
    ]
    for publication in selectors.published_theme_periods():
        p = period_tables(publication)
        head = [p["year"], p["quarter"]]
        cells = [("themes", c) for c in p["themes"]] + [("themes_total", p["themes_total"])]
        for key in ("age_bands", "provinces"):
            cells += [(key, c) for c in p[key] or []]
        for table, c in cells:
            rows.append(
                [*head, table, c["code"], c["label"], "" if c["value"] is None else c["value"],
                 c["shown"], c["hidden"], p["threshold"]]
            )  # fmt: skip
        if p["messages"] is not None:
            rows.append(
                [*head, "messages", "", "", p["messages"], p["messages"], "", p["threshold"]]
            )
    return _csv(rows, "komar-feedback-themes.csv")
