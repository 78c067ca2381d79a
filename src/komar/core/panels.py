"""Extension points for pages: an app adds a panel to another app's page without that app
importing it (dependencies keep pointing one way). A panel is a function of (request, object)
returning rendered HTML, or "" when the user may not see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[HttpRequest, Any], str]
PANELS: dict[str, list[Panel]] = {}


def register(slot: str, panel: Panel) -> None:
    if panel not in PANELS.setdefault(slot, []):
        PANELS[slot].append(panel)


def render_panels(slot: str, request: HttpRequest, obj: Any) -> list[SafeString]:
    return [mark_safe(html) for panel in PANELS.get(slot, []) if (html := panel(request, obj))]  # noqa: S308 - panels render templates
