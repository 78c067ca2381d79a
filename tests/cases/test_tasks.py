"""Background work: the daily deadline watch and its notifications, retention, and the daily
scheduler."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.cases import services, tasks
from komar.cases.models import (
    Case,
    CaseNote,
    ChildIdentity,
    Consent,
    IdentityIndex,
    TimelineEvent,
    WatchAlert,
)
from komar.core import schedule
from komar.core.models import DailyRun
from komar.notifications.models import Notification
from tests.cases.helpers import add_event, days_ago, detained_case, open_case
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PAST_SUBJECT = "Case %(code)s: past the legal limit"


def people(world: World) -> tuple[Any, Any, Any]:
    """The lawyer (a caseworker), a social worker (another caseworker) and the org admin, all
    reading English (without a preference, people get the site's default language, Khmer)."""
    social = UserFactory(email="social@a.example.invalid")
    MembershipFactory(user=social, organisation=world.org_a, role=Role.CASEWORKER.value)
    found = (world.user(Role.CASEWORKER), social, world.user(Role.ORG_ADMIN))
    for user in found:
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    return found


def past_case(world: World, social: Any = None) -> Case:
    """A 15-year-old held on remand for a misdemeanour: no such detention is allowed, so the
    deadline is the order itself, already past."""
    return detained_case(
        world, arrested_days_ago=10, age=15, offence_class="misdemeanour", social_worker=social
    )


def notes_of(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user))


# The watch --------------------------------------------------------------------------------------


def test_the_watch_tells_the_lawyer_social_worker_and_admins_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    lawyer, social, admin = people(world)
    case = past_case(world, social)
    assert case.deadline_at is not None
    assert case.deadline_at < timezone.now()
    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_watch_bands.call() == 3
    for user in (lawyer, social, admin):
        [note] = notes_of(user)
        assert note.subject == PAST_SUBJECT % {"code": case.code}
        assert note.url == f"/cases/{case.code}/"
        assert "not yet verified" in note.body  # the juvenile rule is unverified
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (lawyer, social, admin))
    assert all(m.subject == f"[Komar] Case {case.code}: past the legal limit" for m in mail.outbox)
    assert all(Notification.objects.values_list("emailed_at", flat=True))
    # Nobody else: not the monitor, not the other organisation.
    assert Notification.objects.count() == 3
    assert WatchAlert.objects.filter(case=case).count() == 1

    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_watch_bands.call() == 0
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_each_person_is_told_in_their_own_language(world: World) -> None:
    lawyer, social, _admin = people(world)
    social.preferred_language = "km"
    social.save()
    lawyer.preferred_language = "en"
    lawyer.save()
    case = past_case(world, social)
    rule = case.deadline_rule
    assert rule is not None
    with translation.override("en"):
        tasks.notify_watch_bands.call()
    with translation.override("km"):
        khmer_subject = gettext(PAST_SUBJECT) % {"code": case.code}
    [km_note] = notes_of(social)
    [en_note] = notes_of(lawyer)
    assert km_note.subject == khmer_subject
    assert en_note.subject == PAST_SUBJECT % {"code": case.code}
    # The rule's own title is bilingual data, so it shows which language each was written in.
    assert rule.title_km in km_note.body
    assert rule.title_en not in km_note.body
    assert rule.title_en in en_note.body
    assert rule.title_km not in en_note.body


def test_a_new_deadline_raises_a_new_alert(world: World) -> None:
    lawyer, _social, _admin = people(world)
    case = open_case(world, age=15, lawyer=lawyer)
    case = add_event(case, lawyer, kind="arrest", date=days_ago(3), time=dt.time(9, 0))
    first_deadline = case.deadline_at
    assert tasks.notify_watch_bands.call() == 2  # lawyer and org admin
    case = add_event(case, lawyer, kind="charge", date=days_ago(2), offence_class="misdemeanour")
    case = add_event(case, lawyer, kind="pretrial_order", date=days_ago(2), time=dt.time(10, 0))
    assert case.deadline_at != first_deadline
    assert tasks.notify_watch_bands.call() == 2
    keys = set(WatchAlert.objects.filter(case=case).values_list("band", "deadline_key"))
    assert keys == {("past", first_deadline.isoformat()), ("past", case.deadline_at.isoformat())}  # type: ignore[union-attr]
    assert len(notes_of(lawyer)) == 2


def test_entering_a_nearer_band_raises_a_new_alert(world: World) -> None:
    lawyer, _social, _admin = people(world)
    case = detained_case(world, arrested_days_ago=5, age=16, offence_class="felony")
    deadline = case.deadline_at
    assert deadline is not None
    assert tasks.notify_case(case, deadline - dt.timedelta(days=40)) == 0  # later: no alert
    assert tasks.notify_case(case, deadline - dt.timedelta(days=20)) == 2  # within 30 days
    assert tasks.notify_case(case, deadline - dt.timedelta(days=19)) == 0  # same band
    assert tasks.notify_case(case, deadline - dt.timedelta(days=6)) == 2  # within 7 days
    assert tasks.notify_case(case, deadline) == 2  # past
    bands = sorted(WatchAlert.objects.filter(case=case).values_list("band", flat=True))
    assert bands == ["past", "within_30", "within_7"]
    subjects = [n.subject for n in Notification.objects.filter(user=lawyer).order_by("pk")]
    assert subjects == [
        f"Case {case.code}: legal limit within 30 days",
        f"Case {case.code}: legal limit within 7 days",
        f"Case {case.code}: past the legal limit",
    ]


def test_flags_without_a_deadline_band_are_watched_too(world: World) -> None:
    cw, _social, admin = people(world)
    case = open_case(world, age=16)  # no lawyer
    case = add_event(case, cw, kind="arrest", date=days_ago(0), held_with_adults=True)
    case = add_event(case, cw, kind="charge", date=days_ago(0), offence_class="felony")
    case = add_event(case, cw, kind="pretrial_order", date=days_ago(0))
    assert tasks.notify_watch_bands.call() == 2  # two flags, one admin
    subjects = sorted(n.subject for n in notes_of(admin))
    assert subjects == [
        f"Case {case.code}: a detained child has no lawyer assigned",
        f"Case {case.code}: the child is held with adults",
    ]


def test_another_organisations_case_tells_only_its_own_people(world: World) -> None:
    theirs = open_case(
        world, age=15, organisation=world.org_b, actor=world.other_admin, lawyer=world.other_admin
    )
    add_event(theirs, world.other_admin, kind="arrest", date=days_ago(5))
    assert tasks.notify_watch_bands.call() == 1
    assert len(notes_of(world.other_admin)) == 1
    assert not Notification.objects.exclude(user=world.other_admin).exists()


def test_closed_cases_are_not_watched(world: World) -> None:
    case = past_case(world)
    services.case_close(
        actor=world.user(Role.CASEWORKER), case=case, expected_version=case.version, reason="other"
    )
    assert tasks.notify_watch_bands.call() == 0
    assert not WatchAlert.objects.exists()


def test_a_failure_part_way_records_no_alert(world: World) -> None:
    case = past_case(world)
    with (
        mock.patch("komar.cases.tasks.notify", side_effect=RuntimeError("mail server down")),
        pytest.raises(RuntimeError),
    ):
        tasks.notify_watch_bands.call()
    assert not WatchAlert.objects.filter(case=case).exists()
    assert tasks.notify_watch_bands.call() == 2  # retried on the next run


# Retention --------------------------------------------------------------------------------------


def _closed(world: World, days: int, **kw: Any) -> Case:
    cw = world.user(Role.CASEWORKER)
    case = detained_case(world, **kw)
    Case.objects.filter(pk=case.pk).update(opened_on=days_ago(400))
    case.refresh_from_db()
    services.note_add(actor=cw, case=case, text="Sok Dara's aunt visited")
    consent = services.consent_record(
        actor=cw,
        case=case,
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Aunt",
            "given_on": days_ago(5),
        },
    )
    services.service_record(
        actor=cw,
        case=case,
        organisation_id=world.org_a.pk,
        data={"service": "education", "provided_on": days_ago(4), "note": "school in his village"},
    )
    referral = services.referral_create(
        actor=cw,
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Family tracing for the aunt's family",
        consent_id=consent.pk,
    )
    services.referral_answer(
        actor=world.other_admin, referral=referral, accept=False, note="We know the aunt"
    )
    services.consent_withdraw(
        actor=cw, case=case, consent_id=consent.pk, withdrawn_on=days_ago(1), note="Aunt moved"
    )
    TimelineEvent.objects.filter(case=case).update(note="court clerk said", document="Order 12")
    return services.case_close(
        actor=cw,
        case=case,
        expected_version=case.version,
        reason="released",
        note="Back home",
        closed_on=days_ago(days),
    )


@override_settings(KOMAR_CASE_RETENTION_DAYS=30)
def test_closed_cases_past_retention_are_anonymised(world: World) -> None:
    old = _closed(world, 31, name_latin="Sok Dara", primero_case_id="P-1")
    recent = _closed(world, 30, name_latin="Keo Sothea")
    still_open = detained_case(world, name_latin="Chea Vuthy")
    kept = {
        f: getattr(old, f)
        for f in ("age_at_offence", "legal_status", "deadline_at", "detained_since", "closed_on")
    }
    events = list(old.events.values_list("kind", "date"))

    assert tasks.anonymise_expired_cases.call() == 1
    old.refresh_from_db()
    identity = ChildIdentity.objects.get(case=old)
    assert all(getattr(identity, f) in (None, "") for f in services.IDENTITY_FIELDS)
    assert not IdentityIndex.objects.filter(case=old).exists()
    assert not CaseNote.objects.filter(case=old).exists()
    consent = Consent.objects.get(case=old)
    assert (consent.given_by or "", consent.withdrawal_note) == ("", "")
    assert list(old.services.values_list("service", "note")) == [("education", "")]
    assert list(old.referrals.values_list("reason", "answer_note", "status")) == [
        ("", "", "declined")
    ]
    assert set(old.events.values_list("note", "document")) == {("", "")}
    assert (old.primero_case_id, old.close_note) == ("", "")
    assert old.anonymised_at is not None
    # What statistics need stays.
    assert {f: getattr(old, f) for f in kept} == kept
    assert list(old.events.values_list("kind", "date")) == events
    assert AuditEvent.objects.filter(action="cases.case.anonymised", target_id=str(old.pk)).exists()
    # The others are untouched.
    for case, name in ((recent, "Keo Sothea"), (still_open, "Chea Vuthy")):
        assert ChildIdentity.objects.get(case=case).name_latin == name
        assert IdentityIndex.objects.filter(case=case).exists()
    assert CaseNote.objects.filter(case=recent).exists()
    # Idempotent, and an anonymised case can no longer be changed.
    assert tasks.anonymise_expired_cases.call() == 0
    with pytest.raises(ValidationError, match="anonymised"):
        services.case_reopen(
            actor=world.user(Role.CASEWORKER), case=old, expected_version=old.version, reason="x"
        )


# Daily scheduling -------------------------------------------------------------------------------


def test_the_daily_command_runs_every_daily_task(world: World) -> None:
    past_case(world)
    out = io.StringIO()
    with override_settings(KOMAR_CASE_RETENTION_DAYS=30):
        _closed(world, 60, name_latin="Keo Sothea")
        call_command("daily", stdout=out)
    lines = out.getvalue().splitlines()
    assert "cases.watch: 2" in lines
    assert "cases.retention: 1" in lines
    assert Case.objects.filter(anonymised_at__isnull=False).count() == 1


def test_daily_tasks_are_enqueued_once_a_day(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    assert {"cases.watch", "cases.retention"} <= set(schedule.DAILY)
    paths = {"komar.cases.tasks.notify_watch_bands", "komar.cases.tasks.anonymise_expired_cases"}

    def queued() -> list[str]:
        return sorted(
            DBTaskResult.objects.filter(task_path__in=paths).values_list("task_path", flat=True)
        )

    with django_capture_on_commit_callbacks(execute=True):
        names = schedule.enqueue_due()
    assert {"cases.watch", "cases.retention"} <= set(names)
    assert queued() == sorted(paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.enqueue_due() == []
    assert queued() == sorted(paths)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with (
        mock.patch("komar.core.schedule.timezone.localdate", return_value=tomorrow),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert set(schedule.enqueue_due()) == set(names)
    assert queued() == sorted([*paths, *paths])
    assert DailyRun.objects.filter(name="cases.watch").count() == 2


def test_the_scheduler_thread_enqueues_and_stops(world: World) -> None:
    with mock.patch("komar.core.schedule.enqueue_due", return_value=["x"]) as due:
        stop = schedule.start_scheduler(interval=0.01)
        try:
            for _ in range(200):
                if due.call_count >= 2:
                    break
                stop.wait(0.01)
        finally:
            stop.set()
            # Let the thread finish while enqueue_due is still the mock.
            for thread in threading.enumerate():
                if thread.name == "komar-daily":
                    thread.join(timeout=5)
    assert due.call_count >= 2
    assert not any(t.name == "komar-daily" for t in threading.enumerate())
