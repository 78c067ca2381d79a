"""Accepted feedback counted by theme for one quarter, protected by disclosure control before
anything is published (komar.core.disclosure).

Three one-column tables: themes (a message can carry several, so its total counts theme tags),
age bands and provinces (each totalling the messages). The theme table is always published,
counts from 1 to threshold−1 showing as "fewer than N" and cells hidden to protect them (secondary
suppression) as "–". A breakdown by age band or province is published only if every one of its
cells survives suppression, and only while the theme table's total is shown (if every message
carried one theme, that total would be the breakdown's total)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from komar.core.disclosure import ProtectedTable, protect
from komar.participation.models import AgeBand, Feedback, FeedbackTheme

NOT_GIVEN = ""


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, following - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def accepted_in(year: int, quarter: int) -> QuerySet[Feedback]:
    start, end = quarter_bounds(year, quarter)
    return Feedback.objects.filter(
        status=Feedback.Status.ACCEPTED, received_on__gte=start, received_on__lte=end
    )


def raw_counts(year: int, quarter: int) -> dict[str, dict[str, int]]:
    """Unprotected counts, for the secretariat only (never published as they are)."""
    qs = accepted_in(year, quarter)
    through = Feedback.themes.through.objects.filter(feedback__in=qs)
    return {
        "themes": {
            r["feedbacktheme__code"]: r["n"]
            for r in through.values("feedbacktheme__code").annotate(n=Count("id")).order_by()
        },
        "age_bands": {
            r["age_band"]: r["n"] for r in qs.values("age_band").annotate(n=Count("id")).order_by()
        },
        "provinces": {
            (r["province__code"] or NOT_GIVEN): r["n"]
            for r in qs.values("province__code").annotate(n=Count("id")).order_by()
        },
        "messages": {"": qs.count()},
    }


def _cells(codes: list[str], table: ProtectedTable) -> list[dict[str, Any]]:
    return [
        {"code": code, "value": table.value(r, 0), "small": (r, 0) in table.primary}
        for r, code in enumerate(codes)
    ]


def _total(table: ProtectedTable) -> dict[str, Any]:
    corner = (table.rows, table.cols)
    return {"value": table.value(*corner), "small": corner in table.primary}


def build_tables(*, year: int, quarter: int, threshold: int) -> dict[str, Any]:
    """What is published for the quarter: only counts that survived disclosure control."""
    counts = raw_counts(year, quarter)
    theme_codes = list(FeedbackTheme.objects.values_list("code", flat=True))
    themes = protect([[counts["themes"].get(c, 0)] for c in theme_codes], threshold)
    tables: dict[str, Any] = {
        "themes": _cells(theme_codes, themes),
        "themes_total": _total(themes),
        "age_bands": None,
        "provinces": None,
        "messages": None,
    }
    if (themes.rows, themes.cols) in themes.hidden:
        return tables
    age_codes = [*AgeBand.values, NOT_GIVEN]
    province_codes = sorted(c for c in counts["provinces"] if c) + (
        [NOT_GIVEN] if counts["provinces"].get(NOT_GIVEN) else []
    )
    for key, codes in (("age_bands", age_codes), ("provinces", province_codes)):
        if not codes:
            continue
        table = protect([[counts[key].get(c, 0)] for c in codes], threshold)
        if table.hidden:
            continue  # a breakdown is shown only if every cell survives
        tables[key] = [{"code": c, "value": table.value(r, 0)} for r, c in enumerate(codes)]
        tables["messages"] = table.value(table.rows, table.cols)
    return tables
