"""The joint statements API: statements and their lifecycle, versions and endorsements.

Signed-in members and token holders only (anonymous callers get 401), with the web's rules:
published, open and closed statements for every member; a draft for the members of its
committee's organisations and the secretariat (404 for anyone else, as for a statement that does
not exist). Drafting needs `statements.draft` and a seat on the committee; endorsing needs
`statements.endorse` in the organisation; approving, rejecting and publishing are the
secretariat's (`statements.manage`). An organisation that asked not to be named is only counted,
except to the secretariat and to its own members.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.api.errors import error_body
from komar.api.lookups import OrganisationBrief, Ref, organisation_by_ref
from komar.organisations.models import Organisation
from komar.statements import permissions as perms
from komar.statements import selectors, services
from komar.statements.models import Endorsement, EndorsementRole, Statement, StatementVersion

statements_router = Router(tags=["statements"])
endorsements_router = Router(tags=["statements"])


DRAFT = (
    "Needs `statements.draft` in an organisation on the statement's committee (or the secretariat)."
)
STATES = (
    "A statement in the wrong state (e.g. closing a draft, changing a published statement) "
    'answers 409 `{"error": {"code": "state_conflict"}}`.'
)


# Errors and lookups -----------------------------------------------------------------------------


class ErrorDetail(Schema):
    status: int
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


def conflict(exc: ValidationError) -> Status:
    """409: the statement or endorsement is not in the state the request needs."""
    return Status(409, error_body(409, "state_conflict", " ".join(exc.messages)))


def require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


organisation_ref = organisation_by_ref


# Output -----------------------------------------------------------------------------------------


OrganisationOut = OrganisationBrief


class StatementOut(Schema):
    id: int
    slug: str
    status: str = Field(..., description="draft, open, closed or published")
    version: int = Field(..., description="The current locked version (0 before sign-on)")
    title_en: str
    title_km: str
    place_en: str
    place_km: str
    date: dt.date
    committee: list[OrganisationOut] = Field(..., description="The organising committee")
    signatory_count: int = Field(..., description="Approved endorsements, named or not")
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    published_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_committee(obj: Statement) -> list[Organisation]:
        return list(obj.committee.all())

    @staticmethod
    def resolve_signatory_count(obj: Statement) -> int:
        return int(getattr(obj, "signatory_count", 0) or 0)


class SignatoryOut(Schema):
    endorsement: int = Field(..., description="The endorsement's id")
    organisation: OrganisationOut
    note_en: str
    note_km: str


class SignatoryGroupOut(Schema):
    role: str
    label: str = Field(..., description="The group's name in the request's language")
    named: list[SignatoryOut] = Field(..., description="In the published order")
    anonymous: int = Field(..., description="Organisations counted but not named")
    total: int


class VersionBriefOut(Schema):
    number: int
    created_at: dt.datetime


class ItemRefOut(Schema):
    id: int
    reference: str


class StatementDetailOut(StatementOut):
    text_en: str
    text_km: str
    text_km_note: str
    contact: str
    links: list[str]
    role_order: list[str] = Field(..., description="The order of the signatory groups")
    commitment_items: list[ItemRefOut] = Field(..., description="Linked tracker items")
    versions: list[VersionBriefOut] = Field(..., description="Newest first")
    signatories: list[SignatoryGroupOut] = Field(
        ..., description="Approved endorsements grouped by role in the statement's order"
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_commitment_items(obj: Statement) -> list[Any]:
        return list(obj.commitment_items.all())


class VersionOut(Schema):
    number: int
    title_en: str
    title_km: str
    text_en: str
    text_km: str
    created_at: dt.datetime


class EndorsementOut(Schema):
    id: int
    statement: str = Field(..., description="The statement's slug")
    organisation: OrganisationOut
    role: str
    note_en: str
    note_km: str
    anonymous: bool = Field(..., description="Counted but never named in public")
    status: str = Field(..., description="pending, approved, rejected or withdrawn")
    version: int = Field(..., description="The statement version endorsed")
    position: int = Field(..., description="Order within its group (0: by name)")
    made_at: dt.datetime
    decided_at: dt.datetime | None
    withdrawn_at: dt.datetime | None

    @staticmethod
    def resolve_statement(obj: Endorsement) -> str:
        return obj.statement.slug


class StatementShown:
    """A statement with what its detail adds: versions and signatory groups."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self.links = statement.link_list()
        self.versions = selectors.versions(statement)
        groups = selectors.signatories(statement)
        self.signatory_count = sum(g.total for g in groups)
        self.signatories: list[dict[str, Any]] = [
            {
                "role": g.role,
                "label": g.label,
                "named": [
                    {
                        "endorsement": e.pk,
                        "organisation": e.organisation,
                        "note_en": e.note_en,
                        "note_km": e.note_km,
                    }
                    for e in g.named
                ],
                "anonymous": g.anonymous,
                "total": g.total,
            }
            for g in groups
        ]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.statement, name)


def statement_detail(request: HttpRequest, slug: str) -> StatementShown:
    return StatementShown(selectors.statement_get_for(user=request.user, slug=slug))


# Statements -------------------------------------------------------------------------------------


class StatementIn(Schema):
    title_en: str = Field(..., max_length=300)
    title_km: str = Field(..., max_length=300)
    text_en: str
    text_km: str
    text_km_note: str = Field("", max_length=300)
    place_en: str = Field(..., max_length=200)
    place_km: str = Field(..., max_length=200)
    date: dt.date
    contact: str = Field("", max_length=300)
    links: list[str] = Field([], description="Web addresses")
    role_order: list[EndorsementRole] | None = Field(
        None, description="Each group exactly once (default: the 2021 statement's order)"
    )
    slug: str | None = Field(None, max_length=80, description="Default: from the English title")
    organisation: Ref | None = Field(
        None,
        description="The drafting organisation (slug or id); needed if you draft for several",
    )


class StatementPatch(Schema):
    title_en: str | None = Field(None, max_length=300)
    title_km: str | None = Field(None, max_length=300)
    text_en: str | None = None
    text_km: str | None = None
    text_km_note: str | None = Field(None, max_length=300)
    place_en: str | None = Field(None, max_length=200)
    place_km: str | None = Field(None, max_length=200)
    date: dt.date | None = None
    contact: str | None = Field(None, max_length=300)
    links: list[str] | None = None
    role_order: list[EndorsementRole] | None = None


def _statement_data(data: dict[str, Any]) -> dict[str, Any]:
    if "links" in data:
        data["links"] = "\n".join(link.strip() for link in data["links"] or [] if link.strip())
    if data.get("role_order") is not None:
        data["role_order"] = [str(r) for r in data["role_order"]]
    for name in ("text_km_note", "contact"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


@statements_router.get(
    "",
    response=list[StatementOut],
    summary="Joint statements you may see, newest first",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_statements(request: HttpRequest) -> QuerySet[Statement]:
    require(request, Perm.STATEMENTS_VIEW)
    return selectors.statements_visible_to(user=request.user).prefetch_related(
        Prefetch("committee", queryset=Organisation.objects.order_by("name_en"))
    )


@statements_router.get(
    "/{slug}",
    response=StatementDetailOut,
    summary="One statement with its versions and signatories grouped by role",
    description="Organisations that asked not to be named are only counted.",
)
def get_statement(request: HttpRequest, slug: str) -> StatementShown:
    return statement_detail(request, slug)


@statements_router.post(
    "",
    response={201: StatementDetailOut},
    summary="Draft a statement",
    description=(
        "Needs `statements.draft`. The drafting organisation joins the committee; "
        "the secretariat may leave the committee empty."
    ),
)
def create_statement(request: HttpRequest, payload: StatementIn) -> Status:
    require(request, Perm.STATEMENTS_DRAFT)
    data = _statement_data(payload.dict())
    ref = data.pop("organisation")
    org_id = organisation_ref("organisation", ref).pk if ref not in (None, "") else None
    if data.get("role_order") is None:
        data.pop("role_order")
    statement = services.statement_create(actor=request.user, data=data, organisation_id=org_id)
    return Status(201, statement_detail(request, statement.slug))


@statements_router.patch(
    "/{slug}",
    response={200: StatementDetailOut, 409: ErrorOut},
    summary="Change a statement (only the fields sent)",
    description=(
        f"{DRAFT} Changing the title or text of an open or closed statement makes a new "
        f"version, reopens sign-on and tells the endorsers. {STATES}"
    ),
)
def patch_statement(request: HttpRequest, slug: str, payload: StatementPatch) -> Any:
    require(request, Perm.STATEMENTS_DRAFT)
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    data = _statement_data(payload.dict(exclude_unset=True))
    for name in ("title_en", "title_km", "text_en", "text_km", "place_en", "place_km", "date"):
        if name in data and data[name] is None:
            raise NinjaValidationError(
                [{"loc": ("body", "payload", name), "msg": _("This field cannot be empty.")}]
            )
    if "role_order" in data and data["role_order"] is None:
        data.pop("role_order")
    try:
        services.statement_update(actor=request.user, statement=statement, data=data)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            return conflict(exc)
        raise
    return statement_detail(request, slug)


def _move(request: HttpRequest, slug: str, perm: str, call: Any) -> Any:
    require(request, perm)
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    try:
        call(actor=request.user, statement=statement)
    except ValidationError as exc:
        return conflict(exc)
    return statement_detail(request, slug)


MOVE = {200: StatementDetailOut, 409: ErrorOut}


@statements_router.post(
    "/{slug}/open",
    response=MOVE,
    summary="Open a draft for sign-on (its text is locked as the next version)",
    description=f"{DRAFT} {STATES}",
)
def open_statement(request: HttpRequest, slug: str) -> Any:
    return _move(request, slug, Perm.STATEMENTS_DRAFT, services.statement_open)


@statements_router.post(
    "/{slug}/close",
    response=MOVE,
    summary="Close sign-on",
    description=f"{DRAFT} {STATES}",
)
def close_statement(request: HttpRequest, slug: str) -> Any:
    return _move(request, slug, Perm.STATEMENTS_DRAFT, services.statement_close)


@statements_router.post(
    "/{slug}/reopen",
    response=MOVE,
    summary="Reopen sign-on of a closed statement",
    description=f"{DRAFT} {STATES}",
)
def reopen_statement(request: HttpRequest, slug: str) -> Any:
    return _move(request, slug, Perm.STATEMENTS_DRAFT, services.statement_reopen)


@statements_router.post(
    "/{slug}/publish",
    response=MOVE,
    summary="Publish an open or closed statement",
    description=(
        "Needs `statements.manage` (the secretariat). Every endorsement must be approved or "
        f"rejected first; otherwise 409 names those still waiting. {STATES}"
    ),
)
def publish_statement(request: HttpRequest, slug: str) -> Any:
    return _move(request, slug, Perm.STATEMENTS_MANAGE, services.statement_publish)


@statements_router.get(
    "/{slug}/versions",
    response=list[VersionOut],
    summary="The locked versions of a statement's text, newest first",
)
def list_statement_versions(request: HttpRequest, slug: str) -> list[StatementVersion]:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    return selectors.versions(statement)


# Endorsements -----------------------------------------------------------------------------------


def _endorsements_visible(user: Any, statement: Statement) -> QuerySet[Endorsement]:
    """All of them for the secretariat; for others the approved named ones and every one of
    their own organisations."""
    qs = statement.endorsements.select_related("statement", "organisation")
    if not perms.is_secretariat(user):
        qs = qs.filter(
            Q(status=Endorsement.Status.APPROVED, anonymous=False)
            | Q(organisation_id__in=perms.member_org_ids(user))
        )
    return qs.order_by("role", "position", "organisation__name_en", "id")


@statements_router.get(
    "/{slug}/endorsements",
    response=list[EndorsementOut],
    summary="A statement's endorsements",
    description=(
        "The secretariat sees every endorsement; other members see the approved ones (except "
        "organisations that asked not to be named) and those of their own organisations."
    ),
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_statement_endorsements(request: HttpRequest, slug: str) -> QuerySet[Endorsement]:
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    return _endorsements_visible(request.user, statement)


class EndorseIn(Schema):
    organisation: Ref | None = Field(
        None, description="Slug or id; may be left out if you endorse for one organisation only"
    )
    role: EndorsementRole
    note_en: str = Field("", max_length=300, description="E.g. represented by Terre des hommes")
    note_km: str = Field("", max_length=300)
    anonymous: bool = Field(False, description="Count us but do not name us")


@statements_router.post(
    "/{slug}/endorsements",
    response={201: EndorsementOut},
    summary="Endorse a statement for an organisation",
    description=(
        "Needs `statements.endorse` in the organisation. The statement must be open for "
        "sign-on (422 on `path.slug` otherwise); an organisation endorses once (422 on "
        "`body.organisation`). The endorsement awaits the secretariat's approval."
    ),
)
def endorse_statement(request: HttpRequest, slug: str, payload: EndorseIn) -> Status:
    require(request, Perm.STATEMENTS_ENDORSE)
    statement = selectors.statement_get_for(user=request.user, slug=slug)
    if payload.organisation is None or payload.organisation == "":
        own = perms.endorsing_org_ids(request.user)
        if len(own) != 1:
            raise ValidationError(
                {"organisation": _("Choose the organisation you endorse for (slug or id).")}
            )
        org = Organisation.objects.get(pk=next(iter(own)))
    else:
        org = organisation_ref("organisation", payload.organisation)
    if not perms.can_endorse_for(request.user, org.pk):
        raise ValidationError(
            {
                "organisation": _("You are not authorised to endorse for %(organisation)s.")
                % {"organisation": org.name}
            }
        )
    try:
        endorsement = services.endorse(
            actor=request.user,
            statement=statement,
            organisation_id=org.pk,
            role=str(payload.role),
            note_en=payload.note_en,
            note_km=payload.note_km,
            anonymous=payload.anonymous,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "statement" in exc.error_dict:
            raise NinjaValidationError(
                [{"loc": ("path", "slug"), "msg": m} for m in exc.message_dict["statement"]]
            ) from exc
        raise
    shown = Endorsement.objects.select_related("statement", "organisation").get(pk=endorsement.pk)
    return Status(201, shown)


def _act(request: HttpRequest, pk: int, perm: str, call: Any, **kwargs: Any) -> Any:
    require(request, perm)
    manage = perm == Perm.STATEMENTS_MANAGE
    endorsement = selectors.endorsement_get_for(user=request.user, pk=pk, manage=manage)
    try:
        call(actor=request.user, endorsement=endorsement, **kwargs)
    except ValidationError as exc:
        return conflict(exc)
    return Endorsement.objects.select_related("statement", "organisation").get(pk=pk)


ACT = {200: EndorsementOut, 409: ErrorOut}
OWN = (
    "Needs `statements.endorse` in the endorsing organisation (another organisation's "
    "endorsement answers 404)."
)


@endorsements_router.post(
    "/{pk}/withdraw",
    response=ACT,
    summary="Withdraw an endorsement (until the statement is published)",
    description=f"{OWN} {STATES}",
)
def withdraw_endorsement(request: HttpRequest, pk: int) -> Any:
    return _act(request, pk, Perm.STATEMENTS_ENDORSE, services.endorsement_withdraw)


@endorsements_router.post(
    "/{pk}/reconfirm",
    response=ACT,
    summary="Endorse the statement's current version after its text changed",
    description=f"{OWN} {STATES}",
)
def reconfirm_endorsement(request: HttpRequest, pk: int) -> Any:
    return _act(request, pk, Perm.STATEMENTS_ENDORSE, services.endorsement_reconfirm)


@endorsements_router.post(
    "/{pk}/approve",
    response=ACT,
    summary="Approve an endorsement awaiting approval",
    description=f"Needs `statements.manage` (the secretariat). {STATES}",
)
def approve_endorsement(request: HttpRequest, pk: int) -> Any:
    return _act(request, pk, Perm.STATEMENTS_MANAGE, services.endorsement_decide, approve=True)


@endorsements_router.post(
    "/{pk}/reject",
    response=ACT,
    summary="Reject an endorsement awaiting approval",
    description=f"Needs `statements.manage` (the secretariat). {STATES}",
)
def reject_endorsement(request: HttpRequest, pk: int) -> Any:
    return _act(request, pk, Perm.STATEMENTS_MANAGE, services.endorsement_decide, approve=False)
