"""Follow-up of items: actions, and status assessments going draft → submitted → validated →
published, with their evidence (links only; files are uploaded on the web)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.commitments import selectors, services
from komar.commitments.api.common import (
    ActionOut,
    AssessmentDetailOut,
    AssessmentOut,
    AssessmentShown,
    ErrorOut,
    EvidenceOut,
    Ref,
    archived_as,
    assessment_detail,
    conflict,
    item_for,
    member,
    organisation,
    renamed,
    require,
)
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Perspective,
    Progress,
    Tier,
)
from komar.commitments.permissions import assessor_org_ids

actions_router = Router(tags=["commitments"])
assessments_router = Router(tags=["commitments"])

ARCHIVED = "Work on an archived item is refused with 422 naming `item`."
STATES = (
    "Wrong-state transitions (e.g. validating a draft, changing a submitted assessment) answer "
    '409 `{"error": {"code": "state_conflict"}}`: reload the assessment and try again.'
)

# Actions ----------------------------------------------------------------------------------------


class ActionsQuery(Schema):
    item: int = Field(..., description="The item's id")


class ActionIn(Schema):
    item: Ref = Field(..., description="The item: id or reference")
    description: str = Field(..., min_length=1, description="What is done")
    status: Action.Status
    organisation: Ref | None = Field(
        None, description="Slug or id of the organisation acting (needed if you belong to several)"
    )
    starts_on: dt.date | None = None
    due_on: dt.date | None = None
    responsible: Ref | None = Field(
        None, description="E-mail or id of a member of that organisation"
    )


class ActionStatusIn(Schema):
    status: Action.Status


@actions_router.get("", response=list[ActionOut], summary="Actions on an item")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_commitment_actions(request: HttpRequest, query: Query[ActionsQuery]) -> Any:
    item = selectors.item_get_for(user=request.user, pk=query.item)
    return selectors.actions_of(user=request.user, item=item)


@actions_router.post(
    "",
    response={201: ActionOut},
    summary="Record an action by your organisation (or, for a focal point, the government's)",
    description=f"Needs an assessor role (coalition or government). {ARCHIVED}",
)
def create_commitment_action(request: HttpRequest, payload: ActionIn) -> Status:
    allowed = assessor_org_ids(request.user)
    if not allowed:
        raise PermissionDenied
    item = item_for(request, "item", payload.item)
    org_id = organisation("organisation", payload.organisation).pk if payload.organisation else None
    if org_id is not None and org_id not in allowed:
        raise ValidationError(
            {"organisation": _("You cannot record on behalf of this organisation.")}
        )
    responsible = member("responsible", payload.responsible, {org_id} if org_id else allowed)
    with archived_as("item"):
        action = services.action_create(
            actor=request.user,
            item=item,
            description=payload.description,
            status=payload.status,
            organisation_id=org_id,
            starts_on=payload.starts_on,
            due_on=payload.due_on,
            responsible=responsible,
        )
    return Status(201, selectors.action_get_for(user=request.user, pk=action.pk))


@actions_router.patch(
    "/{pk}",
    response=ActionOut,
    summary="Change an action's status",
    description=(
        "The acting organisation's assessors, or `commitments.edit`. "
        "An archived item refuses changes with 422."
    ),
)
def patch_commitment_action(request: HttpRequest, pk: int, payload: ActionStatusIn) -> Action:
    action = selectors.action_get_for(user=request.user, pk=pk)
    services.action_set_status(actor=request.user, action=action, status=payload.status)
    return selectors.action_get_for(user=request.user, pk=pk)


# Assessments ------------------------------------------------------------------------------------


class AssessmentFiltersIn(Schema):
    item: int | None = Field(None, description="The item's id")
    perspective: Perspective | None = None
    state: AssessmentState | None = None


class AssessmentIn(Schema):
    item: Ref = Field(..., description="The item: id or reference")
    perspective: Perspective = Field(
        ..., description="government (focal points, secretariat) or coalition (members)"
    )
    status: Progress
    assessed_on: dt.date = Field(..., description="As of (not in the future)")
    summary_en: str = ""
    summary_km: str = ""
    organisation: Ref | None = Field(
        None, description="Slug or id of the organisation recording (if you belong to several)"
    )


class AssessmentPatch(Schema):
    status: Progress | None = None
    assessed_on: dt.date | None = None
    summary_en: str | None = None
    summary_km: str | None = None


class EvidenceIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    url: str = Field(..., min_length=1, max_length=500, description="A link (http or https)")
    tier: Tier = Field(..., description="Who may see it: public, coalition, organisation")


@assessments_router.get(
    "",
    response=list[AssessmentOut],
    summary="Assessments you may see, newest first",
    description=(
        "Validated and published ones for every member; drafts and submitted ones for the "
        "recording organisation's assessors; submitted ones also for validators and publishers."
    ),
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_commitment_assessments(request: HttpRequest, filters: Query[AssessmentFiltersIn]) -> Any:
    qs = selectors.assessments_visible_to(user=request.user)
    if filters.item is not None:
        qs = qs.filter(item_id=filters.item)
    if filters.perspective:
        qs = qs.filter(perspective=filters.perspective)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs


@assessments_router.get(
    "/{pk}",
    response=AssessmentDetailOut,
    summary="One assessment with the evidence you may see (404 if you may not see it)",
)
def get_commitment_assessment(request: HttpRequest, pk: int) -> AssessmentShown:
    return assessment_detail(request, pk)


@assessments_router.post(
    "",
    response={201: AssessmentDetailOut},
    summary="Record an assessment (as a draft)",
    description=(
        "Government reports: government focal points and the secretariat; the coalition's view: "
        "its members with an assessor role. A perspective you may not record is refused with "
        f"422 naming `perspective`. {ARCHIVED}"
    ),
)
def create_commitment_assessment(request: HttpRequest, payload: AssessmentIn) -> Status:
    if not assessor_org_ids(request.user):
        raise PermissionDenied
    item = item_for(request, "item", payload.item)
    org_id = organisation("organisation", payload.organisation).pk if payload.organisation else None
    with archived_as("item"):
        a = services.assessment_create(
            actor=request.user,
            item=item,
            perspective=payload.perspective,
            status=payload.status,
            assessed_on=payload.assessed_on,
            summary_en=payload.summary_en,
            summary_km=payload.summary_km,
            organisation_id=org_id,
        )
    return Status(201, assessment_detail(request, a.pk))


def _authors(request: HttpRequest, a: Assessment) -> None:
    """Only the recording organisation's assessors change or submit an assessment."""
    if a.organisation_id not in assessor_org_ids(request.user, a.perspective):
        raise PermissionDenied


def _not_in(a: Assessment, state: str) -> Status | None:
    if a.state == state:
        return None
    return conflict(
        _("This assessment is %(state)s, not %(expected)s.")
        % {
            "state": a.get_state_display().lower(),
            "expected": AssessmentState(state).label.lower(),
        }
    )


@assessments_router.patch(
    "/{pk}",
    response={200: AssessmentDetailOut, 409: ErrorOut},
    summary="Change a draft assessment (only the fields sent)",
    description=f"The recording organisation's assessors. {STATES} {ARCHIVED}",
)
def patch_commitment_assessment(request: HttpRequest, pk: int, payload: AssessmentPatch) -> Any:
    a = selectors.assessment_get_for(user=request.user, pk=pk)
    _authors(request, a)
    if refused := _not_in(a, AssessmentState.DRAFT):
        return refused
    sent = payload.dict(exclude_unset=True)
    # null clears an explanation; the status and the date cannot be cleared
    data = {k: "" if v is None else v for k, v in sent.items() if v is not None or "summary" in k}
    with archived_as("item"):
        services.assessment_update(actor=request.user, assessment=a, data=data)
    return assessment_detail(request, pk)


def _move(request: HttpRequest, pk: int, expected: str, call: Any) -> Any:
    a = selectors.assessment_get_for(user=request.user, pk=pk)
    if refused := _not_in(a, expected):
        return refused
    try:
        with archived_as("item"):
            call(actor=request.user, assessment=a)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") and any(e.code == "state" for e in exc.error_list):
            return conflict(exc.messages[0])  # moved by someone else meanwhile
        raise
    return assessment_detail(request, pk)


MOVE = {200: AssessmentDetailOut, 409: ErrorOut}


@assessments_router.post(
    "/{pk}/submit",
    response=MOVE,
    summary="Submit a draft for validation",
    description=f"The recording organisation's assessors. {STATES}",
)
def submit_commitment_assessment(request: HttpRequest, pk: int) -> Any:
    a = selectors.assessment_get_for(user=request.user, pk=pk)
    _authors(request, a)
    return _move(request, pk, AssessmentState.DRAFT, services.assessment_submit)


@assessments_router.post(
    "/{pk}/return",
    response=MOVE,
    summary="Send a submitted assessment back to its authors as a draft",
    description=f"Needs `commitments.validate` (secretariat, analysts). {STATES}",
)
def return_commitment_assessment(request: HttpRequest, pk: int) -> Any:
    selectors.assessment_get_for(user=request.user, pk=pk)
    require(request, Perm.COMMITMENTS_VALIDATE)
    return _move(request, pk, AssessmentState.SUBMITTED, services.assessment_return)


@assessments_router.post(
    "/{pk}/validate",
    response=MOVE,
    summary="Validate a submitted assessment",
    description=f"Needs `commitments.validate` (secretariat, analysts). {STATES}",
)
def validate_commitment_assessment(request: HttpRequest, pk: int) -> Any:
    selectors.assessment_get_for(user=request.user, pk=pk)
    require(request, Perm.COMMITMENTS_VALIDATE)
    return _move(request, pk, AssessmentState.SUBMITTED, services.assessment_validate)


@assessments_router.post(
    "/{pk}/publish",
    response=MOVE,
    summary="Publish a validated assessment (it becomes the item's current status)",
    description=f"Needs `commitments.publish` (the secretariat). {STATES}",
)
def publish_commitment_assessment(request: HttpRequest, pk: int) -> Any:
    selectors.assessment_get_for(user=request.user, pk=pk)
    require(request, Perm.COMMITMENTS_PUBLISH)
    return _move(request, pk, AssessmentState.VALIDATED, services.assessment_publish)


@assessments_router.post(
    "/{pk}/evidence",
    response={201: EvidenceOut, 409: ErrorOut},
    summary="Add evidence to an assessment as a link (files are uploaded on the web)",
    description=(
        "The recording organisation's assessors, until the assessment is published (a "
        f"published one answers 409). {ARCHIVED}"
    ),
)
def add_commitment_evidence(request: HttpRequest, pk: int, payload: EvidenceIn) -> Any:
    a = selectors.assessment_get_for(user=request.user, pk=pk)
    _authors(request, a)
    if a.state == AssessmentState.PUBLISHED:
        return conflict(_("A published assessment takes no more evidence."))
    try:
        with archived_as("item"):
            evidence = services.evidence_add(
                actor=request.user,
                assessment=a,
                title=payload.title,
                tier=payload.tier,
                url=payload.url.strip(),
            )
    except ValidationError as exc:
        raise renamed(exc, file="url") from exc
    return Status(201, evidence)
