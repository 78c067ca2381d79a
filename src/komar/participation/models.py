"""Consultations and children's voices.

Events (consultations, meetings) with participant counts by group — never identities — and the
requests and messages children raised there, linked to the commitments tracker. Children's
feedback from the anonymous form: the words as written, an optional age band and province, and
the day it arrived (never a name, an address, a device or a time of day). The secretariat
moderates it, tags it with themes and publishes suppressed counts by quarter; messages that
suggest a child is at risk become safeguarding referrals with a follow-up log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import BilingualNameMixin, pick

TEXT_LIMIT = 2000


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid (online and in person)")


class ParticipantGroup(models.TextChoices):
    CHILDREN = "children", _("Children")
    YOUTH = "youth", _("Youth")
    GOVERNMENT = "government", _("Government officials")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    UN_AGENCIES = "un_agencies", _("UN agencies")
    ACADEMIA = "academia", _("Academia")
    DEVELOPMENT_PARTNERS = "development_partners", _("Development partners")
    PUBLIC = "public", _("Members of the public")


class Event(models.Model):
    """A consultation, meeting or launch."""

    code = models.SlugField(_("short code"), max_length=80, unique=True, blank=True, null=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_km = models.CharField(_("title (Khmer)"), max_length=300)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=EventFormat.choices)
    place_en = models.CharField(_("place (English)"), max_length=300, blank=True)
    place_km = models.CharField(_("place (Khmer)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    organisers = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisers"),
        related_name="organised_events",
        blank=True,
    )
    is_public = models.BooleanField(_("shown to the public"), default=True)
    citation = models.TextField(_("source of this record"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["is_public", "starts_on"], name="event_public_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_km, self.title_en)

    @property
    def place(self) -> str:
        return pick(self.place_km, self.place_en)

    @property
    def description(self) -> str:
        return pick(self.description_km, self.description_en)


class Participation(models.Model):
    """How many people of one group took part: a count, never who. A row without a count means
    the group took part and the number is not known."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    group = models.CharField(_("group"), max_length=30, choices=ParticipantGroup.choices)
    count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant count")
        constraints = [
            models.UniqueConstraint(fields=["event", "group"], name="participation_unique_group")
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.group}"


class ChildRequest(models.Model):
    """A request or message children raised at an event, in their words."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request")
        MESSAGE = "message", _("Message")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requests")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_km = models.TextField(_("text (Khmer)"), blank=True)
    source_note = models.CharField(_("note on the source"), max_length=300, blank=True)
    items = models.ManyToManyField(
        "commitments.Item",
        verbose_name=_("items in the commitments tracker"),
        related_name="child_requests",
        blank=True,
    )

    class Meta:
        ordering = ["event", "number"]
        verbose_name = _("children's request or message")
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="childrequest_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} #{self.number}"

    @property
    def text(self) -> str:
        return pick(self.text_km, self.text_en)


# Children's feedback ---------------------------------------------------------------------------


class AgeBand(models.TextChoices):
    UNDER_12 = "under_12", _("Under 12")
    FROM_12 = "12_14", _("12 to 14")
    FROM_15 = "15_17", _("15 to 17")
    FROM_18 = "18_24", _("18 to 24")


class FeedbackTheme(BilingualNameMixin):
    """A term of the vocabulary moderators tag feedback with (data/feedback_themes.toml)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("feedback theme")
        verbose_name_plural = _("feedback themes")


class Feedback(models.Model):
    """A child's message from the anonymous form. Nothing here identifies the sender: no name,
    address, device or time of day — `received_on` is the day only. The words are never edited."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected (spam)")

    worries = models.TextField(_("what worries you"), blank=True, max_length=TEXT_LIMIT)
    change = models.TextField(_("what should change"), blank=True, max_length=TEXT_LIMIT)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    province = models.ForeignKey(
        "geo.Province",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("form language"), max_length=5, default="km")
    received_on = models.DateField(_("received on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    themes = models.ManyToManyField(
        FeedbackTheme, verbose_name=_("themes"), related_name="feedback", blank=True
    )
    moderated_on = models.DateField(_("moderated on"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("children's feedback")
        verbose_name_plural = _("children's feedback")
        indexes = [models.Index(fields=["status", "received_on"], name="feedback_status_idx")]

    def __str__(self) -> str:
        return f"Feedback #{self.pk}"  # never the child's words: this reaches the audit trail


class ThemePublication(models.Model):
    """One quarter's published counts of accepted feedback by theme (and by age band and by
    province where every cell survives suppression). `tables` holds only what is shown: counts
    after disclosure control, built once when the quarter is published."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    threshold = models.PositiveSmallIntegerField()
    tables = models.JSONField(default=dict)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("published feedback themes")
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="themepublication_unique"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="themepublication_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


# Safeguarding ----------------------------------------------------------------------------------


class SafeguardingSettings(models.Model):
    """A single row: who is the safeguarding focal point. With nobody named, the whole
    secretariat is alerted."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    focal_point = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("safeguarding focal point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("safeguarding settings")

    def __str__(self) -> str:
        return "safeguarding settings"


class SafeguardingReferral(models.Model):
    """A message suggesting a child is at risk, routed to the focal point and followed up."""

    class Reason(models.TextChoices):
        KEYWORDS = "keywords", _("Words in the message")
        MODERATOR = "moderator", _("Marked by a moderator")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    feedback = models.OneToOneField(Feedback, on_delete=models.PROTECT, related_name="referral")
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    matched_terms = models.CharField(_("words found"), max_length=500, blank=True)
    routed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("routed to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: nobody was named, so the whole secretariat was alerted."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["status", "-opened_on", "-id"]
        verbose_name = _("safeguarding referral")
        indexes = [models.Index(fields=["status", "opened_on"], name="referral_status_idx")]

    def __str__(self) -> str:
        return f"Referral #{self.pk}"


class ReferralEntry(models.Model):
    """One dated step of the follow-up: what was done, by whom."""

    referral = models.ForeignKey(
        SafeguardingReferral, on_delete=models.PROTECT, related_name="entries"
    )
    acted_on = models.DateField(_("date of the action"))
    action = models.TextField(_("what was done"), max_length=TEXT_LIMIT)
    status = models.CharField(
        _("status afterwards"), max_length=20, choices=SafeguardingReferral.Status.choices
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acted_on", "id"]
        verbose_name = _("follow-up entry")
        verbose_name_plural = _("follow-up entries")

    def __str__(self) -> str:
        return f"Referral #{self.referral_id} entry {self.pk}"
