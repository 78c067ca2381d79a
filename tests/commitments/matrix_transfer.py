"""Permission-matrix entries for the commitments tracker (transfer); imported by
tests/test_permission_matrix.py.

Importing (and its template) is for those who edit the tracker — the secretariat and analysts;
exporting a list is for every signed-in member, like reading it."""

from __future__ import annotations

from komar.accounts.roles import Role
from komar.commitments.models import Item
from tests.conftest import World
from tests.matrix import SEC, SIGNED_IN, Route

EDITORS = {SEC, Role.ANALYST.value}


def _items(w: World) -> int:
    return Item.objects.count()


TRANSFER_ROUTES: list[Route] = [
    Route("commitments_import", lambda w: "/commitments/import/", EDITORS),
    # A post without a file: refused by the form (400) for editors, denied to everyone else;
    # nothing is written either way.
    Route(
        "commitments_import",
        lambda w: "/commitments/import/",
        EDITORS,
        method="post",
        data=lambda w: {"format": "auto"},
        status_for={SEC: 400, Role.ANALYST.value: 400},
        unchanged=_items,
    ),
    Route("commitments_import_template", lambda w: "/commitments/import/template.xlsx", EDITORS),
    Route("commitments_export", lambda w: "/commitments/export.csv", SIGNED_IN),
    Route("commitments_export", lambda w: "/commitments/export.xlsx", SIGNED_IN),
]
