from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import BilingualNameMixin, pick


class Situation(BilingualNameMixin):
    """One of the six situations of the UN Global Study (A/74/136): the top-level taxonomy."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(_("chapter"), unique=True)
    description_en = models.TextField(blank=True)
    description_km = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("situation")
        verbose_name_plural = _("situations")

    @property
    def description(self) -> str:
        return pick(self.description_km, self.description_en)
