"""Permission-matrix entries for the commitments tracker (api); imported by
tests/test_permission_matrix.py.

The API follows the web's rules: every signed-in member reads sources, items, actions and
validated or published assessments; the secretariat admin and the analyst edit items and
sources; the secretariat alone publishes. Actions and assessments are recorded by those who hold
an assessing permission, each for their own organisation. A draft of organisation A's coalition
view is a 404 for everyone outside its assessors (government focal point and organisation B
included); a submitted one is also seen by the validators. Anonymous callers get 401."""

from __future__ import annotations

from typing import Any

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
from tests.commitments.helpers import assess, make_item, make_source, secretariat
from tests.conftest import World
from tests.matrix import OTHER, SEC, SIGNED_IN, Route

ANALYST = Role.ANALYST.value
MONITOR = Role.MONITOR.value
ORG_ADMIN = Role.ORG_ADMIN.value
GFP = Role.GOVERNMENT_FOCAL_POINT.value
EDITORS = {SEC, ANALYST}  # commitments.edit
VALIDATORS = {SEC, ANALYST}  # commitments.validate
A_COALITION = {SEC, ORG_ADMIN, MONITOR, ANALYST}  # assess_coalition in organisation A
A_ASSESSORS = {*A_COALITION, GFP}  # either assessing permission in organisation A
NOT_SEEING_DRAFT = SIGNED_IN - A_COALITION
NOT_SEEING_SUBMITTED = SIGNED_IN - A_COALITION - VALIDATORS
REF = "API-MATRIX/1"
API = "/api/v1/commitments"


def _source(w: World) -> Source:
    found = Source.objects.filter(code="api-matrix").first()
    return found or make_source(w, code="api-matrix")


def _item(w: World) -> Item:
    found = Item.objects.filter(reference=REF).first()
    return found or make_item(w, source=_source(w), reference=REF)


def _other_item(w: World) -> Item:
    found = Item.objects.filter(reference="API-MATRIX/2").first()
    return found or make_item(w, source=_source(w), reference="API-MATRIX/2")


def _fresh(w: World) -> Item:
    return Item.objects.get(pk=_item(w).pk)


def _archived(w: World) -> Item:
    item = _item(w)
    if not item.is_archived:
        item = services.item_archive(actor=secretariat(w), item=item, archived=True)
    return item


def _published(w: World) -> Item:
    item = _item(w)
    if not item.is_published:
        item = services.item_publish(actor=secretariat(w), item=item, published=True)
    return item


def _with_actor(w: World) -> Item:
    item = _item(w)
    if not item.actors.filter(organisation=w.org_b).exists():
        services.actor_set(actor=secretariat(w), item=item, organisation=w.org_b, role="lead")
    return item


def _action(w: World) -> Action:
    """An action of organisation A, recorded by its monitor."""
    found = Action.objects.filter(item__reference=REF).first()
    return found or services.action_create(
        actor=w.user(MONITOR), item=_item(w), description="Train the police", status="planned"
    )


def _in_state(w: World, state: str) -> Assessment:
    """An assessment of organisation A's coalition view (recorded by its monitor) in `state`."""
    found = Assessment.objects.filter(item__reference=REF, state=state).first()
    return found or assess(w, _item(w), actor=w.user(MONITOR), state=state)


def _state(w: World, state: str) -> str:
    return Assessment.objects.get(pk=_in_state(w, state).pk).state


def _assessment_path(w: World, state: str, rest: str = "") -> str:
    return f"{API}/assessments/{_in_state(w, state).pk}{rest}"


def _new_item(w: World) -> dict[str, Any]:
    return {
        "source": _source(w).code,
        "reference": "API-MATRIX/NEW",
        "kind": "recommendation",
        "text_en": "Raise the minimum age of criminal responsibility.",
        "themes": ["child-justice"],
    }


def _new_assessment(w: World) -> dict[str, Any]:
    return {
        "item": _item(w).pk,
        "perspective": "coalition",
        "status": "in_progress",
        "assessed_on": timezone.localdate().isoformat(),
    }


COMMITMENT_API_ROUTES: list[Route] = [
    # Sources
    Route("api:list_commitment_sources", lambda w: f"{API}/sources", SIGNED_IN, api=True),
    Route(
        "api:get_commitment_source",
        lambda w: f"{API}/sources/{_source(w).pk}",
        SIGNED_IN,
        api=True,
    ),
    Route(
        "api:create_commitment_source",
        lambda w: f"{API}/sources",
        EDITORS,
        method="post_json",
        data=lambda w: {
            "code": "api-matrix-new",
            "type": "upr",
            "title_en": "UPR",
            "title_km": "UPR",
            "date": "2024-05-01",
            "issuing_body_en": "Human Rights Council",
        },
        ok=201,
        api=True,
        unchanged=lambda w: Source.objects.filter(code="api-matrix-new").count(),
    ),
    Route(
        "api:patch_commitment_source",
        lambda w: f"{API}/sources/{_source(w).pk}",
        EDITORS,
        method="patch",
        data=lambda w: {"symbol": "HIJACKED"},
        api=True,
        unchanged=lambda w: Source.objects.get(pk=_source(w).pk).symbol,
    ),
    # Items
    Route("api:list_commitment_items", lambda w: f"{API}/items", SIGNED_IN, api=True),
    Route("api:get_commitment_item", lambda w: f"{API}/items/{_item(w).pk}", SIGNED_IN, api=True),
    Route(
        "api:commitment_item_history",
        lambda w: f"{API}/items/{_item(w).pk}/history",
        SIGNED_IN,
        api=True,
    ),
    Route(
        "api:create_commitment_item",
        lambda w: f"{API}/items",
        EDITORS,
        method="post_json",
        data=_new_item,
        ok=201,
        api=True,
        unchanged=lambda w: Item.objects.filter(reference="API-MATRIX/NEW").count(),
    ),
    Route(
        "api:patch_commitment_item",
        lambda w: f"{API}/items/{_item(w).pk}",
        EDITORS,
        method="patch",
        data=lambda w: {"paragraph": "99", "themes": ["data"]},
        api=True,
        unchanged=lambda w: (_fresh(w).paragraph, list(_fresh(w).themes.all())),
    ),
    Route(
        "api:archive_commitment_item",
        lambda w: f"{API}/items/{_item(w).pk}/archive",
        EDITORS,
        method="post_json",
        api=True,
        unchanged=lambda w: _fresh(w).is_archived,
    ),
    Route(
        "api:restore_commitment_item",
        lambda w: f"{API}/items/{_archived(w).pk}/restore",
        EDITORS,
        method="post_json",
        api=True,
        unchanged=lambda w: Item.objects.get(pk=_archived(w).pk).is_archived,
    ),
    Route(
        "api:publish_commitment_item",
        lambda w: f"{API}/items/{_item(w).pk}/publish",
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: _fresh(w).is_published,
    ),
    Route(
        "api:unpublish_commitment_item",
        lambda w: f"{API}/items/{_published(w).pk}/unpublish",
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: Item.objects.get(pk=_published(w).pk).is_published,
    ),
    Route(
        "api:set_commitment_actor",
        lambda w: f"{API}/items/{_item(w).pk}/actors",
        EDITORS,
        method="post_json",
        data=lambda w: {"organisation": w.org_b.slug, "role": "lead"},
        api=True,
        unchanged=lambda w: ItemActor.objects.filter(item__reference=REF).count(),
    ),
    Route(
        "api:remove_commitment_actor",
        lambda w: f"{API}/items/{_with_actor(w).pk}/actors/{w.org_b.slug}",
        EDITORS,
        method="delete",
        api=True,
        unchanged=lambda w: _with_actor(w).actors.count(),
    ),
    Route(
        "api:link_commitment_item",
        lambda w: f"{API}/items/{_item(w).pk}/links",
        EDITORS,
        method="post_json",
        data=lambda w: {"to_item": _other_item(w).reference, "kind": "overlaps"},
        ok=201,
        api=True,
        unchanged=lambda w: ItemLink.objects.count(),
    ),
    # Actions
    Route(
        "api:list_commitment_actions",
        lambda w: f"{API}/actions?item={_item(w).pk}",
        SIGNED_IN,
        api=True,
    ),
    Route(
        "api:create_commitment_action",
        lambda w: f"{API}/actions",
        {*A_ASSESSORS, OTHER},  # organisation B's admin records for organisation B
        method="post_json",
        data=lambda w: {"item": _item(w).pk, "description": "Visit", "status": "planned"},
        ok=201,
        api=True,
        unchanged=lambda w: Action.objects.count(),
    ),
    Route(
        "api:patch_commitment_action",
        lambda w: f"{API}/actions/{_action(w).pk}",
        A_ASSESSORS,  # organisation A's assessors, and the editors (all in A)
        method="patch",
        data=lambda w: {"status": "done"},
        api=True,
        unchanged=lambda w: Action.objects.get(pk=_action(w).pk).status,
    ),
    # Assessments
    Route("api:list_commitment_assessments", lambda w: f"{API}/assessments", SIGNED_IN, api=True),
    Route(
        "api:get_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.DRAFT),
        A_COALITION,
        api=True,
        not_found_for=NOT_SEEING_DRAFT,
    ),
    Route(
        "api:create_commitment_assessment",
        lambda w: f"{API}/assessments",
        {*A_COALITION, OTHER},
        method="post_json",
        data=_new_assessment,
        ok=201,
        api=True,
        unchanged=lambda w: Assessment.objects.count(),
        status_for={GFP: 422},  # may record the government's view, not the coalition's
    ),
    Route(
        "api:patch_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.DRAFT),
        A_COALITION,
        method="patch",
        data=lambda w: {"status": "regressed"},
        api=True,
        not_found_for=NOT_SEEING_DRAFT,
        unchanged=lambda w: Assessment.objects.get(pk=_in_state(w, "draft").pk).status,
    ),
    Route(
        "api:submit_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.DRAFT, "/submit"),
        A_COALITION,
        method="post_json",
        api=True,
        not_found_for=NOT_SEEING_DRAFT,
        unchanged=lambda w: _state(w, AssessmentState.DRAFT),
    ),
    Route(
        "api:return_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.SUBMITTED, "/return"),
        VALIDATORS,
        method="post_json",
        api=True,
        not_found_for=NOT_SEEING_SUBMITTED,
        unchanged=lambda w: _state(w, AssessmentState.SUBMITTED),
    ),
    Route(
        "api:validate_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.SUBMITTED, "/validate"),
        VALIDATORS,
        method="post_json",
        api=True,
        not_found_for=NOT_SEEING_SUBMITTED,
        unchanged=lambda w: _state(w, AssessmentState.SUBMITTED),
    ),
    Route(
        "api:publish_commitment_assessment",
        lambda w: _assessment_path(w, AssessmentState.VALIDATED, "/publish"),
        {SEC},
        method="post_json",
        api=True,
        unchanged=lambda w: _state(w, AssessmentState.VALIDATED),
    ),
    Route(
        "api:add_commitment_evidence",
        lambda w: _assessment_path(w, AssessmentState.DRAFT, "/evidence"),
        A_COALITION,
        method="post_json",
        data=lambda w: {"title": "Report", "url": "https://example.org/r", "tier": "public"},
        ok=201,
        api=True,
        not_found_for=NOT_SEEING_DRAFT,
        unchanged=lambda w: Evidence.objects.count(),
    ),
]
