"""Notifications: once per key, in the recipient's language, e-mailed once by the worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import override_settings
from django.utils import translation

from komar.notifications import selectors
from komar.notifications.models import Notification
from komar.notifications.services import language_of, mark_read, notify
from komar.notifications.tasks import email_notification
from tests.factories import UserFactory

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def rendered_language() -> tuple[str, str]:
    return f"subject in {translation.get_language()}", "body"


def test_a_key_notifies_a_person_once(db: Any) -> None:
    user = UserFactory()
    calls = []

    def render() -> tuple[str, str]:
        calls.append(1)
        return "Hello", "Body"

    assert notify(user=user, key="k1", render=render, url="/x/", email=False)
    assert not notify(user=user, key="k1", render=render, email=False)
    assert len(calls) == 1  # not even rendered the second time
    other = UserFactory()
    assert notify(user=other, key="k1", render=render, email=False)
    assert Notification.objects.count() == 2


def test_a_very_long_key_is_still_sent_once(db: Any) -> None:
    user = UserFactory()
    key = "watch:" + "x" * 300
    assert notify(user=user, key=key, render=rendered_language, email=False)
    assert not notify(user=user, key=key, render=rendered_language, email=False)
    assert Notification.objects.get(user=user).key == key[:200]


def test_the_message_is_written_in_the_recipients_language(db: Any) -> None:
    khmer = UserFactory(preferred_language="km")
    english = UserFactory(preferred_language="en")
    default = UserFactory(preferred_language="")
    with translation.override("en"):
        for user in (khmer, english, default):
            notify(user=user, key="k", render=rendered_language, email=False)
        assert translation.get_language() == "en"  # the caller's language is restored
    subject = dict(Notification.objects.values_list("user_id", "subject"))
    assert subject[khmer.pk] == "subject in km"
    assert subject[english.pk] == "subject in en"
    assert subject[default.pk] == f"subject in {settings.LANGUAGE_CODE}"
    assert language_of(default) == settings.LANGUAGE_CODE


@override_settings(TASKS=IMMEDIATE_TASKS, KOMAR_BASE_URL="https://komar.example.org/")
def test_an_active_person_with_an_address_gets_one_email(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    active = UserFactory(email="a@example.invalid")
    inactive = UserFactory(email="b@example.invalid", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=active, key="k", render=lambda: ("Subject", "Body"), url="/cases/C-1/")
        notify(user=inactive, key="k", render=lambda: ("Subject", "Body"))
        notify(user=active, key="quiet", render=lambda: ("Quiet", ""), email=False)
    [message] = mail.outbox
    assert message.to == ["a@example.invalid"]
    assert message.subject == "[Komar] Subject"
    assert message.body == "Body\n\nhttps://komar.example.org/cases/C-1/\n"
    note = Notification.objects.get(user=active, key="k")
    assert note.emailed_at is not None
    assert Notification.objects.filter(user=inactive).exists()  # still told in the app
    # The task is idempotent: a notification is e-mailed at most once.
    assert email_notification.call(note.pk) is False
    assert email_notification.call(987654) is False
    assert len(mail.outbox) == 1


def test_nothing_is_emailed_until_the_transaction_commits(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        notify(user=user, key="k", render=lambda: ("S", "B"))
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_marking_read_touches_only_ones_own_notifications(db: Any) -> None:
    me, them = UserFactory(), UserFactory()
    for key in ("a", "b", "c"):
        notify(user=me, key=key, render=lambda: ("S", ""), email=False)
    notify(user=them, key="a", render=lambda: ("S", ""), email=False)
    mine = list(selectors.notifications_for(user=me).order_by("pk").values_list("pk", flat=True))
    theirs = Notification.objects.get(user=them).pk
    assert selectors.unread_count(user=me) == 3
    assert mark_read(user=me, notification_ids=[mine[0], theirs]) == 1
    assert selectors.unread_count(user=me) == 2
    assert selectors.unread_count(user=them) == 1
    assert mark_read(user=me) == 2
    assert selectors.unread_count(user=me) == 0
    assert selectors.unread_count(user=AnonymousUser()) == 0
