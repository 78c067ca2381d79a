from __future__ import annotations

from django.db.models import QuerySet

from komar.geo.models import Province


def provinces() -> QuerySet[Province]:
    return Province.objects.order_by("code")
