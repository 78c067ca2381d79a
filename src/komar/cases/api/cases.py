"""Case records and their legal timeline."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.cases import services
from komar.cases.api.common import (
    Band,
    CaseDetailOut,
    CaseOut,
    CaseShown,
    ConflictOut,
    DuplicateOut,
    EventOut,
    _conflict,
    _detail,
    _duplicate,
    _editable,
    _not_blank,
    _organisation,
    _place,
    _require,
    _shown,
    _staff,
)
from komar.cases.models import (
    ChildIdentity,
    LegalStatus,
    OffenceClass,
    TimelineEvent,
)
from komar.cases.permissions import org_ids_with
from komar.cases.selectors import (
    CaseFilters,
    cases_visible_to,
)

router = Router(tags=["cases"])

# Cases ------------------------------------------------------------------------------------------


class CaseFiltersIn(Schema):
    q: str = Field("", max_length=100, description="A case code or an external ID")
    status: Literal["", "open", "closed"] = ""
    legal_status: LegalStatus | Literal[""] = ""
    band: Band = ""
    mine: bool = False


StaffRef = str | int | None


class CaseOpenIn(Schema):
    organisation: str = Field(..., description="Slug of the owning organisation")
    name_km: str = Field("", max_length=200)
    name_latin: str = Field("", max_length=200)
    birth_date: dt.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=29)
    estimated_on: dt.date | None = None
    sex: ChildIdentity.Sex | None = None
    guardian_name: str = Field("", max_length=200)
    guardian_contact: str = Field("", max_length=200)
    home_village_code: str = Field("", max_length=20)
    offence_date: dt.date | None = None
    lawyer: StaffRef = Field(None, description="E-mail or id of a member of the organisation")
    social_worker: StaffRef = None
    primero_case_id: str = Field("", max_length=64)
    mosvy_number: str = Field("", max_length=64)
    oscar_global_id: str = Field("", max_length=64)
    confirm_not_duplicate: bool = False


class CasePatch(Schema):
    version: int = Field(..., ge=1, description="The version you saw; 409 if it changed since")
    offence_date: dt.date | None = None
    lawyer: StaffRef = None
    social_worker: StaffRef = None
    primero_case_id: str | None = Field(None, max_length=64)
    mosvy_number: str | None = Field(None, max_length=64)
    oscar_global_id: str | None = Field(None, max_length=64)


@router.get("", response=list[CaseOut], summary="Cases you may see (own and referred)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_cases(request: HttpRequest, filters: Query[CaseFiltersIn]) -> Any:
    _require(request, Perm.CHILD_RECORDS_VIEW)
    return cases_visible_to(user=request.user, filters=CaseFilters(**filters.dict()))


@router.post(
    "",
    response={201: CaseDetailOut, 409: DuplicateOut},
    summary="Open a case (caseworkers and admins of the owning organisation)",
)
def open_case(request: HttpRequest, payload: CaseOpenIn) -> Status:
    if not org_ids_with(request.user, Perm.CASES_EDIT):
        raise PermissionDenied
    organisation = _organisation("organisation", payload.organisation)
    if organisation.pk not in org_ids_with(request.user, Perm.CASES_EDIT):
        raise PermissionDenied
    identity = {f: getattr(payload, f) for f in services.IDENTITY_FIELDS}
    if identity["estimated_age"] is not None:
        identity["estimated_age"] = str(identity["estimated_age"])
    try:
        case = services.case_open(
            actor=request.user,
            organisation_id=organisation.pk,
            identity=identity,
            offence_date=payload.offence_date,
            lawyer=_staff("lawyer", payload.lawyer, organisation.pk),
            social_worker=_staff("social_worker", payload.social_worker, organisation.pk),
            primero_case_id=payload.primero_case_id,
            mosvy_number=payload.mosvy_number,
            oscar_global_id=payload.oscar_global_id,
            confirm_not_duplicate=payload.confirm_not_duplicate,
        )
    except services.DuplicateWarning as exc:
        return _duplicate(exc)
    return Status(201, _detail(request, case.code))


@router.get("/{code}", response=CaseDetailOut, summary="One case, without the child's identity")
def get_case(request: HttpRequest, code: str) -> CaseShown:
    case, access = _shown(request, code)
    return CaseShown(case, access)


class IdentityQuery(Schema):
    purpose: str = Field(..., max_length=200, description="Why you need the identity (logged)")

    _purpose = field_validator("purpose")(_not_blank)


class IdentityOut(Schema):
    case: str
    name_km: str
    name_latin: str
    birth_date: dt.date | None
    estimated_age: int | None
    estimated_on: dt.date | None
    sex: str
    guardian_name: str
    guardian_contact: str
    home_village_code: str
    has_photo: bool


@router.get(
    "/{code}/identity",
    response=IdentityOut,
    summary="The child's identity, decrypted (each read is logged with its purpose)",
)
def get_case_identity(request: HttpRequest, code: str, query: Query[IdentityQuery]) -> Any:
    case, access = _shown(request, code, log=False)
    if not access.sees_identity:
        raise Http404
    identity = services.identity_reveal(actor=request.user, case=case, purpose=query.purpose)
    age = identity.estimated_age
    return {
        "case": case.code,
        "name_km": identity.name_km or "",
        "name_latin": identity.name_latin or "",
        "birth_date": identity.birth_date,
        "estimated_age": int(age) if age and str(age).isdigit() else None,
        "estimated_on": identity.estimated_on,
        "sex": identity.sex or "",
        "guardian_name": identity.guardian_name or "",
        "guardian_contact": identity.guardian_contact or "",
        "home_village_code": identity.home_village_code or "",
        "has_photo": bool(identity.photo),
    }


@router.patch(
    "/{code}",
    response={200: CaseDetailOut, 409: ConflictOut},
    summary="Update a case's staff, offence date and external IDs",
)
def patch_case(request: HttpRequest, code: str, payload: CasePatch) -> Any:
    case, _access = _editable(request, code)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    for field in ("lawyer", "social_worker"):
        if field in data:
            data[field] = _staff(field, data[field], case.organisation_id)
    try:
        services.case_update(actor=request.user, case=case, expected_version=version, data=data)
    except services.ConcurrentEdit as exc:
        return _conflict(exc)
    return _detail(request, code)


class EventIn(Schema):
    version: int = Field(..., ge=1, description="The case version you saw; 409 if it changed")
    kind: TimelineEvent.Kind
    date: dt.date
    time: dt.time | None = None
    place: str | None = Field(None, description="Code of a place in the registry")
    place_text: str = Field("", max_length=255)
    document: str = Field("", max_length=255)
    offence: str = Field("", max_length=255)
    offence_class: OffenceClass | None = None
    extension_of: TimelineEvent.ExtensionOf | None = None
    outcome: TimelineEvent.Outcome | None = None
    sentence_months: int | None = Field(None, ge=0, le=32767)
    sentence_days: int | None = Field(None, ge=0, le=32767)
    custodial: bool | None = None
    held_with_adults: bool | None = None
    measure: str = Field("", max_length=255)
    note: str = ""


class EventAddedOut(Schema):
    event: EventOut
    case: CaseDetailOut


@router.post(
    "/{code}/events",
    response={201: EventAddedOut, 409: ConflictOut},
    summary="Add an event to the legal timeline (impossible timelines are refused with 422)",
)
def add_case_event(request: HttpRequest, code: str, payload: EventIn) -> Status:
    case, _access = _editable(request, code)
    data = payload.dict()
    version = data.pop("version")
    data["place"] = _place(data["place"])
    try:
        event = services.event_add(
            actor=request.user, case=case, expected_version=version, data=data
        )
    except services.ConcurrentEdit as exc:
        return _conflict(exc)
    return Status(201, {"event": event, "case": _detail(request, code)})


class EventDeleteQuery(Schema):
    version: int = Field(..., ge=1, description="The case version you saw; 409 if it changed")
    reason: str = Field(..., max_length=500, description="Why the event is removed (audited)")

    _reason = field_validator("reason")(_not_blank)


@router.delete(
    "/{code}/events/{event_id}",
    response={200: CaseDetailOut, 409: ConflictOut},
    summary="Remove a wrongly entered event from the timeline",
)
def delete_case_event(
    request: HttpRequest, code: str, event_id: int, query: Query[EventDeleteQuery]
) -> Any:
    case, _access = _editable(request, code)
    if not case.events.filter(pk=event_id).exists():
        raise Http404
    try:
        services.event_delete(
            actor=request.user,
            case=case,
            event_id=event_id,
            expected_version=query.version,
            reason=query.reason,
        )
    except services.ConcurrentEdit as exc:
        return _conflict(exc)
    return _detail(request, code)
