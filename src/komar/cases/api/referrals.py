"""Referrals: sent from a case, answered by the receiving organisation."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.cases import services
from komar.cases.api.cases import router
from komar.cases.api.common import (
    ReferralOut,
    _editable,
    _organisation,
    _renamed,
    _require,
)
from komar.cases.models import (
    Consent,
    Referral,
)
from komar.cases.permissions import org_ids_with
from komar.cases.selectors import (
    referrals_received,
)

referrals_router = Router(tags=["cases"])

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


class ConsentIn(Schema):
    kind: Consent.Kind = Field(..., description="consent (parent or representative) or assent")
    purpose: Consent.Purpose
    given_by: str = Field("", description="Who gave consent (stored encrypted, never returned)")
    relationship: str = ""
    given_on: dt.date


class ConsentOut(Schema):
    id: int
    kind: str
    purpose: str
    relationship: str
    given_on: dt.date
    withdrawn_on: dt.date | None


@router.post(
    "/{code}/consents",
    response={201: ConsentOut},
    summary="Record a parent's or representative's consent, or the child's own assent",
)
def record_consent(request: HttpRequest, code: str, payload: ConsentIn) -> Status:
    case, _access = _editable(request, code)
    consent = services.consent_record(actor=request.user, case=case, data=payload.dict())
    return Status(201, consent)


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
