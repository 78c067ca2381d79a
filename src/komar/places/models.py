from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
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


class PlaceType(BilingualNameMixin):
    """Reference data (data/place_types.toml): a kind of place and its default situation."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    default_situation = models.ForeignKey(
        Situation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("type of place")
        verbose_name_plural = _("types of place")


class Place(BilingualNameMixin):
    """A place where children are, or may be, deprived of liberty."""

    class Operator(models.TextChoices):
        STATE = "state", _("State")
        NGO = "ngo", _("NGO")
        FAITH_BASED = "faith_based", _("Faith-based organisation")
        PRIVATE = "private", _("Private")
        UNKNOWN = "unknown", _("Not known")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short stable code used in imports, e.g. kh-cc2."),
    )
    place_type = models.ForeignKey(
        PlaceType, on_delete=models.PROTECT, related_name="places", verbose_name=_("type")
    )
    situation_override = models.ForeignKey(
        Situation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("situation (if not the type's usual one)"),
    )
    authority_en = models.CharField(
        _("responsible authority (English)"), max_length=255, blank=True
    )
    authority_km = models.CharField(_("responsible authority (Khmer)"), max_length=255, blank=True)
    operator = models.CharField(
        _("operator"), max_length=20, choices=Operator.choices, default=Operator.UNKNOWN
    )
    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="places", verbose_name=_("province")
    )
    district_code = models.CharField(
        _("district code"),
        max_length=4,
        blank=True,
        help_text=_("Four digits: the province code followed by the district number."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    capacity = models.PositiveIntegerField(_("official capacity"), null=True, blank=True)
    has_child_section = models.BooleanField(
        _("has a separate section for children"), null=True, blank=True
    )
    admits_children_with_caregiver = models.BooleanField(
        _("admits children living with a caregiver"), null=True, blank=True
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_km = models.TextField(_("note (Khmer)"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(opened_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="place_closed_after_opened",
            )
        ]
        indexes = [models.Index(fields=["province", "place_type"])]

    @property
    def situation(self) -> Situation | None:
        return self.situation_override or self.place_type.default_situation

    @property
    def authority(self) -> str:
        return pick(self.authority_km, self.authority_en)

    @property
    def note(self) -> str:
        return pick(self.note_km, self.note_en)

    def is_open_on(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        opened = self.opened_on is None or self.opened_on <= day
        return opened and (self.closed_on is None or self.closed_on > day)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.district_code:
            if not (self.district_code.isdigit() and len(self.district_code) == 4):
                errors["district_code"] = _("Enter four digits, e.g. 0801.")
            elif self.province_id and not self.district_code.startswith(self.province.code):
                errors["district_code"] = _("A district code starts with its province's code.")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("A place cannot close before it opened.")
        if (
            self.place_type_id
            and not self.situation_override_id
            and self.place_type.default_situation_id is None
        ):
            errors["situation_override"] = _("Choose the situation for a place of this type.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)
