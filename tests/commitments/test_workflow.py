"""Follow-up through the web UI: actions, assessments from draft to published, evidence and who
may see it, and the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from komar.accounts.roles import Role
from komar.commitments import services
from komar.commitments.models import Action, Assessment, Evidence
from tests.commitments.helpers import assess, make_item, secretariat
from tests.conftest import World, login, query_count


def _assess_form(perspective: str = "coalition", **extra: Any) -> dict[str, Any]:
    return {
        "perspective": perspective,
        "status": "partly_implemented",
        "assessed_on": timezone.localdate().isoformat(),
        "summary_en": "Half the provinces.",
        **extra,
    }


def _pdf(name: str = "report.pdf", size: int = 0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * size
    return SimpleUploadedFile(name, body, "application/pdf")


def test_an_assessment_on_an_archived_item_is_refused_and_nothing_is_saved(
    world: World, client: Client
) -> None:
    item = make_item(world)
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    login(client, world.user(Role.MONITOR))
    response = client.post(f"/commitments/items/{item.pk}/assess/", _assess_form())
    assert response.status_code == 400
    assert "This item is archived" in response.content.decode()
    assert Assessment.objects.count() == 0
    refused = client.post(
        f"/commitments/items/{item.pk}/actions/", {"description": "x", "status": "planned"}
    )
    assert refused.status_code == 400
    assert Action.objects.count() == 0


def test_a_future_date_is_a_field_error(world: World, client: Client) -> None:
    item = make_item(world)
    login(client, world.user(Role.MONITOR))
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        f"/commitments/items/{item.pk}/assess/", _assess_form(assessed_on=future)
    )
    assert response.status_code == 400
    assert "An assessment cannot be dated in the future." in response.content.decode()
    assert Assessment.objects.count() == 0


def test_a_government_focal_point_is_offered_the_government_view_only(
    world: World, client: Client
) -> None:
    item = make_item(world)
    login(client, world.user(Role.GOVERNMENT_FOCAL_POINT))
    html = client.get(f"/commitments/items/{item.pk}/assess/").content.decode()
    assert 'value="government"' in html
    assert 'value="coalition"' not in html
    assert client.post(f"/commitments/items/{item.pk}/assess/", _assess_form()).status_code == 400
    response = client.post(f"/commitments/items/{item.pk}/assess/", _assess_form("government"))
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert (a.perspective, a.organisation, a.state) == ("government", world.org_a, "draft")


def test_a_move_from_the_wrong_state_says_so_and_changes_nothing(
    world: World, client: Client
) -> None:
    item = make_item(world)
    draft = assess(world, item, actor=world.user(Role.MONITOR))
    login(client, world.user(Role.SECRETARIAT_ADMIN))
    response = client.post(f"/commitments/assessments/{draft.pk}/move/", {"to": "publish"})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=draft.pk).state == "draft"
    page = client.get(response["Location"]).content.decode()
    assert "This assessment is draft now; reload the page." in page
    unknown = client.post(f"/commitments/assessments/{draft.pk}/move/", {"to": "delete"})
    assert unknown.status_code == 400
    assert Assessment.objects.get(pk=draft.pk).state == "draft"
    item.refresh_from_db()
    assert item.coalition_status == ""


def test_the_author_edits_a_draft_until_it_is_submitted(world: World, client: Client) -> None:
    item = make_item(world)
    login(client, world.user(Role.MONITOR))
    client.post(f"/commitments/items/{item.pk}/assess/", _assess_form())
    a = Assessment.objects.get()
    url = f"/commitments/assessments/{a.pk}/"
    assert "Change the draft" in client.get(url).content.decode()
    edited = client.post(url, {"status": "regressed", "assessed_on": a.assessed_on.isoformat()})
    assert edited.status_code == 302
    assert Assessment.objects.get(pk=a.pk).status == "regressed"
    client.post(f"{url}move/", {"to": "submit"})
    assert Assessment.objects.get(pk=a.pk).state == "submitted"
    assert "Change the draft" not in client.get(url).content.decode()
    refused = client.post(url, {"status": "implemented", "assessed_on": a.assessed_on.isoformat()})
    assert refused.status_code == 403
    assert Assessment.objects.get(pk=a.pk).status == "regressed"


def test_a_draft_is_invisible_to_another_organisation_until_validated(
    world: World, client: Client
) -> None:
    item = make_item(world)
    draft = assess(world, item, actor=world.user(Role.MONITOR), status="regressed")
    assert services.evidence_add(
        actor=world.user(Role.MONITOR),
        assessment=draft,
        title="Visit notes",
        tier="coalition",
        url="https://example.org/notes",
    )
    other = login(Client(headers={"accept-language": "en"}), world.other_admin)
    assert other.get(f"/commitments/assessments/{draft.pk}/").status_code == 404
    html = other.get(f"/commitments/items/{item.pk}/").content.decode()
    assert "progress-regressed" not in html
    assert "Visit notes" not in html
    ev = Evidence.objects.get()
    assert other.get(f"/commitments/evidence/{ev.pk}/").status_code == 404

    mine = login(client, world.user(Role.ORG_ADMIN))
    assert "progress-regressed" in mine.get(f"/commitments/items/{item.pk}/").content.decode()

    services.assessment_submit(actor=world.user(Role.MONITOR), assessment=draft)
    services.assessment_validate(actor=secretariat(world), assessment=draft)
    assert other.get(f"/commitments/assessments/{draft.pk}/").status_code == 200
    html = other.get(f"/commitments/items/{item.pk}/").content.decode()
    assert "progress-regressed" in html and "Validated" in html  # not published: its state is shown
    assert "Visit notes" in html


def test_evidence_tiers_decide_who_downloads_and_nothing_is_cached(
    world: World, client: Client
) -> None:
    item = make_item(world)
    a = assess(world, item, perspective="government", state="validated")
    sec = secretariat(world)
    own = services.evidence_add(
        actor=sec, assessment=a, title="Internal memo", tier="organisation", file=_pdf("memo.pdf")
    )
    shared = services.evidence_add(
        actor=sec,
        assessment=a,
        title="Ministry site",
        tier="coalition",
        url="https://gov.example/p",
    )
    other = login(client, world.other_admin)
    html = other.get(f"/commitments/items/{item.pk}/").content.decode()
    assert "Ministry site" in html
    assert "Internal memo" not in html
    assert other.get(f"/commitments/evidence/{own.pk}/").status_code == 404
    link = other.get(f"/commitments/evidence/{shared.pk}/")
    assert link.status_code == 302 and link["Location"] == "https://gov.example/p"
    assert link["Cache-Control"] == "private, no-store"

    member = login(Client(), world.user(Role.YOUTH_MEMBER))
    download = member.get(f"/commitments/evidence/{own.pk}/")
    assert download.status_code == 200
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert 'filename="memo.pdf"' in download["Content-Disposition"]
    anonymous = Client().get(f"/commitments/evidence/{own.pk}/")
    assert anonymous.status_code == 302 and "/account/login/" in anonymous["Location"]


def test_oversized_or_disallowed_evidence_is_a_400_and_nothing_is_stored(
    world: World, client: Client, settings: Any
) -> None:
    settings.KOMAR_EVIDENCE_MAX_BYTES = 1024
    item = make_item(world)
    draft = assess(world, item, actor=world.user(Role.MONITOR))
    login(client, world.user(Role.MONITOR))
    url = f"/commitments/assessments/{draft.pk}/evidence/"
    media = settings.MEDIA_ROOT

    def post(**data: Any) -> Any:
        return client.post(url, {"title": "Report", "tier": "public", **data})

    too_big = post(file=_pdf(size=2048))
    assert too_big.status_code == 400
    assert "the limit is" in too_big.content.decode()
    wrong_type = post(
        file=SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream")
    )
    assert wrong_type.status_code == 400
    assert "Files of this type are not accepted." in wrong_type.content.decode()
    disguised = post(file=SimpleUploadedFile("fake.pdf", b"MZ\x90\x00", "application/pdf"))
    assert disguised.status_code == 400
    assert "does not match its type" in disguised.content.decode()
    both = post(file=_pdf(), url="https://example.org/x")
    assert both.status_code == 400
    assert "Give either a file or a link." in both.content.decode()
    assert Evidence.objects.count() == 0
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True

    assert post(file=_pdf()).status_code == 302
    assert Evidence.objects.get().file.name.endswith("report.pdf")


def test_actions_are_recorded_and_changed_by_their_organisation_only(
    world: World, client: Client
) -> None:
    item = make_item(world)
    login(client, world.user(Role.MONITOR))
    response = client.post(
        f"/commitments/items/{item.pk}/actions/",
        {"description": "Train police in Kandal", "status": "planned", "due_on": "2030-01-01"},
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.organisation == world.org_a
    assert (
        client.post(f"/commitments/actions/{action.pk}/status/", {"status": "ongoing"}).status_code
        == 302
    )
    assert Action.objects.get().status == "ongoing"
    bad = client.post(f"/commitments/actions/{action.pk}/status/", {"status": "finished"})
    assert bad.status_code == 400
    other = login(Client(), world.other_admin)
    assert (
        other.post(f"/commitments/actions/{action.pk}/status/", {"status": "done"}).status_code
        == 403
    )
    assert Action.objects.get().status == "ongoing"
    html = client.get(f"/commitments/items/{item.pk}/").content.decode()
    assert "Train police in Kandal" in html
    assert "Action status changed" in html


def test_the_review_queue_validates_and_publishes_and_comes_back(
    world: World, client: Client
) -> None:
    item = make_item(world)
    submitted = assess(world, item, state="submitted", actor=world.user(Role.MONITOR))
    validated = assess(world, item, perspective="government", state="validated")
    analyst = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    html = analyst.get("/commitments/review/").content.decode()
    assert f"/commitments/assessments/{submitted.pk}/move/" in html
    assert f"/commitments/assessments/{validated.pk}/move/" not in html  # analysts do not publish
    response = analyst.post(
        f"/commitments/assessments/{submitted.pk}/move/",
        {"to": "validate", "next": "/commitments/review/"},
    )
    assert response["Location"] == "/commitments/review/"
    assert Assessment.objects.get(pk=submitted.pk).state == "validated"
    refused = analyst.post(f"/commitments/assessments/{validated.pk}/move/", {"to": "publish"})
    assert refused.status_code == 403  # validators do not publish
    assert Assessment.objects.get(pk=validated.pk).state == "validated"
    offsite = analyst.post(
        f"/commitments/assessments/{submitted.pk}/move/",
        {"to": "return", "next": "https://evil.example/"},
    )
    assert offsite["Location"] == f"/commitments/items/{item.pk}/"

    login(client, secretariat(world))
    html = client.get("/commitments/review/").content.decode()
    assert f"/commitments/assessments/{validated.pk}/move/" in html
    client.post(f"/commitments/assessments/{validated.pk}/move/", {"to": "publish"})
    item.refresh_from_db()
    assert item.government_status == "in_progress"
    assert login(Client(), world.user(Role.MONITOR)).get("/commitments/review/").status_code == 403


def test_review_and_assessment_pages_query_counts_do_not_grow(world: World, client: Client) -> None:
    item = make_item(world)
    first = assess(world, item, state="validated", perspective="government")

    def more(n: int) -> None:
        for _ in range(n):
            assess(world, item, state="submitted", actor=world.user(Role.MONITOR))
            assess(world, item, state="validated", perspective="government")
            services.evidence_add(
                actor=secretariat(world),
                assessment=first,
                title="x",
                tier="public",
                url="https://e.org",
            )

    login(client, secretariat(world))
    pages = ("/commitments/review/", f"/commitments/assessments/{first.pk}/")
    more(2)
    small = [query_count(lambda u=u: client.get(u)) for u in pages]
    more(5)
    large = [query_count(lambda u=u: client.get(u)) for u in pages]
    assert small == large
    assert all(client.get(u).status_code == 200 for u in pages)
