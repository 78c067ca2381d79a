"""API authentication: the browser's session (with CSRF) or a bearer token (`komar createtoken`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.session import SessionAuth

from komar.accounts.middleware import two_factor_missing
from komar.accounts.services import token_authenticate


class TwoFactorRequired(Exception):
    pass


def _admit(user: Any) -> Any:
    if two_factor_missing(user) and not settings.DEMO:
        raise TwoFactorRequired
    return user


class BearerToken(HttpBearer):
    openapi_description = "An API token: `Authorization: Bearer kmr_…` (see `komar createtoken`)."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return _admit(user)


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _admit(user) if user else None


session_or_token: list[APIKeyCookie | HttpBearer] = [Session(), BearerToken()]
