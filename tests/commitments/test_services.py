"""The tracker's services: validation, the archive, who may record what, the assessment workflow,
the item's current status, evidence checks, and the audit trail and history every write
leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.commitments import selectors, services
from komar.commitments.models import (
    Action,
    Assessment,
    AssessmentState,
    Evidence,
    Item,
    ItemActor,
    ItemEvent,
    ItemLink,
    Perspective,
    Progress,
    Source,
    Tier,
)
from komar.commitments.permissions import can_see_evidence
from tests.commitments.helpers import assess, make_item, make_source, secretariat
from tests.conftest import World

PDF = b"%PDF-1.4\n% demo evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
COALITION, GOVERNMENT = Perspective.COALITION, Perspective.GOVERNMENT


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def audit_actions(target: Any = None) -> list[str]:
    qs = AuditEvent.objects.order_by("seq")
    if target is not None:
        qs = qs.filter(target_id=str(target.pk))
    return list(qs.values_list("action", flat=True))


def event_kinds(item: Item) -> list[str]:
    return list(
        ItemEvent.objects.filter(item=item).order_by("at", "id").values_list("kind", flat=True)
    )


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Source,
            Item,
            ItemActor,
            ItemLink,
            Action,
            Assessment,
            Evidence,
            ItemEvent,
            AuditEvent,
        )
    }


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# Sources and items --------------------------------------------------------------------------


def test_source_save_refuses_a_duplicate_code_and_audits(world: World) -> None:
    source = make_source(world, code="crc-2022")
    assert audit_actions(source) == ["commitments.source.create"]
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_source(world, code="crc-2022")
    assert "code" in errors_of(exc)
    assert counts() == before
    services.source_save(actor=secretariat(world), source=source, data={"title_en": "Renamed"})
    assert audit_actions(source) == ["commitments.source.create", "commitments.source.update"]
    event = AuditEvent.objects.filter(action="commitments.source.update").get()
    assert "title_en" in event.changes


def test_only_editors_load_sources_and_items(world: World) -> None:
    source = make_source(world)
    for role in (Role.MONITOR, Role.GOVERNMENT_FOCAL_POINT, Role.ORG_ADMIN, Role.CASEWORKER):
        with pytest.raises(PermissionDenied):
            services.item_create(
                actor=world.user(role),
                source=source,
                data={"reference": f"X-{role}", "kind": "recommendation", "text_en": "x"},
            )
    with pytest.raises(PermissionDenied):
        services.source_save(actor=AnonymousUser(), data={"code": "x"})
    item = services.item_create(
        actor=world.user(Role.ANALYST),
        source=source,
        data={"reference": "X-analyst", "kind": "recommendation", "text_en": "x"},
    )
    assert item.pk


def test_item_create_writes_history_and_audit(world: World) -> None:
    item = make_item(
        world,
        state_response="supported",
        state_response_on=dt.date(2022, 9, 1),
        themes=["child-justice", "Arrest and pre-trial detention"],  # a code and a label
        situations=["justice"],
        sdg_targets=["16.3"],
    )
    assert event_kinds(item) == [ItemEvent.Kind.CREATED, ItemEvent.Kind.RESPONSE]
    assert all(e.public for e in item.events.all())
    assert audit_actions(item) == ["commitments.item.create"]
    assert set(item.themes.values_list("code", flat=True)) == {"child-justice", "arrest-detention"}
    assert list(item.situations.values_list("code", flat=True)) == ["justice"]
    assert list(item.sdg_targets.values_list("code", flat=True)) == ["16.3"]


def test_item_create_refuses_a_duplicate_reference(world: World) -> None:
    source = make_source(world)
    make_item(world, source, reference="CRC/C/KHM/CO/4-5 §43(a)")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(world, source, reference="CRC/C/KHM/CO/4-5 §43(a)")
    assert "reference" in errors_of(exc)
    assert counts() == before


def test_a_response_date_needs_a_response(world: World) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(world, state_response_on=dt.date(2022, 9, 1))
    assert "state_response" in errors_of(exc)
    after = counts()
    assert after["Item"] == before["Item"] and after["ItemEvent"] == before["ItemEvent"]


def test_unknown_categories_are_named_and_nothing_is_saved(world: World) -> None:
    source = make_source(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(
            world,
            source,
            themes=["child-justice", "no-such-theme"],
            sdg_targets=["99.9"],
        )
    errors = errors_of(exc)
    assert "no-such-theme" in errors["themes"][0] and "child-justice" not in errors["themes"][0]
    assert "99.9" in errors["sdg_targets"][0]
    assert counts() == before


def test_item_update_validates_and_records_what_changed(world: World) -> None:
    source = make_source(world)
    make_item(world, source, reference="R-1")
    item = make_item(world, source, reference="R-2")
    actor = secretariat(world)
    with pytest.raises(ValidationError) as exc:
        services.item_update(actor=actor, item=item, data={"reference": "R-1"})
    assert "reference" in errors_of(exc)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.item_update(
            actor=actor, item=item, data={"text_en": "changed"}, categories={"themes": ["nope"]}
        )
    assert "nope" in errors_of(exc)["themes"][0]
    item.refresh_from_db()
    assert item.reference == "R-2" and item.text_en != "changed"
    assert event_kinds(item) == [ItemEvent.Kind.CREATED]

    services.item_update(
        actor=actor,
        item=item,
        data={"text_en": "changed", "state_response": "noted"},
        categories={"themes": ["data"]},
    )
    item.refresh_from_db()
    assert item.text_en == "changed" and item.state_response == "noted"
    assert event_kinds(item) == [
        ItemEvent.Kind.CREATED,
        ItemEvent.Kind.RESPONSE,
        ItemEvent.Kind.UPDATED,
    ]
    updated = item.events.get(kind=ItemEvent.Kind.UPDATED)
    assert updated.detail == {"fields": ["text_en", "themes"]} and not updated.public
    assert audit_actions(item) == ["commitments.item.create", "commitments.item.update"]
    change = AuditEvent.objects.get(action="commitments.item.update")
    assert set(change.changes) == {"text_en", "state_response"}


# The archive --------------------------------------------------------------------------------


def test_the_archive_blocks_every_write_with_a_clear_error(world: World) -> None:
    actor = secretariat(world)
    other = make_item(world)
    item = make_item(world)
    draft = assess(world, item, state=AssessmentState.DRAFT)
    submitted = assess(world, item, state=AssessmentState.SUBMITTED)
    validated = assess(world, item, state=AssessmentState.VALIDATED)
    action = services.action_create(actor=actor, item=item, description="x", status="planned")
    services.actor_set(actor=actor, item=item, organisation=world.org_b, role="lead")
    item_actor = item.actors.get()
    services.item_archive(actor=actor, item=item, archived=True)
    item.refresh_from_db()
    for a in (draft, submitted, validated):
        a.refresh_from_db()
    before = counts()
    attempts = [
        lambda: services.item_update(actor=actor, item=item, data={"text_en": "new"}),
        lambda: services.item_publish(actor=actor, item=item, published=True),
        lambda: services.actor_set(actor=actor, item=item, organisation=world.org_a, role="lead"),
        lambda: services.actor_remove(actor=actor, item_actor=item_actor),
        lambda: services.link_add(actor=actor, from_item=item, to_item=other, kind="repeats"),
        lambda: services.action_create(actor=actor, item=item, description="y", status="planned"),
        lambda: services.action_set_status(actor=actor, action=action, status="done"),
        lambda: services.assessment_create(
            actor=actor,
            item=item,
            perspective=COALITION,
            status="in_progress",
            assessed_on=_days(-1),
        ),
        lambda: services.assessment_update(
            actor=actor, assessment=draft, data={"status": "implemented"}
        ),
        lambda: services.assessment_submit(actor=actor, assessment=draft),
        lambda: services.assessment_validate(actor=actor, assessment=submitted),
        lambda: services.assessment_return(actor=actor, assessment=submitted),
        lambda: services.assessment_publish(actor=actor, assessment=validated),
        lambda: services.evidence_add(
            actor=actor, assessment=draft, title="t", tier="public", url="https://example.org/"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.messages == [
            "This item is archived: restore it before recording anything on it."
        ]
    assert counts() == before
    draft.refresh_from_db()
    action.refresh_from_db()
    item.refresh_from_db()
    assert draft.state == AssessmentState.DRAFT and draft.status == "in_progress"
    assert action.status == "planned" and item.text_en != "new" and not item.is_published
    assert item.coalition_status == ""

    services.item_archive(actor=actor, item=item, archived=False)
    services.item_update(actor=actor, item=item, data={"text_en": "new"})
    assert event_kinds(item)[-3:] == [
        ItemEvent.Kind.ARCHIVED,
        ItemEvent.Kind.RESTORED,
        ItemEvent.Kind.UPDATED,
    ]
    assert "commitments.item.archive" in audit_actions(item)
    assert "commitments.item.restore" in audit_actions(item)


def test_archiving_twice_changes_nothing(world: World) -> None:
    item = make_item(world)
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    before = counts()
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    assert counts() == before


# Who may record what ------------------------------------------------------------------------


def test_a_government_focal_point_cannot_record_the_coalitions_view(world: World) -> None:
    item = make_item(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=world.user(Role.GOVERNMENT_FOCAL_POINT),
            item=item,
            perspective=COALITION,
            status="implemented",
            assessed_on=_days(-1),
        )
    assert "perspective" in errors_of(exc)
    assert counts() == before
    report = services.assessment_create(
        actor=world.user(Role.GOVERNMENT_FOCAL_POINT),
        item=item,
        perspective=GOVERNMENT,
        status="implemented",
        assessed_on=_days(-1),
    )
    assert report.organisation_id == world.org_a.pk


def test_a_monitor_cannot_record_a_government_report(world: World) -> None:
    item = make_item(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=world.user(Role.MONITOR),
            item=item,
            perspective=GOVERNMENT,
            status="implemented",
            assessed_on=_days(-1),
        )
    assert "perspective" in errors_of(exc)
    assert counts() == before


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.YOUTH_MEMBER])
def test_people_who_do_not_assess_are_refused(world: World, role: Role) -> None:
    item = make_item(world)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            actor=world.user(role),
            item=item,
            perspective=COALITION,
            status="in_progress",
            assessed_on=_days(-1),
        )
    with pytest.raises(PermissionDenied):
        services.action_create(actor=world.user(role), item=item, description="x", status="planned")
    assert counts() == before


def test_another_organisations_admin_cannot_act_for_org_a(world: World) -> None:
    item = make_item(world)
    other = world.other_admin
    mine = assess(world, item, actor=world.user(Role.MONITOR))  # org A's draft
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=other,
            item=item,
            perspective=COALITION,
            status="implemented",
            assessed_on=_days(-1),
            organisation_id=world.org_a.pk,
        )
    assert "organisation" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=other,
            item=item,
            description="x",
            status="planned",
            organisation_id=world.org_a.pk,
        )
    assert "organisation" in errors_of(exc)
    with pytest.raises(PermissionDenied):
        services.assessment_update(actor=other, assessment=mine, data={"status": "implemented"})
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=other, assessment=mine)
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=other, assessment=mine, title="t", tier="public", url="https://example.org/"
        )
    action = services.action_create(
        actor=world.user(Role.MONITOR), item=item, description="ours", status="planned"
    )
    before = counts()
    with pytest.raises(PermissionDenied):
        services.action_set_status(actor=other, action=action, status="done")
    assert counts() == before
    mine.refresh_from_db()
    assert mine.status == "in_progress" and mine.state == AssessmentState.DRAFT
    # For its own organisation, it may.
    own = services.assessment_create(
        actor=other, item=item, perspective=COALITION, status="regressed", assessed_on=_days(-1)
    )
    assert own.organisation_id == world.org_b.pk


def test_an_assessment_cannot_be_dated_in_the_future(world: World) -> None:
    item = make_item(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=secretariat(world),
            item=item,
            perspective=COALITION,
            status="in_progress",
            assessed_on=_days(1),
        )
    assert "assessed_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(
            actor=secretariat(world),
            item=item,
            perspective=COALITION,
            status="finished",
            assessed_on=_days(-1),
        )
    assert "status" in errors_of(exc)
    assert counts() == before


def test_an_action_cannot_end_before_it_starts(world: World) -> None:
    item = make_item(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=secretariat(world),
            item=item,
            description="x",
            status="planned",
            starts_on=_days(5),
            due_on=_days(1),
        )
    assert "due_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=secretariat(world), item=item, description="x", status="?")
    assert "status" in errors_of(exc)
    assert counts() == before


def test_links_are_checked(world: World) -> None:
    a, b = make_item(world), make_item(world)
    actor = secretariat(world)
    with pytest.raises(ValidationError) as exc:
        services.link_add(actor=actor, from_item=a, to_item=a, kind="repeats")
    assert "to_item" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.link_add(actor=actor, from_item=a, to_item=b, kind="copies")
    assert "kind" in errors_of(exc)
    services.link_add(actor=actor, from_item=a, to_item=b, kind="repeats")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.link_add(actor=actor, from_item=a, to_item=b, kind="overlaps")
    assert "to_item" in errors_of(exc)
    assert counts() == before


# The workflow -------------------------------------------------------------------------------


def test_the_workflow_goes_in_order(world: World) -> None:
    item = make_item(world)
    monitor, analyst, boss = world.user(Role.MONITOR), world.user(Role.ANALYST), secretariat(world)
    a = assess(world, item, actor=monitor)
    with pytest.raises(ValidationError) as exc:
        services.assessment_validate(actor=analyst, assessment=a)
    assert exc.value.code == "state"
    with pytest.raises(ValidationError):
        services.assessment_publish(actor=boss, assessment=a)
    a = services.assessment_submit(actor=monitor, assessment=a)
    assert a.state == AssessmentState.SUBMITTED and a.submitted_at is not None
    with pytest.raises(ValidationError) as exc:
        services.assessment_publish(actor=boss, assessment=a)
    assert exc.value.code == "state"
    with pytest.raises(PermissionDenied):  # submitted: no longer editable, even by its author
        services.assessment_update(actor=monitor, assessment=a, data={"status": "implemented"})
    with pytest.raises(PermissionDenied):
        services.assessment_submit(actor=monitor, assessment=a)  # not twice
    a.refresh_from_db()
    assert a.status == "in_progress" and a.state == AssessmentState.SUBMITTED

    a = services.assessment_return(actor=analyst, assessment=a)
    assert a.state == AssessmentState.DRAFT and a.submitted_at is None
    a = services.assessment_update(
        actor=monitor, assessment=a, data={"status": "partly_implemented"}
    )
    a = services.assessment_submit(actor=monitor, assessment=a)
    with pytest.raises(PermissionDenied):  # a monitor does not validate
        services.assessment_validate(actor=monitor, assessment=a)
    a = services.assessment_validate(actor=analyst, assessment=a)
    assert a.validated_by == analyst and a.validated_at is not None
    with pytest.raises(PermissionDenied):  # an analyst does not publish
        services.assessment_publish(actor=analyst, assessment=a)
    with pytest.raises(ValidationError):
        services.assessment_return(actor=analyst, assessment=a)  # only submitted ones go back
    a = services.assessment_publish(actor=boss, assessment=a)
    assert a.state == AssessmentState.PUBLISHED and a.published_at is not None
    assert audit_actions(a) == [
        "commitments.assessment.create",
        "commitments.assessment.submit",
        "commitments.assessment.return",
        "commitments.assessment.update",
        "commitments.assessment.submit",
        "commitments.assessment.validate",
        "commitments.assessment.publish",
    ]
    # Only publication enters the item's history, and publicly.
    [event] = item.events.filter(kind=ItemEvent.Kind.ASSESSMENT)
    assert event.public and event.detail["status"] == "partly_implemented"
    assert event.detail["perspective"] == COALITION


def test_publishing_sets_the_current_status_per_perspective(world: World) -> None:
    item = make_item(world)
    assess(world, item, perspective=GOVERNMENT, status="implemented", state="published", days_ago=5)
    newer = assess(
        world, item, perspective=COALITION, status="in_progress", state="published", days_ago=2
    )
    item.refresh_from_db()
    assert (item.government_status, item.coalition_status) == ("implemented", "in_progress")
    assert item.coalition_status_on == newer.assessed_on and item.has_gap
    # An older-dated assessment published later does not override the newer one.
    assess(world, item, perspective=COALITION, status="regressed", state="published", days_ago=10)
    # Validated (not published) ones do not count.
    assess(world, item, perspective=COALITION, status="not_started", state="validated", days_ago=0)
    item.refresh_from_db()
    assert item.coalition_status == "in_progress" and item.coalition_status_on == newer.assessed_on
    assert item.government_status == "implemented"
    # A newer one does.
    assess(world, item, perspective=COALITION, status="implemented", state="published", days_ago=1)
    item.refresh_from_db()
    assert item.coalition_status == "implemented" and not item.has_gap
    public = selectors.history(user=AnonymousUser(), item=item, public=True)
    assert [e.detail["status"] for e in public if e.kind == ItemEvent.Kind.ASSESSMENT] == [
        "implemented",
        "regressed",
        "in_progress",
        "implemented",
    ]


@hsettings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from(Progress.values)), min_size=1, max_size=5
    ),
    data=st.data(),
)
def test_current_status_is_the_latest_published(world: World, rows: Any, data: Any) -> None:
    """For any assessments published in any order, the item's status is the one with the
    greatest (date, order of publication)."""
    item = make_item(world)
    validated = [
        assess(world, item, status=status, state="validated", days_ago=days_ago)
        for days_ago, status in rows
    ]
    order = data.draw(st.permutations(range(len(validated))))
    for i in order:
        services.assessment_publish(actor=secretariat(world), assessment=validated[i])
    expected = max(
        ((validated[i].assessed_on, n, validated[i].status) for n, i in enumerate(order))
    )
    item.refresh_from_db()
    assert (item.coalition_status_on, item.coalition_status) == (expected[0], expected[2])
    assert item.government_status == ""


# Evidence -----------------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.exe", b"MZ\x90\x00", "not accepted"),
        ("report", PDF, "not accepted"),
        ("report.pdf", b"<html>not a pdf</html>", "does not match"),
        ("photo.png", PDF, "does not match"),
        ("notes.txt", b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_evidence_files_of_the_wrong_type_are_refused(
    world: World, name: str, content: bytes, message: str
) -> None:
    a = assess(world, make_item(world))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=secretariat(world),
            assessment=a,
            title="t",
            tier="public",
            file=upload(name, content),
        )
    assert message in errors_of(exc)["file"][0]
    assert counts() == before


def test_evidence_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.KOMAR_EVIDENCE_MAX_BYTES = 1024 * 1024
    a = assess(world, make_item(world))
    big = PDF + b"0" * (1024 * 1024)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=secretariat(world),
            assessment=a,
            title="t",
            tier="public",
            file=upload("b.pdf", big),
        )
    assert "limit is 1 MB" in errors_of(exc)["file"][0]
    assert counts() == before
    fits = PDF + b"0" * 1000
    ev = services.evidence_add(
        actor=secretariat(world), assessment=a, title="t", tier="public", file=upload("b.pdf", fits)
    )
    assert ev.file.read() == fits


def test_evidence_is_a_file_or_a_link_with_a_tier(world: World) -> None:
    a = assess(world, make_item(world))
    actor = secretariat(world)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=actor, assessment=a, title="t", tier="public")
    assert "file" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=actor,
            assessment=a,
            title="t",
            tier="public",
            url="https://example.org/r",
            file=upload("r.pdf", PDF),
        )
    assert "file" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            actor=actor, assessment=a, title="t", tier="everyone", url="https://example.org/r"
        )
    assert "tier" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(actor=actor, assessment=a, title="t", tier="public", url="not a url")
    assert "url" in errors_of(exc)
    assert counts() == before
    link = services.evidence_add(
        actor=actor, assessment=a, title="Report", tier="coalition", url="https://example.org/r"
    )
    png = services.evidence_add(
        actor=actor, assessment=a, title="Photo", tier="organisation", file=upload("p.png", PNG)
    )
    assert link.organisation_id == png.organisation_id == a.organisation_id
    assert png.file.name.endswith("p.png") and not png.url
    assert [
        e.changes["kind"]
        for e in AuditEvent.objects.filter(action="commitments.evidence.add").order_by("seq")
    ] == ["link", "file"]


def test_evidence_cannot_be_added_to_a_published_assessment_by_others(world: World) -> None:
    a = assess(world, make_item(world), state="published")
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=secretariat(world), assessment=a, title="t", tier="public", url="https://e.org/"
        )


def test_evidence_tiers_decide_who_sees_it(world: World) -> None:
    item = make_item(world)
    services.item_publish(actor=secretariat(world), item=item, published=True)
    a = assess(world, item, state="validated")
    actor = secretariat(world)
    ev = {
        tier: services.evidence_add(
            actor=actor, assessment=a, title=tier, tier=tier, url=f"https://example.org/{tier}"
        )
        for tier in Tier.values
    }
    services.assessment_publish(actor=actor, assessment=a)
    for e in ev.values():
        e.refresh_from_db()
    anonymous, member, other = AnonymousUser(), world.user(Role.CASEWORKER), world.other_admin
    seen = {
        name: {tier for tier, e in ev.items() if can_see_evidence(user, e)}
        for name, user in (("anonymous", anonymous), ("member", member), ("other", other))
    }
    assert seen == {
        "anonymous": {"public"},
        "member": {"public", "coalition", "organisation"},
        "other": {"public", "coalition"},
    }
    [published] = Assessment.objects.filter(pk=a.pk)
    visible = selectors.evidence_for(user=other, assessments=[published])[published.pk]
    assert {e.tier for e in visible} == {"public", "coalition"}
    # Taken off the public site, even public evidence is hidden from visitors.
    services.item_publish(actor=actor, item=item, published=False)
    ev["public"].refresh_from_db()
    assert not can_see_evidence(anonymous, ev["public"])


# Audit and history of every write -----------------------------------------------------------


def test_every_write_is_audited_and_in_the_history(world: World) -> None:
    actor = secretariat(world)
    a, b = make_item(world), make_item(world)
    services.item_publish(actor=actor, item=a, published=True)
    services.item_publish(actor=actor, item=a, published=False)
    link = services.actor_set(actor=actor, item=a, organisation=world.org_b, role="lead")
    services.actor_remove(actor=actor, item_actor=link)
    services.link_add(actor=actor, from_item=a, to_item=b, kind="overlaps")
    action = services.action_create(actor=actor, item=a, description="x", status="planned")
    services.action_set_status(actor=actor, action=action, status="ongoing")
    services.action_set_status(actor=actor, action=action, status="ongoing")  # no change
    assert audit_actions(a) == [
        "commitments.item.create",
        "commitments.item.publish",
        "commitments.item.unpublish",
        "commitments.item.actor",
        "commitments.item.actor_remove",
        "commitments.item.link",
    ]
    assert audit_actions(action) == ["commitments.action.create", "commitments.action.status"]
    K = ItemEvent.Kind
    assert event_kinds(a) == [
        K.CREATED,
        K.PUBLISHED,
        K.UNPUBLISHED,
        K.ACTOR,
        K.ACTOR,
        K.LINK,
        K.ACTION,
        K.ACTION_STATUS,
    ]
    events = {e.kind: e for e in a.events.all()}
    assert events[K.ACTION_STATUS].detail == {"action": action.pk, "status": "ongoing"}
    assert events[K.LINK].detail == {"to": b.reference, "relation": "overlaps"}
    assert not events[K.ACTION].public and events[K.PUBLISHED].public
    assert all(e.actor == actor for e in a.events.all())
    event = AuditEvent.objects.get(action="commitments.action.create")
    assert event.actor == actor and event.organisation_id == world.org_a.pk
    # Setting the same role again is still a recorded change of actors.
    services.actor_set(actor=actor, item=b, organisation=world.org_b, role="supporting")
    services.actor_set(actor=actor, item=b, organisation=world.org_b, role="lead")
    assert list(b.actors.values_list("role", flat=True)) == ["lead"]
    with pytest.raises(ValidationError) as exc:
        services.actor_set(actor=actor, item=b, organisation=world.org_a, role="boss")
    assert "role" in errors_of(exc)
