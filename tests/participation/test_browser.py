"""A child on a cheap phone: the feedback form in Debian's Chromium at 360 px, with the cache
disabled, weighs under 100 KB in all; a message in Khmer reaches the thank-you page, and the
secretariat then finds it in the moderation queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from komar.accounts.roles import Role
from komar.organisations.models import Organisation
from tests.browser.test_case_journey import sign_in_with_totp
from tests.browser.test_journey import browser_page  # noqa: F401 - the shared Chromium fixture
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 100 * 1024
WORDS = "ខ្ញុំបារម្ភព្រោះខ្ញុំមិនបានជួបម្តាយយូរហើយ"


@pytest.fixture
def secretariat() -> tuple[Any, str]:
    """Made before Playwright starts: a secretariat admin with two factors."""
    org = Organisation.objects.get(slug="child-rights-coalition-cambodia")
    user = UserFactory(email="secretariat@voices.example.invalid", full_name="Voices Sec")
    MembershipFactory(user=user, organisation=org, role=Role.SECRETARIAT_ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_feedback_form_is_light_and_works_in_khmer_at_360px(
    secretariat: tuple[Any, str],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: transferred.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/voices/", wait_until="networkidle")
    total = sum(transferred.values())
    assert transferred, "no response was measured"
    assert total < BUDGET, {urls.get(k, k): v for k, v in transferred.items()}
    assert all("/voices/" in urls.get(k, "") for k in transferred), urls  # nothing else loaded
    assert page.get_attribute("html", "lang") == "km"
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.images.length") == 0
    # Large touch targets and no sideways scrolling on a 360 px screen.
    button = page.locator("button[type=submit]").bounding_box()
    assert button["height"] >= 48 and button["width"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    out = Path(settings.PROJECT_ROOT) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "voices-km-form.png"), full_page=True)
    page.fill("textarea[name=worries]", WORDS)
    page.fill("textarea[name=change]", "សូមឱ្យគ្រួសារមកលេងរៀងរាល់សប្តាហ៍")
    page.check("input[name=age_band][value='15_17']")
    page.wait_for_timeout(3300)  # a person takes longer than the form's minimum time
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/voices/thanks/?lang=km")
    assert page.get_attribute("html", "lang") == "km"
    page.screenshot(path=str(out / "voices-km-thanks.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # The secretariat finds the child's words in its moderation queue.
    user, secret = secretariat
    sign_in_with_totp(page, live_server.url, user.email, secret)
    page.goto(f"{live_server.url}/participation/feedback/")
    assert WORDS in page.inner_text("main")
    # (What was stored is checked in test_voices/test_moderation: ORM calls inside Playwright's
    # context would open a second database connection.)
