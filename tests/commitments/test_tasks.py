"""The daily reminder of items and actions that fall due, and the demo data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from komar.accounts.roles import Role
from komar.commitments import services, tasks
from komar.commitments.demo import CRC_CODE, REQUESTS_CODE, demo_commitments
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
)
from komar.core import schedule
from komar.core.demo import STEPS
from komar.notifications.models import Notification
from komar.notifications.services import language_of
from komar.organisations.models import Organisation
from tests.commitments.helpers import assess, make_item, make_source, secretariat
from tests.conftest import World, query_count

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def focal(world: World, language: str = "en") -> Any:
    user = world.user(Role.GOVERNMENT_FOCAL_POINT)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def due_item(world: World, days: int, **data: Any) -> Item:
    if "focal_point" not in data:
        data["focal_point"] = focal(world)
    return make_item(world, due_on=_days(days), **data)


def notes(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("pk"))


def run() -> int:
    return int(tasks.remind_due_commitments.call())


# Bands --------------------------------------------------------------------------------------


def test_band_of() -> None:
    today = dt.date(2025, 3, 1)
    assert tasks.band_of(dt.date(2025, 2, 28), today) == "overdue"
    assert tasks.band_of(today, today) == "due_soon"
    assert tasks.band_of(dt.date(2025, 3, 15), today) == "due_soon"
    assert tasks.band_of(dt.date(2025, 3, 16), today) is None


def test_the_daily_task_is_registered() -> None:
    assert schedule.DAILY["commitments.reminders"] is tasks.remind_due_commitments
    assert demo_commitments in STEPS


# Items --------------------------------------------------------------------------------------


def test_a_due_item_reminds_its_focal_point_once_with_a_link(world: World) -> None:
    item = due_item(world, 10)
    far = due_item(world, 60)
    assert run() == 1
    assert run() == 0
    [note] = notes(item.focal_point)
    assert note.url == f"/commitments/items/{item.pk}/"
    assert note.key == f"commitments.item:{item.pk}:{item.due_on.isoformat()}:due_soon"
    assert note.subject == f"Due soon: {item.reference}"
    assert item.text_en in note.body or (item.summary_en and item.summary_en in note.body)
    assert far.reference not in " ".join(n.subject for n in Notification.objects.all())


def test_the_reminder_goes_out_by_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    item = due_item(world, 3)
    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        assert run() == 1
    assert [m.to for m in mail.outbox] == [[item.focal_point.email]]
    assert item.reference in mail.outbox[0].subject


def test_passing_the_due_date_reminds_again_as_overdue(world: World) -> None:
    item = due_item(world, 5)
    assert run() == 1
    Item.objects.filter(pk=item.pk).update(due_on=_days(-1))  # time passes: same date, later day
    item.refresh_from_db()
    assert run() == 1
    assert run() == 0
    subjects = [n.subject for n in notes(item.focal_point)]
    assert subjects == [f"Due soon: {item.reference}", f"Overdue: {item.reference}"]


def test_a_changed_due_date_reminds_again(world: World) -> None:
    item = due_item(world, -3)
    assert run() == 1
    services.item_update(actor=secretariat(world), item=item, data={"due_on": _days(-2)})
    assert run() == 1
    keys = [n.key for n in notes(item.focal_point)]
    assert len(set(keys)) == 2 and all(k.endswith(":overdue") for k in keys)


def test_no_reminder_for_archived_or_implemented_items_or_without_focal_point(
    world: World,
) -> None:
    archived = due_item(world, -5)
    services.item_archive(actor=secretariat(world), item=archived, archived=True)
    implemented = due_item(world, -5)
    assess(
        world,
        implemented,
        perspective=Perspective.COALITION,
        status="implemented",
        state="published",
    )
    make_item(world, due_on=_days(-5))  # nobody to tell
    undated = make_item(world, focal_point=focal(world))
    assert undated.due_on is None
    assert run() == 0
    assert not Notification.objects.exists()


def test_government_says_implemented_is_not_enough_to_stop_reminders(world: World) -> None:
    item = due_item(world, -5)
    assess(world, item, perspective=Perspective.GOVERNMENT, status="implemented", state="published")
    assert run() == 1


def test_the_reminder_is_rendered_in_the_focal_points_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = due_item(world, 2, focal_point=focal(world, "km"))
    seen: list[str | None] = []
    original = tasks._item_message

    def spy(obj: Item, band: str) -> tuple[str, str]:
        seen.append(translation.get_language())
        return original(obj, band)

    monkeypatch.setattr(tasks, "_item_message", spy)
    assert translation.get_language() == "en"
    assert run() == 1
    assert seen == ["km"]
    assert notes(item.focal_point)[0].url == f"/commitments/items/{item.pk}/"


# Actions ------------------------------------------------------------------------------------


def make_action(world: World, item: Item, days: int | None, status: str = "planned") -> Action:
    monitor = world.user(Role.MONITOR)
    return services.action_create(
        actor=monitor,
        item=item,
        description="Visit the centre again",
        status=status,
        due_on=_days(days) if days is not None else None,
        responsible=monitor,
    )


def test_a_due_action_reminds_the_person_responsible(world: World) -> None:
    item = make_item(world)
    soon = make_action(world, item, 4)
    late = make_action(world, item, -4, status="ongoing")
    make_action(world, item, -4, status="done")
    make_action(world, item, -4, status="dropped")
    make_action(world, item, 40)
    make_action(world, item, None)
    assert run() == 2
    assert run() == 0
    monitor = world.user(Role.MONITOR)
    got = {n.key: n for n in notes(monitor)}
    assert set(got) == {
        f"commitments.action:{soon.pk}:{soon.due_on}:due_soon",
        f"commitments.action:{late.pk}:{late.due_on}:overdue",
    }
    assert all(n.url == f"/commitments/items/{item.pk}/" for n in got.values())
    with translation.override(language_of(monitor)):
        expected = gettext("Overdue action on %(reference)s") % {"reference": item.reference}
    assert got[f"commitments.action:{late.pk}:{late.due_on}:overdue"].subject == expected


def test_no_action_reminder_on_an_archived_item(world: World) -> None:
    item = make_item(world)
    make_action(world, item, -1)
    services.item_archive(actor=secretariat(world), item=item, archived=True)
    assert run() == 0


# Queries ------------------------------------------------------------------------------------


def _fill(world: World, source: Any, n: int) -> None:
    for _ in range(n):
        item = due_item(world, -1, source=source)
        make_action(world, item, 2)


def test_query_count_does_not_grow_with_items(world: World) -> None:
    """Our own queries are one per kind of reminder plus one for what was already sent; each new
    notification costs what `notify` costs, the same for every one."""
    source = make_source(world)
    _fill(world, source, 2)
    first_few = query_count(run)
    again_few = query_count(run)
    _fill(world, source, 6)  # 6 more items, 6 more actions: 12 new reminders
    first_many = query_count(run)
    again_many = query_count(run)
    assert again_few == again_many == 3
    per_notification = (first_few - again_few) / 4
    assert per_notification == int(per_notification)
    assert first_many - again_many == per_notification * 12


# Demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_step_is_idempotent_and_shows_disagreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from komar.core.demo.people import create_people

    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    users, _accounts = create_people(lambda email: "demo password 1234")
    demo_commitments(users)
    counts = {
        model: model.objects.count()
        for model in (
            Source,
            Item,
            ItemActor,
            ItemLink,
            Action,
            Assessment,
            Evidence,
            ItemEvent,
            Organisation,
        )
    }
    demo_commitments(users)
    assert {model: model.objects.count() for model in counts} == counts

    crc = Source.objects.get(code=CRC_CODE)
    assert "DEMO" in crc.title_en and crc.symbol == "DEMO/CRC/KHM/CO"
    items = list(crc.items.all())
    assert len(items) == 6
    assert all(i.text_km and i.summary_en and i.summary_km for i in items)
    government = users["government"]
    assert {i.focal_point_id for i in items if i.due_on} == {government.pk}
    today = timezone.localdate()
    assert any(i.due_on and i.due_on < today for i in items)
    assert any(i.due_on and today <= i.due_on <= today + dt.timedelta(days=14) for i in items)
    for slug, km in [
        ("ministry-of-justice", "ក្រសួងយុត្តិធម៌"),
        ("ministry-of-interior-general-department-of-prisons", "ក្រសួងមហាផ្ទៃ"),
    ]:
        org = Organisation.objects.get(slug=slug)
        assert org.kind == Organisation.Kind.GOVERNMENT and org.name_km.startswith(km)
        assert ItemActor.objects.filter(organisation=org, role="lead").exists()
    study = Item.objects.filter(reference__startswith="A/74/136 OR-")
    assert study.count() == 5
    assert all(i.actors.exists() for i in study)

    gaps = [
        i
        for i in Item.objects.exclude(government_status="").exclude(coalition_status="")
        if i.has_gap
    ]
    assert len(gaps) >= 2
    for perspective in Perspective.values:
        states = set(
            Assessment.objects.filter(perspective=perspective).values_list("state", flat=True)
        )
        assert states == set(AssessmentState.values), perspective
    assert Assessment.objects.filter(state=AssessmentState.PUBLISHED).count() >= 4
    government_reports = Assessment.objects.filter(perspective=Perspective.GOVERNMENT)
    assert set(government_reports.values_list("created_by", flat=True)) == {government.pk}
    kinds = set(Action.objects.values_list("organisation__kind", flat=True))
    assert {Organisation.Kind.GOVERNMENT, Organisation.Kind.NGO} <= kinds
    assert ItemLink.objects.count() == 1
    requests = Source.objects.get(code=REQUESTS_CODE)
    assert "DEMO" in requests.title_en
    assert list(requests.items.values_list("kind", flat=True)) == ["request"] * 3
    assert Item.objects.filter(coalition_status=Progress.REGRESSED).exists()

    # The demo's due items remind the government focal point.
    assert run() >= 2
    assert Notification.objects.filter(user=government, key__contains=":overdue").exists()
