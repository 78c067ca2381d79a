"""A real journey in Debian's Chromium (Playwright, executable_path): sign in, switch to Khmer,
browse the directory, and save screenshots under var/screenshots/."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from komar.accounts.roles import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Depends on live_server so the browser (and its keep-alive connections) closes before the
    server stops: request threads then end and release their database connections."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still work.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
        yield context.new_page()
        browser.close()


@pytest.fixture
def journey_user() -> Any:
    # Made before Playwright starts: ORM calls inside Playwright's sync context would open a
    # second database connection that outlives the test.
    user = UserFactory(email="monitor@journey.example.invalid", full_name="Journey Monitor")
    MembershipFactory(user=user, role=Role.MONITOR)
    return user


def test_sign_in_switch_to_khmer_and_browse(
    journey_user: Any, live_server: Any, browser_page: Any
) -> None:
    user = journey_user
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/account/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "Journey Monitor" in page.inner_text("h1")

    page.click(".lang-switch button[value=km]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "km"
    assert page.inner_text("h1").startswith("សូមស្វាគមន៍")
    font_ok = page.evaluate("document.fonts.check('16px \"Noto Sans Khmer\"', 'កុមារ')")
    assert font_ok

    out = Path(settings.PROJECT_ROOT) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "journey-km-dashboard.png"), full_page=True)

    page.goto(f"{live_server.url}/directory/")
    page.fill("#id_q", "គ្រួសារ")
    page.wait_for_selector("#results .org-item h2 >> text=គ្រួសារថ្មី")
    page.screenshot(path=str(out / "journey-km-directory.png"), full_page=True)
    assert (out / "journey-km-dashboard.png").stat().st_size > 10_000
    assert not [e for e in errors if "Content Security Policy" in e], errors
