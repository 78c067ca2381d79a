"""Commitments tracker: sources, the items they contain, and their follow-up.

A source (a document or an event) holds items — recommendations, observations, children's
requests, pledges, findings. Each item is followed by actions and by dated status assessments
from two perspectives, the government's report and the coalition's own view, each going draft →
submitted → validated → published. Only published assessments count towards an item's current
status, which is kept on the item so lists and dashboards filter and count in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import BilingualNameMixin, pick


class Vocabulary(BilingualNameMixin):
    """A controlled term: code, Khmer and English names, and other labels that mean it (for
    imports such as the Universal Human Rights Index's, whose labels differ)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    aliases = models.TextField(
        _("other labels"), blank=True, help_text=_("One per line; matched without regard to case.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def labels(self) -> set[str]:
        found = {self.code, self.name_en, self.name_km, *self.aliases.splitlines()}
        return {label.strip().casefold() for label in found if label.strip()}


class Theme(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class AffectedGroup(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("affected group")
        verbose_name_plural = _("affected groups")


class SdgTarget(Vocabulary):
    """A Sustainable Development Goal target, coded as the UN codes it ("16.3")."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")


class SourceType(models.TextChoices):
    GLOBAL_STUDY = "global_study", _("UN Global Study on Children Deprived of Liberty")
    CHILDREN_REQUESTS = "children_requests", _("Children's requests")
    CRC_OBSERVATIONS = "crc_observations", _("CRC Committee concluding observations")
    UPR = "upr", _("Universal Periodic Review recommendations")
    WORLD_CONGRESS = "world_congress", _("World Congress pledges")
    ACTION_PLAN = "action_plan", _("National action plan")
    MONITORING = "monitoring", _("Monitoring-visit findings")
    COALITION_STATEMENT = "coalition_statement", _("Coalition statement")
    OTHER = "other", _("Other")


class Source(models.Model):
    """A document or event that items come from."""

    code = models.SlugField(_("short code"), max_length=80, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=SourceType.choices)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_km = models.CharField(_("title (Khmer)"), max_length=300)
    date = models.DateField(_("date"))
    issuing_body_en = models.CharField(_("issued by (English)"), max_length=200)
    issuing_body_km = models.CharField(_("issued by (Khmer)"), max_length=200, blank=True)
    symbol = models.CharField(_("document symbol"), max_length=100, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    citation = models.CharField(
        _("citation"),
        max_length=500,
        blank=True,
        help_text=_("Where the items' wording was taken from."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_km, self.title_en)

    @property
    def issuing_body(self) -> str:
        return pick(self.issuing_body_km, self.issuing_body_en)


class ItemKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    OBSERVATION = "observation", _("Observation")
    REQUEST = "request", _("Children's request")
    PLEDGE = "pledge", _("Pledge")
    FINDING = "finding", _("Finding")


class StateResponse(models.TextChoices):
    SUPPORTED = "supported", _("Supported")
    SUPPORTED_IN_PART = "supported_in_part", _("Supported in part")
    NOTED = "noted", _("Noted")


class Progress(models.TextChoices):
    """The scale of a status assessment, in order."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PARTLY = "partly_implemented", _("Partly implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    REGRESSED = "regressed", _("Regressed")


class Item(models.Model):
    """A recommendation, observation, children's request, pledge or finding."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items")
    reference = models.CharField(
        _("reference"),
        max_length=120,
        unique=True,
        help_text=_("Unique across all sources, e.g. A/74/136 R1 or CRC/C/KHM/CO/4-5 §43(a)."),
    )
    paragraph = models.CharField(_("paragraph"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    text_en = models.TextField(_("full text (English)"))
    text_km = models.TextField(_("full text (Khmer)"), blank=True)
    summary_en = models.TextField(_("plain-language summary (English)"), blank=True)
    summary_km = models.TextField(_("plain-language summary (Khmer)"), blank=True)
    state_response = models.CharField(
        _("state's response"), max_length=20, choices=StateResponse.choices, blank=True
    )
    state_response_on = models.DateField(_("date of the response"), null=True, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="items", verbose_name=_("themes")
    )
    situations = models.ManyToManyField(
        "places.Situation",
        blank=True,
        related_name="commitment_items",
        verbose_name=_("Global Study situations"),
    )
    affected_groups = models.ManyToManyField(
        AffectedGroup, blank=True, related_name="items", verbose_name=_("affected groups")
    )
    sdg_targets = models.ManyToManyField(
        SdgTarget, blank=True, related_name="items", verbose_name=_("SDG targets")
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    focal_point = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible focal point"),
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    is_published = models.BooleanField(
        _("on the public site"),
        default=False,
        help_text=_(
            "Published items, their published assessments and public evidence are shown to "
            "everyone."
        ),
    )
    # The latest published assessment of each perspective (kept by the services).
    government_status = models.CharField(max_length=20, choices=Progress.choices, blank=True)
    government_status_on = models.DateField(null=True, blank=True)
    coalition_status = models.CharField(max_length=20, choices=Progress.choices, blank=True)
    coalition_status_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [
            models.Index(fields=["is_archived", "source"], name="item_source_idx"),
            models.Index(fields=["is_published", "is_archived"], name="item_public_idx"),
            models.Index(fields=["due_on"], name="item_due_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def text(self) -> str:
        return pick(self.text_km, self.text_en)

    @property
    def summary(self) -> str:
        return pick(self.summary_km, self.summary_en)

    @property
    def has_gap(self) -> bool:
        return bool(
            self.government_status
            and self.coalition_status
            and self.government_status != self.coalition_status
        )


class ItemActor(models.Model):
    """A ministry, department or organisation responsible for an item."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORTING = "supporting", _("Supporting")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="actors")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="commitment_roles"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["role", "organisation__name_en"]
        constraints = [
            models.UniqueConstraint(fields=["item", "organisation"], name="item_actor_once")
        ]

    def __str__(self) -> str:
        return f"{self.item} – {self.organisation} ({self.role})"


class ItemLink(models.Model):
    """A relation between two items: `from_item` repeats, overlaps or supersedes `to_item`."""

    class Kind(models.TextChoices):
        REPEATS = "repeats", _("repeats")
        OVERLAPS = "overlaps", _("overlaps with")
        SUPERSEDES = "supersedes", _("supersedes")

    from_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_out")
    to_item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("relation"), max_length=12, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_item", "to_item"], name="item_link_once"),
            models.CheckConstraint(
                condition=~models.Q(from_item=models.F("to_item")), name="item_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_item} {self.kind} {self.to_item}"


class Action(models.Model):
    """Something an organisation or the government does, or will do, towards an item."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="commitment_actions",
        verbose_name=_("who"),
    )
    description = models.TextField(_("what"))
    starts_on = models.DateField(_("from"), null=True, blank=True)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person responsible"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_due_idx")]

    def __str__(self) -> str:
        return self.description[:60]


class Perspective(models.TextChoices):
    GOVERNMENT = "government", _("Government reports")
    COALITION = "coalition", _("Coalition assesses")


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")


class Assessment(models.Model):
    """A dated judgement of how far an item is implemented, from one perspective."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="assessments")
    perspective = models.CharField(_("perspective"), max_length=12, choices=Perspective.choices)
    status = models.CharField(_("status"), max_length=20, choices=Progress.choices)
    assessed_on = models.DateField(_("as of"))
    summary_en = models.TextField(_("explanation (English)"), blank=True)
    summary_km = models.TextField(_("explanation (Khmer)"), blank=True)
    state = models.CharField(
        max_length=10, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="commitment_assessments",
        verbose_name=_("recorded by organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["item", "perspective", "state"], name="assessment_item_idx"),
            models.Index(fields=["state", "published_at"], name="assessment_published_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.perspective} {self.status} {self.assessed_on}"

    @property
    def summary(self) -> str:
        return pick(self.summary_km, self.summary_en)


class Tier(models.TextChoices):
    PUBLIC = "public", _("Public")
    COALITION = "coalition", _("Coalition members")
    ORGANISATION = "organisation", _("Own organisation only")


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"commitments/evidence/{instance.assessment_id}/{filename}"


class Evidence(models.Model):
    """A file or a link that supports an assessment, with who may see it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    tier = models.CharField(_("who may see it"), max_length=12, choices=Tier.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(file="") & ~models.Q(url=""))
                | (~models.Q(file="") & models.Q(url="")),
                name="evidence_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ItemEvent(models.Model):
    """One dated line of an item's history (written by the services, never edited)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Item added")
        UPDATED = "updated", _("Item changed")
        RESPONSE = "response", _("State's response recorded")
        ARCHIVED = "archived", _("Archived")
        RESTORED = "restored", _("Restored from the archive")
        PUBLISHED = "published", _("Put on the public site")
        UNPUBLISHED = "unpublished", _("Taken off the public site")
        ACTOR = "actor", _("Responsible actors changed")
        LINK = "link", _("Linked to another item")
        ACTION = "action", _("Action recorded")
        ACTION_STATUS = "action_status", _("Action status changed")
        ASSESSMENT = "assessment", _("Assessment published")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What the line says beyond its kind (field names, statuses, perspective), never free text
    # that only some readers may see.
    detail = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["item", "-at"], name="item_event_idx"),
            models.Index(fields=["-at"], name="item_event_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.kind} {self.at:%Y-%m-%d}"
