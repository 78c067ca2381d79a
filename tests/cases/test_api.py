"""The cases API: who sees which case and which parts of it, timelines that cannot happen,
concurrent edits, the access log, and the query count of the list."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.cases import services
from komar.cases.models import Case, LegalRule, Referral, TimelineEvent
from tests.cases.helpers import add_event, days_ago, detained_case, open_case
from tests.conftest import World, login, query_count

CW = Role.CASEWORKER
NAMES = ("Sok Dara", "សុខ ដារា")


def _json(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(path, json.dumps(data), content_type="application/json")


def _reads(case: Case, action: str = "cases.case.read") -> int:
    return AuditEvent.objects.filter(
        action=action, target_type="cases.case", target_id=str(case.pk)
    ).count()


def _shows_no_identity(response: Any) -> None:
    text = response.content.decode()
    for name in NAMES:
        assert name not in text


def _refer(world: World, case: Case, **shares: bool) -> Referral:
    cw = world.user(CW)
    consent = services.consent_record(
        actor=cw,
        case=case,
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Mother",
            "given_on": days_ago(1),
        },
    )
    return services.referral_create(
        actor=cw,
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Family tracing",
        consent_id=consent.pk,
        shares=shares,
    )


def _field_paths(response: Any) -> set[str]:
    return {f["path"] for f in response.json()["error"]["fields"]}


# Listing ---------------------------------------------------------------------------------------


def test_list_shows_own_cases_without_identity(client: Client, world: World) -> None:
    case = detained_case(world, arrested_days_ago=10)
    open_case(
        world,
        name_latin="Chan Vanna",
        name_km="ចាន់ វណ្ណា",
        organisation=world.org_b,
        actor=world.other_admin,
    )
    response = login(client, world.user(CW)).get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["code"] == case.code
    assert item["organisation"] == world.org_a.slug
    assert item["legal_status"] == "pretrial_detention"
    assert item["detained"] is True and item["has_lawyer"] is True
    assert item["deadline_kind"] == "pretrial_detention" and item["deadline_unverified"] is True
    assert item["band"] in {"past", "within_7", "within_30", "later"}
    assert item["version"] == case.version
    assert "name_km" not in item and "birth_date" not in item
    _shows_no_identity(response)


def test_list_needs_the_records_permission(client: Client, world: World) -> None:
    detained_case(world)
    assert client.get("/api/v1/cases").status_code == 401
    denied = login(client, world.user(Role.MONITOR)).get("/api/v1/cases")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "forbidden"


def test_list_filters(client: Client, world: World) -> None:
    detained = detained_case(world, mosvy_number="MS-77")
    free = open_case(world, name_latin="Keo Bopha", name_km="កែវ បុប្ផា")
    login(client, world.user(CW))

    def codes(**params: Any) -> list[str]:
        response = client.get("/api/v1/cases", params)
        assert response.status_code == 200, response.content
        return [c["code"] for c in response.json()["items"]]

    assert codes(q="MS-77") == [detained.code]
    assert codes(q=free.code.lower()) == [free.code]
    assert codes(legal_status="pretrial_detention") == [detained.code]
    assert codes(mine="true") == [detained.code]  # the caseworker is its lawyer
    assert set(codes()) == {detained.code, free.code}
    band = client.get("/api/v1/cases").json()["items"]
    expected = next(c["band"] for c in band if c["code"] == detained.code)
    assert codes(band=expected) == [detained.code]
    bad = client.get("/api/v1/cases", {"status": "lost"})
    assert bad.status_code == 422 and "query.status" in _field_paths(bad)


def test_list_query_count_does_not_grow(client: Client, world: World) -> None:
    for i in range(2):
        detained_case(world, name_latin=f"Child {i}", name_km=f"ក {i}")
    login(client, world.user(CW))
    small = query_count(lambda: client.get("/api/v1/cases"))
    for i in range(2, 6):
        detained_case(world, name_latin=f"Child {i}", name_km=f"ក {i}")
    assert client.get("/api/v1/cases").json()["count"] == 6
    assert query_count(lambda: client.get("/api/v1/cases")) == small


# Opening a case --------------------------------------------------------------------------------


def _new_case(world: World, **over: Any) -> dict[str, Any]:
    birth = timezone.localdate() - dt.timedelta(days=16 * 365)
    return {
        "organisation": world.org_a.slug,
        "name_km": "ម៉ៅ សុភា",
        "name_latin": "Mao Sophea",
        "birth_date": birth.isoformat(),
        "sex": "female",
        "lawyer": world.user(CW).email,
        "mosvy_number": "MS-1",
        **over,
    }


def test_caseworker_opens_a_case(client: Client, world: World) -> None:
    login(client, world.user(CW))
    response = _json(client, "post", "/api/v1/cases", _new_case(world))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert case.organisation == world.org_a and case.lawyer == world.user(CW)
    assert body["lawyer"] == world.user(CW).email and body["version"] == 1
    assert body["access"]["owner"] is True and body["mosvy_number"] == "MS-1"
    assert body["age_at_offence"] is None and case.identity.name_latin == "Mao Sophea"
    assert "Mao Sophea" not in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.case.opened", target_id=str(case.pk)).exists()


def test_opening_a_case_reports_field_errors_and_saves_nothing(
    client: Client, world: World
) -> None:
    login(client, world.user(CW))
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name_km": "", "name_latin": ""}, "body.name_km"),
        ({"birth_date": future}, "body.birth_date"),
        ({"sex": "unknown"}, "body.sex"),
        ({"organisation": "no-such-org"}, "body.organisation"),
        ({"lawyer": world.user(Role.MONITOR).email}, "body.lawyer"),
        ({"lawyer": "nobody@nowhere.invalid"}, "body.lawyer"),
        ({"birth_date": "2000-01-01", "offence_date": days_ago(3).isoformat()}, "body.birth_date"),
    ]
    for change, path in cases:
        response = _json(client, "post", "/api/v1/cases", _new_case(world, **change))
        assert response.status_code == 422, (change, response.content)
        assert response.json()["error"]["code"] == "validation_error"
        assert path in _field_paths(response), (change, response.json())
    assert not Case.objects.exists()


def test_opening_a_case_for_another_organisation_is_forbidden(client: Client, world: World) -> None:
    login(client, world.user(CW))
    response = _json(
        client, "post", "/api/v1/cases", _new_case(world, organisation=world.org_b.slug)
    )
    assert response.status_code == 403
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    assert _json(client, "post", "/api/v1/cases", _new_case(world)).status_code == 403
    assert not Case.objects.exists()


def test_a_possible_duplicate_answers_409_until_confirmed(client: Client, world: World) -> None:
    login(client, world.user(CW))
    first = _json(client, "post", "/api/v1/cases", _new_case(world)).json()["code"]
    again = _json(client, "post", "/api/v1/cases", _new_case(world, name_latin="MAO Sopheaa"))
    assert again.status_code == 409, again.content
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["candidates"] == [first]
    assert Case.objects.count() == 1
    confirmed = _json(
        client,
        "post",
        "/api/v1/cases",
        _new_case(world, name_latin="MAO Sopheaa", confirm_not_duplicate=True),
    )
    assert confirmed.status_code == 201 and Case.objects.count() == 2


# Reading one case ------------------------------------------------------------------------------


def test_case_detail_shows_the_timeline_and_the_rule_and_logs_the_read(
    client: Client, world: World
) -> None:
    case = detained_case(world, mosvy_number="MS-9")
    _refer(world, case)
    login(client, world.user(Role.ORG_ADMIN))
    before = _reads(case)
    response = client.get(f"/api/v1/cases/{case.code}")
    assert response.status_code == 200
    body = response.json()
    assert [e["kind"] for e in body["events"]] == ["arrest", "charge", "pretrial_order"]
    assert body["deadline_rule"]["code"] == case.deadline_rule.code
    assert body["deadline_rule"]["citation_en"] and body["deadline_rule"]["verified"] is False
    assert [r["to_organisation"] for r in body["referrals"]] == [world.org_b.slug]
    assert body["mosvy_number"] == "MS-9" and body["access"]["can_edit"] is True
    _shows_no_identity(response)
    assert _reads(case) == before + 1
    read = AuditEvent.objects.filter(action="cases.case.read").order_by("-seq").first()
    assert read is not None and read.actor == world.user(Role.ORG_ADMIN)


def test_a_case_is_404_for_those_who_may_not_see_it(client: Client, world: World) -> None:
    case = detained_case(world)
    for user in (world.other_admin, world.user(Role.MONITOR), world.user(Role.ANALYST)):
        login(client, user)
        for path in (f"/api/v1/cases/{case.code}", f"/api/v1/cases/{case.code}/identity?purpose=x"):
            response = client.get(path)
            assert response.status_code == 404, (user, path)
            assert response.json()["error"]["code"] == "not_found"
    login(client, world.user(CW))
    assert client.get("/api/v1/cases/C-NONE-XXXX").status_code == 404
    assert _reads(case) == 0


def test_identity_needs_a_purpose_and_its_read_is_logged(client: Client, world: World) -> None:
    case = detained_case(world)
    login(client, world.user(CW))
    missing = client.get(f"/api/v1/cases/{case.code}/identity")
    assert missing.status_code == 422 and "query.purpose" in _field_paths(missing)
    blank = client.get(f"/api/v1/cases/{case.code}/identity", {"purpose": "   "})
    assert blank.status_code == 422 and "query.purpose" in _field_paths(blank)
    assert _reads(case, "cases.case.identity_read") == 0
    response = client.get(f"/api/v1/cases/{case.code}/identity", {"purpose": "court visit"})
    assert response.status_code == 200
    body = response.json()
    assert (body["name_latin"], body["name_km"], body["sex"]) == ("Sok Dara", "សុខ ដារា", "male")
    assert body["case"] == case.code and body["birth_date"]
    event = AuditEvent.objects.get(action="cases.case.identity_read", target_id=str(case.pk))
    assert event.changes == {"purpose": "court visit"} and event.actor == world.user(CW)


# Referrals --------------------------------------------------------------------------------------


def test_a_referred_case_shows_only_what_is_shared_until_declined(
    client: Client, world: World
) -> None:
    case = detained_case(world, mosvy_number="MS-5")
    other = login(client, world.other_admin)
    assert other.get(f"/api/v1/cases/{case.code}").status_code == 404
    assert other.get("/api/v1/cases").json()["count"] == 0

    referral = _refer(world, case, share_timeline=True, share_identity=False)
    assert [c["code"] for c in other.get("/api/v1/cases").json()["items"]] == [case.code]
    received = other.get("/api/v1/referrals").json()["items"]
    assert [(r["id"], r["case"], r["from_organisation"]) for r in received] == [
        (referral.pk, case.code, world.org_a.slug)
    ]
    detail = other.get(f"/api/v1/cases/{case.code}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["access"] == {
        "owner": False,
        "can_edit": False,
        "sees_identity": False,
        "sees_timeline": True,
        "sees_notes": False,
        "sees_services": False,
        "referral": referral.pk,
    }
    assert len(body["events"]) == 3
    assert body["referrals"] is None and body["mosvy_number"] is None
    _shows_no_identity(detail)
    assert other.get(f"/api/v1/cases/{case.code}/identity?purpose=x").status_code == 404
    assert _reads(case, "cases.case.identity_read") == 0
    patch = _json(other, "patch", f"/api/v1/cases/{case.code}", {"version": case.version})
    assert patch.status_code == 403  # they may see it, but it is not theirs to change

    declined = _json(
        other, "post", f"/api/v1/referrals/{referral.pk}/answer", {"accept": False, "note": ""}
    )
    assert declined.status_code == 422 and _field_paths(declined) == {"body.note"}
    declined = _json(
        other,
        "post",
        f"/api/v1/referrals/{referral.pk}/answer",
        {"accept": False, "note": "No capacity in that province"},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert other.get(f"/api/v1/cases/{case.code}").status_code == 404
    assert other.get("/api/v1/cases").json()["count"] == 0


def test_a_timeline_not_shared_is_hidden_and_a_shared_identity_can_be_read(
    client: Client, world: World
) -> None:
    case = detained_case(world)
    referral = _refer(world, case, share_timeline=False, share_identity=True)
    other = login(client, world.other_admin)
    body = other.get(f"/api/v1/cases/{case.code}").json()
    assert body["events"] is None and body["access"]["sees_identity"] is True
    identity = other.get(f"/api/v1/cases/{case.code}/identity", {"purpose": "intake"})
    assert identity.status_code == 200 and identity.json()["name_latin"] == "Sok Dara"
    accepted = _json(other, "post", f"/api/v1/referrals/{referral.pk}/answer", {"accept": True})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = _json(other, "post", f"/api/v1/referrals/{referral.pk}/answer", {"accept": True})
    assert again.status_code == 422


def test_only_the_receiver_answers_a_referral(client: Client, world: World) -> None:
    case = detained_case(world)
    referral = _refer(world, case)
    for role in (CW, Role.ORG_ADMIN, Role.MONITOR):
        login(client, world.user(role))
        response = _json(
            client, "post", f"/api/v1/referrals/{referral.pk}/answer", {"accept": True}
        )
        assert response.status_code == 404
        assert client.get("/api/v1/referrals").json().get("count", 0) == 0
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING


def test_caseworker_refers_a_case_through_the_api(client: Client, world: World) -> None:
    case = detained_case(world)
    login(client, world.user(CW))
    path = f"/api/v1/cases/{case.code}/referrals"
    data = {"to_organisation": world.org_b.slug, "reason": "Reintegration support"}
    no_consent = _json(client, "post", path, data)
    assert no_consent.status_code == 422 and _field_paths(no_consent) == {"body.consent"}
    own = _json(client, "post", path, {**data, "to_organisation": world.org_a.slug, "consent": 1})
    assert own.status_code == 422 and "body.to_organisation" in _field_paths(own)
    assert not Referral.objects.exists()
    login(client, world.user(Role.ORG_ADMIN))
    response = _json(client, "post", path, {**data, "override_reason": "Child at risk tonight"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["to_organisation"] == world.org_b.slug and body["without_consent"] is True
    assert (body["share_identity"], body["share_timeline"]) == (False, True)
    assert AuditEvent.objects.filter(action="cases.case.referred_without_consent").exists()


# Changing a case -------------------------------------------------------------------------------


def test_a_stale_version_is_refused_with_the_changes_since(client: Client, world: World) -> None:
    case = detained_case(world)
    seen = case.version
    login(client, world.user(Role.ORG_ADMIN))
    first = _json(
        client, "patch", f"/api/v1/cases/{case.code}", {"version": seen, "mosvy_number": "MS-1"}
    )
    assert first.status_code == 200 and first.json()["version"] == seen + 1
    login(client, world.user(CW))
    stale = _json(
        client, "patch", f"/api/v1/cases/{case.code}", {"version": seen, "mosvy_number": "MS-2"}
    )
    assert stale.status_code == 409, stale.content
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["current_version"] == seen + 1
    assert [c["fields"] for c in error["changes"]] == [["mosvy_number"]]
    assert error["changes"][0]["who"] == world.user(Role.ORG_ADMIN).email
    case.refresh_from_db()
    assert (case.mosvy_number, case.version) == ("MS-1", seen + 1)
    event = _json(
        client,
        "post",
        f"/api/v1/cases/{case.code}/events",
        {"version": seen, "kind": "hearing_scheduled", "date": days_ago(-5).isoformat()},
    )
    assert event.status_code == 409 and event.json()["error"]["current_version"] == seen + 1
    assert case.events.count() == 3


def test_patch_clears_and_sets_staff(client: Client, world: World) -> None:
    case = detained_case(world)
    login(client, world.user(CW))
    response = _json(
        client,
        "patch",
        f"/api/v1/cases/{case.code}",
        {"version": case.version, "lawyer": None, "social_worker": world.user(CW).pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lawyer"] is None and body["social_worker"] == world.user(CW).email
    assert body["has_lawyer"] is False
    case.refresh_from_db()
    assert case.lawyer is None and case.social_worker == world.user(CW)


def test_who_may_change_a_case(client: Client, world: World) -> None:
    case = detained_case(world)
    data = {"version": case.version, "mosvy_number": "X"}
    expected = {
        world.user(Role.SECRETARIAT_ADMIN): 403,  # sees it (its organisation), may not edit
        world.user(Role.MONITOR): 404,
        world.user(Role.YOUTH_MEMBER): 404,
        world.other_admin: 404,
    }
    for user, status in expected.items():
        login(client, user)
        assert _json(client, "patch", f"/api/v1/cases/{case.code}", data).status_code == status
    case.refresh_from_db()
    assert case.mosvy_number == ""


def test_impossible_timelines_are_refused_and_nothing_is_saved(
    client: Client, world: World
) -> None:
    case = open_case(world)
    login(client, world.user(CW))
    path = f"/api/v1/cases/{case.code}/events"

    def post(**data: Any) -> Any:
        return _json(client, "post", path, {"version": case.version, **data})

    release = post(kind="release", date=days_ago(2).isoformat())
    assert release.status_code == 422, release.content
    assert _field_paths(release) == {"body.date"}
    assert "arrest" in release.json()["error"]["fields"][0]["message"]
    hearing = post(kind="hearing_held", date=days_ago(2).isoformat())
    assert hearing.status_code == 422 and _field_paths(hearing) == {"body.date"}
    future = post(kind="arrest", date=days_ago(-2).isoformat())
    assert future.status_code == 422 and _field_paths(future) == {"body.date"}
    charge = post(kind="charge", date=days_ago(2).isoformat())
    assert charge.status_code == 422 and _field_paths(charge) == {"body.offence_class"}
    bad_kind = post(kind="escape", date=days_ago(2).isoformat())
    assert bad_kind.status_code == 422 and _field_paths(bad_kind) == {"body.kind"}
    place = post(kind="arrest", date=days_ago(2).isoformat(), place="kh-nowhere")
    assert place.status_code == 422 and _field_paths(place) == {"body.place"}
    case.refresh_from_db()
    assert case.events.count() == 0 and case.version == 1
    assert not AuditEvent.objects.filter(action="cases.case.event_added").exists()


def test_events_are_added_and_removed(client: Client, world: World) -> None:
    case = open_case(world)
    login(client, world.user(CW))
    added = _json(
        client,
        "post",
        f"/api/v1/cases/{case.code}/events",
        {"version": 1, "kind": "arrest", "date": days_ago(3).isoformat(), "place": "kh-cc2"},
    )
    assert added.status_code == 201, added.content
    body = added.json()
    assert body["event"]["kind"] == "arrest" and body["event"]["place"] == "kh-cc2"
    assert body["case"]["legal_status"] == "police_custody" and body["case"]["version"] == 2
    assert body["case"]["current_place"] == "kh-cc2"
    event_id = body["event"]["id"]
    path = f"/api/v1/cases/{case.code}/events/{event_id}"
    no_reason = client.delete(f"{path}?version=2&reason=%20")
    assert no_reason.status_code == 422 and "query.reason" in _field_paths(no_reason)
    stale = client.delete(f"{path}?version=1&reason=typo")
    assert stale.status_code == 409
    assert (
        client.delete(f"/api/v1/cases/{case.code}/events/999999?version=2&reason=x").status_code
        == 404
    )
    removed = client.delete(f"{path}?version=2&reason=entered+twice")
    assert removed.status_code == 200, removed.content
    assert removed.json()["legal_status"] == "not_detained" and removed.json()["events"] == []
    assert not TimelineEvent.objects.filter(pk=event_id).exists()
    removal = AuditEvent.objects.get(action="cases.case.event_removed")
    assert removal.changes["reason"] == "entered twice"


def test_who_may_remove_an_event(client: Client, world: World) -> None:
    case = detained_case(world)
    order = case.events.order_by("-date", "-pk").first()
    assert order is not None and order.kind == "pretrial_order"
    path = f"/api/v1/cases/{case.code}/events/{order.pk}?version={case.version}&reason=wrong"
    assert client.delete(path).status_code == 401
    expected = {
        world.user(Role.SECRETARIAT_ADMIN): 403,
        world.user(Role.MONITOR): 404,
        world.other_admin: 404,
    }
    for user, status in expected.items():
        assert login(client, user).delete(path).status_code == status
    assert case.events.count() == 3
    removed = login(client, world.user(Role.ORG_ADMIN)).delete(path)
    assert removed.status_code == 200 and removed.json()["legal_status"] == "police_custody"
    assert case.events.count() == 2


def test_removing_an_event_that_others_depend_on_is_refused(client: Client, world: World) -> None:
    case = open_case(world)
    cw = world.user(CW)
    case = add_event(case, cw, kind="arrest", date=days_ago(5))
    case = add_event(case, cw, kind="release", date=days_ago(4))
    arrest = case.events.get(kind="arrest")
    login(client, cw)
    response = client.delete(
        f"/api/v1/cases/{case.code}/events/{arrest.pk}?version={case.version}&reason=wrong"
    )
    assert response.status_code == 422 and _field_paths(response) == {"body.date"}
    assert case.events.count() == 2


# The watch --------------------------------------------------------------------------------------


def test_watch_lists_cases_needing_attention_with_counts(client: Client, world: World) -> None:
    overdue = detained_case(world, arrested_days_ago=400, name_latin="Old", name_km="ចាស់")
    calm = open_case(world, name_latin="Calm", name_km="ស្ងប់")
    other = open_case(world, organisation=world.org_b, actor=world.other_admin, name_latin="B")
    add_event(other, world.other_admin, kind="arrest", date=days_ago(400))
    login(client, world.user(CW))
    response = client.get("/api/v1/watch")
    assert response.status_code == 200, response.content
    body = response.json()
    codes = [c["code"] for c in body["items"]]
    assert overdue.code in codes and calm.code not in codes and body["count"] == len(codes)
    assert body["counts"]["past"] == 1
    _shows_no_identity(response)
    only_b = client.get("/api/v1/watch", {"organisation": world.org_b.slug}).json()
    assert only_b["count"] == 0
    unknown = client.get("/api/v1/watch", {"organisation": "no-such-org"})
    assert unknown.status_code == 422 and _field_paths(unknown) == {"query.organisation"}
    assert login(client, world.user(Role.MONITOR)).get("/api/v1/watch").status_code == 403


def test_coalition_watch_is_aggregate_and_for_the_secretariat(client: Client, world: World) -> None:
    detained_case(world, arrested_days_ago=400)
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    response = client.get("/api/v1/watch/coalition")
    assert response.status_code == 200
    rows = {r["organisation"]: r for r in response.json()}
    assert rows[world.org_a.slug]["open_cases"] == 1 and rows[world.org_a.slug]["past"] == 1
    assert rows[world.org_a.slug]["detained_now"] == 1
    assert rows[world.org_a.slug]["organisation_name_en"] == world.org_a.name_en
    assert "code" not in response.content.decode()
    for role in (CW, Role.ORG_ADMIN, Role.MONITOR):
        assert login(client, world.user(role)).get("/api/v1/watch/coalition").status_code == 403


# Rules ------------------------------------------------------------------------------------------


def test_rules_are_listed_and_confirmed_by_the_secretariat(client: Client, world: World) -> None:
    case = detained_case(world)
    rule = case.deadline_rule
    assert rule is not None and not rule.verified
    login(client, world.user(CW))
    listed = client.get("/api/v1/rules")
    assert listed.status_code == 200
    assert rule.code in {r["code"] for r in listed.json()}
    path = f"/api/v1/rules/{rule.pk}"
    assert _json(client, "patch", path, {"verified": True}).status_code == 403
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    no_citation = _json(client, "patch", path, {"citation_en": ""})
    assert no_citation.status_code == 422 and _field_paths(no_citation) == {"body.citation_en"}
    bad_unit = _json(client, "patch", path, {"limit_unit": "weeks"})
    assert bad_unit.status_code == 422 and "body.limit_unit" in _field_paths(bad_unit)
    rule.refresh_from_db()
    assert not rule.verified and rule.citation_en
    confirmed = _json(client, "patch", path, {"verified": True, "note_en": "Checked"})
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["verified"] is True and body["note_en"] == "Checked"
    assert body["verified_by"] == str(world.user(Role.SECRETARIAT_ADMIN))
    rule.refresh_from_db()
    assert rule.verified and rule.verified_by == world.user(Role.SECRETARIAT_ADMIN)
    assert AuditEvent.objects.filter(action="cases.rule.changed").exists()
    assert (
        client.patch("/api/v1/rules/999999", "{}", content_type="application/json").status_code
        == 404
    )
    assert LegalRule.objects.filter(pk=rule.pk, note_en="Checked").exists()


# The schema ------------------------------------------------------------------------------------


def test_openapi_lists_the_case_paths(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/cases": {"get", "post"},
        "/api/v1/cases/{code}": {"get", "patch"},
        "/api/v1/cases/{code}/identity": {"get"},
        "/api/v1/cases/{code}/events": {"post"},
        "/api/v1/cases/{code}/events/{event_id}": {"delete"},
        "/api/v1/cases/{code}/referrals": {"post"},
        "/api/v1/watch": {"get"},
        "/api/v1/watch/coalition": {"get"},
        "/api/v1/referrals": {"get"},
        "/api/v1/referrals/{referral_id}/answer": {"post"},
        "/api/v1/rules": {"get"},
        "/api/v1/rules/{rule_id}": {"patch"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    case_out = json.dumps(paths["/api/v1/cases"]["get"])
    assert "name_km" not in case_out


def test_consent_is_recorded_through_the_api_without_returning_who_gave_it(
    world: World, client: Client
) -> None:
    from komar.cases.models import Consent

    case = detained_case(world)
    login(client, world.user(Role.CASEWORKER))
    missing = client.post(
        f"/api/v1/cases/{case.code}/consents",
        data={"kind": "consent", "purpose": "referral", "given_on": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"][0]["path"] == "body.given_by"
    response = client.post(
        f"/api/v1/cases/{case.code}/consents",
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Mother Srey",
            "relationship": "mother",
            "given_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "consent" and "given_by" not in body
    assert Consent.objects.get(pk=body["id"]).given_by == "Mother Srey"
    referral = client.post(
        f"/api/v1/cases/{case.code}/referrals",
        data={"to_organisation": world.org_b.slug, "reason": "Tracing", "consent": body["id"]},
        content_type="application/json",
    )
    assert referral.status_code == 201
