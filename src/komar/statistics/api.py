import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.accounts.selectors import memberships_of
from komar.api.api import PAGE_SIZE
from komar.places.selectors import place_get
from komar.statistics import services
from komar.statistics.models import CountReturn
from komar.statistics.selectors import ReturnFilters, count_return_get, count_returns

router = Router(tags=["count returns"])

Action = Literal["submit", "send_back", "validate", "publish", "revise"]
TRANSITIONS = {
    "submit": services.return_submit,
    "send_back": services.return_send_back,
    "validate": services.return_validate,
    "publish": services.return_publish,
    "revise": services.return_revise,
}


class CellIO(Schema):
    measure: str = Field(..., max_length=20)
    sex: str = Field("", max_length=8)
    age_band: str = Field("", max_length=10)
    legal_status: str = Field("", max_length=16)
    value: int = Field(..., ge=0)


class ReturnOut(Schema):
    id: int
    place: str
    reference_date: dt.date
    period_start: dt.date
    period_end: dt.date
    revision: int
    status: str
    total_held: int | None
    total_with_caregiver: int | None
    source: str

    @staticmethod
    def resolve_place(obj: CountReturn) -> str:
        return obj.place.code


class ReturnDetailOut(ReturnOut):
    cells: list[CellIO]

    @staticmethod
    def resolve_cells(obj: CountReturn) -> list[dict[str, Any]]:
        return [
            {"measure": m, "sex": s, "age_band": a, "legal_status": ls, "value": v}
            for (m, s, a, ls), v in sorted(services.cells_of(obj).items())
        ]


class ReturnFiltersIn(Schema):
    place: str = Field("", max_length=40)
    province: str = Field("", max_length=2)
    status: Literal["", "draft", "submitted", "validated", "published", "superseded"] = ""
    year: int | None = Field(None, ge=1990, le=2100)


class NumbersIn(Schema):
    total_held: int | None = Field(None, ge=0)
    total_with_caregiver: int | None = Field(None, ge=0)
    cells: list[CellIO] = []


class ReturnIn(NumbersIn):
    place: str
    reference_date: dt.date
    period_start: dt.date
    period_end: dt.date
    source: str = Field("", max_length=500)


def _cells(payload: NumbersIn) -> dict[tuple[str, str, str, str], int]:
    return {(c.measure, c.sex, c.age_band, c.legal_status): c.value for c in payload.cells}


def _detail(pk: int) -> CountReturn:
    return count_return_get(pk)


@router.get("", response=list[ReturnOut], summary="Count returns (signed-in users)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_returns(request: HttpRequest, filters: Query[ReturnFiltersIn]) -> Any:
    if not has_perm(request.user, Perm.STATISTICS_VIEW):
        raise PermissionDenied
    return count_returns(ReturnFilters(**filters.dict()))


@router.get("/{pk}", response=ReturnDetailOut, summary="One count return with its cells")
def get_return(request: HttpRequest, pk: int) -> CountReturn:
    if not has_perm(request.user, Perm.STATISTICS_VIEW):
        raise PermissionDenied
    return _detail(pk)


@router.post("", response={201: ReturnDetailOut}, summary="Enter a count return (as a draft)")
def create_return(request: HttpRequest, payload: ReturnIn) -> Status:
    membership = memberships_of(request.user).first()  # type: ignore[arg-type]
    count_return = services.return_create(
        actor=request.user,
        place=place_get(payload.place),
        reference_date=payload.reference_date,
        period_start=payload.period_start,
        period_end=payload.period_end,
        organisation_id=membership.organisation_id if membership else None,
        source=payload.source,
    )
    if payload.total_held is not None or payload.cells:
        services.return_set_numbers(
            actor=request.user,
            count_return=count_return,
            total_held=payload.total_held,
            total_with_caregiver=payload.total_with_caregiver,
            cells=_cells(payload),
        )
    return Status(201, _detail(count_return.pk))


@router.put("/{pk}/numbers", response=ReturnDetailOut, summary="Replace a draft's numbers")
def put_numbers(request: HttpRequest, pk: int, payload: NumbersIn) -> CountReturn:
    count_return = _detail(pk)
    services.return_set_numbers(
        actor=request.user,
        count_return=count_return,
        total_held=payload.total_held,
        total_with_caregiver=payload.total_with_caregiver,
        cells=_cells(payload),
    )
    return _detail(pk)


@router.post(
    "/{pk}/{action}",
    response=ReturnDetailOut,
    summary="Move a return through its workflow (submit, send_back, validate, publish, revise)",
)
def transition(request: HttpRequest, pk: int, action: Action) -> CountReturn:
    if not has_perm(request.user, Perm.STATISTICS_VIEW):
        raise PermissionDenied
    result = TRANSITIONS[action](actor=request.user, count_return=_detail(pk))
    return _detail(result.pk)
