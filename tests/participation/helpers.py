"""Building blocks for the participation tests."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.test import Client

from komar.accounts.roles import Role
from komar.participation import services, throttle
from komar.participation.models import Event, Feedback, FeedbackTheme
from tests.conftest import World

IP = "203.0.113.77"


def secretariat(world: World) -> Any:
    return world.user(Role.SECRETARIAT_ADMIN)


def make_event(world: World, *, organisers: list[Any] | None = None, **data: Any) -> Event:
    fields = {
        "title_en": "Consultation with children",
        "title_km": "ការពិគ្រោះយោបល់ជាមួយកុមារ",
        "starts_on": dt.date(2025, 3, 1),
        "format": "in_person",
        "place_en": "Phnom Penh",
        "is_public": True,
        **data,
    }
    return services.event_save(
        actor=secretariat(world),
        data=fields,
        organisers=organisers if organisers is not None else [world.org_a],
    )


def make_feedback(
    *,
    worries: str = "The food is not enough.",
    change: str = "More visits from family.",
    received_on: dt.date | None = None,
    **kw: Any,
) -> Feedback:
    return services.feedback_submit(worries=worries, change=change, received_on=received_on, **kw)


def accept(world: World, feedback: Feedback, *codes: str) -> Feedback:
    return services.feedback_accept(
        actor=secretariat(world),
        feedback=feedback,
        themes=FeedbackTheme.objects.filter(code__in=codes or ("education",)),
    )


def good_token() -> str:
    """A token served a minute ago: past the minimum time, well within the day."""
    return throttle.make_token(time.time() - 60)


def post_feedback(client: Client, ip: str = IP, lang: str = "km", **data: Any) -> Any:
    payload = {
        "worries": "ខ្ញុំបារម្ភពីការរស់នៅក្នុងមណ្ឌល",
        "change": "ចង់ឱ្យគ្រួសារមកលេងញឹកញាប់",
        "token": good_token(),
        "lang": lang,
        **data,
    }
    return client.post(f"/voices/?lang={lang}", payload, REMOTE_ADDR=ip)
