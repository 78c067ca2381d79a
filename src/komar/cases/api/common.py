"""Shared pieces of the cases API: output schemas and helpers."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from komar.accounts.models import User
from komar.accounts.permissions import has_perm
from komar.api.errors import error_body
from komar.cases import services
from komar.cases.deadlines import band_of
from komar.cases.models import (
    Case,
    Referral,
    TimelineEvent,
)
from komar.cases.permissions import CaseAccess
from komar.cases.selectors import (
    case_get_for,
)
from komar.organisations.models import Organisation
from komar.places.models import Place

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
