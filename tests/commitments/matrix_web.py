"""Permission-matrix entries for the commitments tracker (web); imported by
tests/test_permission_matrix.py.

Every signed-in member reads items, sources and changes. The secretariat admin and the analyst
edit items and sources; the secretariat alone publishes. Actions and assessments are recorded by
those who hold an assessing permission, each for their own organisation: a draft of organisation
A's coalition view is a 404 for everyone else (government focal point included), and evidence
kept for organisation A is a 404 for organisation B."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Evidence,
    Item,
    ItemActor,
    ItemLink,
    Source,
)
from tests.commitments.helpers import assess, make_item, make_source
from tests.conftest import World
from tests.matrix import ALL_ROLES, OTHER, SEC, SIGNED_IN, Route

ANALYST = Role.ANALYST.value
MONITOR = Role.MONITOR.value
ORG_ADMIN = Role.ORG_ADMIN.value
GFP = Role.GOVERNMENT_FOCAL_POINT.value
CW = Role.CASEWORKER.value
YOUTH = Role.YOUTH_MEMBER.value
EDITORS = {SEC, ANALYST}  # commitments.edit
A_COALITION = {SEC, ORG_ADMIN, MONITOR, ANALYST}  # assess_coalition in organisation A
A_ASSESSORS = {*A_COALITION, GFP}  # either assessing permission in organisation A
ASSESSORS = {*A_ASSESSORS, OTHER}
REF = "MATRIX/1"


def _item(w: World) -> Item:
    found = Item.objects.filter(reference=REF).first()
    return found or make_item(w, reference=REF)


def _other_item(w: World) -> Item:
    found = Item.objects.filter(reference="MATRIX/2").first()
    return found or make_item(w, source=_item(w).source, reference="MATRIX/2")


def _fresh(w: World) -> Item:
    return Item.objects.get(pk=_item(w).pk)


def _draft(w: World) -> Assessment:
    """A draft of organisation A's coalition view, recorded by its monitor."""
    found = Assessment.objects.filter(item__reference=REF, state=AssessmentState.DRAFT).first()
    return found or assess(w, _item(w), actor=w.user(Role.MONITOR))


def _draft_state(w: World) -> str:
    return Assessment.objects.get(pk=_draft(w).pk).state


def _evidence(w: World) -> Evidence:
    """A file kept for organisation A only, on a validated assessment."""
    found = Evidence.objects.filter(tier="organisation").first()
    if found:
        return found
    validated = assess(w, _item(w), perspective="government", state=AssessmentState.VALIDATED)
    return services.evidence_add(
        actor=w.user(SEC),
        assessment=validated,
        title="Ministry letter",
        tier="organisation",
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", "application/pdf"),
    )


def _item_actor(w: World) -> ItemActor:
    found = ItemActor.objects.filter(item__reference=REF).first()
    return found or services.actor_set(
        actor=w.user(SEC), item=_item(w), organisation=w.org_b, role="lead"
    )


def _action(w: World) -> Action:
    found = Action.objects.filter(item__reference=REF).first()
    return found or services.action_create(
        actor=w.user(Role.MONITOR), item=_item(w), description="Train judges", status="planned"
    )


def _source(w: World) -> Source:
    return _item(w).source


def _item_form(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "source": _source(w).pk,
        "reference": "MATRIX/NEW",
        "kind": "recommendation",
        "text_en": "Changed text.",
        **extra,
    }


def _source_form(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "code": "matrix-source",
        "type": "upr",
        "title_en": "UPR 2024",
        "title_km": "UPR ២០២៤",
        "date": "2024-05-01",
        "issuing_body_en": "Human Rights Council",
        **extra,
    }


def _today() -> str:
    return timezone.localdate().isoformat()


COMMITMENT_WEB_ROUTES: list[Route] = [
    Route("commitments_list", lambda w: "/commitments/", SIGNED_IN),
    Route("commitments_item", lambda w: f"/commitments/items/{_item(w).pk}/", SIGNED_IN),
    Route("commitments_item_create", lambda w: "/commitments/new/", EDITORS),
    Route(
        "commitments_item_create",
        lambda w: "/commitments/new/",
        EDITORS,
        method="post",
        data=lambda w: _item_form(w),
        ok=302,
        unchanged=lambda w: Item.objects.filter(reference="MATRIX/NEW").count(),
    ),
    Route("commitments_item_edit", lambda w: f"/commitments/items/{_item(w).pk}/edit/", EDITORS),
    Route(
        "commitments_item_edit",
        lambda w: f"/commitments/items/{_item(w).pk}/edit/",
        EDITORS,
        method="post",
        data=lambda w: _item_form(w, reference=REF),
        ok=302,
        unchanged=lambda w: _fresh(w).text_en,
    ),
    Route(
        "commitments_item_archive",
        lambda w: f"/commitments/items/{_item(w).pk}/archive/",
        EDITORS,
        method="post",
        data=lambda w: {"archived": "1"},
        ok=302,
        unchanged=lambda w: _fresh(w).is_archived,
    ),
    Route(
        "commitments_item_publish",
        lambda w: f"/commitments/items/{_item(w).pk}/publish/",
        {SEC},
        method="post",
        data=lambda w: {"published": "1"},
        ok=302,
        unchanged=lambda w: _fresh(w).is_published,
    ),
    Route(
        "commitments_actor_add",
        lambda w: f"/commitments/items/{_item(w).pk}/actors/",
        EDITORS,
        method="post",
        data=lambda w: {"organisation": w.org_b.pk, "role": "lead"},
        ok=302,
        unchanged=lambda w: ItemActor.objects.count(),
    ),
    Route(
        "commitments_actor_remove",
        lambda w: f"/commitments/items/{_item(w).pk}/actors/{_item_actor(w).pk}/remove/",
        EDITORS,
        method="post",
        ok=302,
        unchanged=lambda w: (_item_actor(w), ItemActor.objects.count())[1],
    ),
    Route(
        "commitments_link_add",
        lambda w: f"/commitments/items/{_item(w).pk}/links/",
        EDITORS,
        method="post",
        data=lambda w: {"to_item": _other_item(w).reference, "kind": "overlaps"},
        ok=302,
        unchanged=lambda w: ItemLink.objects.count(),
    ),
    Route(
        "commitments_action_add",
        lambda w: f"/commitments/items/{_item(w).pk}/actions/",
        ASSESSORS,
        method="post",
        data=lambda w: {"description": "Visit the centre", "status": "planned"},
        ok=302,
        unchanged=lambda w: Action.objects.count(),
    ),
    Route(
        "commitments_action_status",
        lambda w: f"/commitments/actions/{_action(w).pk}/status/",
        A_ASSESSORS,  # organisation B may not change organisation A's action
        method="post",
        data=lambda w: {"status": "done"},
        ok=302,
        unchanged=lambda w: Action.objects.get(pk=_action(w).pk).status,
    ),
    Route(
        "commitments_assessment_add",
        lambda w: f"/commitments/items/{_item(w).pk}/assess/",
        ASSESSORS,
    ),
    Route(
        "commitments_assessment_add",
        lambda w: f"/commitments/items/{_item(w).pk}/assess/",
        {*A_COALITION, OTHER},
        method="post",
        data=lambda w: {
            "perspective": "coalition",
            "status": "in_progress",
            "assessed_on": _today(),
        },
        ok=302,
        status_for={GFP: 400},  # records the government's view only: the choice is refused
        unchanged=lambda w: Assessment.objects.count(),
    ),
    Route(
        "commitments_assessment",
        lambda w: f"/commitments/assessments/{_draft(w).pk}/",
        A_COALITION,
        not_found_for={CW, GFP, YOUTH, OTHER},  # a draft: its organisation's assessors only
    ),
    Route(
        "commitments_assessment",
        lambda w: f"/commitments/assessments/{_evidence(w).assessment_id}/",
        SIGNED_IN,  # validated: every member reads it
    ),
    Route(
        "commitments_assessment",
        lambda w: f"/commitments/assessments/{_draft(w).pk}/",
        A_COALITION,
        method="post",
        data=lambda w: {"status": "implemented", "assessed_on": _today()},
        ok=302,
        not_found_for={CW, GFP, YOUTH, OTHER},
        unchanged=lambda w: Assessment.objects.get(pk=_draft(w).pk).status,
    ),
    Route(
        "commitments_assessment_move",
        lambda w: f"/commitments/assessments/{_draft(w).pk}/move/",
        A_COALITION,
        method="post",
        data=lambda w: {"to": "submit"},
        ok=302,
        not_found_for={GFP, OTHER},
        unchanged=_draft_state,
    ),
    Route(
        "commitments_evidence_add",
        lambda w: f"/commitments/assessments/{_draft(w).pk}/evidence/",
        A_COALITION,
        method="post",
        data=lambda w: {"title": "Report", "url": "https://example.org/r.pdf", "tier": "public"},
        ok=302,
        not_found_for={GFP, OTHER},
        unchanged=lambda w: Evidence.objects.count(),
    ),
    Route(
        "commitments_evidence",
        lambda w: f"/commitments/evidence/{_evidence(w).pk}/",
        set(ALL_ROLES),
        not_found_for={OTHER},  # kept for organisation A only
    ),
    Route("commitments_review", lambda w: "/commitments/review/", {SEC, ANALYST}),
    Route("commitments_changes", lambda w: "/commitments/changes/", SIGNED_IN),
    Route("commitments_sources", lambda w: "/commitments/sources/", SIGNED_IN),
    Route("commitments_source_create", lambda w: "/commitments/sources/new/", EDITORS),
    Route(
        "commitments_source_create",
        lambda w: "/commitments/sources/new/",
        EDITORS,
        method="post",
        data=lambda w: _source_form(w),
        ok=302,
        unchanged=lambda w: Source.objects.filter(code="matrix-source").count(),
    ),
    Route(
        "commitments_source_edit",
        lambda w: f"/commitments/sources/{make_source(w).pk}/edit/",
        EDITORS,
    ),
    Route(
        "commitments_source_edit",
        lambda w: f"/commitments/sources/{_source(w).pk}/edit/",
        EDITORS,
        method="post",
        data=lambda w: _source_form(w, code=_source(w).code, title_en="Hijacked"),
        ok=302,
        unchanged=lambda w: Source.objects.get(pk=_source(w).pk).title_en,
    ),
]
