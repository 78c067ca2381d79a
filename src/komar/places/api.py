from django.http import HttpRequest
from ninja import Router, Schema

from komar.places.selectors import situations

router = Router(tags=["reference data"])


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
