from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import BilingualNameMixin, pick


class ThematicArea(BilingualNameMixin):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")


class Organisation(BilingualNameMixin):
    """A member of the network: NGO, ministry, UN agency, network, academia or youth network."""

    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        GOVERNMENT = "government", _("Government")
        UN_AGENCY = "un_agency", _("UN agency")
        NETWORK = "network", _("Network or coalition")
        ACADEMIA = "academia", _("Academia")
        YOUTH_NETWORK = "youth_network", _("Children's or youth network")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("Cambodian")
        INTERNATIONAL = "international", _("International")

    slug = models.SlugField(_("short name in web addresses"), max_length=80, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    scope = models.CharField(
        _("scope"), max_length=20, choices=Scope.choices, default=Scope.NATIONAL
    )
    note_en = models.CharField(_("note (English)"), max_length=255, blank=True)
    note_km = models.CharField(_("note (Khmer)"), max_length=255, blank=True)
    name_km_source = models.CharField(_("source of the Khmer name"), max_length=255, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="organisations", verbose_name=_("thematic areas")
    )
    provinces = models.ManyToManyField(
        "geo.Province",
        blank=True,
        related_name="organisations",
        verbose_name=_("provinces covered"),
    )
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_verified = models.BooleanField(
        _("details confirmed"),
        default=False,
        help_text=_("The organisation or the secretariat has confirmed these details."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind"]), models.Index(fields=["is_active", "name_en"])]

    @property
    def note(self) -> str:
        return pick(self.note_km, self.note_en)

    @property
    def description(self) -> str:
        return pick(self.description_km, self.description_en)
