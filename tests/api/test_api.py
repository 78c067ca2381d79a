import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_schema_describes_the_routes(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Komar API"
    for route in ("/api/v1/organisations", "/api/v1/me", "/api/v1/provinces", "/api/v1/situations"):
        assert route in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert {"BearerToken", "Session"} <= set(schemes)


def test_docs_page_loads_local_assets_only(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn" not in response.content.lower()


def test_errors_share_one_format(client: Client) -> None:
    not_found = client.get("/api/v1/nothing-here")
    assert not_found.status_code == 404
    assert not_found.json() == {
        "error": {"status": 404, "code": "not_found", "message": "No such API endpoint."}
    }
    unauth = client.get("/api/v1/me")
    assert unauth.status_code == 401 and set(unauth.json()["error"]) == {
        "status",
        "code",
        "message",
    }
    bad_json = client.patch(
        "/api/v1/organisations/krousar-thmey",
        "{not json",
        content_type="application/json",
        headers={"authorization": "Bearer kmr_x"},
    )
    assert bad_json.status_code == 401


def test_reference_data_endpoints(client: Client) -> None:
    provinces = client.get("/api/v1/provinces").json()
    assert len(provinces) == 25 and provinces[11]["name_km"] == "ភ្នំពេញ"
    situations = client.get("/api/v1/situations").json()
    assert [s["number"] for s in situations] == [1, 2, 3, 4, 5, 6]
    areas = client.get("/api/v1/organisations/thematic-areas").json()
    assert areas[0]["code"] == "child_justice" and areas[0]["name_km"]


def test_api_error_messages_follow_the_language() -> None:
    km = Client(headers={"accept-language": "km"}).get("/api/v1/me")
    assert km.status_code == 401
    assert km.json()["error"]["message"] != "Sign in, or send an API token as a Bearer header."
