"""Events: the 2021 preload, the public list and page, and the organisers' forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.commitments.models import Item, Source
from komar.core.reference import load_all
from komar.participation import services
from komar.participation.models import ChildRequest, Event, Participation
from tests.conftest import World, login, query_count
from tests.participation.helpers import make_event, secretariat

pytestmark = pytest.mark.django_db

LAUNCH = "kh-global-study-launch-2021"
PREP = "kh-world-congress-preparatory-2021"
CONGRESS = "world-congress-justice-with-children-2021"


def test_the_2021_events_are_preloaded_as_the_statement_describes() -> None:
    launch = Event.objects.get(code=LAUNCH)
    assert launch.title_en.startswith("National Launch of the UN Global Study")
    assert (launch.starts_on, launch.ends_on, launch.format) == (
        dt.date(2021, 4, 22),
        None,
        "online",
    )
    assert launch.is_public and "5 May 2021" in launch.citation
    groups = dict(launch.participants.values_list("group", "count"))
    assert set(groups) == {
        "children", "youth", "government", "civil_society", "un_agencies", "academia",
        "development_partners", "public",
    }  # fmt: skip
    assert set(groups.values()) == {None}  # counts unknown: absent, not zero
    assert not launch.requests.exists()  # the ten requests are not in the seed: users enter them
    prep = Event.objects.get(code=PREP)
    assert (prep.starts_on, prep.format) == (dt.date(2021, 4, 22), "online")
    assert "immediately following" in prep.place_en
    congress = Event.objects.get(code=CONGRESS)
    assert (congress.starts_on, congress.ends_on) == (dt.date(2021, 11, 15), dt.date(2021, 11, 20))
    assert "Mexico" in congress.place_en and congress.format == "online"
    for e in (launch, prep, congress):
        assert e.title_km and e.citation


def test_the_preload_never_overwrites(world: World) -> None:
    launch = Event.objects.get(code=LAUNCH)
    services.event_save(
        actor=secretariat(world),
        event=launch,
        data={"title_en": "Edited by the coalition", "title_km": launch.title_km},
        organisers=[world.org_a],
    )
    Participation.objects.filter(event=launch, group="children").update(count=40)
    load_all()
    launch.refresh_from_db()
    assert launch.title_en == "Edited by the coalition"
    assert launch.participants.get(group="children").count == 40
    assert Event.objects.filter(code=LAUNCH).count() == 1


def test_public_list_shows_public_events_only(client: Any, world: World) -> None:
    make_event(world, title_en="Open consultation")
    make_event(world, title_en="Closed planning meeting", is_public=False)
    html = client.get("/events/").content.decode()
    assert "Open consultation" in html and "National Launch" in html
    assert "Closed planning meeting" not in html


def test_organisers_and_the_secretariat_see_unlisted_events(client: Any, world: World) -> None:
    hidden = make_event(world, title_en="Closed planning meeting", is_public=False)
    login(client, world.user(Role.YOUTH_MEMBER))  # EVENTS_EDIT in org A, an organiser
    assert "Closed planning meeting" in client.get("/events/").content.decode()
    assert client.get(f"/events/{hidden.pk}/").status_code == 200
    login(client, world.other_admin)  # org B: not an organiser
    assert "Closed planning meeting" not in client.get("/events/").content.decode()
    assert client.get(f"/events/{hidden.pk}/").status_code == 404
    login(client, world.user(Role.MONITOR))  # no EVENTS_EDIT
    assert client.get(f"/events/{hidden.pk}/").status_code == 404


def test_event_page_shows_counts_and_requests_with_tracker_items(client: Any, world: World) -> None:
    event = make_event(world)
    services.participants_set(
        actor=secretariat(world), event=event, groups={"children": 23, "government": None}
    )
    published = Item.objects.filter(is_published=True).first()
    assert published is not None
    hidden = Item.objects.create(
        source=Source.objects.first(), reference="HIDDEN-1", kind="recommendation", text_en="x"
    )
    services.request_save(
        actor=secretariat(world),
        event=event,
        data={"number": 1, "kind": "request", "text_en": "Let us see our families.", "text_km": ""},
        items=[published, hidden],
    )
    html = client.get(f"/events/{event.pk}/").content.decode()
    assert "Children" in html and ">23<" in html
    assert "Government officials" in html and "not known" in html
    assert "Let us see our families." in html
    assert published.reference in html and f"/progress/items/{published.pk}/" in html
    assert "HIDDEN-1" not in html  # unpublished tracker items stay inside
    login(client, world.user(Role.ANALYST))
    assert "HIDDEN-1" in client.get(f"/events/{event.pk}/").content.decode()


def test_event_list_query_count_is_constant(client: Any, world: World) -> None:
    make_event(world)
    few = query_count(lambda: client.get("/events/"))
    for i in range(6):
        e = make_event(world, title_en=f"Event {i}", organisers=[world.org_a, world.org_b])
        services.request_save(
            actor=secretariat(world), event=e, data={"number": 1, "text_en": "x"}, items=[]
        )
    assert query_count(lambda: client.get("/events/")) == few


def test_event_page_query_count_is_constant(client: Any, world: World) -> None:
    event = make_event(world)
    items = list(Item.objects.filter(is_published=True)[:3])
    services.request_save(
        actor=secretariat(world), event=event, data={"number": 1, "text_en": "a"}, items=items[:1]
    )
    one = query_count(lambda: client.get(f"/events/{event.pk}/"))
    for n in range(2, 7):
        services.request_save(
            actor=secretariat(world), event=event, data={"number": n, "text_en": "a"}, items=items
        )
    assert query_count(lambda: client.get(f"/events/{event.pk}/")) == one


def test_an_organiser_creates_an_event_through_the_form(client: Any, world: World) -> None:
    login(client, world.user(Role.YOUTH_MEMBER))
    response = client.post(
        "/events/new/",
        {
            "title_en": "Youth consultation",
            "title_km": "ការពិគ្រោះយោបល់យុវជន",
            "starts_on": "2025-05-01",
            "format": "hybrid",
            "organisers": [world.org_a.pk],
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title_en="Youth consultation")
    assert list(event.organisers.all()) == [world.org_a]
    assert AuditEvent.objects.filter(
        action="participation.event.create", target_id=str(event.pk)
    ).exists()


def test_a_member_cannot_create_an_event_for_another_organisation(
    client: Any, world: World
) -> None:
    login(client, world.user(Role.YOUTH_MEMBER))
    response = client.post(
        "/events/new/",
        {"title_en": "Not ours", "starts_on": "2025-05-01", "format": "online",
         "organisers": [world.org_b.pk]},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["organisers"]
    assert not Event.objects.filter(title_en="Not ours").exists()


def test_bad_event_input_is_refused(client: Any, world: World) -> None:
    login(client, secretariat(world))
    response = client.post(
        "/events/new/",
        {"title_en": "", "title_km": "", "starts_on": "2025-05-02", "ends_on": "2025-05-01",
         "format": "online"},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["title_en"] and errors["ends_on"]
    assert Event.objects.count() == 3


def test_editing_another_organisations_event_is_forbidden(client: Any, world: World) -> None:
    event = make_event(world, organisers=[world.org_b])
    login(client, world.user(Role.ORG_ADMIN))
    response = client.post(
        f"/events/{event.pk}/edit/",
        {
            "title_en": "Hijacked",
            "starts_on": "2025-01-01",
            "format": "online",
            "organisers": [world.org_a.pk],
        },
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title_en == "Consultation with children"
    with pytest.raises(PermissionDenied):
        services.participants_set(actor=world.user(Role.ORG_ADMIN), event=event, groups={})


def test_participant_counts_form(client: Any, world: World) -> None:
    event = make_event(world)
    login(client, world.user(Role.ORG_ADMIN))
    response = client.post(
        f"/events/{event.pk}/participants/",
        {"children_count": "12", "youth_present": "on", "government_count": ""},
    )
    assert response.status_code == 302
    assert dict(event.participants.values_list("group", "count")) == {"children": 12, "youth": None}
    bad = client.post(f"/events/{event.pk}/participants/", {"children_count": "-3"})
    assert bad.status_code == 400
    assert dict(event.participants.values_list("group", "count")) == {"children": 12, "youth": None}


def test_requests_are_numbered_once_per_event(client: Any, world: World) -> None:
    event = make_event(world)
    login(client, world.user(Role.ORG_ADMIN))
    item = Item.objects.first()
    ok = client.post(
        f"/events/{event.pk}/requests/new/",
        {"number": "1", "kind": "request", "text_km": "សូមស្តាប់យើង", "items": [item.pk]},
    )
    assert ok.status_code == 302
    request = ChildRequest.objects.get(event=event)
    assert list(request.items.all()) == [item]
    twice = client.post(
        f"/events/{event.pk}/requests/new/", {"number": "1", "kind": "message", "text_en": "x"}
    )
    assert twice.status_code == 400 and twice.context["form"].errors["number"]
    empty = client.post(f"/events/{event.pk}/requests/new/", {"number": "2", "kind": "message"})
    assert empty.status_code == 400 and empty.context["form"].errors["text_km"]
    assert ChildRequest.objects.filter(event=event).count() == 1
    edit = client.post(
        f"/events/{event.pk}/requests/{request.pk}/",
        {"number": "1", "kind": "request", "text_km": "សូមស្តាប់យើង", "text_en": "Listen to us"},
    )
    assert edit.status_code == 302
    request.refresh_from_db()
    assert request.text_en == "Listen to us" and not request.items.exists()


def test_a_request_of_another_event_is_not_found(client: Any, world: World) -> None:
    a, b = make_event(world), make_event(world, title_en="Other")
    r = services.request_save(
        actor=secretariat(world), event=b, data={"number": 1, "text_en": "x"}, items=[]
    )
    login(client, secretariat(world))
    assert client.get(f"/events/{a.pk}/requests/{r.pk}/").status_code == 404


def test_service_refuses_end_before_start(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        make_event(world, starts_on=dt.date(2025, 5, 2), ends_on=dt.date(2025, 5, 1))
    assert "ends_on" in exc.value.error_dict
