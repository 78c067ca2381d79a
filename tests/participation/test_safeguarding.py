"""Messages suggesting a child is at risk: routed to the named focal point (or the whole
secretariat), followed up with an audited log, readable only by those who must."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.notifications.models import Notification
from komar.notifications.tasks import email_notification
from komar.participation import services
from komar.participation.models import ReferralEntry, SafeguardingReferral
from komar.participation.safeguarding import matching_terms
from tests.conftest import World, login
from tests.factories import MembershipFactory, UserFactory
from tests.participation.helpers import make_feedback, post_feedback, secretariat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("The guards beat us", True),
        ("I was BEATEN yesterday", True),
        ("I want to kill myself", True),
        ("we are always hungry", True),
        ("they chained my feet", True),
        ("ពួកគេវាយដំខ្ញុំ", True),  # they beat me
        ("ខ្ញុំចង់សម្លាប់ខ្លួន", True),  # I want to kill myself
        ("យើងឃ្លានរាល់ថ្ងៃ", True),  # we are hungry every day
        ("I want to go to school", False),
        ("the music was upbeat", False),
        ("ខ្ញុំចង់រៀន", False),  # I want to study
    ],
)
def test_keywords_in_khmer_and_english(text: str, flagged: bool) -> None:
    assert bool(matching_terms(text)) is flagged


def _focal(world: World) -> Any:
    """A caseworker named focal point: not a secretariat member, no SAFEGUARDING permission."""
    user = world.user(Role.CASEWORKER)
    services.focal_point_set(actor=secretariat(world), user=user)
    return user


def test_a_flagged_message_goes_to_the_named_focal_point(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    focal = _focal(world)
    with django_capture_on_commit_callbacks(execute=False):
        post_feedback(client, worries="ពួកគេវាយដំខ្ញុំ", change="please help")
    referral = SafeguardingReferral.objects.get()
    assert referral.routed_to == focal and referral.reason == "keywords"
    assert "វាយដំ" in referral.matched_terms
    assert referral.opened_on == timezone.localdate()
    note = Notification.objects.get()
    assert note.user == focal and note.url == f"/participation/safeguarding/{referral.pk}/"
    assert "វាយដំ" not in note.body and "please help" not in note.body  # never quoted
    assert not Notification.objects.filter(user=secretariat(world)).exists()
    email_notification.call(note.pk)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"/participation/safeguarding/{referral.pk}/" in body
    assert "please help" not in body and "វាយដំ" not in body


def test_without_a_focal_point_the_whole_secretariat_is_alerted(client: Any, world: World) -> None:
    second = UserFactory(email="sec2@a.example.invalid")
    MembershipFactory(user=second, organisation=world.org_b, role=Role.SECRETARIAT_ADMIN)
    make_feedback(worries="a guard hit me")
    referral = SafeguardingReferral.objects.get()
    assert referral.routed_to is None
    assert set(Notification.objects.values_list("user", flat=True)) == {
        secretariat(world).pk,
        second.pk,
    }
    login(client, secretariat(world))
    html = client.get("/participation/safeguarding/").content.decode()
    assert "No safeguarding focal point is named" in html
    assert (
        "whole secretariat"
        in client.get(f"/participation/safeguarding/{referral.pk}/").content.decode()
    )


def test_only_the_focal_point_and_safeguarding_holders_read_referrals(
    client: Any, world: World
) -> None:
    focal = _focal(world)
    make_feedback(worries="I was raped")
    referral = SafeguardingReferral.objects.get()
    for user in (focal, secretariat(world)):
        login(client, user)
        page = client.get(f"/participation/safeguarding/{referral.pk}/")
        assert page.status_code == 200 and "I was raped" in page.content.decode()
        assert client.get("/participation/safeguarding/").status_code == 200
    for user in (world.user(Role.ORG_ADMIN), world.user(Role.ANALYST), world.other_admin):
        login(client, user)
        assert client.get(f"/participation/safeguarding/{referral.pk}/").status_code == 404
        assert client.get("/participation/safeguarding/").status_code == 404
    client.logout()
    assert client.get(f"/participation/safeguarding/{referral.pk}/").status_code == 302


def test_follow_up_log_is_dated_and_audited(client: Any, world: World) -> None:
    focal = _focal(world)
    make_feedback(worries="they chained me")
    referral = SafeguardingReferral.objects.get()
    login(client, focal)
    today = timezone.localdate()
    step = client.post(
        f"/participation/safeguarding/{referral.pk}/",
        {"acted_on": today.isoformat(), "action": "Called the centre's social worker.",
         "status": "in_progress"},
    )  # fmt: skip
    assert step.status_code == 302
    no_note = client.post(
        f"/participation/safeguarding/{referral.pk}/",
        {"acted_on": today.isoformat(), "action": "Visited.", "status": "closed"},
    )
    assert no_note.status_code == 400 and no_note.context["form"].errors["closing_note"]
    future = client.post(
        f"/participation/safeguarding/{referral.pk}/",
        {"acted_on": (today + dt.timedelta(days=3)).isoformat(), "action": "x", "status": "open"},
    )
    assert future.status_code == 400 and future.context["form"].errors["acted_on"]
    close = client.post(
        f"/participation/safeguarding/{referral.pk}/",
        {"acted_on": today.isoformat(), "action": "Visited with the provincial social affairs office.",
         "status": "closed", "closing_note": "Child moved to family care."},
    )  # fmt: skip
    assert close.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.closed_on == today
    assert referral.closing_note == "Child moved to family care."
    entries = list(ReferralEntry.objects.filter(referral=referral))
    assert [e.status for e in entries] == ["in_progress", "closed"]
    assert all(e.by == focal for e in entries)
    audited = AuditEvent.objects.filter(
        action="participation.referral.entry", target_id=str(referral.pk)
    )
    assert audited.count() == 2 and all(e.actor == focal for e in audited)
    page = client.get(f"/participation/safeguarding/{referral.pk}/").content.decode()
    assert "Called the centre" in page and "Child moved to family care." in page
    with pytest.raises(ValidationError):
        services.referral_add_entry(
            actor=focal, referral=referral, acted_on=today, action="more", status="open"
        )


def test_others_cannot_write_to_a_referral(client: Any, world: World) -> None:
    make_feedback(worries="they beat me")
    referral = SafeguardingReferral.objects.get()
    login(client, world.user(Role.ORG_ADMIN))
    response = client.post(
        f"/participation/safeguarding/{referral.pk}/",
        {"acted_on": timezone.localdate().isoformat(), "action": "x", "status": "closed",
         "closing_note": "x"},
    )  # fmt: skip
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.referral_add_entry(
            actor=world.user(Role.ORG_ADMIN), referral=referral,
            acted_on=timezone.localdate(), action="x", status="open",
        )  # fmt: skip
    assert not ReferralEntry.objects.exists()


def test_focal_point_settings(client: Any, world: World) -> None:
    login(client, secretariat(world))
    user = world.user(Role.MONITOR)
    assert (
        client.post(
            "/participation/safeguarding/focal-point/", {"focal_point": user.pk}
        ).status_code
        == 302
    )
    assert services.focal_point() == user
    assert AuditEvent.objects.filter(action="participation.safeguarding.focal_point").exists()
    html = client.get("/participation/safeguarding/").content.decode()
    assert str(user) in html
    assert (
        client.post("/participation/safeguarding/focal-point/", {"focal_point": ""}).status_code
        == 302
    )
    assert services.focal_point() is None
    login(client, world.user(Role.ORG_ADMIN))
    assert client.get("/participation/safeguarding/focal-point/").status_code == 403


def test_a_former_focal_point_loses_access(client: Any, world: World) -> None:
    focal = _focal(world)
    make_feedback(worries="they beat me")
    referral = SafeguardingReferral.objects.get()
    services.focal_point_set(actor=secretariat(world), user=None)
    login(client, focal)
    assert client.get(f"/participation/safeguarding/{referral.pk}/").status_code == 404
