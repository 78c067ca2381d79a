from __future__ import annotations

from django.http import HttpRequest


def partial_or_page(request: HttpRequest, template: str, partial: str) -> str:
    """The template to render: only the named partial for an HTMX request (not a boosted page
    load), the whole page otherwise."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        return f"{template}#{partial}"
    return template
