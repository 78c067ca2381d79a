from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.statistics.indicators import PARTNER_STATUSES
from komar.statistics.models import CountReturn

TREND_POINTS = 12


def place_counts(request: HttpRequest, place: Any) -> str:
    """The place profile's counts: latest validated count, occupancy and the trend."""
    if not has_perm(request.user, Perm.STATISTICS_VIEW):
        return ""
    returns = list(
        CountReturn.objects.filter(place=place, status__in=PARTNER_STATUSES)
        .order_by("-reference_date")
        .values("pk", "reference_date", "total_held", "total_with_caregiver")[:TREND_POINTS]
    )
    latest = returns[0] if returns else None
    occupancy = None
    if latest and place.capacity and latest["total_held"] is not None:
        occupancy = (Decimal(latest["total_held"]) * 100 / place.capacity).quantize(Decimal("1"))
    points = list(reversed(returns))
    top = max([p["total_held"] or 0 for p in points] or [0]) or 1
    bars = []
    for i, point in enumerate(points):
        height = round(120 * (point["total_held"] or 0) / top)
        bars.append({**point, "x": 10 + 52 * i, "y": 130 - height, "height": height})
    return render_to_string(
        "statistics/place_panel.html",
        {
            "place": place,
            "latest": latest,
            "occupancy": occupancy,
            "bars": bars,
            "chart_width": 20 + 52 * len(bars),
        },
        request=request,
    )
