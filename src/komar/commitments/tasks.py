"""Background work for the commitments tracker (django-tasks; run by `komar worker`): the daily
reminder of items and actions that fall due. Idempotent: each reminder is keyed by (item or
action, due date, band), so it goes out once, and again only when the due date changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from komar.commitments.models import Action, Item, Progress
from komar.notifications.models import Notification
from komar.notifications.services import notify

REMIND_DAYS = 14  # "due soon": due within this many days
DUE_SOON, OVERDUE = "due_soon", "overdue"


def band_of(due_on: dt.date, today: dt.date) -> str | None:
    if due_on < today:
        return OVERDUE
    if due_on <= today + dt.timedelta(days=REMIND_DAYS):
        return DUE_SOON
    return None


def item_url(item_id: int) -> str:
    return f"/commitments/items/{item_id}/"


def item_key(item: Item, band: str) -> str:
    assert item.due_on is not None
    return f"commitments.item:{item.pk}:{item.due_on.isoformat()}:{band}"


def action_key(action: Action, band: str) -> str:
    assert action.due_on is not None
    return f"commitments.action:{action.pk}:{action.due_on.isoformat()}:{band}"


def _item_message(item: Item, band: str) -> tuple[str, str]:
    assert item.due_on is not None
    if band == OVERDUE:
        subject = _("Overdue: %(reference)s") % {"reference": item.reference}
    else:
        subject = _("Due soon: %(reference)s") % {"reference": item.reference}
    lines = [
        _("You are the focal point for %(reference)s, due on %(date)s.")
        % {"reference": item.reference, "date": date_format(item.due_on, "DATE_FORMAT")},
        item.summary or item.text,
        _("Open the item in Komar to record what has been done."),
    ]
    return subject, "\n\n".join(line for line in lines if line)


def _action_message(action: Action, band: str) -> tuple[str, str]:
    assert action.due_on is not None
    reference = action.item.reference
    if band == OVERDUE:
        subject = _("Overdue action on %(reference)s") % {"reference": reference}
    else:
        subject = _("Action due soon on %(reference)s") % {"reference": reference}
    lines = [
        _("An action you are responsible for is due on %(date)s:")
        % {"date": date_format(action.due_on, "DATE_FORMAT")},
        action.description,
        _("Open the item in Komar to update the action's status."),
    ]
    return subject, "\n\n".join(line for line in lines if line)


def _already_sent(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of the (user, key) pairs, those already notified — one query, so a run where nothing is
    new costs the same however many items are due."""
    pairs = list(pairs)
    if not pairs:
        return set()
    found = Notification.objects.filter(
        user_id__in={u for u, _k in pairs}, key__in={k for _u, k in pairs}
    ).values_list("user_id", "key")
    return set(found)


class Reminder:
    """One reminder to send: who, under which key, the message (rendered in the recipient's
    language by `notify`) and the item's address."""

    def __init__(self, user: Any, key: str, message: Any, obj: Any, band: str, url: str) -> None:
        self.user, self.key, self.url = user, key, url
        self.message, self.obj, self.band = message, obj, band

    def render(self) -> tuple[str, str]:
        return self.message(self.obj, self.band)


def _send(reminders: list[Reminder]) -> int:
    done = _already_sent((r.user.pk, r.key) for r in reminders)
    sent = 0
    for r in reminders:
        if (r.user.pk, r.key) not in done:
            sent += notify(user=r.user, key=r.key, url=r.url, render=r.render)
    return sent


def due_items(today: dt.date) -> QuerySet[Item]:
    return (
        Item.objects.filter(
            is_archived=False,
            focal_point__isnull=False,
            focal_point__is_active=True,
            due_on__lte=today + dt.timedelta(days=REMIND_DAYS),
        )
        .exclude(coalition_status=Progress.IMPLEMENTED)
        .select_related("focal_point")
        .order_by("due_on", "pk")
    )


def due_actions(today: dt.date) -> QuerySet[Action]:
    return (
        Action.objects.filter(
            status__in=[Action.Status.PLANNED, Action.Status.ONGOING],
            item__is_archived=False,
            responsible__isnull=False,
            responsible__is_active=True,
            due_on__lte=today + dt.timedelta(days=REMIND_DAYS),
        )
        .select_related("responsible", "item")
        .order_by("due_on", "pk")
    )


@task()
def remind_due_commitments() -> int:
    """Daily: remind an item's focal point when it is due within two weeks and again when it is
    overdue (unless archived or implemented in the coalition's view), and the person responsible
    for a planned or ongoing action the same way. Returns the number of notifications sent."""
    today = timezone.localdate()
    reminders: list[Reminder] = []
    for item in due_items(today):
        assert item.due_on is not None
        band = band_of(item.due_on, today)
        if band is not None:
            reminders.append(
                Reminder(
                    item.focal_point,
                    item_key(item, band),
                    _item_message,
                    item,
                    band,
                    item_url(item.pk),
                )
            )
    for action in due_actions(today):
        assert action.due_on is not None
        band = band_of(action.due_on, today)
        if band is not None:
            reminders.append(
                Reminder(
                    action.responsible,
                    action_key(action, band),
                    _action_message,
                    action,
                    band,
                    item_url(action.item_id),
                )
            )
    return _send(reminders)
