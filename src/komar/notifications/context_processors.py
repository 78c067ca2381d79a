from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from komar.notifications.selectors import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications` in templates (counted only if a template uses it)."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=request.user))}
