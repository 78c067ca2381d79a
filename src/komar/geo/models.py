from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import BilingualNameMixin


class Province(BilingualNameMixin):
    """A first-level division: Cambodia's capital and 24 provinces (codes 01–25)."""

    class Kind(models.TextChoices):
        CAPITAL = "capital", _("Capital")
        PROVINCE = "province", _("Province")

    code = models.CharField(_("code"), max_length=2, unique=True)
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    iso_name = models.CharField(_("ISO 3166-2 name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
