from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.cases.selectors import watch_counts, watch_list


def dashboard_watch(request: HttpRequest, _obj: Any) -> str:
    """The dashboard's card for people who work on cases: what needs attention today."""
    if not has_perm(request.user, Perm.CHILD_RECORDS_VIEW):
        return ""
    counts = watch_counts(watch_list(user=request.user))
    return render_to_string("cases/dashboard_panel.html", {"counts": counts}, request=request)
