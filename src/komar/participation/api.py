"""The participation API: consultations and events, and the published themes of children's
feedback.

Signed-in members and token holders only (anonymous callers get 401). Events as on the web:
public events for every member, unlisted ones for those who hold `events.edit` in an organising
organisation (every event for the secretariat); others get 404. Events count who took part by
group, never who. Children's feedback is reachable only as the quarters the secretariat
published, as suppressed counts — never a message, never an unpublished quarter.

No `from __future__ import annotations` here: ninja reads the annotations at import time."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.api.lookups import OrganisationBrief, Ref, organisations_by_ref
from komar.commitments.models import Item
from komar.organisations.models import Organisation
from komar.participation import selectors, services
from komar.participation.models import (
    ChildRequest,
    Event,
    EventFormat,
    ParticipantGroup,
    Participation,
    ThemePublication,
)

events_router = Router(tags=["participation"])
themes_router = Router(tags=["participation"])


EDIT = (
    "Needs `events.edit` in an organising organisation (or the secretariat); an event you "
    "see but may not change answers 403."
)
GROUP_ORDER = {g: i for i, g in enumerate(ParticipantGroup.values)}


def require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied


_organisations = organisations_by_ref


def _items(request: HttpRequest, field: str, refs: list[Ref]) -> list[Item]:
    """Tracker items the user may link, by id or reference (422 naming the unknown ones)."""
    qs = selectors.linkable_items(user=request.user)
    found, missing = [], []
    for ref in refs:
        text = str(ref).strip()
        item = (
            qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(reference=text).first()
        )
        if item is None:
            missing.append(text)
        else:
            found.append(item)
    if missing:
        raise ValidationError({field: _("No such item: %(ref)s") % {"ref": ", ".join(missing)}})
    return found


# Output -----------------------------------------------------------------------------------------


OrganisationOut = OrganisationBrief


class ParticipantsOut(Schema):
    group: str = Field(..., description="children, youth, government, civil_society, …")
    count: int | None = Field(..., description="null: the group took part, number not known")


def _participant_rows(event: Event) -> list[Participation]:
    return sorted(event.participants.all(), key=lambda p: GROUP_ORDER.get(p.group, 99))


class EventOut(Schema):
    id: int
    code: str | None
    title_en: str
    title_km: str
    starts_on: dt.date
    ends_on: dt.date | None
    format: str = Field(..., description="online, in_person or hybrid")
    place_en: str
    place_km: str
    is_public: bool
    organisers: list[OrganisationOut]
    participants: list[ParticipantsOut] = Field(..., description="Counts by group, never who")
    request_count: int = Field(..., description="Children's requests and messages recorded")

    @staticmethod
    def resolve_organisers(obj: Event) -> list[Organisation]:
        return list(obj.organisers.all())

    @staticmethod
    def resolve_participants(obj: Event) -> list[Participation]:
        return _participant_rows(obj)

    @staticmethod
    def resolve_request_count(obj: Event) -> int:
        return int(getattr(obj, "n_requests", 0) or 0)


class ItemRefOut(Schema):
    id: int
    reference: str


class ChildRequestOut(Schema):
    id: int
    number: int
    kind: str = Field(..., description="request or message")
    text_en: str
    text_km: str
    source_note: str
    items: list[ItemRefOut] = Field(..., description="Linked items of the commitments tracker")

    @staticmethod
    def resolve_items(obj: ChildRequest) -> list[Item]:
        return list(obj.items.all())


class EventDetailOut(EventOut):
    description_en: str
    description_km: str
    citation: str
    requests: list[ChildRequestOut]
    can_edit: bool = Field(..., description="You may change this event")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requests(obj: Event) -> list[ChildRequest]:
        return list(obj.requests.all())


def event_detail(request: HttpRequest, pk: int) -> Event:
    return selectors.event_get_for(user=request.user, pk=pk)


# Events -----------------------------------------------------------------------------------------


@events_router.get(
    "",
    response=list[EventOut],
    summary="Consultations and events you may see, newest first",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_participation_events(request: HttpRequest) -> QuerySet[Event]:
    return selectors.events_visible_to(user=request.user).prefetch_related("participants")


@events_router.get(
    "/{pk}",
    response=EventDetailOut,
    summary="One event with its participant counts and the children's requests",
)
def get_participation_event(request: HttpRequest, pk: int) -> Event:
    return event_detail(request, pk)


class EventIn(Schema):
    title_en: str = Field("", max_length=300, description="A title in Khmer or English")
    title_km: str = Field("", max_length=300)
    starts_on: dt.date
    ends_on: dt.date | None = None
    format: EventFormat
    place_en: str = Field("", max_length=300)
    place_km: str = Field("", max_length=300)
    description_en: str = ""
    description_km: str = ""
    is_public: bool = True
    citation: str = ""
    organisers: list[Ref] = Field(..., description="Slugs or ids; one must be yours")


class EventPatch(Schema):
    title_en: str | None = Field(None, max_length=300)
    title_km: str | None = Field(None, max_length=300)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    format: EventFormat | None = None
    place_en: str | None = Field(None, max_length=300)
    place_km: str | None = Field(None, max_length=300)
    description_en: str | None = None
    description_km: str | None = None
    is_public: bool | None = None
    citation: str | None = None
    organisers: list[Ref] | None = None


@events_router.post(
    "",
    response={201: EventDetailOut},
    summary="Record an event",
    description="Needs `events.edit`; one of your organisations must be among the organisers.",
)
def create_participation_event(request: HttpRequest, payload: EventIn) -> Status:
    require(request, Perm.EVENTS_EDIT)
    data = payload.dict()
    organisers = _organisations("organisers", data.pop("organisers"))
    data["format"] = str(data["format"])
    event = services.event_save(actor=request.user, data=data, organisers=organisers)
    return Status(201, event_detail(request, event.pk))


KEEP = ("ends_on",)  # may be cleared with null; other nulls are refused by the service's checks


@events_router.patch(
    "/{pk}",
    response=EventDetailOut,
    summary="Change an event (only the fields sent)",
    description=EDIT,
)
def patch_participation_event(request: HttpRequest, pk: int, payload: EventPatch) -> Event:
    require(request, Perm.EVENTS_EDIT)
    event = selectors.event_get_editable(user=request.user, pk=pk)
    sent = payload.dict(exclude_unset=True)
    refs = sent.pop("organisers", None)
    organisers = (
        _organisations("organisers", refs) if refs is not None else list(event.organisers.all())
    )
    data = {name: getattr(event, name) for name in services.EVENT_FIELDS}
    for name, value in sent.items():
        if value is None and name not in KEEP:
            if name in ("starts_on", "format", "is_public"):
                raise ValidationError({name: _("This field cannot be empty.")})
            value = ""
        data[name] = str(value) if name == "format" else value
    services.event_save(actor=request.user, event=event, data=data, organisers=organisers)
    return event_detail(request, pk)


class ParticipantsIn(Schema):
    """Each group that took part, with its count (null: number not known). Groups left out did
    not take part."""

    children: int | None = Field(None, ge=0)
    youth: int | None = Field(None, ge=0)
    government: int | None = Field(None, ge=0)
    civil_society: int | None = Field(None, ge=0)
    un_agencies: int | None = Field(None, ge=0)
    academia: int | None = Field(None, ge=0)
    development_partners: int | None = Field(None, ge=0)
    public: int | None = Field(None, ge=0)


@events_router.put(
    "/{pk}/participants",
    response=EventDetailOut,
    summary="Replace the participant counts by group",
    description=f"{EDIT} Counts only — never who took part.",
)
def set_participation_counts(request: HttpRequest, pk: int, payload: ParticipantsIn) -> Event:
    require(request, Perm.EVENTS_EDIT)
    event = selectors.event_get_editable(user=request.user, pk=pk)
    services.participants_set(
        actor=request.user, event=event, groups=payload.dict(exclude_unset=True)
    )
    return event_detail(request, pk)


class ChildRequestIn(Schema):
    number: int = Field(..., ge=1, description="Unique within the event")
    kind: ChildRequest.Kind = ChildRequest.Kind.REQUEST
    text_en: str = Field("", description="In English or Khmer (at least one)")
    text_km: str = ""
    source_note: str = Field("", max_length=300)
    items: list[Ref] = Field([], description="Tracker items: ids or references")


class ChildRequestPatch(Schema):
    number: int | None = Field(None, ge=1)
    kind: ChildRequest.Kind | None = None
    text_en: str | None = None
    text_km: str | None = None
    source_note: str | None = Field(None, max_length=300)
    items: list[Ref] | None = Field(None, description="Replaces the linked items")


@events_router.post(
    "/{pk}/requests",
    response={201: EventDetailOut},
    summary="Record a request or message children raised at the event",
    description=EDIT,
)
def create_child_request(request: HttpRequest, pk: int, payload: ChildRequestIn) -> Status:
    require(request, Perm.EVENTS_EDIT)
    event = selectors.event_get_editable(user=request.user, pk=pk)
    data = payload.dict()
    items = _items(request, "items", data.pop("items"))
    data["kind"] = str(data["kind"])
    services.request_save(actor=request.user, event=event, data=data, items=items)
    return Status(201, event_detail(request, pk))


@events_router.patch(
    "/{pk}/requests/{rid}",
    response=EventDetailOut,
    summary="Correct a children's request or message (only the fields sent)",
    description=EDIT,
)
def patch_child_request(
    request: HttpRequest, pk: int, rid: int, payload: ChildRequestPatch
) -> Event:
    require(request, Perm.EVENTS_EDIT)
    event = selectors.event_get_editable(user=request.user, pk=pk)
    child_request = selectors.request_get(event=event, pk=rid)
    sent = payload.dict(exclude_unset=True)
    refs = sent.pop("items", None)
    items = _items(request, "items", refs) if refs is not None else list(child_request.items.all())
    data = {name: getattr(child_request, name) for name in services.REQUEST_FIELDS}
    for name, value in sent.items():
        if value is None:
            if name in ("number", "kind"):
                raise ValidationError({name: _("This field cannot be empty.")})
            value = ""
        data[name] = str(value) if name == "kind" else value
    services.request_save(
        actor=request.user, event=event, request=child_request, data=data, items=items
    )
    return event_detail(request, pk)


# Published themes -------------------------------------------------------------------------------


class ThemeCellOut(Schema):
    code: str = Field(..., description='Theme, age band or province code ("" : not given)')
    label: str = Field(..., description="In the request's language")
    value: int | None = Field(..., description="null: hidden")
    hidden: str = Field(
        ...,
        description='"" shown; "small": fewer than the threshold; "secondary": hidden to '
        "protect other cells",
    )
    shown: str = Field(..., description="What the public page shows")


class PeriodOut(Schema):
    year: int
    quarter: int
    threshold: int = Field(..., description="Counts from 1 to threshold−1 are never shown")
    published_at: dt.datetime


class PeriodDetailOut(PeriodOut):
    themes: list[ThemeCellOut] = Field(..., description="Accepted messages by theme")
    themes_total: ThemeCellOut = Field(
        ..., description="All theme tags (a message may have several)"
    )
    age_bands: list[ThemeCellOut] | None = Field(
        ..., description="Only when every cell survives suppression"
    )
    provinces: list[ThemeCellOut] | None = Field(
        ..., description="Only when every cell survives suppression"
    )
    messages: int | None = Field(..., description="All messages (with a breakdown only)")


def shown_text(value: int | None, small: bool, threshold: int) -> str:
    """A cell as the public page shows it."""
    if value is not None:
        return str(value)
    if small:
        return _("fewer than %(n)s") % {"n": threshold}
    return "–"


def _cell(code: str, cell: Any, threshold: int) -> dict[str, Any]:
    hidden = "" if cell.value is not None else ("small" if cell.small else "secondary")
    return {
        "code": code,
        "label": cell.label,
        "value": cell.value,
        "hidden": hidden,
        "shown": shown_text(cell.value, cell.small, threshold),
    }


def period_tables(publication: ThemePublication) -> dict[str, Any]:
    """A published quarter as `selectors.published_themes` shows it, with each row's code."""
    shown = selectors.published_themes(publication)
    tables = publication.tables

    def rows(key: str, cells: list[Any] | None) -> list[dict[str, Any]] | None:
        if cells is None:
            return None
        codes = [r["code"] for r in tables.get(key) or []]
        return [_cell(code, c, shown.threshold) for code, c in zip(codes, cells, strict=True)]

    return {
        "year": publication.year,
        "quarter": publication.quarter,
        "threshold": shown.threshold,
        "published_at": publication.published_at,
        "themes": rows("themes", shown.themes) or [],
        "themes_total": _cell("", shown.themes_total, shown.threshold),
        "age_bands": rows("age_bands", shown.age_bands),
        "provinces": rows("provinces", shown.provinces),
        "messages": shown.messages,
    }


@themes_router.get(
    "",
    response=list[PeriodOut],
    summary="Quarters whose feedback themes the secretariat published, newest first",
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_feedback_theme_periods(request: HttpRequest) -> QuerySet[ThemePublication]:
    return selectors.published_theme_periods()


@themes_router.get(
    "/{year}/{quarter}",
    response=PeriodDetailOut,
    summary="One published quarter's suppressed theme tables",
    description=(
        "Counts of accepted messages by theme (and by age band and province where every cell "
        "survives suppression). Hidden cells are null; the messages themselves are never "
        "published. An unpublished quarter answers 404."
    ),
)
def get_feedback_theme_period(request: HttpRequest, year: int, quarter: int) -> dict[str, Any]:
    publication = selectors.published_theme_periods().filter(year=year, quarter=quarter).first()
    if publication is None:
        raise Http404
    return period_tables(publication)
