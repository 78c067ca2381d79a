"""The progress dashboard inside Komar: status by theme and by lead actor from both perspectives,
and where the government's and the coalition's views differ."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.commitments import selectors
from komar.commitments.charts import progress_chart, totals_row

GAP_LIST_SIZE = 10


def progress_context(user: Any, *, public: bool) -> dict[str, Any]:
    """Totals and the three charts (all items, by theme, by lead actor) for what `user` sees,
    or for the public site."""
    totals = selectors.progress_totals(user=user, public=public)
    return {
        "totals": totals,
        "overall": progress_chart([totals_row(totals)], title=_("All items")),
        "by_theme": progress_chart(
            selectors.progress_by(user=user, dimension="theme", public=public),
            title=_("Progress by theme"),
            dimension_label=_("Theme"),
        ),
        "by_actor": progress_chart(
            selectors.progress_by(user=user, dimension="actor", public=public),
            title=_("Progress by lead actor"),
            dimension_label=_("Lead actor"),
        ),
    }


@permission_required(Perm.COMMITMENTS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    gaps = selectors.gap_filter(
        selectors.items_visible_to(user=request.user).prefetch_related(None)
    ).order_by("source__date", "id")
    return render(
        request,
        "commitments/dashboard.html",
        {
            **progress_context(request.user, public=False),
            "gap_items": list(gaps[:GAP_LIST_SIZE]),
        },
    )
