"""Bilingual data: records with names carry both Khmer (`*_km`) and English (`*_en`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language


def current_language() -> str:
    return (get_language() or "km").split("-")[0]


def pick(km: str, en: str) -> str:
    """The value in the active language, falling back to the other one if it is empty."""
    if current_language() == "km":
        return km or en
    return en or km


class BilingualNameMixin(models.Model):
    """Adds `name_km` / `name_en` and a `name` property in the active language."""

    name_en = models.CharField("name (English)", max_length=255)
    name_km = models.CharField("name (Khmer)", max_length=255)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_km, self.name_en)
