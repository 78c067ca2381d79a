"""Permission-matrix entries for the commitments tracker (public); imported by
tests/test_permission_matrix.py.

The progress dashboard is for every signed-in member. The public progress site answers everyone
alike — anonymous or signed in — with published items only: an unpublished item, and evidence
that is not public, are 404 for all."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from komar.commitments import services
from komar.commitments.models import Evidence, Item, Tier
from tests.commitments.helpers import assess, make_item, secretariat
from tests.conftest import World
from tests.matrix import EVERYONE, SIGNED_IN, Route

PUBLISHED_REF = "MATRIX/PUBLIC/1"
HIDDEN_REF = "MATRIX/HIDDEN/1"


def _published(w: World) -> Item:
    found = Item.objects.filter(reference=PUBLISHED_REF).first()
    if found:
        return found
    item = make_item(w, reference=PUBLISHED_REF)
    return services.item_publish(actor=secretariat(w), item=item, published=True)


def _hidden(w: World) -> Item:
    return Item.objects.filter(reference=HIDDEN_REF).first() or make_item(w, reference=HIDDEN_REF)


def _evidence(w: World, tier: str) -> Evidence:
    """Evidence of the given tier on a published assessment of the published item."""
    found = Evidence.objects.filter(assessment__item__reference=PUBLISHED_REF, tier=tier).first()
    if found:
        return found
    sec = secretariat(w)
    a = assess(w, _published(w), perspective="coalition", status="in_progress")
    for t in Tier.values:
        services.evidence_add(
            actor=sec,
            assessment=a,
            title=f"matrix {t}",
            tier=t,
            file=SimpleUploadedFile(f"{t}.pdf", b"%PDF-1.4\n", content_type="application/pdf"),
        )
    for step in (
        services.assessment_submit,
        services.assessment_validate,
        services.assessment_publish,
    ):
        a = step(actor=sec, assessment=a)
    return Evidence.objects.get(assessment=a, tier=tier)


PROGRESS_ROUTES: list[Route] = [
    Route("commitments_dashboard", lambda w: "/commitments/dashboard/", SIGNED_IN),
    Route("progress_home", lambda w: "/progress/", EVERYONE),
    Route("progress_list", lambda w: "/progress/items/", EVERYONE),
    Route("progress_item", lambda w: f"/progress/items/{_published(w).pk}/", EVERYONE),
    Route("progress_item", lambda w: f"/progress/items/{_hidden(w).pk}/", EVERYONE, ok=404),
    Route("progress_changes", lambda w: "/progress/changes/", EVERYONE),
    Route(
        "progress_evidence",
        lambda w: f"/progress/evidence/{_evidence(w, Tier.PUBLIC).pk}/",
        EVERYONE,
    ),
    Route(
        "progress_evidence",
        lambda w: f"/progress/evidence/{_evidence(w, Tier.COALITION).pk}/",
        EVERYONE,
        ok=404,
    ),
    Route(
        "progress_evidence",
        lambda w: f"/progress/evidence/{_evidence(w, Tier.ORGANISATION).pk}/",
        EVERYONE,
        ok=404,
    ),
]
