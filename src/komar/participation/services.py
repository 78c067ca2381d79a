"""Writes for events, children's feedback, moderation, safeguarding and published themes.

Every write is keyword-only, atomic and audited in the same transaction — except what the
anonymous form does itself: a child's message (and a referral raised by its words) is never
audited, since an audit event carries the time of day and the request's address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.models import User
from komar.accounts.roles import Role
from komar.audit.services import record, snapshot
from komar.commitments.models import Item
from komar.geo.models import Province
from komar.notifications.services import notify
from komar.organisations.models import Organisation
from komar.participation import themes as theme_tables
from komar.participation.models import (
    AgeBand,
    ChildRequest,
    Event,
    Feedback,
    FeedbackTheme,
    ParticipantGroup,
    Participation,
    ReferralEntry,
    SafeguardingReferral,
    SafeguardingSettings,
    ThemePublication,
)
from komar.participation.permissions import (
    can_edit_event,
    can_read_referrals,
    event_org_ids,
    is_secretariat,
)
from komar.participation.safeguarding import matching_terms
from komar.participation.validation import check_child_text

EVENT_FIELDS = [
    "title_en",
    "title_km",
    "starts_on",
    "ends_on",
    "format",
    "place_en",
    "place_km",
    "description_en",
    "description_km",
    "is_public",
    "citation",
]
REQUEST_FIELDS = ["number", "kind", "text_en", "text_km", "source_note"]


# Events ----------------------------------------------------------------------------------------


@transaction.atomic
def event_save(
    *,
    actor: Any,
    data: Mapping[str, Any],
    organisers: Iterable[Organisation],
    event: Event | None = None,
) -> Event:
    """Create or change an event. Unless the actor is the secretariat, one of the actor's
    organisations must stay among the organisers."""
    organiser_ids = {o.pk for o in organisers}
    if event is not None and not can_edit_event(
        actor, set(event.organisers.values_list("pk", flat=True))
    ):
        raise PermissionDenied
    if not is_secretariat(actor) and not (event_org_ids(actor) & organiser_ids):
        raise ValidationError({"organisers": _("Your organisation must be one of the organisers.")})
    if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    if not (data.get("title_en") or "").strip() and not (data.get("title_km") or "").strip():
        raise ValidationError({"title_en": _("Give a title in Khmer or English.")})
    creating = event is None
    before = snapshot(event, [*EVENT_FIELDS, "organisers"]) if event is not None else {}
    event = event or Event()
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    event.save()
    event.organisers.set(organiser_ids)
    after = snapshot(event, [*EVENT_FIELDS, "organisers"])
    record(
        actor=actor,
        action="participation.event.create" if creating else "participation.event.update",
        target=event,
        changes={
            k: {"old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v
        },
    )
    return event


@transaction.atomic
def participants_set(
    *, actor: Any, event: Event, groups: Mapping[str, int | None]
) -> list[Participation]:
    """Replace the event's participant counts: `groups` maps each group that took part to its
    count (None: took part, number unknown). Counts only — never who."""
    if not can_edit_event(actor, set(event.organisers.values_list("pk", flat=True))):
        raise PermissionDenied
    for group, count in groups.items():
        if group not in ParticipantGroup.values:
            raise ValidationError({group: _("Unknown group.")})
        if count is not None and count < 0:
            raise ValidationError({group: _("A count cannot be negative.")})
    before = {p.group: p.count for p in event.participants.all()}
    event.participants.all().delete()
    rows = Participation.objects.bulk_create(
        Participation(event=event, group=g, count=groups[g])
        for g in ParticipantGroup.values
        if g in groups
    )
    record(
        actor=actor,
        action="participation.event.participants",
        target=event,
        changes={"participants": {"old": before, "new": dict(groups)}},
    )
    return rows


@transaction.atomic
def request_save(
    *,
    actor: Any,
    event: Event,
    data: Mapping[str, Any],
    items: Iterable[Item],
    request: ChildRequest | None = None,
) -> ChildRequest:
    """Record (or correct) a request or message children raised at the event."""
    if not can_edit_event(actor, set(event.organisers.values_list("pk", flat=True))):
        raise PermissionDenied
    if request is not None and request.event_id != event.pk:
        raise PermissionDenied
    if not (data.get("text_en") or "").strip() and not (data.get("text_km") or "").strip():
        raise ValidationError({"text_km": _("Write the request in Khmer or English.")})
    if not isinstance(data.get("number"), int) or data["number"] < 1:
        raise ValidationError({"number": _("Give the request a number from 1.")})
    clash = ChildRequest.objects.filter(event=event, number=data["number"])
    if request is not None:
        clash = clash.exclude(pk=request.pk)
    if clash.exists():
        raise ValidationError({"number": _("This event already has a request with this number.")})
    creating = request is None
    before = snapshot(request, [*REQUEST_FIELDS, "items"]) if request is not None else {}
    request = request or ChildRequest(event=event)
    for name in REQUEST_FIELDS:
        if name in data:
            setattr(request, name, data[name])
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": _("This event already has a request with this number.")}
        ) from exc
    request.items.set(items)
    after = snapshot(request, [*REQUEST_FIELDS, "items"])
    record(
        actor=actor,
        action="participation.request.create" if creating else "participation.request.update",
        target=request,
        changes={
            k: {"old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v
        },
    )
    return request


# Children's feedback ---------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *,
    worries: str,
    change: str,
    age_band: str = "",
    province: Province | None = None,
    language: str = "km",
    received_on: dt.date | None = None,
) -> Feedback:
    """Store a child's message: the words, the optional age band and province, the day. Words
    that suggest a child is at risk open a safeguarding referral at once. Not audited (see the
    module's note)."""
    errors: dict[str, Any] = {}
    cleaned: dict[str, str] = {}
    for name, text in (("worries", worries), ("change", change)):
        try:
            cleaned[name] = check_child_text(text or "")
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and not cleaned["worries"] and not cleaned["change"]:
        errors["worries"] = _("Please write something in at least one of the boxes.")
    if age_band and age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age from the list.")
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(
        worries=cleaned["worries"],
        change=cleaned["change"],
        age_band=age_band,
        province=province,
        language="en" if language == "en" else "km",
        received_on=received_on or timezone.localdate(),
    )
    terms = matching_terms(feedback.worries, feedback.change)
    if terms:
        _open_referral(feedback, SafeguardingReferral.Reason.KEYWORDS, terms)
    return feedback


def _moderate(feedback: Feedback) -> Feedback:
    """The message, locked for this change."""
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


@transaction.atomic
def feedback_accept(*, actor: Any, feedback: Feedback, themes: Iterable[FeedbackTheme]) -> Feedback:
    """Accept a message and tag it with one or more themes. The child's words are not touched."""
    chosen = list(themes)
    if not chosen:
        raise ValidationError({"themes": _("Choose at least one theme.")})
    feedback = _moderate(feedback)
    before = snapshot(feedback, ["status", "themes"])
    feedback.status = Feedback.Status.ACCEPTED
    feedback.moderated_on = timezone.localdate()
    feedback.moderated_by = actor
    feedback.save(update_fields=["status", "moderated_on", "moderated_by"])
    feedback.themes.set(chosen)
    after = snapshot(feedback, ["status", "themes"])
    record(
        actor=actor,
        action="participation.feedback.accept",
        target=feedback,
        changes={k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]},
    )
    return feedback


@transaction.atomic
def feedback_reject(*, actor: Any, feedback: Feedback) -> Feedback:
    """Reject a message as spam. A message under safeguarding follow-up stays where it is."""
    feedback = _moderate(feedback)
    if SafeguardingReferral.objects.filter(feedback=feedback).exists():
        raise ValidationError(
            _("This message has a safeguarding referral: it cannot be rejected as spam.")
        )
    old = feedback.status
    feedback.status = Feedback.Status.REJECTED
    feedback.moderated_on = timezone.localdate()
    feedback.moderated_by = actor
    feedback.save(update_fields=["status", "moderated_on", "moderated_by"])
    feedback.themes.clear()
    record(
        actor=actor,
        action="participation.feedback.reject",
        target=feedback,
        changes={"status": {"old": old, "new": feedback.status}},
    )
    return feedback


@transaction.atomic
def feedback_mark_at_risk(*, actor: Any, feedback: Feedback) -> SafeguardingReferral:
    """A moderator's judgement that the message suggests a child is at risk."""
    feedback = _moderate(feedback)
    if SafeguardingReferral.objects.filter(feedback=feedback).exists():
        raise ValidationError(_("This message already has a safeguarding referral."))
    referral = _open_referral(feedback, SafeguardingReferral.Reason.MODERATOR, [])
    record(
        actor=actor,
        action="participation.referral.open",
        target=referral,
        changes={
            "feedback": feedback.pk,
            "reason": referral.reason,
            "routed_to": referral.routed_to_id,
        },
    )
    return referral


# Safeguarding ----------------------------------------------------------------------------------


def focal_point() -> User | None:
    row = SafeguardingSettings.objects.select_related("focal_point").filter(pk=1).first()
    user = row.focal_point if row else None
    return user if user is not None and user.is_active else None


def secretariat_users() -> list[User]:
    return list(
        User.objects.filter(is_active=True, memberships__role=Role.SECRETARIAT_ADMIN)
        .distinct()
        .order_by("pk")
    )


def _open_referral(feedback: Feedback, reason: str, terms: list[str]) -> SafeguardingReferral:
    focal = focal_point()
    referral = SafeguardingReferral.objects.create(
        feedback=feedback,
        reason=reason,
        matched_terms=", ".join(terms)[:500],
        routed_to=focal,
        opened_on=timezone.localdate(),
    )
    path = reverse("participation_referral", args=[referral.pk])
    link = settings.KOMAR_BASE_URL.rstrip("/") + path

    def render() -> tuple[str, str]:
        # The message itself is never quoted: only a link to where permitted people read it.
        return (
            _("A child's message needs safeguarding follow-up"),
            _(
                "A message sent through the children's feedback form may mean a child is at "
                "risk. Open the referral in Komar to read it and record what you do: %(link)s"
            )
            % {"link": link},
        )

    for user in [focal] if focal is not None else secretariat_users():
        notify(user=user, key=f"participation.referral.{referral.pk}", render=render, url=path)
    return referral


@transaction.atomic
def referral_add_entry(
    *,
    actor: Any,
    referral: SafeguardingReferral,
    acted_on: dt.date,
    action: str,
    status: str,
    closing_note: str = "",
) -> ReferralEntry:
    """Record one dated step of the follow-up and the referral's status after it."""
    fp = focal_point()
    if not can_read_referrals(actor, fp.pk if fp else None):
        raise PermissionDenied
    referral = SafeguardingReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == SafeguardingReferral.Status.CLOSED:
        raise ValidationError(_("This referral is closed."))
    errors: dict[str, str] = {}
    if not action.strip():
        errors["action"] = _("Say what was done.")
    if status not in SafeguardingReferral.Status.values:
        errors["status"] = _("Choose a status.")
    if acted_on > timezone.localdate():
        errors["acted_on"] = _("The date cannot be in the future.")
    if status == SafeguardingReferral.Status.CLOSED and not closing_note.strip():
        errors["closing_note"] = _("Write a closing note to close the referral.")
    if errors:
        raise ValidationError(errors)
    entry = ReferralEntry.objects.create(
        referral=referral, acted_on=acted_on, action=action.strip(), status=status, by=actor
    )
    old = referral.status
    referral.status = status
    fields = ["status"]
    if status == SafeguardingReferral.Status.CLOSED:
        referral.closed_on = acted_on
        referral.closing_note = closing_note.strip()
        fields += ["closed_on", "closing_note"]
    referral.save(update_fields=fields)
    record(
        actor=actor,
        action="participation.referral.entry",
        target=referral,
        changes={
            "entry": entry.pk,
            "acted_on": acted_on,
            "status": {"old": old, "new": status},
            **({"closing_note": {"changed": True}} if "closing_note" in fields else {}),
        },
    )
    return entry


@transaction.atomic
def focal_point_set(*, actor: Any, user: User | None) -> SafeguardingSettings:
    """Name (or clear) the safeguarding focal point."""
    if user is not None and (not user.is_active or not user.memberships.exists()):
        raise ValidationError({"focal_point": _("Choose an active member of an organisation.")})
    row, _created = SafeguardingSettings.objects.select_for_update().get_or_create(pk=1)
    old = row.focal_point_id
    row.focal_point = user
    row.save()
    record(
        actor=actor,
        action="participation.safeguarding.focal_point",
        target=row,
        changes={"focal_point": {"old": old, "new": user.pk if user else None}},
    )
    return row


# Published themes ------------------------------------------------------------------------------


@transaction.atomic
def themes_publish(*, actor: Any, year: int, quarter: int) -> ThemePublication:
    """Publish one ended quarter's accepted feedback by theme, after disclosure control. A
    quarter is published once (withdraw it to publish again)."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    _start, end = theme_tables.quarter_bounds(year, quarter)
    if end >= timezone.localdate():
        raise ValidationError({"quarter": _("Only a quarter that has ended can be published.")})
    if ThemePublication.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": _("This quarter is already published.")})
    if not theme_tables.accepted_in(year, quarter).exists():
        raise ValidationError({"quarter": _("No accepted feedback was received in this quarter.")})
    threshold = settings.KOMAR_PUBLIC_THRESHOLD
    publication = ThemePublication.objects.create(
        year=year,
        quarter=quarter,
        threshold=threshold,
        tables=theme_tables.build_tables(year=year, quarter=quarter, threshold=threshold),
        published_by=actor,
    )
    record(
        actor=actor,
        action="participation.themes.publish",
        target=publication,
        changes={"year": year, "quarter": quarter, "threshold": threshold},
    )
    return publication


@transaction.atomic
def themes_withdraw(*, actor: Any, publication: ThemePublication) -> None:
    record(
        actor=actor,
        action="participation.themes.withdraw",
        target=publication,
        changes={"year": publication.year, "quarter": publication.quarter},
    )
    publication.delete()
