"""The deadline watch: per organisation, and coalition-wide in aggregate."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.cases.api.common import (
    CaseOut,
    _require,
)
from komar.cases.selectors import (
    coalition_watch,
    watch_counts,
    watch_list,
)
from komar.organisations.models import Organisation

watch_router = Router(tags=["cases"])

# The watch --------------------------------------------------------------------------------------


class WatchCountsOut(Schema):
    past: int
    within_7: int
    within_30: int
    below_min_age: int
    with_adults: int
    no_lawyer: int
    hearing: int


class WatchOut(Schema):
    counts: WatchCountsOut
    count: int
    items: list[CaseOut]


class WatchQuery(Schema):
    organisation: str = Field("", description="Only this organisation's cases (its slug)")
    page: int = Field(1, ge=1)


@watch_router.get(
    "",
    response=WatchOut,
    summary="Your organisations' watch list: deadlines near or past, and children at risk",
)
def get_watch(request: HttpRequest, query: Query[WatchQuery]) -> dict[str, Any]:
    _require(request, Perm.CHILD_RECORDS_VIEW)
    organisation_id = None
    if query.organisation:
        found = Organisation.objects.filter(slug=query.organisation).first()
        if found is None:
            message = _("No such organisation: %(slug)s") % {"slug": query.organisation}
            raise NinjaValidationError([{"loc": ["query", "organisation"], "msg": message}])
        organisation_id = found.pk
    now = timezone.now()
    cases = watch_list(user=request.user, organisation_id=organisation_id, now=now)
    start = (query.page - 1) * PAGE_SIZE
    return {
        "counts": watch_counts(cases, now),
        "count": cases.count(),
        "items": list(cases[start : start + PAGE_SIZE]),
    }


class CoalitionRowOut(Schema):
    organisation: str
    organisation_name_en: str
    organisation_name_km: str
    open_cases: int
    detained_now: int
    past: int
    within_7: int
    within_30: int
    below_min_age: int
    with_adults: int
    no_lawyer: int
    hearing: int


@watch_router.get(
    "/coalition",
    response=list[CoalitionRowOut],
    summary="The coalition-wide watch in aggregate, per organisation (secretariat)",
)
def get_coalition_watch(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request, Perm.WATCH_COALITION)
    return [
        {
            **row,
            "organisation": row["organisation__slug"],
            "organisation_name_en": row["organisation__name_en"],
            "organisation_name_km": row["organisation__name_km"],
        }
        for row in coalition_watch()
    ]
