import json

import pytest
from django.test import Client

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.geo.models import Province
from komar.organisations.models import Organisation, ThematicArea
from tests.conftest import World, login, query_count
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _with_area_and_province(org: Organisation, area: str, province: str) -> Organisation:
    org.thematic_areas.add(ThematicArea.objects.get(code=area))
    org.provinces.add(Province.objects.get(code=province))
    return org


def test_directory_lists_the_preloaded_organisations(client: Client) -> None:
    response = client.get("/directory/", {"q": "legal aid"})
    assert response.status_code == 200
    assert b"Legal Aid of Cambodia" in response.content
    assert b"member of the NGO Panel for the Global Study" in response.content


def test_filter_by_thematic_area_and_province(client: Client) -> None:
    a = _with_area_and_province(OrganisationFactory(name_en="Alpha Org"), "legal_aid", "17")
    _with_area_and_province(OrganisationFactory(name_en="Beta Org"), "health", "17")
    _with_area_and_province(OrganisationFactory(name_en="Gamma Org"), "legal_aid", "02")
    response = client.get("/directory/", {"thematic_area": "legal_aid", "province": "17"})
    names = [o.name_en for o in response.context["page"].object_list]
    assert names == [a.name_en]


def test_search_matches_khmer_and_english_names(client: Client) -> None:
    assert client.get("/directory/", {"q": "Krousar"}).context["page"].paginator.count == 1
    km = client.get("/directory/", {"q": "គ្រួសារថ្មី"}).context["page"]
    assert [o.slug for o in km.object_list] == ["krousar-thmey"]


def test_unknown_filter_values_are_ignored_with_a_field_error_not_a_crash(client: Client) -> None:
    response = client.get("/directory/", {"province": "99", "kind": "pirates"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"province", "kind"}


def test_htmx_request_gets_only_the_results(client: Client) -> None:
    response = client.get("/directory/", {"q": "Krousar"}, headers={"hx-request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body


def test_directory_query_count_does_not_grow_with_rows(client: Client) -> None:
    baseline = query_count(lambda: client.get("/directory/"))
    for i in range(30):
        _with_area_and_province(OrganisationFactory(name_en=f"Zeta {i:02d}"), "education", "12")
    assert query_count(lambda: client.get("/directory/", {"page": "2"})) == baseline
    assert baseline <= 10


def test_directory_paginates(client: Client) -> None:
    page = client.get("/directory/").context["page"]
    assert len(page.object_list) == 25
    assert page.paginator.count == Organisation.objects.filter(is_active=True).count()
    assert client.get("/directory/", {"page": "999"}).status_code == 200


def test_khmer_directory_is_in_khmer_and_sorted_by_khmer_name() -> None:
    client = Client(headers={"accept-language": "km"})
    response = client.get("/directory/")
    assert "បញ្ជីឈ្មោះអង្គការ".encode() in response.content
    names = [o.name_km for o in response.context["page"].object_list]
    assert names == sorted(names)


def test_org_admin_edits_own_profile_and_the_change_is_audited(
    client: Client, world: World
) -> None:
    admin = world.user(Role.ORG_ADMIN)
    login(client, admin)
    form = client.get(f"/directory/{world.org_a.slug}/edit/")
    assert form.status_code == 200
    assert b"is_verified" not in form.content  # only the secretariat confirms details
    response = client.post(
        f"/directory/{world.org_a.slug}/edit/",
        {
            "name_en": "Legal Aid of Cambodia",
            "name_km": world.org_a.name_km,
            "kind": "ngo",
            "scope": "national",
            "phone": "+855 23 000 000",
            "provinces": [Province.objects.get(code="12").pk],
            "thematic_areas": [ThematicArea.objects.get(code="legal_aid").pk],
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.actor == admin
    assert event.changes["phone"] == {"old": "", "new": "+855 23 000 000"}
    assert event.changes["provinces"]["new"] == [Province.objects.get(code="12").pk]
    assert "name_en" not in event.changes


def test_bad_input_gives_field_errors_and_saves_nothing(client: Client, world: World) -> None:
    login(client, world.user(Role.ORG_ADMIN))
    response = client.post(
        f"/directory/{world.org_a.slug}/edit/",
        {
            "name_en": "",
            "name_km": "x",
            "kind": "ngo",
            "scope": "national",
            "email": "nope",
            "website": "not a url",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name_en", "email", "website"} <= set(errors)
    assert Organisation.objects.get(pk=world.org_a.pk).name_en == "Legal Aid of Cambodia"
    assert not AuditEvent.objects.filter(action="organisation.update").exists()


def test_secretariat_adds_an_organisation(client: Client, world: World) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    response = client.post(
        "/directory/new/",
        {
            "name_en": "Ministry of Justice",
            "name_km": "ក្រសួងយុត្តិធម៌",
            "kind": "government",
            "scope": "national",
            "is_verified": "on",
        },
    )
    org = Organisation.objects.get(name_en="Ministry of Justice")
    assert response["Location"] == f"/directory/{org.slug}/"
    assert org.is_verified
    assert AuditEvent.objects.filter(action="organisation.create", target_id=str(org.pk)).exists()


def test_api_lists_and_filters_with_pagination(client: Client) -> None:
    _with_area_and_province(OrganisationFactory(slug="alpha"), "legal_aid", "17")
    data = client.get(
        "/api/v1/organisations", {"thematic_area": "legal_aid", "province": "17"}
    ).json()
    assert data["count"] == 1 and data["items"][0]["slug"] == "alpha"
    assert data["items"][0]["provinces"] == ["17"]
    first = client.get("/api/v1/organisations", {"page_size": 10}).json()
    assert len(first["items"]) == 10 and first["count"] > 30


def test_api_list_query_count_does_not_grow(client: Client) -> None:
    baseline = query_count(lambda: client.get("/api/v1/organisations"))
    for i in range(20):
        _with_area_and_province(OrganisationFactory(), "education", f"{i % 25 + 1:02d}")
    assert query_count(lambda: client.get("/api/v1/organisations")) == baseline <= 6


def test_api_rejects_bad_query_parameters_with_field_paths(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"page": "0", "kind": "pirates"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    paths = {f["path"] for f in body["fields"]}
    assert {"query.page", "query.kind"} <= paths


def test_api_patch_validates_and_reports_field_paths(client: Client, world: World) -> None:
    login(client, world.user(Role.ORG_ADMIN))
    path = f"/api/v1/organisations/{world.org_a.slug}"
    bad = client.patch(
        path, json.dumps({"kind": "pirates", "acronym": "x" * 40}), content_type="application/json"
    )
    assert bad.status_code == 422
    paths = {f["path"] for f in bad.json()["error"]["fields"]}
    assert {"body.kind", "body.acronym"} <= paths
    bad_email = client.patch(path, json.dumps({"email": "nope"}), content_type="application/json")
    assert bad_email.status_code == 422
    assert bad_email.json()["error"]["fields"][0]["path"] == "body.email"
    unknown = client.patch(path, json.dumps({"provinces": ["99"]}), content_type="application/json")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["path"] == "body.provinces"
    assert Organisation.objects.get(pk=world.org_a.pk).email == ""
    good = client.patch(
        path,
        json.dumps({"acronym": "LAC2", "provinces": ["12", "08"]}),
        content_type="application/json",
    )
    assert good.status_code == 200
    assert good.json()["acronym"] == "LAC2" and sorted(good.json()["provinces"]) == ["08", "12"]
    assert AuditEvent.objects.filter(action="organisation.update").count() == 1


def test_api_patch_without_csrf_token_is_refused_for_session_users(world: World) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, world.user(Role.ORG_ADMIN))
    response = csrf_client.patch(
        f"/api/v1/organisations/{world.org_a.slug}",
        json.dumps({"acronym": "X"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert Organisation.objects.get(pk=world.org_a.pk).acronym != "X"


def test_unknown_organisation_is_404_in_both_web_and_api(client: Client) -> None:
    assert client.get("/directory/no-such-org/").status_code == 404
    api = client.get("/api/v1/organisations/no-such-org")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"


def test_api_kind_values_match_the_model() -> None:
    from typing import get_args

    from komar.organisations.api import Kind, KindOrAny

    assert set(get_args(Kind)) == set(Organisation.Kind.values)
    assert set(get_args(KindOrAny)) == {"", *Organisation.Kind.values}
