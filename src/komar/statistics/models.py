"""Periodic count returns: one place, one reference date (snapshot) and a reporting period
(flows), stored as cells in long format so indicators aggregate in the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import pick


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not known")


class AgeBand(models.TextChoices):
    UNDER_14 = "under_14", _("Under 14")
    AGE_14_15 = "14_15", _("14–15")
    AGE_16_17 = "16_17", _("16–17")


class LegalStatus(models.TextChoices):
    POLICE_CUSTODY = "police_custody", _("Police custody")
    PRE_TRIAL = "pre_trial", _("Pre-trial: not yet tried")
    AWAITING_FINAL = "awaiting_final", _("Awaiting final verdict or appeal")
    SENTENCED = "sentenced", _("Sentenced")
    ADMINISTRATIVE = "administrative", _("Administrative or non-criminal")


class CaregiverAge(models.TextChoices):
    AGE_0_3 = "0_3", _("Aged 0–3")
    AGE_4_PLUS = "4_plus", _("Aged 4 and over")


class Measure(models.TextChoices):
    """What a cell counts. Snapshot measures are on the reference date; flows over the period."""

    HELD = "held", _("Children held")
    WITH_CAREGIVER = "with_caregiver", _("Children living with a caregiver")
    NOT_SEPARATED = "not_separated", _("Children not wholly separated from adults")
    FOREIGN = "foreign", _("Foreign nationals")
    DISABILITY = "disability", _("Children with disabilities")
    ADMISSIONS = "admissions", _("Admissions")
    RELEASES = "releases", _("Releases")
    DEATHS = "deaths", _("Deaths in custody")
    FAMILY_VISITED = "family_visited", _("Children visited by family in the last 3 months")


# Which breakdown each measure takes: (sex, age band, legal status) for children held; the
# caregiver age band (stored in `age_band`) for children living with a caregiver; none otherwise.
MEASURE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    Measure.HELD: ("sex", "age_band", "legal_status"),
    Measure.WITH_CAREGIVER: ("age_band",),
    Measure.NOT_SEPARATED: (),
    Measure.FOREIGN: (),
    Measure.DISABILITY: (),
    Measure.ADMISSIONS: (),
    Measure.RELEASES: (),
    Measure.DEATHS: (),
    Measure.FAMILY_VISITED: (),
}
FLOW_MEASURES = frozenset({Measure.ADMISSIONS, Measure.RELEASES, Measure.DEATHS})


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Replaced by a newer revision")


class CountReturn(models.Model):
    place = models.ForeignKey(
        "places.Place",
        on_delete=models.PROTECT,
        related_name="count_returns",
        verbose_name=_("place"),
    )
    reference_date = models.DateField(_("reference date"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    revision = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    total_held = models.PositiveIntegerField(_("total children held"), null=True, blank=True)
    total_with_caregiver = models.PositiveIntegerField(
        _("total children living with a caregiver"), null=True, blank=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("count return")
        verbose_name_plural = _("count returns")
        ordering = ["-reference_date", "place_id", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "reference_date", "revision"], name="count_return_revision_unique"
            ),
            models.UniqueConstraint(
                fields=["place", "reference_date"],
                condition=models.Q(revision=1),
                name="count_return_one_per_place_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="count_return_period_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "reference_date"])]

    def __str__(self) -> str:
        return f"{self.place.code} {self.reference_date:%Y-%m-%d} r{self.revision}"


class CountCell(models.Model):
    count_return = models.ForeignKey(CountReturn, on_delete=models.CASCADE, related_name="cells")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    sex = models.CharField(max_length=8, blank=True, choices=Sex.choices)
    age_band = models.CharField(max_length=10, blank=True)
    legal_status = models.CharField(max_length=16, blank=True, choices=LegalStatus.choices)
    value = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["count_return", "measure", "sex", "age_band", "legal_status"],
                name="count_cell_unique",
            )
        ]
        indexes = [models.Index(fields=["measure", "legal_status"])]

    def __str__(self) -> str:
        return f"{self.measure}/{self.sex}/{self.age_band}/{self.legal_status}={self.value}"


class IndicatorUnit(models.TextChoices):
    COUNT = "count", _("Number")
    PERCENT = "percent", _("Percentage")
    PER_1000 = "per_1000", _("Per 1,000")
    PER_100000 = "per_100000", _("Per 100,000")


class Indicator(models.Model):
    """Reference data (data/indicators.toml): what is measured, from which measures, and where
    the definition comes from."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(max_length=255)
    name_km = models.CharField(max_length=255)
    definition_en = models.TextField()
    definition_km = models.TextField()
    source = models.CharField(_("source"), max_length=500)
    numerator = models.JSONField()
    denominator = models.JSONField(null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=IndicatorUnit.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return pick(self.name_km, self.name_en)

    @property
    def definition(self) -> str:
        return pick(self.definition_km, self.definition_en)


class ChildPopulation(models.Model):
    """The child population of a province in a year: the denominator of rates, entered as data
    with its source (Komar ships none: the under-18 population is not confirmed)."""

    province = models.ForeignKey(
        "geo.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("children under 18"))
    source = models.CharField(_("source"), max_length=500)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("child population")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="child_population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.year}: {self.population}"


class ImportJob(models.Model):
    """One uploaded file of count returns, checked and written by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Checking")
        FAILED = "failed", _("Not imported: see the errors")
        SUCCEEDED = "succeeded", _("Imported")

    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk}: {self.file_name}"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.SUCCEEDED)
