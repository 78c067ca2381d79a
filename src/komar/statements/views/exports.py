"""A published statement's signatories as CSV (UTF-8 with a byte-order mark, so Excel shows the
Khmer names): one row per named organisation in the published order, and one row per group
counting the organisations that asked not to be named."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from komar.core.access import public
from komar.statements import selectors
from komar.statements.models import EndorsementRole, Statement

HEADER = [
    "role",
    "group_en",
    "group_km",
    "position",
    "organisation_en",
    "organisation_km",
    "note_en",
    "note_km",
    "not_named",
]


def _label(role: str, lang: str) -> str:
    with translation.override(lang):
        return str(EndorsementRole(role).label)


@public
def signatories_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Public for a published statement; 404 for any other (its signatories are not final)."""
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    if statement.status != Statement.Status.PUBLISHED:
        raise Http404
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for group in selectors.signatories(statement):
        en, km = _label(group.role, "en"), _label(group.role, "km")
        for position, e in enumerate(group.named, start=1):
            org = e.organisation
            writer.writerow(
                [group.role, en, km, position, org.name_en, org.name_km, e.note_en, e.note_km, ""]
            )
        if group.anonymous:
            writer.writerow([group.role, en, km, "", "", "", "", "", group.anonymous])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statement.slug}-signatories.csv"'
    return response
