from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from komar.accounts.permissions import requires_two_factor
from komar.core.access import view_module


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over cookie and browser settings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        preferred = getattr(user, "preferred_language", "") if user else ""
        if preferred and preferred in dict(settings.LANGUAGES):
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        return self.get_response(request)


# Pages a user without two-factor may still reach: setting it up, signing out, changing language.
TWO_FACTOR_SETUP_URLS = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "account_logout",
    "set_language",
    "home",
}


def two_factor_missing(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and requires_two_factor(user)
        and not is_mfa_enabled(user, ["totp"])
    )


class TwoFactorRequiredMiddleware:
    """Roles that can read children's records must use two-factor sign-in.

    In production a user in such a role is sent to set it up before anything else. In demo mode
    (`KOMAR_DEMO=1`) a banner says so instead, so visitors can try every role."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if view_module(view_func).startswith("ninja."):
            return None  # the API refuses such users itself, with a JSON error
        if not two_factor_missing(request.user):
            return None
        if settings.DEMO:
            request.two_factor_missing = True  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        if match and match.url_name in TWO_FACTOR_SETUP_URLS:
            request.two_factor_missing = True  # type: ignore[attr-defined]
            return None
        messages.warning(
            request,
            _("Your role gives access to children's records. Set up two-factor sign-in to go on."),
        )
        return redirect("mfa_activate_totp")
