from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def komar(request: HttpRequest) -> dict[str, Any]:
    return {
        "KOMAR_DEMO": settings.DEMO,
        "two_factor_missing": getattr(request, "two_factor_missing", False),
    }
