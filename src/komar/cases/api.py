"""The cases API: case records, their legal timeline, the deadline watch, referrals and rules.

A case someone may not see does not exist for them (404, never 403); a case they may see but not
change answers 403. The child's identity is only ever returned by `/cases/{code}/identity`, and
each read of a case (or of an identity) is written to the access log by the selectors/services.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import field_validator

from komar.accounts.models import User
from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.api.errors import error_body
from komar.cases import services
from komar.cases.deadlines import band_of
from komar.cases.models import (
    Case,
    ChildIdentity,
    LegalRule,
    LegalStatus,
    OffenceClass,
    Referral,
    TimelineEvent,
)
from komar.cases.permissions import CaseAccess, org_ids_with
from komar.cases.selectors import (
    CaseFilters,
    active_ruleset,
    case_get_for,
    cases_visible_to,
    coalition_watch,
    referrals_received,
    rules_of,
    watch_counts,
    watch_list,
)
from komar.organisations.models import Organisation
from komar.places.models import Place

router = Router(tags=["cases"])
watch_router = Router(tags=["cases"])
referrals_router = Router(tags=["cases"])
rules_router = Router(tags=["legal rules"])

Band = Literal["", "past", "within_7", "within_30", "later"]


# Output -----------------------------------------------------------------------------------------


class CaseOut(Schema):
    """A case without the child's identity: what lists and the watch show."""

    code: str
    organisation: str
    status: str
    legal_status: str
    trial_stage: str
    detained: bool
    age_at_offence: int | None
    age_estimated: bool
    offence_class: str
    current_place: str | None
    current_place_text: str
    deadline_at: dt.datetime | None
    deadline_kind: str
    deadline_unverified: bool
    band: str | None = Field(None, description="past, within_7, within_30, later; null: none")
    below_min_age: bool
    held_with_adults: bool
    has_lawyer: bool
    next_hearing_on: dt.date | None
    version: int

    @staticmethod
    def resolve_organisation(obj: Case) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_current_place(obj: Case) -> str | None:
        place = obj.current_place
        return place.code if place else None

    @staticmethod
    def resolve_band(obj: Case) -> str | None:
        band = band_of(obj.deadline_at, timezone.now())
        return band.value if band else None

    @staticmethod
    def resolve_has_lawyer(obj: Case) -> bool:
        return obj.lawyer_id is not None


class RuleBriefOut(Schema):
    code: str
    title_en: str
    title_km: str
    citation_en: str
    citation_km: str
    verified: bool


class EventOut(Schema):
    id: int
    kind: str
    date: dt.date
    time: dt.time | None
    place: str | None
    place_text: str
    document: str
    offence: str
    offence_class: str
    extension_of: str
    outcome: str
    sentence_months: int | None
    sentence_days: int | None
    custodial: bool | None
    held_with_adults: bool | None
    measure: str
    note: str

    @staticmethod
    def resolve_place(obj: TimelineEvent) -> str | None:
        place = obj.place
        return place.code if place else None


class ReferralOut(Schema):
    id: int
    case: str
    from_organisation: str
    to_organisation: str
    status: str
    reason: str
    without_consent: bool
    share_identity: bool
    share_timeline: bool
    share_notes: bool
    share_services: bool
    created_at: dt.datetime
    answered_at: dt.datetime | None
    answer_note: str

    @staticmethod
    def resolve_case(obj: Referral) -> str:
        return obj.case.code

    @staticmethod
    def resolve_from_organisation(obj: Referral) -> str:
        return obj.case.organisation.slug

    @staticmethod
    def resolve_to_organisation(obj: Referral) -> str:
        return obj.to_organisation.slug

    @staticmethod
    def resolve_without_consent(obj: Referral) -> bool:
        return obj.consent_id is None


class AccessOut(Schema):
    owner: bool
    can_edit: bool
    sees_identity: bool
    sees_timeline: bool
    sees_notes: bool
    sees_services: bool
    referral: int | None = Field(None, description="The referral that shares this case with you")


class CaseDetailOut(CaseOut):
    opened_on: dt.date
    closed_on: dt.date | None
    close_reason: str
    anonymised: bool
    offence_date: dt.date | None
    lawyer: str | None
    social_worker: str | None
    primero_case_id: str | None = Field(None, description="Null unless you see the identity")
    mosvy_number: str | None = None
    oscar_global_id: str | None = None
    status_since: dt.datetime | None
    detained_since: dt.date | None
    deadline_note: str
    deadline_rule: RuleBriefOut | None
    access: AccessOut
    events: list[EventOut] | None = Field(None, description="Null unless the timeline is shared")
    referrals: list[ReferralOut] | None = Field(None, description="The owner's referrals only")

    @staticmethod
    def resolve_anonymised(obj: Case) -> bool:
        return obj.anonymised_at is not None

    @staticmethod
    def resolve_lawyer(obj: Case) -> str | None:
        return obj.lawyer.email if obj.lawyer else None

    @staticmethod
    def resolve_social_worker(obj: Case) -> str | None:
        return obj.social_worker.email if obj.social_worker else None


class CaseShown:
    """One case as one user may see it: the case's own fields, plus the parts their access opens
    (the timeline if shared, the referrals for the owner, external IDs with the identity)."""

    def __init__(self, case: Case, access: CaseAccess) -> None:
        self.case = case
        self.events = (
            list(case.events.select_related("place").order_by("date", "time", "pk"))
            if access.sees_timeline
            else None
        )
        self.referrals = (
            list(case.referrals.select_related("case__organisation", "to_organisation"))
            if access.owner
            else None
        )
        external = access.sees_identity
        self.primero_case_id = case.primero_case_id if external else None
        self.mosvy_number = case.mosvy_number if external else None
        self.oscar_global_id = case.oscar_global_id if external else None
        self.access = {
            "owner": access.owner,
            "can_edit": access.can_edit,
            "sees_identity": access.sees_identity,
            "sees_timeline": access.sees_timeline,
            "sees_notes": access.sees_notes,
            "sees_services": access.sees_services,
            "referral": access.referral.pk if access.referral else None,
        }

    def __getattr__(self, name: str) -> Any:
        return getattr(self.case, name)


class ChangeOut(Schema):
    who: str
    when: dt.datetime
    action: str
    fields: list[str]


class ConflictError(Schema):
    status: int
    code: str
    message: str
    current_version: int
    changes: list[ChangeOut]


class ConflictOut(Schema):
    error: ConflictError


class DuplicateError(Schema):
    status: int
    code: str
    message: str
    candidates: list[str]


class DuplicateOut(Schema):
    error: DuplicateError


def _conflict(exc: services.ConcurrentEdit) -> Status:
    body = error_body(409, "conflict", exc.messages[0])
    body["error"]["current_version"] = exc.current_version
    body["error"]["changes"] = [
        {"who": c.who, "when": c.when, "action": c.action, "fields": c.fields} for c in exc.changes
    ]
    return Status(409, body)


def _duplicate(exc: services.DuplicateWarning) -> Status:
    body = error_body(409, "duplicate", exc.messages[0])
    body["error"]["candidates"] = [c.code for c in exc.candidates]
    return Status(409, body)


# Helpers ----------------------------------------------------------------------------------------


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


def _shown(request: HttpRequest, code: str, *, log: bool = True) -> tuple[Case, CaseAccess]:
    """The case if the user may see it (404 otherwise — also without the records permission)."""
    return case_get_for(user=request.user, code=code, log=log)


def _editable(request: HttpRequest, code: str) -> tuple[Case, CaseAccess]:
    """The case for a change: 404 if the user may not see it, 403 if they may see but not edit."""
    case, access = _shown(request, code, log=False)
    if not (access.owner and access.can_edit):
        raise PermissionDenied
    return case, access


def _detail(request: HttpRequest, code: str) -> CaseShown:
    """The case as the user now sees it, after a change (not logged again as a read)."""
    case, access = _shown(request, code, log=False)
    return CaseShown(case, access)


def _organisation(field: str, slug: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug, is_active=True).first()
    if found is None:
        raise ValidationError({field: _("No such organisation: %(slug)s") % {"slug": slug}})
    return found


def _staff(field: str, ref: str | int | None, organisation_id: int) -> User | None:
    """A member of the owning organisation, by e-mail or id. Anyone else gets the same message,
    so the answer says nothing about who has an account."""
    if ref is None or ref == "":
        return None
    members = User.objects.filter(memberships__organisation_id=organisation_id, is_active=True)
    if isinstance(ref, int) or ref.isdigit():
        found = members.filter(pk=int(ref)).first()
    else:
        found = members.filter(email__iexact=ref.strip()).first()
    if found is None:
        raise ValidationError(
            {field: _("Choose someone of the owning organisation who works on cases.")}
        )
    return found


def _place(code: str | None) -> Place | None:
    if not code:
        return None
    found = Place.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({"place": _("No such place: %(code)s") % {"code": code}})
    return found


def _renamed(exc: ValidationError, **names: str) -> ValidationError:
    """The service's error with its field names as this API calls them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("This field cannot be blank."))
    return value.strip()


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


# Referrals --------------------------------------------------------------------------------------


class ReferralIn(Schema):
    to_organisation: str = Field(..., description="Slug of the receiving organisation")
    reason: str = Field(..., min_length=1, description="What the child needs from them")
    consent: int | None = Field(None, description="Id of a consent to referral in force")
    override_reason: str = Field("", description="Why without consent (organisation admins)")
    share_identity: bool = False
    share_timeline: bool = True
    share_notes: bool = False
    share_services: bool = True


class ReferralAnswerIn(Schema):
    accept: bool
    note: str = Field("", description="Required when declining")


@router.post(
    "/{code}/referrals",
    response={201: ReferralOut},
    summary="Refer a case to another organisation (with consent, or an audited override)",
)
def refer_case(request: HttpRequest, code: str, payload: ReferralIn) -> Status:
    case, _access = _editable(request, code)
    to = _organisation("to_organisation", payload.to_organisation)
    referral = services.referral_create(
        actor=request.user,
        case=case,
        to_organisation_id=to.pk,
        reason=payload.reason,
        consent_id=payload.consent,
        override_reason=payload.override_reason,
        shares={f: getattr(payload, f) for f in services.SHARES},
    )
    shown = Referral.objects.select_related("case__organisation", "to_organisation")
    return Status(201, shown.get(pk=referral.pk))


@referrals_router.get(
    "", response=list[ReferralOut], summary="Referrals received by your organisations"
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_referrals(request: HttpRequest) -> Any:
    _require(request, Perm.CHILD_RECORDS_VIEW)
    return referrals_received(user=request.user)


@referrals_router.post(
    "/{referral_id}/answer",
    response=ReferralOut,
    summary="Accept or decline a referral (the receiving organisation's caseworkers and admins)",
)
def answer_referral(request: HttpRequest, referral_id: int, payload: ReferralAnswerIn) -> Referral:
    referral = referrals_received(user=request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    if referral.to_organisation_id not in org_ids_with(request.user, Perm.CASES_EDIT):
        raise PermissionDenied
    try:
        services.referral_answer(
            actor=request.user, referral=referral, accept=payload.accept, note=payload.note
        )
    except ValidationError as exc:
        raise _renamed(exc, answer_note="note") from exc
    return referrals_received(user=request.user).get(pk=referral_id)


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


# Rules ------------------------------------------------------------------------------------------


class RuleOut(RuleBriefOut):
    id: int
    kind: str
    offence_class: str
    age_from: int | None
    age_to: int | None
    limit_value: int | None
    limit_unit: str
    extension_value: int | None
    extension_unit: str
    max_extensions: int
    age_value: int | None
    source_url: str
    note_en: str
    note_km: str
    verified_by: str | None
    verified_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_verified_by(obj: LegalRule) -> str | None:
        user = obj.verified_by
        return (user.full_name or user.email) if user else None


Unit = Literal["hours", "days", "months", ""]


class RulePatch(Schema):
    limit_value: int | None = Field(None, ge=0)
    limit_unit: Unit | None = None
    extension_value: int | None = Field(None, ge=0)
    extension_unit: Unit | None = None
    max_extensions: int = Field(0, ge=0, le=100)
    age_value: int | None = Field(None, ge=0, le=30)
    citation_en: str | None = Field(None, max_length=300)
    citation_km: str | None = Field(None, max_length=300)
    source_url: str | None = Field(None, max_length=200)
    note_en: str | None = None
    note_km: str | None = None
    verified: bool | None = Field(None, description="Confirm (true) or unconfirm (false)")


def _rules() -> Any:
    return rules_of(active_ruleset())


@rules_router.get(
    "", response=list[RuleOut], summary="The legal rules deadlines are watched against"
)
def list_rules(request: HttpRequest) -> list[LegalRule]:
    _require(request, Perm.RULES_VIEW)
    return list(_rules())


@rules_router.patch(
    "/{rule_id}",
    response=RuleOut,
    summary="Correct or confirm a legal rule (secretariat); open cases are recomputed",
)
def patch_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> LegalRule:
    _require(request, Perm.REFERENCE_CONFIRM)
    rule = _rules().filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    data = payload.dict(exclude_unset=True)
    verified = data.pop("verified", None)
    services.rule_update(
        actor=request.user,
        rule=rule,
        data=data,
        verified=rule.verified if verified is None else verified,
    )
    return _rules().get(pk=rule_id)
