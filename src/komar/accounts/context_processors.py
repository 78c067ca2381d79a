from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from komar.accounts.permissions import perms_of
from komar.accounts.roles import Perm


def permissions(request: HttpRequest) -> dict[str, Any]:
    """`can.AUDIT_VIEW` etc. in templates: what the current user's roles allow."""

    def table() -> dict[str, bool]:
        held = perms_of(request.user)
        return {perm.name: perm.value in held for perm in Perm}

    return {"can": SimpleLazyObject(table)}
