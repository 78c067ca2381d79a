"""Sources and items: the documents and the recommendations, pledges and requests they hold."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.commitments import selectors, services
from komar.commitments.api.common import (
    EventOut,
    ItemDetailOut,
    ItemOut,
    ItemShown,
    Ref,
    SourceOut,
    item_detail,
    item_for,
    member,
    organisation,
    require,
    source_for,
)
from komar.commitments.models import (
    ItemActor,
    ItemKind,
    ItemLink,
    Perspective,
    Progress,
    SourceType,
    StateResponse,
)
from komar.organisations.models import Organisation

sources_router = Router(tags=["commitments"])
items_router = Router(tags=["commitments"])

EDIT = "Needs `commitments.edit` (secretariat admins and analysts)."
ARCHIVED = "An archived item refuses changes with 422 (restore it first)."

# Sources ----------------------------------------------------------------------------------------


class SourceIn(Schema):
    code: str = Field(..., max_length=80, description="Short code, unique (a slug)")
    type: SourceType
    title_en: str = Field(..., max_length=300)
    title_km: str = Field(..., max_length=300)
    date: dt.date
    issuing_body_en: str = Field(..., max_length=200)
    issuing_body_km: str = Field("", max_length=200)
    symbol: str = Field("", max_length=100)
    url: str = Field("", max_length=500)
    citation: str = Field("", max_length=500)


class SourcePatch(Schema):
    code: str | None = Field(None, max_length=80)
    type: SourceType | None = None
    title_en: str | None = Field(None, max_length=300)
    title_km: str | None = Field(None, max_length=300)
    date: dt.date | None = None
    issuing_body_en: str | None = Field(None, max_length=200)
    issuing_body_km: str | None = Field(None, max_length=200)
    symbol: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=500)
    citation: str | None = Field(None, max_length=500)


def _blank_for_null(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """`null` in a PATCH clears a text field (stored as "")."""
    return {k: ("" if v is None and k not in keep else v) for k, v in data.items()}


def _source(request: HttpRequest, pk: int) -> Any:
    found = selectors.sources_visible_to(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@sources_router.get(
    "", response=list[SourceOut], summary="Sources of commitments (signed-in members)"
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_commitment_sources(request: HttpRequest) -> Any:
    require(request, Perm.COMMITMENTS_VIEW)
    return selectors.sources_visible_to(user=request.user)


@sources_router.get("/{pk}", response=SourceOut, summary="One source")
def get_commitment_source(request: HttpRequest, pk: int) -> Any:
    return _source(request, pk)


@sources_router.post("", response={201: SourceOut}, summary="Add a source", description=EDIT)
def create_commitment_source(request: HttpRequest, payload: SourceIn) -> Status:
    require(request, Perm.COMMITMENTS_EDIT)
    source = services.source_save(actor=request.user, data=payload.dict())
    return Status(201, _source(request, source.pk))


@sources_router.patch("/{pk}", response=SourceOut, summary="Change a source", description=EDIT)
def patch_commitment_source(request: HttpRequest, pk: int, payload: SourcePatch) -> Any:
    require(request, Perm.COMMITMENTS_EDIT)
    source = _source(request, pk)
    data = _blank_for_null(payload.dict(exclude_unset=True), keep=("date", "type"))
    services.source_save(actor=request.user, source=source, data=data)
    return _source(request, pk)


# Items ------------------------------------------------------------------------------------------


class ItemFiltersIn(Schema):
    q: str = Field("", max_length=100, description="Reference, text or summary contains")
    source: int | None = Field(None, description="Source id")
    kind: ItemKind | None = None
    theme: str = Field("", max_length=60, description="Theme code")
    situation: str = Field("", max_length=40, description="Global Study situation code")
    actor: str = Field("", max_length=80, description="Responsible organisation: slug or id")
    status: Progress | None = None
    perspective: Perspective | None = Field(
        None, description="Which view `status` is read from (both if absent)"
    )
    gap: bool = Field(False, description="Government and coalition views differ")
    response: StateResponse | None = Field(None, description="The state's response")
    archived: bool = Field(False, description="The archive instead of current items")
    overdue: bool = False


class Categories(Schema):
    themes: list[str] | None = Field(None, description="Theme codes or labels")
    situations: list[str] | None = Field(None, description="Situation codes, numbers or names")
    affected_groups: list[str] | None = Field(None, description="Affected-group codes or labels")
    sdg_targets: list[str] | None = Field(None, description="SDG target codes (16.3)")


CATEGORY_FIELDS = ("themes", "situations", "affected_groups", "sdg_targets")


class ItemIn(Categories):
    source: Ref = Field(..., description="Source id or short code")
    reference: str = Field(..., max_length=120, description="Unique across all sources")
    paragraph: str = Field("", max_length=40)
    kind: ItemKind
    text_en: str
    text_km: str = ""
    summary_en: str = Field("", description="Plain-language, child-friendly summary")
    summary_km: str = ""
    state_response: StateResponse | Literal[""] = ""
    state_response_on: dt.date | None = None
    due_on: dt.date | None = None
    focal_point: Ref | None = Field(None, description="E-mail or id of an active member")


class ItemPatch(Categories):
    reference: str | None = Field(None, max_length=120)
    paragraph: str | None = Field(None, max_length=40)
    kind: ItemKind | None = None
    text_en: str | None = None
    text_km: str | None = None
    summary_en: str | None = None
    summary_km: str | None = None
    state_response: StateResponse | Literal[""] | None = None
    state_response_on: dt.date | None = None
    due_on: dt.date | None = None
    focal_point: Ref | None = None


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Item fields and categories (only those sent) from a request body; every unknown category
    is reported at once, each under its field."""
    sent = {f: data.pop(f) or [] for f in CATEGORY_FIELDS if f in data}
    categories = services.resolve_categories(sent)
    if "focal_point" in data:
        data["focal_point"] = member("focal_point", data["focal_point"])
    return data, categories


def _actor_id(ref: str) -> int | None:
    if not ref:
        return None
    text = ref.strip()
    qs = Organisation.objects.filter(pk=int(text)) if text.isdigit() else None
    qs = qs if qs is not None else Organisation.objects.filter(slug=text)
    found = qs.values_list("pk", flat=True).first()
    if found is None:
        raise NinjaValidationError(
            [
                {
                    "loc": ("query", "filters", "actor"),
                    "msg": _("No such organisation: %(ref)s") % {"ref": text},
                }
            ]
        )
    return found


@items_router.get(
    "",
    response=list[ItemOut],
    summary="Items (recommendations, observations, requests, pledges, findings), filtered",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_commitment_items(request: HttpRequest, filters: Query[ItemFiltersIn]) -> Any:
    require(request, Perm.COMMITMENTS_VIEW)
    f = filters
    found = selectors.ItemFilters(
        q=f.q,
        source=f.source,
        kind=f.kind or "",
        theme=f.theme,
        situation=f.situation,
        actor=_actor_id(f.actor),
        status=f.status or "",
        perspective=f.perspective or "",
        gap=f.gap,
        response=f.response or "",
        archived=f.archived,
        overdue=f.overdue,
    )
    return selectors.items_visible_to(user=request.user, filters=found)


@items_router.get("/{pk}", response=ItemDetailOut, summary="One item with categories and links")
def get_commitment_item(request: HttpRequest, pk: int) -> ItemShown:
    return item_detail(request, pk)


@items_router.post(
    "",
    response={201: ItemDetailOut},
    summary="Add an item to a source",
    description=f"{EDIT} Unknown categories and a reference already in use give 422.",
)
def create_commitment_item(request: HttpRequest, payload: ItemIn) -> Status:
    require(request, Perm.COMMITMENTS_EDIT)
    data, categories = _split(payload.dict())
    source = source_for(request, "source", data.pop("source"))
    item = services.item_create(actor=request.user, source=source, data=data, categories=categories)
    return Status(201, item_detail(request, item.pk))


@items_router.patch(
    "/{pk}",
    response=ItemDetailOut,
    summary="Change an item (only the fields sent; categories sent replace the old ones)",
    description=f"{EDIT} {ARCHIVED}",
)
def patch_commitment_item(request: HttpRequest, pk: int, payload: ItemPatch) -> ItemShown:
    require(request, Perm.COMMITMENTS_EDIT)
    item = selectors.item_get_for(user=request.user, pk=pk)
    sent = _blank_for_null(
        payload.dict(exclude_unset=True),
        keep=("kind", "state_response_on", "due_on", "focal_point", *CATEGORY_FIELDS),
    )
    data, categories = _split(sent)
    services.item_update(actor=request.user, item=item, data=data, categories=categories)
    return item_detail(request, pk)


def _flag(request: HttpRequest, pk: int, call: Any, **kwargs: Any) -> ItemShown:
    item = selectors.item_get_for(user=request.user, pk=pk)
    call(actor=request.user, item=item, **kwargs)
    return item_detail(request, pk)


@items_router.post(
    "/{pk}/archive", response=ItemDetailOut, summary="Archive an item", description=EDIT
)
def archive_commitment_item(request: HttpRequest, pk: int) -> ItemShown:
    require(request, Perm.COMMITMENTS_EDIT)
    return _flag(request, pk, services.item_archive, archived=True)


@items_router.post(
    "/{pk}/restore",
    response=ItemDetailOut,
    summary="Restore an archived item",
    description=EDIT,
)
def restore_commitment_item(request: HttpRequest, pk: int) -> ItemShown:
    require(request, Perm.COMMITMENTS_EDIT)
    return _flag(request, pk, services.item_archive, archived=False)


PUBLISH = "Needs `commitments.publish` (the secretariat)."


@items_router.post(
    "/{pk}/publish",
    response=ItemDetailOut,
    summary="Put an item on the public progress site",
    description=f"{PUBLISH} {ARCHIVED}",
)
def publish_commitment_item(request: HttpRequest, pk: int) -> ItemShown:
    require(request, Perm.COMMITMENTS_PUBLISH)
    return _flag(request, pk, services.item_publish, published=True)


@items_router.post(
    "/{pk}/unpublish",
    response=ItemDetailOut,
    summary="Take an item off the public progress site",
    description=PUBLISH,
)
def unpublish_commitment_item(request: HttpRequest, pk: int) -> ItemShown:
    require(request, Perm.COMMITMENTS_PUBLISH)
    return _flag(request, pk, services.item_publish, published=False)


class ActorIn(Schema):
    organisation: Ref = Field(..., description="Slug or id of the ministry or organisation")
    role: ItemActor.Role


@items_router.post(
    "/{pk}/actors",
    response=ItemDetailOut,
    summary="Make an organisation responsible for an item (lead or supporting)",
    description=f"{EDIT} Sending an organisation again changes its role. {ARCHIVED}",
)
def set_commitment_actor(request: HttpRequest, pk: int, payload: ActorIn) -> ItemShown:
    require(request, Perm.COMMITMENTS_EDIT)
    item = selectors.item_get_for(user=request.user, pk=pk)
    org = organisation("organisation", payload.organisation)
    services.actor_set(actor=request.user, item=item, organisation=org, role=payload.role)
    return item_detail(request, pk)


@items_router.delete(
    "/{pk}/actors/{organisation_ref}",
    response=ItemDetailOut,
    summary="Remove a responsible organisation (by slug or id)",
    description=f"{EDIT} {ARCHIVED}",
)
def remove_commitment_actor(request: HttpRequest, pk: int, organisation_ref: str) -> ItemShown:
    require(request, Perm.COMMITMENTS_EDIT)
    item = selectors.item_get_for(user=request.user, pk=pk)
    text = organisation_ref.strip()
    actors = item.actors.all()
    found = next(
        (
            a
            for a in actors
            if (str(a.organisation_id) == text if text.isdigit() else a.organisation.slug == text)
        ),
        None,
    )
    if found is None:
        raise Http404
    services.actor_remove(actor=request.user, item_actor=found)
    return item_detail(request, pk)


class LinkIn(Schema):
    to_item: Ref = Field(..., description="The other item: id or reference")
    kind: ItemLink.Kind = Field(..., description="This item repeats/overlaps/supersedes it")


@items_router.post(
    "/{pk}/links",
    response={201: ItemDetailOut},
    summary="Link this item to another (repeats, overlaps with, supersedes)",
    description=f"{EDIT} {ARCHIVED}",
)
def link_commitment_item(request: HttpRequest, pk: int, payload: LinkIn) -> Status:
    require(request, Perm.COMMITMENTS_EDIT)
    item = selectors.item_get_for(user=request.user, pk=pk)
    other = item_for(request, "to_item", payload.to_item)
    services.link_add(actor=request.user, from_item=item, to_item=other, kind=payload.kind)
    return Status(201, item_detail(request, pk))


@items_router.get(
    "/{pk}/history",
    response=list[EventOut],
    summary="An item's dated history, newest first",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def commitment_item_history(request: HttpRequest, pk: int) -> Any:
    item = selectors.item_get_for(user=request.user, pk=pk)
    return selectors.history(user=request.user, item=item)
