import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.geo.models import Province
from komar.places import services
from komar.places.models import Place, PlaceType, Situation
from komar.places.selectors import PlaceFilters, place_get, places, situations

router = Router(tags=["reference data"])
places_router = Router(tags=["places"])

Operator = Literal["state", "ngo", "faith_based", "private", "unknown"]


class SituationOut(Schema):
    code: str
    number: int
    name_en: str
    name_km: str
    description_en: str
    description_km: str


@router.get("", response=list[SituationOut], auth=None, summary="Global Study situations (public)")
def list_situations(request: HttpRequest) -> list[SituationOut]:
    return list(situations())  # type: ignore[arg-type]


class PlaceOut(Schema):
    code: str
    name_en: str
    name_km: str
    place_type: str
    situation: str | None
    authority_en: str
    authority_km: str
    operator: str
    province: str
    district_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    capacity: int | None
    has_child_section: bool | None
    admits_children_with_caregiver: bool | None
    opened_on: dt.date | None
    closed_on: dt.date | None
    source: str

    @staticmethod
    def resolve_place_type(obj: Place) -> str:
        return obj.place_type.code

    @staticmethod
    def resolve_situation(obj: Place) -> str | None:
        situation = obj.situation
        return situation.code if situation else None

    @staticmethod
    def resolve_province(obj: Place) -> str:
        return obj.province.code


class PlaceFiltersIn(Schema):
    q: str = Field("", max_length=100)
    place_type: str = Field("", max_length=40)
    situation: str = Field("", max_length=40)
    province: str = Field("", max_length=2)
    status: Literal["", "open", "closed"] = ""


class PlaceIn(Schema):
    code: str = Field(..., min_length=2, max_length=40, pattern=r"^[a-z0-9-]+$")
    name_en: str = Field(..., min_length=1, max_length=255)
    name_km: str = Field(..., min_length=1, max_length=255)
    place_type: str
    province: str
    situation: str | None = None
    authority_en: str = Field("", max_length=255)
    authority_km: str = Field("", max_length=255)
    operator: Operator = "unknown"
    district_code: str = Field("", max_length=4)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    capacity: int | None = Field(None, ge=0)
    has_child_section: bool | None = None
    admits_children_with_caregiver: bool | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    note_en: str = ""
    note_km: str = ""
    source: str = Field("", max_length=500)


class PlacePatch(Schema):
    name_en: str | None = Field(None, min_length=1, max_length=255)
    name_km: str | None = Field(None, min_length=1, max_length=255)
    place_type: str | None = None
    province: str | None = None
    situation: str | None = None
    authority_en: str | None = Field(None, max_length=255)
    authority_km: str | None = Field(None, max_length=255)
    operator: Operator | None = None
    district_code: str | None = Field(None, max_length=4)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    capacity: int | None = Field(None, ge=0)
    has_child_section: bool | None = None
    admits_children_with_caregiver: bool | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    note_en: str | None = None
    note_km: str | None = None
    source: str | None = Field(None, max_length=500)


def _lookup(model: type[Any], field: str, code: str | None) -> Any:
    if code is None:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: f"Unknown code: {code}"})
    return found


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    """API field names and codes → the service's fields and objects."""
    if "place_type" in data:
        data["place_type"] = _lookup(PlaceType, "place_type", data["place_type"])
    if "province" in data:
        data["province"] = _lookup(Province, "province", data["province"])
    if "situation" in data:
        data["situation_override"] = _lookup(Situation, "situation", data.pop("situation"))
    return data


def _require_edit(request: HttpRequest) -> None:
    if not has_perm(request.user, Perm.PLACES_EDIT):
        raise PermissionDenied


@places_router.get("", response=list[PlaceOut], summary="Places (signed-in users)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_places(request: HttpRequest, filters: Query[PlaceFiltersIn]) -> Any:
    if not has_perm(request.user, Perm.PLACES_VIEW):
        raise PermissionDenied
    return places(PlaceFilters(**filters.dict()))


@places_router.get("/{code}", response=PlaceOut, summary="One place (signed-in users)")
def get_place(request: HttpRequest, code: str) -> Place:
    if not has_perm(request.user, Perm.PLACES_VIEW):
        raise PermissionDenied
    return place_get(code)


@places_router.post(
    "", response={201: PlaceOut}, summary="Add a place (monitors, focal points, secretariat)"
)
def create_place(request: HttpRequest, payload: PlaceIn) -> Status:
    _require_edit(request)
    place = services.place_create(actor=request.user, data=_service_data(payload.dict()))
    return Status(201, place_get(place.code))


@places_router.patch(
    "/{code}", response=PlaceOut, summary="Update a place (monitors, focal points, secretariat)"
)
def patch_place(request: HttpRequest, code: str, payload: PlacePatch) -> Place:
    _require_edit(request)
    place = place_get(code)
    services.place_update(
        actor=request.user, place=place, data=_service_data(payload.dict(exclude_unset=True))
    )
    return place_get(code)
