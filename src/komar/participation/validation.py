"""Checks on what a child types: length, markup and scripts, invisible control characters.
Used by the form (field errors) and again by the service (nothing unchecked is stored)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from komar.participation.models import TEXT_LIMIT

TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>")
SCHEME = re.compile(r"(java|vb)\s*script\s*:|data\s*:\s*text/html", re.IGNORECASE)
# Bidirectional overrides can make text read differently from what is stored.
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def check_child_text(text: str) -> str:
    """The text, stripped, or a ValidationError in plain words."""
    text = text.strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            _("Please make this shorter: at most %(limit)s letters.") % {"limit": TEXT_LIMIT},
            code="too_long",
        )
    if TAG.search(text) or SCHEME.search(text):
        raise ValidationError(
            _("Please write in plain words, without computer code or < > tags."), code="markup"
        )
    for ch in text:
        if ch in BIDI or (unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS):
            raise ValidationError(
                _("Your message has hidden characters in it. Please type it again."),
                code="control",
            )
    return text
