"""Template helpers for statements: Khmer word breaks and paragraphs."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from komar.statements.khmer import insert_breaks
from komar.statements.selectors import paragraphs as split_paragraphs

register = template.Library()


@register.filter(needs_autoescape=True)
def khmer_breaks(value: Any, autoescape: bool = True) -> SafeString:
    """The text, escaped, with zero-width spaces at the word boundaries of its Khmer runs so
    that it wraps between words (escaping adds only ASCII, never inside a Khmer run)."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(insert_breaks(str(text)))  # noqa: S308 - escaped above


@register.filter(needs_autoescape=True)
def paragraphs(value: Any, autoescape: bool = True) -> SafeString:
    """Blank-line separated blocks as <p> elements, with Khmer word breaks; single line breaks
    inside a block kept as <br>."""
    blocks = split_paragraphs(str(value or ""))
    return format_html_join(
        "\n",
        "<p>{}</p>",
        (
            (mark_safe("<br>".join(khmer_breaks(line, autoescape) for line in block.split("\n"))),)  # noqa: S308
            for block in blocks
        ),
    )
