import csv
import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.accounts.selectors import memberships_of
from komar.api.api import PAGE_SIZE
from komar.places.selectors import place_get
from komar.statistics import services
from komar.statistics.models import CountReturn, Indicator
from komar.statistics.open_data import published_values
from komar.statistics.selectors import ReturnFilters, count_return_get, count_returns

router = Router(tags=["count returns"])

Action = Literal["submit", "send_back", "validate", "publish", "revise"]


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
    result = services.TRANSITIONS[action](actor=request.user, count_return=_detail(pk))
    return _detail(result.pk)


indicators_router = Router(tags=["indicators"])
Dimension = Literal["province", "situation", "sex"]


class IndicatorOut(Schema):
    code: str
    name_en: str
    name_km: str
    definition_en: str
    definition_km: str
    source: str
    unit: str
    numerator: dict[str, Any]
    denominator: dict[str, Any] | None


class ValueOut(Schema):
    province: str | None = None
    situation: str | None = None
    sex: str | None = None
    value: float | None
    suppressed: bool


class IndicatorValuesOut(Schema):
    indicator: IndicatorOut
    year: int
    audience: str
    disclosure_threshold: int
    values: list[ValueOut]


class ValuesQuery(Schema):
    year: int = Field(..., ge=1990, le=2100)
    by: list[Dimension] = Field([], max_length=2)


def _audience(request: HttpRequest) -> bool:
    """True for the public view (anonymous, or without the statistics permission)."""
    return not has_perm(request.user, Perm.STATISTICS_VIEW)


@indicators_router.get(
    "", response=list[IndicatorOut], auth=None, summary="Indicator registry (public)"
)
def list_indicators(request: HttpRequest) -> list[Indicator]:
    return list(Indicator.objects.order_by("sort_order"))


def _values(
    request: HttpRequest, code: str, query: ValuesQuery
) -> tuple[Indicator, int, bool, list[Any]]:
    if not Indicator.objects.filter(code=code).exists():
        raise Http404
    public = _audience(request)
    if len(set(query.by)) != len(query.by):
        raise ValidationError({"by": "Repeated breakdown dimension."})
    indicator, threshold, values = published_values(
        code=code, year=query.year, by=list(query.by), public=public
    )
    return indicator, threshold, public, values


@indicators_router.get(
    "/{code}",
    response=IndicatorValuesOut,
    auth=None,
    summary="Indicator values by year and breakdown (public: published, small counts hidden)",
)
def indicator_values(request: HttpRequest, code: str, query: Query[ValuesQuery]) -> dict[str, Any]:
    indicator, threshold, public, values = _values(request, code, query)
    return {
        "indicator": indicator,
        "year": query.year,
        "audience": "public" if public else "partners",
        "disclosure_threshold": threshold,
        "values": [
            {
                **v.key,
                "value": None if v.value is None else float(v.value),
                "suppressed": v.suppressed,
            }
            for v in values
        ],
    }


@indicators_router.get(
    "/{code}/sdmx.csv",
    auth=None,
    summary="Indicator values as SDMX-CSV (suppressed observations flagged CONF_STATUS=C)",
)
def indicator_sdmx(request: HttpRequest, code: str, query: Query[ValuesQuery]) -> HttpResponse:
    indicator, threshold, _public, values = _values(request, code, query)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="komar-{code}-{query.year}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "DATAFLOW",
            "REF_AREA",
            "SITUATION",
            "SEX",
            "TIME_PERIOD",
            "INDICATOR",
            "UNIT_MEASURE",
            "OBS_VALUE",
            "CONF_STATUS",
            "COMMENT",
        ]
    )
    for v in values:
        province = v.key.get("province")
        writer.writerow(
            [
                "KOMAR:CHILDREN_DEPRIVED_OF_LIBERTY(1.0)",
                f"KH-{int(province)}" if province else "KH",
                v.key.get("situation", "_T") or "_U",
                v.key.get("sex", "_T") or "_U",
                query.year,
                indicator.code.upper(),
                indicator.unit.upper(),
                "" if v.value is None else v.value,
                "C" if v.suppressed else "F",
                f"disclosure threshold {threshold}",
            ]
        )
    return response
