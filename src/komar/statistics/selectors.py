from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from komar.statistics.models import CountReturn


@dataclass(frozen=True)
class ReturnFilters:
    place: str = ""  # Place.code
    province: str = ""  # Province.code
    status: str = ""
    year: int | None = None


def count_returns(filters: ReturnFilters | None = None) -> QuerySet[CountReturn]:
    """Count returns, newest reference date first. Returns are shared across the coalition on
    purpose (aggregate counts, no child is named); the public sees only published aggregates
    through the disclosure-controlled pages."""
    filters = filters or ReturnFilters()
    qs = CountReturn.objects.select_related("place__province", "place__place_type", "created_by")
    if filters.place:
        qs = qs.filter(place__code=filters.place)
    if filters.province:
        qs = qs.filter(place__province__code=filters.province)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(reference_date__year=filters.year)
    return qs.order_by("-reference_date", "place__code", "-revision")


def count_return_get(pk: int) -> CountReturn:
    try:
        return count_returns().prefetch_related("cells").get(pk=pk)
    except CountReturn.DoesNotExist as exc:
        raise Http404 from exc
