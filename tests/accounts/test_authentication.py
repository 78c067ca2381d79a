import datetime as dt
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from komar.accounts.models import User
from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from tests.conftest import World, login
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/account/login/", {"login": email, "password": password})


def _reauthenticate(client: Client) -> None:
    """Changing two-factor settings asks for the password again (allauth's reauthentication)."""
    response = client.post("/account/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_passwords_are_hashed_with_argon2() -> None:
    user = User.objects.create_user(email="hash@example.invalid", password="a long pass phrase 9")
    assert user.password.startswith("argon2")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_sign_in_with_email_and_password_is_audited(client: Client) -> None:
    user = UserFactory(email="Monitor@Example.invalid")
    MembershipFactory(user=user, role=Role.MONITOR)
    response = _sign_in(client, "monitor@example.invalid", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()


def test_wrong_password_shows_an_error_and_is_audited(client: Client) -> None:
    UserFactory(email="m@example.invalid")
    response = _sign_in(client, "m@example.invalid", "wrong password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert AuditEvent.objects.filter(
        action="auth.login_failed", target_label="m@example.invalid"
    ).exists()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client: Client) -> None:
    UserFactory(email="target@example.invalid")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "target@example.invalid", "guess")
    response = _sign_in(client, "target@example.invalid", PASSWORD)
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_signed_in_page_shows_khmer_lockout_page_in_khmer(client: Client) -> None:
    UserFactory(email="t2@example.invalid")
    km = Client(headers={"accept-language": "km"})
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = _sign_in(km, "t2@example.invalid", "guess")
    assert response.status_code == 429
    assert "ចូលគណនី".encode() in response.content


def test_password_reset_sends_a_link_that_sets_a_new_password(client: Client) -> None:
    UserFactory(email="forgetful@example.invalid")
    response = client.post("/account/password/reset/", {"email": "forgetful@example.invalid"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/account/password/reset/key/\S+", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("testserver", 1)[-1]
    follow = client.get(path, follow=True)
    form_path = follow.redirect_chain[-1][0] if follow.redirect_chain else path
    new = "a brand new long pass phrase"
    done = client.post(form_path, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert User.objects.get(email="forgetful@example.invalid").check_password(new)


def test_short_new_password_gets_a_field_error(client: Client) -> None:
    user = UserFactory(email="short@example.invalid")
    MembershipFactory(user=user, role=Role.MONITOR)
    login(client, user)
    response = client.post(
        "/account/password/change/",
        {"oldpassword": PASSWORD, "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_idle_session_ends_on_the_server(client: Client) -> None:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.MONITOR)
    login(client, user)
    assert client.get("/dashboard/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date > timezone.now() + dt.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60
    )
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_each_request_renews_the_idle_timeout(client: Client) -> None:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.MONITOR)
    login(client, user)
    soon = timezone.now() + dt.timedelta(seconds=120)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    client.get("/dashboard/")
    renewed = Session.objects.get(session_key=client.session.session_key).expire_date
    assert renewed > soon + dt.timedelta(seconds=60)


def test_language_choice_is_remembered_per_user(client: Client) -> None:
    user = UserFactory()
    MembershipFactory(user=user, role=Role.ANALYST)
    login(client, user)
    response = client.post("/i18n/setlang/", {"language": "km", "next": "/dashboard/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "km"
    other_browser = Client(headers={"accept-language": "en"})
    login(other_browser, user)
    page = other_browser.get("/dashboard/")
    assert page["Content-Language"] == "km"
    assert "ផ្ទាំងគ្រប់គ្រង".encode() in page.content


def test_roles_with_childrens_records_must_set_up_two_factor(client: Client, world: World) -> None:
    caseworker = UserFactory(email="new-caseworker@example.invalid")
    MembershipFactory(user=caseworker, organisation=world.org_a, role=Role.CASEWORKER)
    _sign_in(client, caseworker.email, PASSWORD)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/totp/activate/"
    setup = client.get("/account/2fa/totp/activate/")
    assert setup.status_code == 302 and setup["Location"].startswith("/account/reauthenticate/")
    _reauthenticate(client)
    assert client.get("/account/2fa/totp/activate/").status_code == 200
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "two_factor_required"


@override_settings(DEMO=True)
def test_in_demo_mode_missing_two_factor_is_a_banner(client: Client, world: World) -> None:
    caseworker = UserFactory(email="demo-caseworker@example.invalid")
    MembershipFactory(user=caseworker, organisation=world.org_a, role=Role.CASEWORKER)
    login(client, caseworker)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"two-factor sign-in is required" in response.content
    assert client.get("/api/v1/me").status_code == 200


def test_roles_without_childrens_records_are_not_forced(client: Client, world: World) -> None:
    login(client, world.user(Role.MONITOR))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert b"two-factor sign-in is required" not in response.content


def test_turning_on_totp_then_signing_in_needs_the_code(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory(email="careful@example.invalid")
    MembershipFactory(user=user, role=Role.CASEWORKER)
    _sign_in(client, user.email, PASSWORD)
    _reauthenticate(client)
    page = client.get("/account/2fa/totp/activate/")
    secret = re.search(rb'id="authenticator_secret" type="text" value="([A-Z2-7]+)"', page.content)
    assert secret, page.content[:2000]
    secret_str = secret.group(1).decode()
    bad = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert bad.status_code == 200 and b"Incorrect code" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post("/account/2fa/totp/activate/", {"code": _code(secret_str)})
    assert ok.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert AuditEvent.objects.filter(action="mfa.add", actor=user).exists()

    fresh = Client(headers={"accept-language": "en"})
    step = _sign_in(fresh, "careful@example.invalid", PASSWORD)
    assert step["Location"] == "/account/2fa/authenticate/"
    assert fresh.get("/dashboard/").status_code == 302  # not signed in yet
    done = fresh.post("/account/2fa/authenticate/", {"code": _code(secret_str)})
    assert done.status_code == 302
    assert fresh.get("/dashboard/").status_code == 200
