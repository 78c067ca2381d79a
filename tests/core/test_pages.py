import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from komar.core.access import public

pytestmark = pytest.mark.django_db


def test_home_explains_komar_in_english(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Komar" in response.content
    assert b"Administration of justice" in response.content
    assert response["Content-Language"] == "en"


def test_home_in_khmer_by_browser_preference_and_by_default() -> None:
    for client in (Client(headers={"accept-language": "km"}), Client()):
        response = client.get("/")
        assert response["Content-Language"] == "km"
        assert 'lang="km"' in response.content.decode()
        assert "ការគ្រប់គ្រងយុត្តិធម៌".encode() in response.content


def test_language_switch_sets_a_cookie_for_visitors(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "km", "next": "/directory/"})
    assert response.status_code == 302 and response["Location"] == "/directory/"
    assert response.cookies["komar_language"].value == "km"
    assert client.get("/")["Content-Language"] == "km"


def test_unknown_page_is_a_404_in_the_chosen_language() -> None:
    en = Client(headers={"accept-language": "en"}).get("/no/such/page/")
    assert en.status_code == 404 and b"Page not found" in en.content
    km = Client(headers={"accept-language": "km"}).get("/no/such/page/")
    assert km.status_code == 404
    assert 'lang="km"' in km.content.decode()
    assert b"Page not found" not in km.content


def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_security_headers(client: Client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_use_only_local_assets(client: Client) -> None:
    body = client.get("/").content.decode()
    assert "https://" not in body.split("<body")[0]
    for asset in ("/static/komar/komar.css", "/static/vendor/htmx/htmx.min.js"):
        assert asset in body


def test_khmer_font_is_vendored_and_referenced() -> None:
    from django.contrib.staticfiles import finders

    css = finders.find("komar/komar.css")
    assert css and "noto-sans-khmer-khmer-400-normal.woff2" in open(css).read()
    font = finders.find("vendor/noto-sans-khmer/noto-sans-khmer-khmer-400-normal.woff2")
    assert font and open(font, "rb").read(4) == b"wOF2"


def _bare_view(request):  # type: ignore[no-untyped-def]
    return HttpResponse("should never be reachable")


@public
def _public_view(request):  # type: ignore[no-untyped-def]
    return HttpResponse("hello")


urlpatterns = [path("bare/", _bare_view), path("open/", _public_view)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_view_without_an_access_policy_is_refused(client: Client) -> None:
    assert client.get("/bare/").status_code == 403
    assert client.get("/open/").status_code == 200
