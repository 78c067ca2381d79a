from django.http import HttpRequest
from ninja import Router, Schema

from komar.geo.selectors import provinces

router = Router(tags=["reference data"])


class ProvinceOut(Schema):
    code: str
    iso_code: str
    name_en: str
    name_km: str
    kind: str


@router.get("", response=list[ProvinceOut], auth=None, summary="Provinces (public)")
def list_provinces(request: HttpRequest) -> list[ProvinceOut]:
    return list(provinces())  # type: ignore[arg-type]
