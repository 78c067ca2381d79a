"""A caseworker's journey in Debian's Chromium: sign in with two factors, open a case for a
child, record the arrest, see the deadline and its band, and find the case on the watch list —
on a phone-sized screen, in Khmer and English."""

import time
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.utils import timezone

from komar.accounts.roles import Role
from komar.organisations.models import Organisation
from tests.browser.test_journey import browser_page  # noqa: F401 - the shared Chromium fixture
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def caseworker() -> tuple[Any, str]:
    org = Organisation.objects.get(slug="legal-aid-of-cambodia")
    user = UserFactory(email="lawyer@journey.example.invalid", full_name="Journey Lawyer")
    MembershipFactory(user=user, organisation=org, role=Role.CASEWORKER)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def _code(secret: str) -> str:
    if time.time() % 30 > 25:  # too close to the next period: the code could expire in flight
        time.sleep(30 - time.time() % 30 + 0.5)
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def sign_in_with_totp(page: Any, base: str, email: str, secret: str) -> None:
    """Sign in with the password and the current TOTP code; wait for the dashboard."""
    page.goto(f"{base}/account/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", _code(secret))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")


def test_open_a_case_record_the_arrest_and_watch_the_deadline(
    caseworker: tuple[Any, str],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    user, secret = caseworker
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    out = Path(settings.PROJECT_ROOT) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)

    sign_in_with_totp(page, live_server.url, user.email, secret)

    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_name_km", "ចាន់ សុភា")
    page.fill("#id_name_latin", "Chan Sophea")
    page.fill("#id_birth_date", "2010-03-04")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1 .case-code")
    code = page.inner_text("h1 .case-code")
    assert "Chan Sophea" not in page.content()  # the identity stays hidden on the record

    arrest = timezone.localtime() - timezone.timedelta(hours=30)
    page.click("summary:has-text('Record an event')")
    page.select_option("#id_kind", "arrest")
    page.fill("#id_date", arrest.date().isoformat())
    page.fill("#id_time", arrest.strftime("%H:%M"))
    page.click("form[action$='/events/'] button[type=submit]")
    page.wait_for_selector(".deadline-card.band-past")
    assert "past the limit" in page.inner_text(".deadline-card")
    assert "not yet verified" in page.inner_text(".deadline-card")
    page.screenshot(path=str(out / "case-en-phone-record.png"), full_page=True)

    # Show the identity (HTMX swaps the panel in place, after giving a reason).
    page.fill("#id_purpose", "Visit at the police station")
    page.click("#identity-panel button[type=submit]")
    page.wait_for_selector("#identity-panel dd:has-text('Chan Sophea')")

    page.goto(f"{live_server.url}/cases/watch/")
    assert code in page.inner_text("#results")
    page.click(".lang-switch button[value=km]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "km"
    assert code in page.inner_text("#results")
    page.screenshot(path=str(out / "case-km-phone-watch.png"), full_page=True)
    assert errors == []
