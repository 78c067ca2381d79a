from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import can_edit_organisation
from komar.api.api import PAGE_SIZE
from komar.geo.models import Province
from komar.organisations import services
from komar.organisations.models import Organisation, ThematicArea
from komar.organisations.selectors import (
    DirectoryFilters,
    directory,
    organisation_get,
    thematic_areas,
)

router = Router(tags=["organisations"])

Kind = Literal["ngo", "government", "un_agency", "network", "academia", "youth_network"]
KindOrAny = Literal["", "ngo", "government", "un_agency", "network", "academia", "youth_network"]
Scope = Literal["national", "international"]


class ThematicAreaOut(Schema):
    code: str
    name_en: str
    name_km: str


class OrganisationOut(Schema):
    slug: str
    name_en: str
    name_km: str
    acronym: str
    kind: str
    scope: str
    note_en: str
    note_km: str
    description_en: str
    description_km: str
    thematic_areas: list[str]
    provinces: list[str]
    email: str
    phone: str
    website: str
    address: str
    is_verified: bool

    @staticmethod
    def resolve_thematic_areas(obj: Organisation) -> list[str]:
        return [a.code for a in obj.thematic_areas.all()]

    @staticmethod
    def resolve_provinces(obj: Organisation) -> list[str]:
        return [p.code for p in obj.provinces.all()]


class OrganisationFilters(Schema):
    q: str = Field("", max_length=100)
    thematic_area: str = Field("", max_length=40)
    province: str = Field("", max_length=2)
    kind: KindOrAny = ""


class OrganisationPatch(Schema):
    name_en: str | None = Field(None, min_length=1, max_length=255)
    name_km: str | None = Field(None, min_length=1, max_length=255)
    acronym: str | None = Field(None, max_length=30)
    kind: Kind | None = None
    scope: Scope | None = None
    note_en: str | None = Field(None, max_length=255)
    note_km: str | None = Field(None, max_length=255)
    description_en: str | None = None
    description_km: str | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=255)
    thematic_areas: list[str] | None = None
    provinces: list[str] | None = None


@router.get(
    "", response=list[OrganisationOut], auth=None, summary="Organisations directory (public)"
)
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> Any:
    return directory(DirectoryFilters(**filters.dict()))


@router.get(
    "/thematic-areas", response=list[ThematicAreaOut], auth=None, summary="Thematic areas (public)"
)
def list_thematic_areas(request: HttpRequest) -> list[ThematicArea]:
    return list(thematic_areas())


@router.get("/{slug}", response=OrganisationOut, auth=None, summary="One organisation (public)")
def get_organisation(request: HttpRequest, slug: str) -> Organisation:
    return organisation_get(slug)


def _resolve_codes(model: type[Any], codes: list[str], field: str) -> list[Any]:
    found = list(model.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {obj.code for obj in found})
    if missing:
        raise ValidationError({field: f"Unknown codes: {', '.join(missing)}"})
    return found


@router.patch(
    "/{slug}",
    response=OrganisationOut,
    summary="Update an organisation (its admins, or the secretariat)",
)
def patch_organisation(request: HttpRequest, slug: str, payload: OrganisationPatch) -> Organisation:
    organisation = organisation_get(slug)
    if not can_edit_organisation(request.user, organisation.pk):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    areas = data.pop("thematic_areas", None)
    provinces = data.pop("provinces", None)
    services.organisation_update(
        actor=request.user,
        organisation=organisation,
        data={k: v for k, v in data.items() if v is not None},
        thematic_areas=None
        if areas is None
        else _resolve_codes(ThematicArea, areas, "thematic_areas"),
        provinces=None if provinces is None else _resolve_codes(Province, provinces, "provinces"),
    )
    return organisation_get(slug)
