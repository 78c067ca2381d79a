from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from komar.notifications.models import Notification


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
