"""The shared test world: two organisations, one user per role in the first, an admin of the
second ("another organisation"), and an English-speaking test client by default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from komar.accounts.models import User
from komar.accounts.roles import MEMBER_ROLES, TWO_FACTOR_ROLES, Role
from komar.organisations.models import Organisation
from tests.factories import MembershipFactory, UserFactory

SESSION_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
ORG_A = "legal-aid-of-cambodia"
ORG_B = "krousar-thmey"


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    users: dict[str, User] = field(default_factory=dict)  # role value → user in org A
    other_admin: User | None = None  # org admin of org B
    totp_secrets: dict[int, str] = field(default_factory=dict)

    def user(self, role: str | Role) -> User:
        return self.users[str(role)]


def enable_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings: Any, tmp_path: Any) -> None:
    """Uploaded files (evidence) go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Code called directly by a test (services, checks) speaks English unless the test says
    otherwise; requests still choose their language through the middleware."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def world(db: Any) -> World:
    org_a = Organisation.objects.get(slug=ORG_A)
    org_b = Organisation.objects.get(slug=ORG_B)
    w = World(org_a=org_a, org_b=org_b)
    for role in MEMBER_ROLES:
        user = UserFactory(email=f"{role.value}@a.example.invalid")
        MembershipFactory(user=user, organisation=org_a, role=role.value)
        if role in TWO_FACTOR_ROLES:
            w.totp_secrets[user.pk] = enable_totp(user)
        w.users[role.value] = user
    other = UserFactory(email="org_admin@b.example.invalid")
    MembershipFactory(user=other, organisation=org_b, role=Role.ORG_ADMIN.value)
    w.totp_secrets[other.pk] = enable_totp(other)
    w.other_admin = other
    return w


def login(client: Client, user: User) -> Client:
    client.force_login(user, backend=SESSION_BACKEND)
    return client


def query_count(fn: Any) -> int:
    """How many database queries `fn()` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)
