from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from komar.core.i18n import current_language
from komar.organisations.models import Organisation, ThematicArea


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    thematic_area: str = ""  # ThematicArea.code
    province: str = ""  # Province.code
    kind: str = ""


def directory(filters: DirectoryFilters | None = None) -> QuerySet[Organisation]:
    """Active organisations for the public directory, filtered, in the reader's language order."""
    filters = filters or DirectoryFilters()
    qs = Organisation.objects.filter(is_active=True)
    if filters.q:
        qs = qs.filter(
            Q(name_en__icontains=filters.q)
            | Q(name_km__icontains=filters.q)
            | Q(acronym__icontains=filters.q)
        )
    if filters.thematic_area:
        qs = qs.filter(thematic_areas__code=filters.thematic_area)
    if filters.province:
        qs = qs.filter(provinces__code=filters.province)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    order = "name_km" if current_language() == "km" else "name_en"
    return qs.prefetch_related("thematic_areas", "provinces").order_by(order, "id").distinct()


def organisation_get(slug: str) -> Organisation:
    """An active organisation for public display (404 if missing or inactive)."""
    try:
        return Organisation.objects.prefetch_related("thematic_areas", "provinces").get(
            slug=slug, is_active=True
        )
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def thematic_areas() -> QuerySet[ThematicArea]:
    return ThematicArea.objects.order_by("sort_order", "code")
