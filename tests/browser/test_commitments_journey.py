"""The tracker in Debian's Chromium: the secretariat signs in with two factors and publishes a
government report and a coalition assessment that disagree from its review queue; then a
visitor, on a phone and in Khmer, finds both views side by side on the public site, with the
item's history and the progress chart."""

from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings

from komar.accounts.roles import Role
from komar.commitments.models import Item
from komar.organisations.models import Organisation
from tests.browser.test_case_journey import sign_in_with_totp
from tests.browser.test_journey import browser_page  # noqa: F401 - the shared Chromium fixture
from tests.commitments.helpers import assess, make_item, make_source
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def prepared() -> tuple[Any, str, Item]:
    """Made before Playwright starts (ORM calls inside its sync context would open a second
    connection): a secretariat admin with two factors, and a published item whose two
    assessments await publication."""
    org = Organisation.objects.get(slug="legal-aid-of-cambodia")
    user = UserFactory(email="secretariat@journey.example.invalid", full_name="Journey Sec")
    MembershipFactory(user=user, organisation=org, role=Role.SECRETARIAT_ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    class W:  # the two calls the helpers make on the test world
        @staticmethod
        def user(role: Any) -> Any:
            return user

    world: Any = W()
    item = make_item(
        world,
        make_source(world),
        summary_km="កុមារគួរត្រូវឃុំខ្លួនតែជាវិធានការចុងក្រោយប៉ុណ្ណោះ។",
        summary_en="Children should be locked up only as a last resort.",
        themes=["child-justice"],
    )
    Item.objects.filter(pk=item.pk).update(is_published=True)
    assess(world, item, perspective="government", status="implemented", state="validated")
    assess(world, item, perspective="coalition", status="regressed", state="validated")
    return user, secret, item


def test_publish_two_views_and_a_visitor_reads_them_in_khmer(
    prepared: tuple[Any, str, Item],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    user, secret, item = prepared
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    out = Path(settings.PROJECT_ROOT) / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)

    sign_in_with_totp(page, live_server.url, user.email, secret)

    page.goto(f"{live_server.url}/commitments/review/")
    for _ in range(2):  # the oldest first; each publication reloads the queue
        page.click("button[name=to][value=publish] >> nth=0")
        page.wait_for_load_state()
    # Nothing waits any more. (No ORM here: inside Playwright's sync context a query would
    # open a second database connection that outlives the test.)
    assert page.locator("button[name=to][value=publish]").count() == 0

    page.context.clear_cookies()  # now a visitor, reading Khmer
    page.context.add_cookies([{"name": "komar_language", "value": "km", "url": live_server.url}])
    page.goto(f"{live_server.url}/progress/items/{item.pk}/")
    body = page.inner_text("main")
    assert "កុមារគួរត្រូវឃុំខ្លួនតែជាវិធានការចុងក្រោយប៉ុណ្ណោះ។" in body
    assert "របាយការណ៍រាជរដ្ឋាភិបាល" in body and "ការវាយតម្លៃរបស់សម្ព័ន្ធ" in body
    assert "បានអនុវត្ត" in body and "ថយក្រោយ" in body  # implemented vs regressed
    assert "ប្រវត្តិ" in body  # the item's history
    assert page.locator("header a[href^='/account/login/']").count() == 1  # as a visitor
    page.screenshot(path=str(out / "km-phone-progress-item-journey.png"), full_page=True)

    page.goto(f"{live_server.url}/progress/")
    assert page.locator("svg[role=img] rect").count() > 0  # the chart draws its bars
    assert errors == []
