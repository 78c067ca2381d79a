"""Every route × every actor: anonymous, each role (in organisation A), and the admin of another
organisation (B). Allowed actors get the route's success status; signed-in actors without the
right get 403 (404 where existence is private); anonymous visitors are sent to sign in (web) or
get 401 (API). Denied writes change nothing. `test_every_route_is_in_the_matrix` makes sure a
new route cannot be added without an entry here."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from komar.accounts.models import ApiToken, Membership
from komar.accounts.roles import Role
from komar.accounts.services import token_create
from komar.geo.models import Province
from komar.organisations.models import Organisation
from komar.places.models import Place, PlaceType
from komar.statistics.models import ChildPopulation, CountReturn, ImportJob
from tests.cases.matrix_api import CASE_API_ROUTES
from tests.cases.matrix_web import CASE_WEB_ROUTES
from tests.commitments.matrix_api import COMMITMENT_API_ROUTES
from tests.commitments.matrix_public import PROGRESS_ROUTES
from tests.commitments.matrix_transfer import TRANSFER_ROUTES
from tests.commitments.matrix_web import COMMITMENT_WEB_ROUTES
from tests.conftest import World, login
from tests.matrix import (  # noqa: F401 - shared with the apps' own matrix entries
    ACTORS,
    ALL_ROLES,
    ANON,
    EVERYONE,
    NEW_PLACE,
    ORG_ADMIN,
    OTHER,
    PLACE_EDITORS,
    SEC,
    SIGNED_IN,
    Route,
)
from tests.participation.matrix import PARTICIPATION_ROUTES
from tests.statements.matrix import STATEMENT_ROUTES

SUBMITTERS = {SEC, Role.MONITOR.value, Role.GOVERNMENT_FOCAL_POINT.value}


def _return(w: World) -> CountReturn:
    """A draft return entered by the world's monitor."""
    existing = CountReturn.objects.filter(place__code="kh-cc4").first()
    if existing:
        return existing
    return CountReturn.objects.create(
        place=Place.objects.get(code="kh-cc4"),
        reference_date=dt.date(2026, 3, 31),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        total_held=4,
        created_by=w.user(Role.MONITOR),
    )


def _import_job(w: World) -> ImportJob:
    job = ImportJob.objects.first()
    return job or ImportJob.objects.create(
        file_name="x.csv",
        stored_path="/nonexistent",
        sha256="0" * 64,
        created_by=w.user(Role.MONITOR),
    )


def _member_b(w: World) -> Membership:
    return Membership.objects.get(organisation=w.org_a, user=w.user(Role.MONITOR))


def _token(w: World) -> ApiToken:
    token = ApiToken.objects.filter(user=w.user(SEC), name="matrix").first()
    return token or token_create(user=w.user(SEC), name="matrix")[0]


ROUTES = [
    Route("home", lambda w: "/", EVERYONE),
    Route("healthz", lambda w: "/healthz", EVERYONE),
    Route("directory", lambda w: "/directory/", EVERYONE),
    Route("organisation_detail", lambda w: f"/directory/{w.org_a.slug}/", EVERYONE),
    Route(
        "organisation_edit",
        lambda w: f"/directory/{w.org_a.slug}/edit/",
        {SEC, ORG_ADMIN},
    ),
    Route(
        "organisation_edit",
        lambda w: f"/directory/{w.org_a.slug}/edit/",
        {SEC, ORG_ADMIN},
        method="post",
        data=lambda w: {"name_en": "Hijacked", "name_km": "ក", "kind": "ngo", "scope": "national"},
        ok=302,
        unchanged=lambda w: Organisation.objects.get(pk=w.org_a.pk).name_en,
    ),
    Route("organisation_create", lambda w: "/directory/new/", {SEC}),
    Route(
        "organisation_create",
        lambda w: "/directory/new/",
        {SEC},
        method="post",
        data=lambda w: {
            "name_en": "New NGO",
            "name_km": "អង្គការថ្មី",
            "kind": "ngo",
            "scope": "national",
        },
        ok=302,
        unchanged=lambda w: Organisation.objects.filter(name_en="New NGO").count(),
    ),
    Route("members", lambda w: f"/directory/{w.org_a.slug}/members/", {SEC, ORG_ADMIN}),
    Route(
        "members",
        lambda w: f"/directory/{w.org_a.slug}/members/",
        {SEC, ORG_ADMIN},
        method="post",
        data=lambda w: {"email": "new@x.example.invalid", "full_name": "N", "role": "analyst"},
        ok=302,
        unchanged=lambda w: Membership.objects.filter(user__email="new@x.example.invalid").count(),
    ),
    Route(
        "member_update",
        lambda w: f"/directory/{w.org_a.slug}/members/{_member_b(w).pk}/",
        {SEC, ORG_ADMIN},
        method="post",
        data=lambda w: {"action": "change", "role": "analyst"},
        ok=302,
        unchanged=lambda w: _member_b(w).role,
    ),
    Route("dashboard", lambda w: "/dashboard/", SIGNED_IN),
    Route("tokens", lambda w: "/account/tokens/", SIGNED_IN),
    Route(
        "token_revoke",
        lambda w: f"/account/tokens/{_token(w).pk}/revoke/",
        {SEC},
        method="post",
        ok=302,
        denied_status=404,  # someone else's token: its existence is not revealed
        unchanged=lambda w: ApiToken.objects.get(pk=_token(w).pk).revoked_at,
    ),
    Route(
        "set_language",
        lambda w: "/i18n/setlang/",
        EVERYONE,
        method="post",
        data=lambda w: {"language": "km", "next": "/"},
        ok=302,
    ),
    Route("audit_log", lambda w: "/audit/", {SEC}),
    Route("national_picture", lambda w: "/statistics/", EVERYONE),
    Route("national_picture_csv", lambda w: "/statistics/children-held.csv", EVERYONE, ok=404),
    Route("return_list", lambda w: "/statistics/returns/", SIGNED_IN),
    Route("import_upload", lambda w: "/statistics/import/", SUBMITTERS),
    Route("population", lambda w: "/statistics/population/", SIGNED_IN),
    Route(
        "returns_validate_many",
        lambda w: "/statistics/returns/validate/",
        {SEC, Role.ANALYST.value, Role.GOVERNMENT_FOCAL_POINT.value},
        method="post",
        ok=302,
    ),
    Route(
        "population",
        lambda w: "/statistics/population/",
        {SEC, Role.ANALYST.value},
        method="post",
        data=lambda w: {
            "province": Province.objects.get(code="12").pk,
            "year": "2026",
            "population": "500000",
            "source": "test source",
        },
        ok=302,
        unchanged=lambda w: ChildPopulation.objects.count(),
    ),
    Route("import_template", lambda w: "/statistics/import/template.csv", SUBMITTERS),
    Route(
        "import_job",
        lambda w: f"/statistics/import/{_import_job(w).pk}/",
        {Role.MONITOR.value},  # only the person who uploaded it
        not_found_for=SUBMITTERS - {Role.MONITOR.value},
    ),
    Route("return_create", lambda w: "/statistics/returns/new/", SUBMITTERS),
    Route(
        "return_create",
        lambda w: "/statistics/returns/new/",
        SUBMITTERS,
        method="post",
        data=lambda w: {
            "place": Place.objects.get(code="kh-cc3").pk,
            "reference_date": "2026-06-30",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
        },
        ok=302,
        unchanged=lambda w: CountReturn.objects.filter(place__code="kh-cc3").count(),
    ),
    Route("return_detail", lambda w: f"/statistics/returns/{_return(w).pk}/", SIGNED_IN),
    Route("return_edit", lambda w: f"/statistics/returns/{_return(w).pk}/edit/", SUBMITTERS),
    Route(
        "return_edit",
        lambda w: f"/statistics/returns/{_return(w).pk}/edit/",
        SUBMITTERS,
        method="post",
        data=lambda w: {"total_held": "9"},
        ok=302,
        unchanged=lambda w: CountReturn.objects.get(pk=_return(w).pk).total_held,
    ),
    Route(
        "return_transition",
        lambda w: f"/statistics/returns/{_return(w).pk}/submit/",
        SUBMITTERS,
        method="post",
        ok=302,
        unchanged=lambda w: CountReturn.objects.get(pk=_return(w).pk).status,
    ),
    Route("place_list", lambda w: "/places/", SIGNED_IN),
    Route("place_detail", lambda w: "/places/kh-cc2/", SIGNED_IN),
    Route("place_create", lambda w: "/places/new/", PLACE_EDITORS),
    Route(
        "place_create",
        lambda w: "/places/new/",
        PLACE_EDITORS,
        method="post",
        data=lambda w: {
            **NEW_PLACE,
            "place_type": PlaceType.objects.get(code="police_station").pk,
            "province": Province.objects.get(code="17").pk,
            "operator": "state",
        },
        ok=302,
        unchanged=lambda w: Place.objects.filter(code="kh-test-place").count(),
    ),
    Route("place_edit", lambda w: "/places/kh-cc2/edit/", PLACE_EDITORS),
    Route(
        "place_edit",
        lambda w: "/places/kh-cc2/edit/",
        PLACE_EDITORS,
        method="post",
        data=lambda w: {
            "code": "kh-cc2",
            "name_en": "Hijacked",
            "name_km": "ក",
            "place_type": PlaceType.objects.get(code="correctional_centre").pk,
            "province": Province.objects.get(code="12").pk,
            "operator": "state",
        },
        ok=302,
        unchanged=lambda w: Place.objects.get(code="kh-cc2").name_en,
    ),
    # API
    Route("api_root", lambda w: "/api/v1/", EVERYONE, ok=404, api=True),
    Route("api:openapi-json", lambda w: "/api/v1/openapi.json", EVERYONE, api=True),
    Route("api:openapi-view", lambda w: "/api/v1/docs", EVERYONE, api=True),
    Route("api:list_organisations", lambda w: "/api/v1/organisations", EVERYONE, api=True),
    Route(
        "api:list_thematic_areas",
        lambda w: "/api/v1/organisations/thematic-areas",
        EVERYONE,
        api=True,
    ),
    Route(
        "api:get_organisation",
        lambda w: f"/api/v1/organisations/{w.org_a.slug}",
        EVERYONE,
        api=True,
    ),
    Route(
        "api:patch_organisation",
        lambda w: f"/api/v1/organisations/{w.org_a.slug}",
        {SEC, ORG_ADMIN},
        method="patch",
        data=lambda w: {"acronym": "HIJACK"},
        api=True,
        unchanged=lambda w: Organisation.objects.get(pk=w.org_a.pk).acronym,
    ),
    Route("api:list_provinces", lambda w: "/api/v1/provinces", EVERYONE, api=True),
    Route("api:list_situations", lambda w: "/api/v1/situations", EVERYONE, api=True),
    Route("api:me", lambda w: "/api/v1/me", SIGNED_IN, api=True),
    Route("api:list_places", lambda w: "/api/v1/places", SIGNED_IN, api=True),
    Route("api:list_indicators", lambda w: "/api/v1/indicators", EVERYONE, api=True),
    Route("api:indicator_values", lambda w: "/api/v1/indicators/jj2?year=2026", EVERYONE, api=True),
    Route(
        "api:indicator_sdmx",
        lambda w: "/api/v1/indicators/jj2/sdmx.csv?year=2026",
        EVERYONE,
        api=True,
    ),
    Route("api:list_returns", lambda w: "/api/v1/returns", SIGNED_IN, api=True),
    Route("api:get_return", lambda w: f"/api/v1/returns/{_return(w).pk}", SIGNED_IN, api=True),
    Route(
        "api:create_return",
        lambda w: "/api/v1/returns",
        SUBMITTERS,
        method="post_json",
        data=lambda w: {
            "place": "kh-cc3",
            "reference_date": "2026-06-30",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "total_held": 2,
        },
        ok=201,
        api=True,
        unchanged=lambda w: CountReturn.objects.filter(place__code="kh-cc3").count(),
    ),
    Route(
        "api:put_numbers",
        lambda w: f"/api/v1/returns/{_return(w).pk}/numbers",
        SUBMITTERS,
        method="put",
        data=lambda w: {"total_held": 1},
        api=True,
        unchanged=lambda w: CountReturn.objects.get(pk=_return(w).pk).total_held,
    ),
    Route(
        "api:transition",
        lambda w: f"/api/v1/returns/{_return(w).pk}/submit",
        SUBMITTERS,
        method="post_json",
        api=True,
        unchanged=lambda w: CountReturn.objects.get(pk=_return(w).pk).status,
    ),
    Route("api:get_place", lambda w: "/api/v1/places/kh-cc2", SIGNED_IN, api=True),
    Route(
        "api:create_place",
        lambda w: "/api/v1/places",
        PLACE_EDITORS,
        method="post_json",
        data=lambda w: NEW_PLACE,
        ok=201,
        api=True,
        unchanged=lambda w: Place.objects.filter(code="kh-test-place").count(),
    ),
    Route(
        "api:patch_place",
        lambda w: "/api/v1/places/kh-cc2",
        PLACE_EDITORS,
        method="patch",
        data=lambda w: {"capacity": 1},
        api=True,
        unchanged=lambda w: Place.objects.get(code="kh-cc2").capacity,
    ),
    Route("api:list_events", lambda w: "/api/v1/audit/events", {SEC}, api=True),
]
ROUTES += CASE_WEB_ROUTES + CASE_API_ROUTES
ROUTES += COMMITMENT_WEB_ROUTES + PROGRESS_ROUTES + TRANSFER_ROUTES + COMMITMENT_API_ROUTES
ROUTES += STATEMENT_ROUTES + PARTICIPATION_ROUTES


def _client_for(actor: str, world: World, client: Any) -> Any:
    if actor == ANON:
        return client
    user = world.other_admin if actor == OTHER else world.user(actor)
    return login(client, user)


def _call(client: Any, route: Route, world: World) -> Any:
    path, data = route.path(world), route.data(world)
    if route.method == "get":
        return client.get(path)
    if route.method == "patch":
        return client.patch(path, data=json.dumps(data), content_type="application/json")
    if route.method == "put":
        return client.put(path, data=json.dumps(data), content_type="application/json")
    if route.method == "delete":
        return client.delete(path)
    if route.method == "post_json":
        return client.post(path, data=json.dumps(data), content_type="application/json")
    return client.post(path, data=data)


CASES = [(route, actor) for route in ROUTES for actor in ACTORS]


@pytest.mark.parametrize(
    ("route", "actor"),
    CASES,
    ids=[f"{r.method}-{r.name}-{a}" for r, a in CASES],
)
def test_route_access(route: Route, actor: str, world: World, client: Any) -> None:
    client = _client_for(actor, world, client)
    before = route.unchanged(world) if route.unchanged else None
    response = _call(client, route, world)
    if actor in route.status_for:
        assert response.status_code == route.status_for[actor], response.content[:300]
        if route.unchanged and route.status_for[actor] >= 400:
            assert route.unchanged(world) == before
        return
    if actor in route.allowed:
        assert response.status_code == route.ok, response.content[:300]
        if route.api and route.ok == 404:
            assert response.json()["error"]["code"] == "not_found"
        return
    if actor == ANON:
        if route.api:
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "not_authenticated"
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/account/login/")
    elif actor in route.not_found_for:
        assert response.status_code == 404
    else:
        assert response.status_code == route.denied_status
        if route.api:
            assert response.json()["error"]["status"] == route.denied_status
    if route.unchanged:
        assert route.unchanged(world) == before


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            found.append((f"{namespace}{p.name}" if p.name else prefix + str(p.pattern), p))
    return found


def test_every_route_is_in_the_matrix() -> None:
    """Komar's own routes and API operations must all be listed above (allauth's account pages
    guard themselves and are covered by tests/accounts)."""
    names = {route.name for route in ROUTES}
    missing = []
    for name, pattern in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "") or ""
        if module.startswith("allauth.") or name == "api:api-root":
            continue  # allauth guards itself; ninja's root is shadowed by "api_root"
        if name.startswith("api:"):
            view = pattern.callback
            owner = getattr(view, "__self__", None)
            operations = getattr(owner, "operations", None)
            if operations:
                for op in operations:
                    if f"api:{op.view_func.__name__}" not in names:
                        missing.append(f"api:{op.view_func.__name__}")
                continue
        if name not in names and not name.startswith("^api/"):
            missing.append(name)
    assert not missing, f"routes missing from the permission matrix: {sorted(set(missing))}"
