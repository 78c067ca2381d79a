"""Deny by default: every view states who may use it.

A view is reachable only if it carries an access policy, set by one of the decorators here or by
`komar.accounts.access.permission_required`. `AccessPolicyMiddleware` refuses (403) any view of
Komar's own that has none, so a forgotten decorator fails closed. Views of the frameworks listed in
`SELF_GUARDED_MODULES` guard themselves (allauth's account pages; the ninja API, whose routes
declare their own auth).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

ViewFunc = Callable[..., HttpResponse]

SELF_GUARDED_MODULES = ("allauth.", "ninja.")


@dataclass(frozen=True)
class AccessPolicy:
    """Who may use a view: anyone, any signed-in user, or holders of a permission."""

    kind: str  # "public" | "signed_in" | "permission"
    permission: str = ""

    def describe(self) -> str:
        return self.permission or self.kind


def policy_of(view: Callable[..., Any]) -> AccessPolicy | None:
    return getattr(view, "komar_access", None)


def view_module(view: Callable[..., Any]) -> str:
    """The module a view comes from (looking through functools.partial)."""
    while isinstance(view, functools.partial):
        view = view.func
    return getattr(view, "__module__", "") or ""


def _mark(view: ViewFunc, policy: AccessPolicy) -> ViewFunc:
    view.komar_access = policy  # type: ignore[attr-defined]
    return view


def public(view: ViewFunc) -> ViewFunc:
    """Anyone, signed in or not, may use this view."""
    return _mark(view, AccessPolicy("public"))


def signed_in(view: ViewFunc) -> ViewFunc:
    """Any signed-in user may use this view; others are sent to the sign-in page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, AccessPolicy("signed_in"))


def guarded(permission: str, check: Callable[[Any, str], bool]) -> Callable[[ViewFunc], ViewFunc]:
    """Signed-in users for whom `check(user, permission)` holds; anonymous → sign in; else 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, AccessPolicy("permission", permission))

    return decorator


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if policy_of(view_func) is not None:
            return None
        if view_module(view_func).startswith(SELF_GUARDED_MODULES):
            return None
        logger.error("View %r has no access policy; refused.", view_func)
        raise PermissionDenied
