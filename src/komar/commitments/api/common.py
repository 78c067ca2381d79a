"""Shared pieces of the commitments API: output schemas, lookups and error helpers.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from komar.accounts.models import User
from komar.accounts.permissions import has_perm
from komar.api.errors import error_body
from komar.api.lookups import Ref, organisation_by_ref
from komar.commitments import selectors
from komar.commitments.models import (
    Action,
    Assessment,
    Evidence,
    Item,
    ItemActor,
    ItemEvent,
    Source,
)

# Errors -----------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    status: int
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


def conflict(message: str) -> Status:
    """409: the object is not in the state the request needs (reload and try again)."""
    return Status(409, error_body(409, "state_conflict", message))


@contextmanager
def archived_as(field: str) -> Iterator[None]:
    """The services refuse work on an archived item without naming a field; the API names the
    field through which the client chose that item."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict") and any(e.code == "archived" for e in exc.error_list):
            raise ValidationError({field: exc.messages}) from exc
        raise


def renamed(exc: ValidationError, **names: str) -> ValidationError:
    """The service's error with its field names as this API calls them."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


# Lookups ----------------------------------------------------------------------------------------


def require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


organisation = organisation_by_ref  # an active organisation by slug or id


def member(field: str, ref: Ref | None, organisation_ids: set[int] | None = None) -> User | None:
    """An active member (of the given organisations, if any) by e-mail or id. Anyone else gets
    the same message, so the answer says nothing about who has an account."""
    if ref is None or str(ref).strip() == "":
        return None
    qs = User.objects.filter(is_active=True, memberships__isnull=False)
    if organisation_ids is not None:
        qs = qs.filter(memberships__organisation_id__in=organisation_ids)
    text = str(ref).strip()
    found = (
        qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(email__iexact=text).first()
    )
    if found is None:
        raise ValidationError({field: _("Choose an active member by e-mail address or id.")})
    return found


def source_for(request: HttpRequest, field: str, ref: Ref) -> Source:
    """A source the user may see, by id or short code (422 naming the field otherwise)."""
    qs = selectors.sources_visible_to(user=request.user)
    text = str(ref).strip()
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(code=text).first()
    if found is None:
        raise ValidationError({field: _("No such source: %(ref)s") % {"ref": text}})
    return found


def item_for(request: HttpRequest, field: str, ref: Ref) -> Item:
    """An item the user may see, by id or reference, named in a request body (422 otherwise)."""
    text = str(ref).strip()
    pk: int | None = int(text) if text.isdigit() else None
    if pk is None:
        # archived items too; whether the user may see it is item_get_for's decision
        pk = Item.objects.filter(reference=text).values_list("pk", flat=True).first()
    try:
        if pk is None:
            raise Http404
        return selectors.item_get_for(user=request.user, pk=pk)
    except Http404:
        raise ValidationError({field: _("No such item: %(ref)s") % {"ref": text}}) from None


# Output -----------------------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    code: str
    type: str
    title_en: str
    title_km: str
    date: dt.date
    issuing_body_en: str
    issuing_body_km: str
    symbol: str
    url: str
    citation: str
    item_count: int = Field(0, description="Current (not archived) items of the source")

    @staticmethod
    def resolve_item_count(obj: Source) -> int:
        return int(getattr(obj, "n_items", 0) or 0)


class SourceBriefOut(Schema):
    id: int
    code: str
    title_en: str
    title_km: str


class ActorOut(Schema):
    organisation: str = Field(..., description="The organisation's slug")
    organisation_id: int
    name_en: str
    name_km: str
    role: str = Field(..., description="lead or supporting")

    @staticmethod
    def resolve_organisation(obj: ItemActor) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_name_en(obj: ItemActor) -> str:
        return obj.organisation.name_en

    @staticmethod
    def resolve_name_km(obj: ItemActor) -> str:
        return obj.organisation.name_km


class ItemOut(Schema):
    id: int
    reference: str
    paragraph: str
    kind: str
    source: SourceBriefOut
    text_en: str
    text_km: str
    summary_en: str
    summary_km: str
    state_response: str
    state_response_on: dt.date | None
    due_on: dt.date | None
    is_archived: bool
    is_published: bool
    government_status: str = Field(..., description="Latest published government report")
    government_status_on: dt.date | None
    coalition_status: str = Field(..., description="Latest published coalition assessment")
    coalition_status_on: dt.date | None
    has_gap: bool = Field(..., description="Both views are recorded and differ")
    themes: list[str] = Field(..., description="Theme codes")
    actors: list[ActorOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_themes(obj: Item) -> list[str]:
        return [t.code for t in obj.themes.all()]

    @staticmethod
    def resolve_actors(obj: Item) -> list[ItemActor]:
        return list(obj.actors.all())


class LinkOut(Schema):
    relation: str = Field(..., description="repeats, overlaps or supersedes")
    direction: str = Field(..., description="out: this item → other; in: other → this item")
    id: int
    reference: str


class ItemDetailOut(ItemOut):
    situations: list[str] = Field(..., description="Global Study situation codes")
    affected_groups: list[str]
    sdg_targets: list[str]
    focal_point: str | None = Field(None, description="E-mail of the responsible focal point")
    links: list[LinkOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_situations(obj: Item) -> list[str]:
        return [s.code for s in obj.situations.all()]

    @staticmethod
    def resolve_affected_groups(obj: Item) -> list[str]:
        return [g.code for g in obj.affected_groups.all()]

    @staticmethod
    def resolve_sdg_targets(obj: Item) -> list[str]:
        return [t.code for t in obj.sdg_targets.all()]

    @staticmethod
    def resolve_focal_point(obj: Item) -> str | None:
        return obj.focal_point.email if obj.focal_point else None


class ItemShown:
    """An item with what its detail adds: links in both directions."""

    def __init__(self, item: Item) -> None:
        self.item = item
        self.links = [
            {"relation": kind, "direction": direction, "id": other.pk, "reference": other.reference}
            for kind, direction, other in selectors.link_rows(item)
        ]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.item, name)


def item_detail(request: HttpRequest, pk: int) -> ItemShown:
    return ItemShown(selectors.item_get_for(user=request.user, pk=pk))


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.full_name or user.email


class EventOut(Schema):
    at: dt.datetime
    kind: str
    label: str = Field(..., description="The kind in the request's language")
    actor: str | None
    detail: dict[str, Any]
    public: bool

    @staticmethod
    def resolve_label(obj: ItemEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor(obj: ItemEvent) -> str | None:
        return _person(obj.actor)


class ActionOut(Schema):
    id: int
    item: int
    organisation: str = Field(..., description="Slug of the organisation acting")
    description: str
    starts_on: dt.date | None
    due_on: dt.date | None
    status: str
    responsible: str | None = Field(None, description="E-mail of the person responsible")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_item(obj: Action) -> int:
        return obj.item_id

    @staticmethod
    def resolve_organisation(obj: Action) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_responsible(obj: Action) -> str | None:
        return obj.responsible.email if obj.responsible else None


class EvidenceOut(Schema):
    id: int
    title: str
    tier: str = Field(..., description="public, coalition or organisation")
    url: str = Field(..., description="The link, for evidence given as a link")
    download: str | None = Field(None, description="Where to download a file (web session)")
    created_at: dt.datetime

    @staticmethod
    def resolve_download(obj: Evidence) -> str | None:
        if not obj.file:
            return None
        return reverse("commitments_evidence", kwargs={"eid": obj.pk})


class AssessmentOut(Schema):
    id: int
    item: int
    item_reference: str
    perspective: str
    status: str
    assessed_on: dt.date
    summary_en: str
    summary_km: str
    state: str = Field(..., description="draft, submitted, validated or published")
    organisation: str = Field(..., description="Slug of the recording organisation")
    submitted_at: dt.datetime | None
    validated_at: dt.datetime | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_item(obj: Assessment) -> int:
        return obj.item_id

    @staticmethod
    def resolve_item_reference(obj: Assessment) -> str:
        return obj.item.reference

    @staticmethod
    def resolve_organisation(obj: Assessment) -> str:
        return obj.organisation.slug


class AssessmentDetailOut(AssessmentOut):
    evidence: list[EvidenceOut] = Field(..., description="Only the evidence you may see")


class AssessmentShown:
    def __init__(self, assessment: Assessment, evidence: list[Evidence]) -> None:
        self.assessment = assessment
        self.evidence = evidence

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assessment, name)


def assessment_detail(request: HttpRequest, pk: int) -> AssessmentShown:
    a = selectors.assessment_get_for(user=request.user, pk=pk)
    evidence = selectors.evidence_for(user=request.user, assessments=[a])[a.pk]
    return AssessmentShown(a, evidence)
