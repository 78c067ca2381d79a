"""The public progress site: published items only, published assessments side by side, public
evidence, public history — in Khmer for a visitor — and 404 for everything else."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.history import describe
from komar.commitments.models import Assessment, Evidence, Item, Perspective, Progress, Tier
from tests.commitments.helpers import assess, make_item, secretariat
from tests.commitments.test_dashboard import table
from tests.conftest import World, login, query_count

PUBLISHED = "published"
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def clean(world: World) -> World:
    """No items but the test's own (the Global Study's preloaded items are removed)."""
    Item.objects.all().delete()
    return world


def published_item(world: World, **data: Any) -> Item:
    item = make_item(world, **data)
    return services.item_publish(actor=secretariat(world), item=item, published=True)


def _evidence(world: World, a: Assessment, tier: str, title: str) -> Evidence:
    return services.evidence_add(
        actor=secretariat(world),
        assessment=a,
        title=title,
        tier=tier,
        file=SimpleUploadedFile(f"{title}.pdf", PDF, content_type="application/pdf"),
    )


def _publish(world: World, a: Assessment) -> Assessment:
    sec = secretariat(world)
    for step in (
        services.assessment_submit,
        services.assessment_validate,
        services.assessment_publish,
    ):
        a = step(actor=sec, assessment=a)
    return a


def _with_evidence(world: World, item: Item) -> dict[str, Evidence]:
    """A published government report with evidence of each tier."""
    a = assess(world, item, perspective="government", status="implemented")
    found = {tier: _evidence(world, a, tier, f"ev-{tier}") for tier in Tier.values}
    _publish(world, a)
    return found


def _anyone(world: World) -> list[Client]:
    return [
        Client(headers={"accept-language": "en"}),
        login(Client(headers={"accept-language": "en"}), world.user(Role.SECRETARIAT_ADMIN)),
    ]


# The list ------------------------------------------------------------------------------------


def test_list_shows_published_current_items_only(clean: World) -> None:
    shown = published_item(clean, text_en="Shown on the public site.")
    hidden = make_item(clean, text_en="Never published.")
    archived = published_item(clean, text_en="Published, then archived.")
    services.item_archive(actor=secretariat(clean), item=archived, archived=True)
    withdrawn = published_item(clean, text_en="Published, then withdrawn.")
    services.item_publish(actor=secretariat(clean), item=withdrawn, published=False)
    for client in _anyone(clean):
        html = client.get("/progress/items/").content.decode()
        assert shown.reference in html
        for item in (hidden, archived, withdrawn):
            assert item.reference not in html


def test_list_filters_by_theme_status_and_gap(clean: World, client: Client) -> None:
    gap = published_item(clean, themes=["health"])
    agree = published_item(clean, themes=["education"])
    assess(clean, gap, perspective="government", status="implemented", state=PUBLISHED)
    assess(clean, gap, perspective="coalition", status="not_started", state=PUBLISHED)
    assess(clean, agree, perspective="government", status="implemented", state=PUBLISHED)
    assess(clean, agree, perspective="coalition", status="implemented", state=PUBLISHED)

    def refs(query: str) -> set[str]:
        html = client.get(f"/progress/items/?{query}").content.decode()
        return {ref for ref in (gap.reference, agree.reference) if ref in html}

    assert refs("gap=on") == {gap.reference}
    assert refs("theme=education") == {agree.reference}
    assert refs("status=implemented&perspective=coalition") == {agree.reference}
    assert refs("status=implemented&perspective=government") == {gap.reference, agree.reference}
    assert refs("") == {gap.reference, agree.reference}


def test_list_refuses_unknown_filters(clean: World, client: Client) -> None:
    published_item(clean)
    response = client.get("/progress/items/?status=finished&theme=nonsense")
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"status", "theme"}
    assert response.context["page"].paginator.count == 0


def test_list_offers_only_sources_with_published_items(clean: World, client: Client) -> None:
    shown = published_item(clean)
    hidden = make_item(clean)
    html = client.get("/progress/items/").content.decode()
    assert shown.source.title_en in html
    assert hidden.source.title_en not in html


def test_list_query_count_does_not_grow(clean: World, client: Client) -> None:
    def add(n: int) -> None:
        for i in range(n):
            item = published_item(clean, themes=["health", "data"][: 1 + i % 2])
            services.actor_set(
                actor=secretariat(clean), item=item, organisation=clean.org_b, role="lead"
            )
            assess(clean, item, perspective="coalition", status="in_progress", state=PUBLISHED)

    add(2)
    client.get("/progress/items/")
    few = query_count(lambda: client.get("/progress/items/"))
    add(8)
    many = query_count(lambda: client.get("/progress/items/"))
    assert few == many


# The item page -------------------------------------------------------------------------------


def test_unpublished_and_archived_items_are_404(clean: World) -> None:
    hidden = make_item(clean)
    archived = published_item(clean)
    services.item_archive(actor=secretariat(clean), item=archived, archived=True)
    shown = published_item(clean)
    for client in _anyone(clean):
        assert client.get(f"/progress/items/{hidden.pk}/").status_code == 404
        assert client.get(f"/progress/items/{archived.pk}/").status_code == 404
        assert client.get("/progress/items/999999/").status_code == 404
        assert client.get(f"/progress/items/{shown.pk}/").status_code == 200


def test_item_shows_published_assessments_side_by_side(clean: World) -> None:
    item = published_item(clean, summary_en="Children should not be locked up.")
    services.actor_set(actor=secretariat(clean), item=item, organisation=clean.org_b, role="lead")
    services.actor_set(
        actor=secretariat(clean), item=item, organisation=clean.org_a, role="supporting"
    )
    gov = assess(clean, item, perspective="government", status="implemented", state=PUBLISHED)
    coal = assess(clean, item, perspective="coalition", status="not_started", state=PUBLISHED)
    draft = assess(clean, item, perspective="coalition", status="regressed", state="draft")
    validated = assess(clean, item, perspective="government", status="partly_implemented")
    validated = _publish_until(clean, validated, "validated")
    for client in _anyone(clean):
        response = client.get(f"/progress/items/{item.pk}/")
        html = response.content.decode()
        columns = {c["perspective"]: c for c in response.context["columns"]}
        assert columns["government"]["current"]["a"] == gov
        assert columns["coalition"]["current"]["a"] == coal
        shown = {row["a"].pk for c in columns.values() for row in [c["current"], *c["earlier"]]}
        assert shown == {gov.pk, coal.pk}
        assert draft.pk not in shown and validated.pk not in shown
        assert "Children should not be locked up." in html
        assert "Government reports" in html and "Coalition assesses" in html
        assert "Regressed" not in html and "Partly implemented" not in html
        assert clean.org_b.name_en in html and clean.org_a.name_en in html
        assert "The government's report and the coalition's assessment differ." in html


def _publish_until(world: World, a: Assessment, state: str) -> Assessment:
    sec = secretariat(world)
    a = services.assessment_submit(actor=sec, assessment=a)
    if state == "validated":
        a = services.assessment_validate(actor=sec, assessment=a)
    return a


def test_item_shows_public_evidence_only(clean: World) -> None:
    item = published_item(clean)
    evidence = _with_evidence(clean, item)
    for client in _anyone(clean):
        html = client.get(f"/progress/items/{item.pk}/").content.decode()
        assert f"/progress/evidence/{evidence[Tier.PUBLIC].pk}/" in html
        assert "ev-public" in html
        assert "ev-coalition" not in html and "ev-organisation" not in html


def test_item_history_shows_public_lines_only(clean: World, client: Client) -> None:
    item = published_item(clean, state_response="supported")
    assess(clean, item, perspective="coalition", status="in_progress", state=PUBLISHED)
    services.item_update(actor=secretariat(clean), item=item, data={"paragraph": "99"})
    response = client.get(f"/progress/items/{item.pk}/")
    texts = [line["text"] for line in response.context["history"]]
    assert any("Coalition assesses: In progress" in t for t in texts)
    assert "State's response recorded — Supported" in texts
    assert "Item changed" not in texts  # not a public line
    assert "Put on the public site" in texts


def test_item_page_query_count_does_not_grow(clean: World, client: Client) -> None:
    item = published_item(clean, themes=["health"])

    def add(n: int) -> None:
        for i in range(n):
            a = assess(clean, item, perspective=["government", "coalition"][i % 2], days_ago=i)
            _evidence(clean, a, Tier.PUBLIC, f"e{a.pk}")
            _publish(clean, a)
        other = published_item(clean)
        services.link_add(actor=secretariat(clean), from_item=item, to_item=other, kind="repeats")

    add(2)
    client.get(f"/progress/items/{item.pk}/")
    few = query_count(lambda: client.get(f"/progress/items/{item.pk}/"))
    add(6)
    many = query_count(lambda: client.get(f"/progress/items/{item.pk}/"))
    assert few == many


# Evidence ------------------------------------------------------------------------------------


def test_public_evidence_downloads(clean: World) -> None:
    item = published_item(clean)
    evidence = _with_evidence(clean, item)
    for client in _anyone(clean):
        response = client.get(f"/progress/evidence/{evidence[Tier.PUBLIC].pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]


def test_other_evidence_is_404(clean: World) -> None:
    item = published_item(clean)
    evidence = _with_evidence(clean, item)
    # Public-tier evidence of a validated (not published) assessment.
    pending = assess(clean, item, perspective="coalition", status="in_progress")
    unpublished_ev = _evidence(clean, pending, Tier.PUBLIC, "pending")
    _publish_until(clean, pending, "validated")
    # Public-tier evidence of a published assessment of an item taken off the site, or archived.
    withdrawn = published_item(clean)
    withdrawn_ev = _with_evidence(clean, withdrawn)[Tier.PUBLIC]
    services.item_publish(actor=secretariat(clean), item=withdrawn, published=False)
    archived = published_item(clean)
    archived_ev = _with_evidence(clean, archived)[Tier.PUBLIC]
    services.item_archive(actor=secretariat(clean), item=archived, archived=True)
    refused = [
        evidence[Tier.COALITION],
        evidence[Tier.ORGANISATION],
        unpublished_ev,
        withdrawn_ev,
        archived_ev,
    ]
    for client in _anyone(clean):
        for ev in refused:
            assert client.get(f"/progress/evidence/{ev.pk}/").status_code == 404, ev.title
        assert client.get("/progress/evidence/999999/").status_code == 404


# What changed --------------------------------------------------------------------------------


def test_changes_show_public_lines_of_published_items(clean: World, client: Client) -> None:
    shown = published_item(clean)
    hidden = make_item(clean)
    assess(clean, hidden, perspective="coalition", status="implemented", state=PUBLISHED)
    services.item_update(actor=secretariat(clean), item=shown, data={"paragraph": "77"})
    response = client.get("/progress/changes/")
    html = response.content.decode()
    assert f"/progress/items/{shown.pk}/" in html
    assert hidden.reference not in html
    assert "Item changed" not in html
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    later = client.get(f"/progress/changes/?since={tomorrow}").content.decode()
    assert shown.reference not in later
    assert "Nothing changed in this period." in later


def test_changes_refuse_a_bad_date(clean: World, client: Client) -> None:
    response = client.get("/progress/changes/?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.context["form"].errors


# Home, Khmer ---------------------------------------------------------------------------------


def test_home_counts_published_items_only(clean: World) -> None:
    shown = published_item(clean, themes=["health"])
    hidden = make_item(clean, themes=["health"])
    assess(clean, shown, perspective="coalition", status="implemented", state=PUBLISHED)
    assess(clean, hidden, perspective="coalition", status="implemented", state=PUBLISHED)
    for client in _anyone(clean):
        html = client.get("/progress/").content.decode()
        assert re.search(r'data-total="items">\s*1<', html)
        assert re.search(r'data-total="coalition-implemented">\s*1<', html)
        rows = table(html, "Progress by theme")
        assert rows[2][0] == "Coalition assesses" and rows[2][4] == "1"
        assert 'href="/progress/items/"' in html and 'href="/progress/changes/"' in html
        assert "<svg" in html


def test_progress_is_linked_from_the_navigation(clean: World, client: Client) -> None:
    assert 'href="/progress/"' in client.get("/").content.decode()


def test_visitor_sees_both_views_in_khmer_with_history(clean: World) -> None:
    """The issue's "done when": a government report and a coalition assessment that disagree,
    published, seen by a visitor in Khmer on the public site, with history."""
    sec = secretariat(clean)
    item = published_item(
        clean,
        text_km="ធានាថាកុមារមិនត្រូវបានឃុំខ្លួន",
        summary_km="កុមារមិនគួរត្រូវបានចាក់សោ",
    )
    today = timezone.localdate()
    for perspective, status, words in (
        ("government", "implemented", "រដ្ឋាភិបាលបានអនុវត្តរួច"),
        ("coalition", "in_progress", "សម្ព័ន្ធយល់ថាកំពុងដំណើរការ"),
    ):
        a = services.assessment_create(
            actor=sec,
            item=item,
            perspective=perspective,
            status=status,
            assessed_on=today,
            summary_en="English words",
            summary_km=words,
        )
        _publish(clean, a)
    khmer = Client(headers={"accept-language": "km"})
    response = khmer.get(f"/progress/items/{item.pk}/")
    html = response.content.decode()
    assert 'lang="km"' in html
    for words in (
        "ធានាថាកុមារមិនត្រូវបានឃុំខ្លួន",
        "កុមារមិនគួរត្រូវបានចាក់សោ",
        "រដ្ឋាភិបាលបានអនុវត្តរួច",
        "សម្ព័ន្ធយល់ថាកំពុងដំណើរការ",
    ):
        assert words in html
    assert "English words" not in html
    with translation.override("km"):
        for label in (
            Perspective.GOVERNMENT.label,
            Perspective.COALITION.label,
            Progress.IMPLEMENTED.label,
            Progress.IN_PROGRESS.label,
        ):
            assert str(label) in html
        lines = [line["text"] for line in describe(item.events.filter(public=True), public=True)]
    assert len(response.context["history"]) == len(lines) >= 3
    for line in lines:
        assert line in html


def test_signed_in_members_see_the_public_view(clean: World) -> None:
    item = published_item(clean)
    assess(clean, item, perspective="coalition", status="regressed", state="validated")
    client = login(Client(headers={"accept-language": "en"}), clean.user(Role.ANALYST))
    html = client.get(f"/progress/items/{item.pk}/").content.decode()
    assert "Regressed" not in html
    assert "No assessment published yet." in html
