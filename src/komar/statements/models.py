"""Joint statements and their endorsements.

A statement is drafted by its organising committee (organisations), then opened for sign-on:
the text is locked and kept as a numbered version. A change after that makes a new version,
reopens sign-on and tells the endorsers. Organisations endorse with a role; the secretariat
approves; an organisation may withdraw until publication. An organisation at risk can be counted
without being named. The published page lists the approved signatories grouped by role, in the
statement's order of roles.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from komar.core.i18n import pick


class EndorsementRole(models.TextChoices):
    """The roles of the 2021 joint statement, in its order."""

    ORGANISING_COMMITTEE = "organising_committee", _("Organising committee")
    SPEAKER = "speaker", _("Speaker")
    ENDORSER = "endorser", _("Endorsing organisation")
    NETWORK = "network", _("Network endorsement")


DEFAULT_ROLE_ORDER = [role.value for role in EndorsementRole]


def default_role_order() -> list[str]:
    return list(DEFAULT_ROLE_ORDER)


class Statement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for sign-on")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("short name in web addresses"), max_length=100, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_km = models.CharField(_("title (Khmer)"), max_length=300)
    text_en = models.TextField(_("text (English)"))
    text_km = models.TextField(_("text (Khmer)"))
    text_km_note = models.CharField(
        _("note on the Khmer text"),
        max_length=300,
        blank=True,
        help_text=_("For example: an unofficial translation."),
    )
    place_en = models.CharField(_("place (English)"), max_length=200)
    place_km = models.CharField(_("place (Khmer)"), max_length=200)
    date = models.DateField(_("date"))
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One web address per line."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        default=0, help_text="The number of the current locked version; 0 before sign-on opens."
    )
    committee = models.ManyToManyField(
        "organisations.Organisation",
        related_name="statements_organised",
        verbose_name=_("organising committee"),
    )
    role_order = models.JSONField(_("order of the signatory groups"), default=default_role_order)
    commitment_items = models.ManyToManyField(
        "commitments.Item",
        blank=True,
        related_name="statements",
        verbose_name=_("items of the commitments tracker"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("joint statement")
        verbose_name_plural = _("joint statements")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_km, self.title_en)

    @property
    def text(self) -> str:
        return pick(self.text_km, self.text_en)

    @property
    def place(self) -> str:
        return pick(self.place_km, self.place_en)

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class StatementVersion(models.Model):
    """The text as it was locked when sign-on (re)opened. Never changed."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title_en = models.CharField(max_length=300)
    title_km = models.CharField(max_length=300)
    text_en = models.TextField()
    text_km = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="statement_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.statement} v{self.number}"


class Endorsement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="endorsements")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="endorsements"
    )
    role = models.CharField(_("role"), max_length=24, choices=EndorsementRole.choices)
    note_en = models.CharField(
        _("note (English)"),
        max_length=300,
        blank=True,
        help_text=_("For example: represented by Terre des hommes."),
    )
    note_km = models.CharField(_("note (Khmer)"), max_length=300, blank=True)
    anonymous = models.BooleanField(
        _("count us but do not name us"),
        default=False,
        help_text=_("For an organisation at risk: counted among the signatories, never named."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    version = models.PositiveIntegerField(help_text="The statement version endorsed.")
    position = models.PositiveIntegerField(
        default=0, help_text="Order within its role group (0: by name)."
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "organisation"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="endorsement_live_once",
            )
        ]
        indexes = [models.Index(fields=["statement", "status", "role"], name="endorsement_idx")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.statement} ({self.role})"

    @property
    def note(self) -> str:
        return pick(self.note_km, self.note_en)
