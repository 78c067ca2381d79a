from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by organisation admins (invitations), never by self sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The e-mail a sign-in attempt was for, as django-axes counts failures per account."""
    value = ""
    if credentials:
        value = credentials.get("email") or credentials.get("login") or ""
    if not value and request is not None:
        value = request.POST.get("login", "")
    return str(value).strip().lower()
