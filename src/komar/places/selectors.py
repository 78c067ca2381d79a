from __future__ import annotations

from django.db.models import QuerySet

from komar.places.models import Situation


def situations() -> QuerySet[Situation]:
    return Situation.objects.order_by("number")
