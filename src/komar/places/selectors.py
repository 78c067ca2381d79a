from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from komar.audit.models import AuditEvent
from komar.core.i18n import current_language
from komar.places.models import Place, PlaceType, Situation


def situations() -> QuerySet[Situation]:
    return Situation.objects.order_by("number")


def place_types() -> QuerySet[PlaceType]:
    return PlaceType.objects.select_related("default_situation").order_by("sort_order")


@dataclass(frozen=True)
class PlaceFilters:
    q: str = ""
    place_type: str = ""  # PlaceType.code
    situation: str = ""  # Situation.code (the place's own or its type's)
    province: str = ""  # Province.code
    status: str = ""  # "open" | "closed" | ""


def places(filters: PlaceFilters | None = None) -> QuerySet[Place]:
    """Places with their effective situation resolved in the database."""
    filters = filters or PlaceFilters()
    qs = Place.objects.select_related(
        "place_type__default_situation", "situation_override", "province"
    ).annotate(
        effective_situation_id=Coalesce(
            F("situation_override_id"), F("place_type__default_situation_id")
        )
    )
    if filters.q:
        qs = qs.filter(
            Q(name_en__icontains=filters.q)
            | Q(name_km__icontains=filters.q)
            | Q(code__icontains=filters.q)
            | Q(authority_en__icontains=filters.q)
            | Q(authority_km__icontains=filters.q)
        )
    if filters.place_type:
        qs = qs.filter(place_type__code=filters.place_type)
    if filters.situation:
        situation = Situation.objects.filter(code=filters.situation).first()
        qs = qs.filter(effective_situation_id=situation.pk if situation else None)
    if filters.province:
        qs = qs.filter(province__code=filters.province)
    today = timezone.localdate()
    if filters.status == "open":
        qs = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
    elif filters.status == "closed":
        qs = qs.filter(closed_on__lte=today)
    order = "name_km" if current_language() == "km" else "name_en"
    return qs.order_by(order, "id")


def place_get(code: str) -> Place:
    try:
        return places().get(code=code)
    except Place.DoesNotExist as exc:
        raise Http404 from exc


def place_history(place: Place, limit: int = 50) -> QuerySet[AuditEvent]:
    """The audited changes to one place, newest first."""
    return AuditEvent.objects.filter(target_type="places.place", target_id=str(place.pk)).order_by(
        "-seq"
    )[:limit]
