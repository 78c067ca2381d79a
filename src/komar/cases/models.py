"""Children's case records in detention, their legal timeline, and the legal rules they are
watched against.

A `Case` carries only pseudonymous and derived fields (code, status, deadline, age at the
offence); the child's identity lives apart in `ChildIdentity`, encrypted at rest, so lists and
the watch never load it. Derived fields are recomputed by `services.case_recompute` from the
timeline and the jurisdiction's rules (see `deadlines.py`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komar.cases.crypto import EncryptedCharField, EncryptedDateField, EncryptedTextField
from komar.core.i18n import BilingualNameMixin, pick

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud and typed safely


def new_case_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"C-{body[:4]}-{body[4:]}"


class OffenceClass(models.TextChoices):
    FELONY = "felony", _("Felony")
    MISDEMEANOUR = "misdemeanour", _("Misdemeanour")
    PETTY = "petty", _("Petty offence")


OFFENCE_SEVERITY: dict[str, int] = {"petty": 1, "misdemeanour": 2, "felony": 3}


# Rules ------------------------------------------------------------------------------------------


class RuleSet(BilingualNameMixin):
    """A jurisdiction's legal limits (reference data: cases/data/rules-*.toml)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    country = models.CharField(_("country (ISO 3166-1)"), max_length=2)
    majority_age = models.PositiveSmallIntegerField(
        _("age of majority"), help_text=_("A minor is under this age at the time of the offence.")
    )
    majority_citation = models.CharField(max_length=300, blank=True)
    majority_citation_km = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("rule set")

    def __str__(self) -> str:
        return self.name

    @property
    def majority_law(self) -> str:
        return pick(self.majority_citation_km, self.majority_citation)


class LegalRule(models.Model):
    class Kind(models.TextChoices):
        POLICE_CUSTODY = "police_custody", _("Police custody limit")
        PRETRIAL = "pretrial_detention", _("Pre-trial detention limit")
        IMMEDIATE_APPEARANCE = "immediate_appearance", _("Judgment after immediate appearance")
        MIN_AGE_RESPONSIBILITY = (
            "min_age_responsibility",
            _("Minimum age of criminal responsibility"),
        )
        NO_DETENTION_UNDER = "no_detention_under", _("No detention below this age")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")
        MONTHS = "months", _("months")

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title_en = models.CharField(_("title (English)"), max_length=255)
    title_km = models.CharField(_("title (Khmer)"), max_length=255)
    offence_class = models.CharField(
        _("offence class"),
        max_length=20,
        choices=OffenceClass.choices,
        blank=True,
        help_text=_("Empty: any class."),
    )
    age_from = models.PositiveSmallIntegerField(
        _("from age (at the offence)"), null=True, blank=True
    )
    age_to = models.PositiveSmallIntegerField(
        _("below age (at the offence)"), null=True, blank=True
    )
    limit_value = models.PositiveIntegerField(_("limit"), null=True, blank=True)
    limit_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    extension_value = models.PositiveIntegerField(_("each extension"), null=True, blank=True)
    extension_unit = models.CharField(
        _("extension unit"), max_length=10, choices=Unit.choices, blank=True
    )
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    age_value = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    citation_en = models.CharField(_("citation (English)"), max_length=300)
    citation_km = models.CharField(_("citation (Khmer)"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_km = models.TextField(_("note (Khmer)"), blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ruleset", "kind", "age_from", "offence_class", "code"]
        verbose_name = _("legal rule")
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="rule_code_unique_in_set")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_km, self.title_en)

    @property
    def citation(self) -> str:
        return pick(self.citation_km, self.citation_en)

    @property
    def note(self) -> str:
        return pick(self.note_km, self.note_en)


# Cases ------------------------------------------------------------------------------------------


class LegalStatus(models.TextChoices):
    NOT_DETAINED = "not_detained", _("Not detained (no custody recorded)")
    POLICE_CUSTODY = "police_custody", _("Police custody")
    PRETRIAL = "pretrial_detention", _("Pre-trial detention")
    IMMEDIATE_APPEARANCE = "immediate_appearance", _("Detained for immediate appearance")
    CONVICTED = "convicted", _("Convicted, awaiting sentence")
    APPEAL = "appeal", _("Detained, appeal pending")
    SENTENCED = "sentenced", _("Serving a sentence")
    ACQUITTED = "acquitted", _("Acquitted, release due")
    AT_LIBERTY = "at_liberty", _("At liberty, proceedings continue")
    DIVERSION = "diversion", _("Diversion or alternative measure")
    RELEASED = "released", _("Released")


DETAINED_STATUSES = frozenset(
    {
        LegalStatus.POLICE_CUSTODY,
        LegalStatus.PRETRIAL,
        LegalStatus.IMMEDIATE_APPEARANCE,
        LegalStatus.CONVICTED,
        LegalStatus.APPEAL,
        LegalStatus.SENTENCED,
        LegalStatus.ACQUITTED,
    }
)


class TrialStage(models.TextChoices):
    """The three groups monitors report (LICADHO): not yet tried, awaiting a final verdict,
    convicted."""

    NOT_TRIED = "not_tried", _("Not yet tried")
    AWAITING_FINAL = "awaiting_final", _("Awaiting a final verdict")
    CONVICTED = "convicted", _("Convicted")
    NONE = "", _("—")


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        RELEASED_REINTEGRATED = "released", _("Child released and reintegrated")
        TRANSFERRED = "transferred", _("Followed by another organisation")
        TURNED_18 = "adult", _("No longer needs juvenile casework")
        NO_CONTACT = "no_contact", _("Contact lost")
        DUPLICATE = "duplicate", _("Duplicate record")
        OTHER = "other", _("Other")

    code = models.CharField(_("case code"), max_length=16, unique=True, default=new_case_code)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("closing note"), blank=True)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_as_lawyer",
        verbose_name=_("lawyer"),
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases_as_social_worker",
        verbose_name=_("social worker"),
    )
    offence_date = models.DateField(
        _("date of the alleged offence"),
        null=True,
        blank=True,
        help_text=_("Leave empty if it is the date of arrest."),
    )
    # External systems this child is known in (references only; no identity).
    primero_case_id = models.CharField(_("Primero case ID"), max_length=64, blank=True)
    mosvy_number = models.CharField(_("MoSVY number"), max_length=64, blank=True)
    oscar_global_id = models.CharField(_("OSCaR global ID"), max_length=64, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived from the identity, the timeline and the rules (services.case_recompute).
    age_at_offence = models.PositiveSmallIntegerField(_("age at the offence"), null=True)
    age_estimated = models.BooleanField(_("age estimated"), default=False)
    legal_status = models.CharField(
        _("legal status"),
        max_length=30,
        choices=LegalStatus.choices,
        default=LegalStatus.NOT_DETAINED,
    )
    trial_stage = models.CharField(
        _("trial stage"), max_length=20, choices=TrialStage.choices, blank=True
    )
    detained = models.BooleanField(_("detained"), default=False)
    status_since = models.DateTimeField(null=True, blank=True)
    detained_since = models.DateField(null=True, blank=True)
    offence_class = models.CharField(
        _("offence class"), max_length=20, choices=OffenceClass.choices, blank=True
    )
    current_place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("where now"),
    )
    current_place_text = models.CharField(_("where now"), max_length=255, blank=True)
    province = models.ForeignKey(
        "geo.Province", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_with_adults = models.BooleanField(_("held with adults"), default=False)
    below_min_age = models.BooleanField(_("detained below the minimum age"), default=False)
    deadline_at = models.DateTimeField(_("next legal deadline"), null=True, blank=True)
    deadline_kind = models.CharField(max_length=30, blank=True)
    deadline_rule = models.ForeignKey(
        LegalRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline_unverified = models.BooleanField(default=False)
    deadline_note = models.CharField(max_length=255, blank=True)
    next_hearing_on = models.DateField(_("hearing awaiting an outcome"), null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "status", "deadline_at"], name="case_watch_idx"),
            models.Index(fields=["organisation", "-opened_on", "-id"], name="case_list_idx"),
            models.Index(fields=["status", "deadline_at"], name="case_deadline_idx"),
            models.Index(fields=["status", "closed_on"], name="case_retention_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ChildIdentity(models.Model):
    """Who the child is. Every field is encrypted at rest; reading it is logged."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other / not stated")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="identity")
    name_km = EncryptedCharField(
        _("full name (Khmer script)"), max_length=200, null=True, blank=True
    )
    name_latin = EncryptedCharField(
        _("full name (Latin script)"), max_length=200, null=True, blank=True
    )
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    estimated_age = EncryptedCharField(
        _("estimated age (years)"), max_length=3, null=True, blank=True
    )
    estimated_on = EncryptedDateField(_("age estimated on"), null=True, blank=True)
    sex = EncryptedCharField(_("sex"), max_length=10, choices=Sex.choices, null=True, blank=True)
    guardian_name = EncryptedCharField(
        _("parent or guardian"), max_length=200, null=True, blank=True
    )
    guardian_contact = EncryptedCharField(
        _("guardian's contact"), max_length=200, null=True, blank=True
    )
    home_village_code = EncryptedCharField(
        _("home village code"), max_length=20, null=True, blank=True
    )
    photo = EncryptedTextField(_("photo"), null=True, blank=True)  # base64 JPEG/PNG, encrypted
    photo_type = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("child's identity")

    def __str__(self) -> str:
        return f"identity of {self.case_id}"


class IdentityIndex(models.Model):
    """Keyed blind index of a child's normalised name and birth year, for duplicate warnings."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="index_entries")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "digest"], name="identity_index_once")
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class TimelineEvent(models.Model):
    class Kind(models.TextChoices):
        ARREST = "arrest", _("Arrest")
        CUSTODY_START = "custody_start", _("Police custody starts")
        CUSTODY_END = "custody_end", _("Police custody ends")
        CHARGE = "charge", _("Charge")
        PRETRIAL_ORDER = "pretrial_order", _("Pre-trial detention order")
        EXTENSION = "extension", _("Extension of detention")
        IMMEDIATE_APPEARANCE = "immediate_appearance", _("Sent for immediate appearance")
        HEARING_SCHEDULED = "hearing_scheduled", _("Hearing scheduled")
        HEARING_HELD = "hearing_held", _("Hearing held")
        VERDICT = "verdict", _("Verdict")
        APPEAL = "appeal", _("Appeal")
        SENTENCE = "sentence", _("Sentence")
        TRANSFER = "transfer", _("Transfer to another place")
        DIVERSION = "diversion", _("Diversion or alternative measure")
        RELEASE = "release", _("Release")

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")

    class ExtensionOf(models.TextChoices):
        POLICE_CUSTODY = "police_custody", _("Police custody")
        PRETRIAL = "pretrial_detention", _("Pre-trial detention")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    place = models.ForeignKey(
        "places.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place"),
    )
    place_text = models.CharField(_("place (if not in the registry)"), max_length=255, blank=True)
    document = models.CharField(_("reference document"), max_length=255, blank=True)
    offence = models.CharField(_("offence"), max_length=255, blank=True)
    offence_class = models.CharField(
        _("offence class"), max_length=20, choices=OffenceClass.choices, blank=True
    )
    extension_of = models.CharField(
        _("extension of"), max_length=30, choices=ExtensionOf.choices, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    sentence_months = models.PositiveSmallIntegerField(
        _("sentence (months)"), null=True, blank=True
    )
    sentence_days = models.PositiveSmallIntegerField(_("and days"), null=True, blank=True)
    custodial = models.BooleanField(_("custodial (time in detention)"), null=True, blank=True)
    held_with_adults = models.BooleanField(_("held with adults"), null=True, blank=True)
    measure = models.CharField(_("measure"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "time", "pk"]
        verbose_name = _("timeline event")
        indexes = [models.Index(fields=["case", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class CaseNote(models.Model):
    """A confidential note: seen only by the owning organisation (and a receiver the sender chose
    to share notes with)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("note"), null=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("confidential note")

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case_id}"


class Consent(models.Model):
    """A parent's or representative's consent, or the child's own assent — kept apart."""

    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consent of parent or representative")
        ASSENT = "assent", _("Child's own assent")

    class Purpose(models.TextChoices):
        REFERRAL = "referral", _("Referral to another organisation")
        REPRESENTATION = "representation", _("Legal representation")
        DATA_SHARING = "data_sharing", _("Sharing information with services")
        PHOTO = "photo", _("Keeping a photo")
        SERVICES = "services", _("Receiving services")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    given_by = EncryptedCharField(_("given by"), max_length=200, null=True, blank=True)
    relationship = models.CharField(_("relationship to the child"), max_length=100, blank=True)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent or assent")

    def __str__(self) -> str:
        return f"{self.kind}:{self.purpose}"

    @property
    def active(self) -> bool:
        return self.withdrawn_on is None


class ServiceProvided(models.Model):
    class Service(models.TextChoices):
        # MoSVY's service names for children in conflict with the law.
        LEGAL_REPRESENTATION = "legal_representation", _("Legal representation")
        PRISON_VISITATION = "prison_visitation", _("Prison visitation support")
        FAMILY_TRACING = "family_tracing", _("Family tracing and reunification")
        PSYCHOSOCIAL = "psychosocial", _("Psychosocial support and counselling")
        EDUCATION = "education", _("Education and vocational training")
        HEALTH = "health", _("Health care")
        REINTEGRATION = "reintegration", _("Reintegration into society")
        MATERIAL = "material", _("Material support")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    provided_on = models.DateField(_("date"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provided by"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-provided_on", "-pk"]
        verbose_name = _("service provided")

    def __str__(self) -> str:
        return self.service


class Referral(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    to_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("refer to"),
    )
    reason = models.TextField(_("what the child needs"))
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    override_reason = models.TextField(_("why without consent"), blank=True)
    share_identity = models.BooleanField(_("share the child's identity"), default=False)
    share_timeline = models.BooleanField(_("share the legal timeline"), default=True)
    share_notes = models.BooleanField(_("share confidential notes"), default=False)
    share_services = models.BooleanField(_("share services provided"), default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answer_note = models.TextField(_("answer"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        indexes = [models.Index(fields=["to_organisation", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "to_organisation"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="one_live_referral_per_receiver",
            )
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class WatchAlert(models.Model):
    """A case entered an alert band: recorded once per (case, band, deadline) so the daily task
    notifies each person once, however often it runs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    band = models.CharField(max_length=30)
    deadline_key = models.CharField(max_length=40, blank=True)  # the deadline, ISO, or ""
    raised_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "band", "deadline_key"], name="watch_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.band}"
