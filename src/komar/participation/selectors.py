"""Reads that depend on who asks. Missing and forbidden look alike (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.commitments.models import Item
from komar.geo.models import Province
from komar.participation.models import (
    AgeBand,
    ChildRequest,
    Event,
    Feedback,
    FeedbackTheme,
    ParticipantGroup,
    SafeguardingReferral,
    SafeguardingSettings,
    ThemePublication,
)
from komar.participation.permissions import can_edit_event, can_read_referrals, event_org_ids
from komar.participation.permissions import is_secretariat as _is_secretariat

# Events ----------------------------------------------------------------------------------------


def _event_list(qs: QuerySet[Event]) -> QuerySet[Event]:
    return (
        qs.prefetch_related("organisers")
        .annotate(n_requests=Count("requests", distinct=True))
        .order_by("-starts_on", "-id")
    )


def events_public() -> QuerySet[Event]:
    """Public events, newest first, with organisers and the number of children's requests (the
    API's source)."""
    return _event_list(Event.objects.filter(is_public=True))


def events_visible_to(*, user: Any) -> QuerySet[Event]:
    """Public events, plus unlisted ones the user's organisation organises (all for the
    secretariat)."""
    if _is_secretariat(user):
        return _event_list(Event.objects.all())
    orgs = event_org_ids(user)
    if not orgs:
        return events_public()
    ids = Event.objects.filter(Q(is_public=True) | Q(organisers__in=orgs)).values("pk")
    return _event_list(Event.objects.filter(pk__in=ids))


def _items_for(user: Any) -> QuerySet[Item]:
    items = Item.objects.filter(is_archived=False).select_related("source").order_by("reference")
    if not has_perm(user, Perm.COMMITMENTS_VIEW):
        items = items.filter(is_published=True)
    return items


def event_get_for(*, user: Any, pk: int) -> Event:
    """One event with its counts, organisers and requests (with the tracker items the user may
    see); 404 if it does not exist or is not for this user."""
    event = (
        events_visible_to(user=user)
        .prefetch_related(
            "participants",
            Prefetch(
                "requests",
                queryset=ChildRequest.objects.order_by("number").prefetch_related(
                    Prefetch("items", queryset=_items_for(user))
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404
    order = {g: i for i, g in enumerate(ParticipantGroup.values)}
    event.participant_rows = sorted(event.participants.all(), key=lambda p: order[p.group])  # type: ignore[attr-defined]
    event.can_edit = can_edit_event(user, {o.pk for o in event.organisers.all()})  # type: ignore[attr-defined]
    return event


def event_get_editable(*, user: Any, pk: int) -> Event:
    """An event the user may change: 404 if they cannot see it, 403 if they only see it."""
    event = event_get_for(user=user, pk=pk)
    if not event.can_edit:  # type: ignore[attr-defined]
        raise PermissionDenied
    return event


def request_get(*, event: Event, pk: int) -> ChildRequest:
    found = ChildRequest.objects.filter(event=event, pk=pk).prefetch_related("items").first()
    if found is None:
        raise Http404
    return found


def linkable_items(*, user: Any) -> QuerySet[Item]:
    return _items_for(user)


# Moderation ------------------------------------------------------------------------------------


def feedback_queue(*, status: str = Feedback.Status.NEW) -> QuerySet[Feedback]:
    """Messages in one state (moderators only: the view checks FEEDBACK_MODERATE)."""
    return (
        Feedback.objects.filter(status=status)
        .select_related("province", "referral")
        .prefetch_related("themes")
        .order_by("received_on", "id" if status == Feedback.Status.NEW else "-id")
    )


def feedback_get(*, pk: int) -> Feedback:
    found = (
        Feedback.objects.select_related("province", "referral", "moderated_by")
        .prefetch_related("themes")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def feedback_themes() -> QuerySet[FeedbackTheme]:
    return FeedbackTheme.objects.order_by("sort_order", "code")


# Safeguarding ----------------------------------------------------------------------------------


def safeguarding_settings() -> SafeguardingSettings:
    row = SafeguardingSettings.objects.select_related("focal_point").filter(pk=1).first()
    return row or SafeguardingSettings(pk=1)


def _require_referral_reader(user: Any) -> SafeguardingSettings:
    settings_row = safeguarding_settings()
    if not can_read_referrals(user, settings_row.focal_point_id):
        raise Http404
    return settings_row


def referrals_visible_to(*, user: Any) -> QuerySet[SafeguardingReferral]:
    """All referrals for the focal point and SAFEGUARDING holders; 404 for everyone else."""
    _require_referral_reader(user)
    return (
        SafeguardingReferral.objects.select_related("feedback", "routed_to")
        .annotate(n_entries=Count("entries"))
        .order_by("status", "-opened_on", "-id")
    )


def referral_get_for(*, user: Any, pk: int) -> SafeguardingReferral:
    _require_referral_reader(user)
    found = (
        SafeguardingReferral.objects.select_related("feedback__province", "routed_to")
        .prefetch_related("entries__by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def can_read_referrals_for(user: Any) -> bool:
    return can_read_referrals(user, safeguarding_settings().focal_point_id)


# Published themes ------------------------------------------------------------------------------


def published_theme_periods() -> QuerySet[ThemePublication]:
    """Quarters the secretariat has published, newest first (the API's source)."""
    return ThemePublication.objects.order_by("-year", "-quarter")


@dataclass
class ShownCell:
    label: str
    value: int | None
    small: bool = False  # hidden as fewer than the threshold (else hidden to protect others)


@dataclass
class PublishedThemes:
    year: int
    quarter: int
    threshold: int
    themes: list[ShownCell]
    themes_total: ShownCell
    age_bands: list[ShownCell] | None
    provinces: list[ShownCell] | None
    messages: int | None


def published_themes(publication: ThemePublication) -> PublishedThemes:
    """One published quarter with labels in the active language."""
    tables = publication.tables
    theme_names = {t.code: t.name for t in FeedbackTheme.objects.all()}
    province_names = {p.code: p.name for p in Province.objects.all()}
    age_names = {str(v): str(label) for v, label in AgeBand.choices}
    not_given = _("Not given")

    def cells(rows: list[dict[str, Any]] | None, names: dict[str, str]) -> list[ShownCell] | None:
        if rows is None:
            return None
        return [
            ShownCell(
                names.get(r["code"], r["code"]) if r["code"] else not_given,
                r["value"],
                r.get("small", False),
            )
            for r in rows
        ]

    total = tables.get("themes_total", {})
    return PublishedThemes(
        year=publication.year,
        quarter=publication.quarter,
        threshold=publication.threshold,
        themes=cells(tables.get("themes", []), theme_names) or [],
        themes_total=ShownCell(_("All theme tags"), total.get("value"), total.get("small", False)),
        age_bands=cells(tables.get("age_bands"), age_names),
        provinces=cells(tables.get("provinces"), province_names),
        messages=tables.get("messages"),
    )
