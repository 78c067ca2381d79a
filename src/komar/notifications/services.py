"""Sending notifications: in-app, and by e-mail through the background worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from komar.notifications.models import Notification

Render = Callable[[], tuple[str, str]]  # → (subject, body), called in the recipient's language


def language_of(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def notify(*, user: Any, key: str, render: Render, url: str = "", email: bool = True) -> bool:
    """Notify `user` once for `key`. The message is rendered in the user's language. Returns
    False (and sends nothing) if this key was already sent to this user."""
    key = key[:200]  # as stored, so the check below finds it
    if Notification.objects.filter(user=user, key=key).exists():
        return False
    with translation.override(language_of(user)):
        subject, body = render()
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, key=key, subject=str(subject)[:255], body=str(body), url=url
            )
    except IntegrityError:  # sent meanwhile by a concurrent run
        return False
    if email and user.is_active and user.email:
        from komar.notifications.tasks import email_notification

        transaction.on_commit(lambda: email_notification.enqueue(note.pk))
    return True


def mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones if no ids are given)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
