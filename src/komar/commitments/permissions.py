"""Who may do what in the commitments tracker (pure functions over roles and memberships).

- Items, sources, actions and validated or published assessments: every signed-in member.
- Drafts and submitted assessments: the recording organisation's assessors; submitted ones also
  the validators and publishers.
- Anonymous visitors: published items, their published assessments and public evidence only.
- Evidence: `public` — whoever sees its assessment; `coalition` — signed-in members;
  `organisation` — members of the organisation that added it.
"""

from __future__ import annotations

from typing import Any

from komar.accounts.permissions import has_perm, org_ids_with
from komar.accounts.roles import Perm
from komar.commitments.models import Assessment, AssessmentState, Evidence, Perspective, Tier

PERSPECTIVE_PERM = {
    Perspective.GOVERNMENT: Perm.ASSESS_GOVERNMENT,
    Perspective.COALITION: Perm.ASSESS_COALITION,
}


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def assessor_org_ids(user: Any, perspective: str | None = None) -> set[int]:
    """Organisations on whose behalf the user may record (for one perspective, or either)."""
    perspectives = [perspective] if perspective else list(PERSPECTIVE_PERM)
    ids: set[int] = set()
    for p in perspectives:
        ids |= org_ids_with(user, PERSPECTIVE_PERM[Perspective(p)])
    return ids


def can_see_assessment(user: Any, assessment: Assessment) -> bool:
    state = assessment.state
    if state == AssessmentState.PUBLISHED:
        return signed_in(user) or assessment.item.is_published
    if not signed_in(user):
        return False
    if state == AssessmentState.VALIDATED:
        return has_perm(user, Perm.COMMITMENTS_VIEW)
    if assessment.organisation_id in assessor_org_ids(user, assessment.perspective):
        return True
    return state == AssessmentState.SUBMITTED and (
        has_perm(user, Perm.COMMITMENTS_VALIDATE) or has_perm(user, Perm.COMMITMENTS_PUBLISH)
    )


def can_edit_assessment(user: Any, assessment: Assessment) -> bool:
    """Drafts change only in the hands of the recording organisation's assessors."""
    return assessment.state == AssessmentState.DRAFT and (
        assessment.organisation_id in assessor_org_ids(user, assessment.perspective)
    )


def can_see_evidence(user: Any, evidence: Evidence) -> bool:
    if not can_see_assessment(user, evidence.assessment):
        return False
    if evidence.tier == Tier.PUBLIC:
        return True
    if evidence.tier == Tier.COALITION:
        return signed_in(user) and has_perm(user, Perm.COMMITMENTS_VIEW)
    return signed_in(user) and evidence.organisation_id in {
        org_id for org_id, _role in _memberships(user)
    }


def _memberships(user: Any) -> list[tuple[int, str]]:
    has_perm(user, Perm.COMMITMENTS_VIEW)  # fills the per-request cache of (organisation, role)
    return list(getattr(user, "_komar_roles", []))
