"""The tracker's pages inside Komar: the list, one item, the item and source forms, and "what
changed since" — driven through the web UI as the people who use them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.utils import timezone

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.models import Assessment, Item, ItemActor, ItemEvent, Source
from komar.organisations.models import Organisation
from tests.commitments.helpers import assess, make_item, make_source, secretariat
from tests.conftest import World, login, query_count
from tests.factories import OrganisationFactory


def _ministry() -> Organisation:
    return OrganisationFactory(
        slug="ministry-of-justice",
        name_en="Ministry of Justice",
        name_km="ក្រសួងយុត្តិធម៌",
        kind=Organisation.Kind.GOVERNMENT,
    )


def _item_form(source: Source, **extra: Any) -> dict[str, Any]:
    return {
        "source": source.pk,
        "reference": "CRC/C/KHM/CO/4-5 §43(a)",
        "paragraph": "43(a)",
        "kind": "recommendation",
        "text_en": "Ensure that the detention of children is used only as a last resort.",
        "text_km": "ធានាថាការឃុំខ្លួនកុមារត្រូវប្រើជាវិធានការចុងក្រោយ។",
        "summary_en": "Children should be locked up only when nothing else works.",
        "themes": ["child-justice", "arrest-detention"],
        "situations": ["justice"],
        "sdg_targets": ["16.3"],
        **extra,
    }


def _move(client: Client, a: Assessment, to: str) -> None:
    response = client.post(f"/commitments/assessments/{a.pk}/move/", {"to": to})
    assert response.status_code == 302


def _section(html: str, heading: str) -> str:
    """The text of the item page's side-by-side column under `heading`."""
    start = html.index(f"<h3>{heading}</h3>")
    return html[start : start + 3000]


def test_the_secretariat_loads_assigns_and_publishes_two_views_that_disagree(
    world: World, client: Client
) -> None:
    """The issue's "Done when", through the web UI: a source, an item assigned to a ministry,
    a government report and a coalition assessment that disagree, each submitted, validated
    and published; both shown side by side, the gap marked in the list, the history dated."""
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    ministry = _ministry()

    response = client.post(
        "/commitments/sources/new/",
        {
            "code": "crc-co-2022",
            "type": "crc_observations",
            "title_en": "Concluding observations on Cambodia",
            "title_km": "សេចក្តីសន្និដ្ឋានស្តីពីកម្ពុជា",
            "date": "2022-06-27",
            "issuing_body_en": "Committee on the Rights of the Child",
            "symbol": "CRC/C/KHM/CO/4-5",
            "url": "https://docs.un.org/CRC/C/KHM/CO/4-5",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(code="crc-co-2022")

    response = client.post("/commitments/new/", _item_form(source))
    assert response.status_code == 302
    item = Item.objects.get(reference="CRC/C/KHM/CO/4-5 §43(a)")
    assert response["Location"] == f"/commitments/items/{item.pk}/"
    assert sorted(item.themes.values_list("code", flat=True)) == [
        "arrest-detention",
        "child-justice",
    ]
    assert list(item.situations.values_list("code", flat=True)) == ["justice"]

    response = client.post(
        f"/commitments/items/{item.pk}/actors/", {"organisation": ministry.pk, "role": "lead"}
    )
    assert response.status_code == 302
    assert ItemActor.objects.get(item=item).organisation == ministry

    today = timezone.localdate().isoformat()
    for perspective, status in (("government", "implemented"), ("coalition", "in_progress")):
        response = client.post(
            f"/commitments/items/{item.pk}/assess/",
            {
                "perspective": perspective,
                "status": status,
                "assessed_on": today,
                "summary_en": f"The {perspective} view.",
            },
        )
        assert response.status_code == 302
        a = Assessment.objects.get(item=item, perspective=perspective)
        assert response["Location"] == f"/commitments/assessments/{a.pk}/"
        for to in ("submit", "validate", "publish"):
            _move(client, a, to)
        assert Assessment.objects.get(pk=a.pk).state == "published"

    item.refresh_from_db()
    assert (item.government_status, item.coalition_status) == ("implemented", "in_progress")

    html = client.get(f"/commitments/items/{item.pk}/").content.decode()
    assert "Implemented" in _section(html, "Government reports")
    assert "The government view." in _section(html, "Government reports")
    assert "In progress" in _section(html, "Coalition assesses")
    assert "The coalition view." in _section(html, "Coalition assesses")
    assert "Ministry of Justice" in html
    assert "The government and the coalition see this differently" in html
    assert html.count("Assessment published") == 2  # in the history, one line each
    assert "Item added" in html

    listing = client.get("/commitments/?gap=on").content.decode()
    assert item.reference in listing
    assert "views differ" in listing
    agreeing = make_item(world, source=source)
    listing = client.get("/commitments/?gap=on").content.decode()
    assert agreeing.reference not in listing
    assert agreeing.reference in client.get("/commitments/").content.decode()


def test_bad_item_input_gives_field_errors_and_saves_nothing(world: World, client: Client) -> None:
    login(client, world.user(Role.ANALYST))
    source = make_source(world)
    existing = make_item(world, source=source, reference="A/74/136 R1")
    before = (Item.objects.count(), ItemEvent.objects.count())

    duplicate = client.post("/commitments/new/", _item_form(source, reference="A/74/136 R1"))
    assert duplicate.status_code == 400
    assert "Another item already has this reference." in duplicate.content.decode()

    unknown = client.post("/commitments/new/", _item_form(source, themes=["no-such-theme"]))
    assert unknown.status_code == 400
    assert re.search(
        r"no-such-theme.{0,40}not one of the available choices", unknown.content.decode()
    )

    dated_only = client.post(
        "/commitments/new/", _item_form(source, state_response_on="2022-01-01")
    )
    assert dated_only.status_code == 400
    assert "Choose the state&#x27;s response for the date you gave." in dated_only.content.decode()

    assert (Item.objects.count(), ItemEvent.objects.count()) == before
    assert existing.themes.count() == 0


def test_an_archived_item_is_not_edited_and_restoring_it_allows_editing_again(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    item = make_item(world)
    assert (
        client.post(f"/commitments/items/{item.pk}/archive/", {"archived": "1"}).status_code == 302
    )
    item.refresh_from_db()
    assert item.is_archived
    assert item.reference not in client.get("/commitments/").content.decode()
    assert item.reference in client.get("/commitments/?archived=on").content.decode()

    data = _item_form(item.source, reference=item.reference, text_en="Changed.")
    refused = client.post(f"/commitments/items/{item.pk}/edit/", data)
    assert refused.status_code == 400
    assert "This item is archived" in refused.content.decode()
    assert Item.objects.get(pk=item.pk).text_en != "Changed."

    published = client.post(f"/commitments/items/{item.pk}/publish/", {"published": "1"})
    assert published.status_code == 302
    assert not Item.objects.get(pk=item.pk).is_published  # archived items stay off the site

    client.post(f"/commitments/items/{item.pk}/archive/", {"archived": "0"})
    assert client.post(f"/commitments/items/{item.pk}/edit/", data).status_code == 302
    assert Item.objects.get(pk=item.pk).text_en == "Changed."
    assert client.get(f"/commitments/items/{item.pk}/archive/").status_code == 405


def test_links_and_actors_refuse_bad_input_on_the_item_page(world: World, client: Client) -> None:
    login(client, world.user(Role.ANALYST))
    item = make_item(world)
    other = make_item(world, source=item.source)

    unknown = client.post(
        f"/commitments/items/{item.pk}/links/", {"to_item": "NOPE", "kind": "repeats"}
    )
    assert unknown.status_code == 400
    assert "No item has this reference." in unknown.content.decode()
    itself = client.post(
        f"/commitments/items/{item.pk}/links/", {"to_item": item.reference, "kind": "repeats"}
    )
    assert itself.status_code == 400
    assert "An item cannot be linked to itself." in itself.content.decode()
    ok = client.post(
        f"/commitments/items/{item.pk}/links/", {"to_item": other.reference, "kind": "repeats"}
    )
    assert ok.status_code == 302
    html = client.get(f"/commitments/items/{other.pk}/").content.decode()
    assert item.reference in html  # the link shows from both ends

    bad_role = client.post(
        f"/commitments/items/{item.pk}/actors/", {"organisation": world.org_b.pk, "role": "boss"}
    )
    assert bad_role.status_code == 400
    assert ItemActor.objects.count() == 0
    client.post(
        f"/commitments/items/{item.pk}/actors/",
        {"organisation": world.org_b.pk, "role": "supporting"},
    )
    link = ItemActor.objects.get()
    assert client.post(f"/commitments/items/{item.pk}/actors/{link.pk}/remove/").status_code == 302
    assert ItemActor.objects.count() == 0
    html = client.get(f"/commitments/items/{item.pk}/").content.decode()
    assert f"{world.org_b.name_en} removed" in html  # the history says what happened


def test_the_list_filters_by_theme_actor_and_status_from_one_perspective(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.YOUTH_MEMBER))
    ministry = _ministry()
    themed = make_item(world, themes=["torture"])
    assigned = make_item(world)
    services.actor_set(actor=secretariat(world), item=assigned, organisation=ministry, role="lead")
    reported = make_item(world)
    assess(world, reported, perspective="government", status="implemented", state="published")

    def refs(query: str) -> set[str]:
        html = client.get(f"/commitments/?{query}").content.decode()
        return set(re.findall(r"<code>([^<]+)</code></a>", html))

    assert refs("theme=torture") == {themed.reference}
    assert refs(f"actor={ministry.pk}") == {assigned.reference}
    assert refs("status=implemented&perspective=government") == {reported.reference}
    assert refs("status=implemented&perspective=coalition") == set()
    assert refs(f"q={themed.reference}") == {themed.reference}
    html = client.get("/commitments/").content.decode()
    assert "New item" not in html  # youth members read, they do not edit
    assert "/commitments/export.csv" in html
    partial = client.get("/commitments/?theme=torture", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="results"')
    assert themed.reference in partial.content.decode()
    item_page = client.get(f"/commitments/items/{themed.pk}/").content.decode()
    assert "Record an assessment" not in item_page and "Archive" not in item_page


def test_the_item_page_speaks_khmer_with_english_one_click_away(world: World) -> None:
    item = make_item(world, summary_en="Plain words.", summary_km="ពាក្យសាមញ្ញ។")
    client = login(Client(headers={"accept-language": "km"}), world.user(Role.MONITOR))
    html = client.get(f"/commitments/items/{item.pk}/").content.decode()
    assert item.text_km in html
    details = html[html.index('<details lang="en">') :]
    assert item.text_en in details[: details.index("</details>")]
    assert "Plain words." in details[: details.index("</details>")]


def test_what_changed_since_is_grouped_by_day_and_defaults_to_thirty_days(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.MONITOR))
    old = make_item(world)
    recent = make_item(world, source=old.source)
    ItemEvent.objects.filter(item=old).update(at=timezone.now() - dt.timedelta(days=45))
    html = client.get("/commitments/changes/").content.decode()
    assert recent.reference in html
    assert old.reference not in html
    assert f'href="/commitments/items/{recent.pk}/"' in html

    since = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    html = client.get(f"/commitments/changes/?since={since}").content.decode()
    assert old.reference in html
    assert len(re.findall(r"<section class=\"changes-day\">", html)) == 2  # two days
    assert client.get("/commitments/changes/?since=not-a-date").status_code == 200


def test_sources_show_their_item_counts_and_refuse_a_duplicate_code(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    source = make_source(world, code="upr-2019")
    make_item(world, source=source)
    make_item(world, source=source)
    html = client.get("/commitments/sources/").content.decode()
    assert f'?source={source.pk}">2</a>' in html
    response = client.post(
        "/commitments/sources/new/",
        {
            "code": "upr-2019",
            "type": "upr",
            "title_en": "Again",
            "title_km": "ម្តងទៀត",
            "date": "2019-05-01",
            "issuing_body_en": "Human Rights Council",
        },
    )
    assert response.status_code == 400
    assert Source.objects.filter(code="upr-2019").count() == 1


def _busy_item(world: World, item: Item, n: int) -> None:
    """n more rows of everything an item page shows."""
    monitor = world.user(Role.MONITOR)
    for i in range(n):
        other = make_item(world, source=item.source)
        services.link_add(actor=secretariat(world), from_item=item, to_item=other, kind="repeats")
        services.actor_set(
            actor=secretariat(world),
            item=item,
            organisation=OrganisationFactory(),
            role="supporting",
        )
        services.action_create(actor=monitor, item=item, description=f"Step {i}", status="planned")
        assess(world, item, state="published", status="in_progress", days_ago=i + 1)
        a = assess(world, item, perspective="government", state="validated", days_ago=i + 1)
        services.evidence_add(
            actor=secretariat(world),
            assessment=a,
            title="Link",
            tier="coalition",
            url="https://e.org",
        )


def test_list_item_and_changes_query_counts_do_not_grow_with_rows(
    world: World, client: Client
) -> None:
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    item = make_item(world, themes=["torture"])
    pages = ("/commitments/", f"/commitments/items/{item.pk}/", "/commitments/changes/",
             "/commitments/sources/", "/commitments/review/")  # fmt: skip
    _busy_item(world, item, 2)
    assert all(client.get(u).status_code == 200 for u in pages)
    small = [query_count(lambda u=u: client.get(u)) for u in pages]
    _busy_item(world, item, 6)
    large = [query_count(lambda u=u: client.get(u)) for u in pages]
    assert small == large
    assert item.assessments.count() == 16


def test_the_main_navigation_links_the_tracker_for_members_only(
    world: World, client: Client
) -> None:
    nav = '<li><a href="/commitments/">Commitments</a></li>'
    assert nav not in client.get("/").content.decode()
    login(client, world.user(Role.YOUTH_MEMBER))
    assert nav in client.get("/").content.decode()
