from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from komar.core.demo import STEPS
from komar.participation.demo import DEMO_TITLE, demo_participation
from komar.participation.models import Event, Feedback, SafeguardingReferral, ThemePublication
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_demo_step_is_registered_and_idempotent(world: World) -> None:
    assert demo_participation in STEPS
    users: dict[str, Any] = {"secretariat": world.user("secretariat_admin")}
    demo_participation(users)
    demo_participation(users)
    event = Event.objects.get(title_en=DEMO_TITLE)
    assert dict(event.participants.values_list("group", "count"))["children"] == 18
    assert event.requests.count() == 1
    assert Feedback.objects.filter(status="accepted").count() == 36
    assert Feedback.objects.filter(status="new").count() == 3
    assert SafeguardingReferral.objects.count() == 1
    pub = ThemePublication.objects.get()
    assert pub.threshold == settings.KOMAR_PUBLIC_THRESHOLD
    family = next(c for c in pub.tables["themes"] if c["code"] == "family-contact")
    assert family["value"] == 12
    courts = next(c for c in pub.tables["themes"] if c["code"] == "courts-lawyers")
    assert courts == {"code": "courts-lawyers", "value": None, "small": True}
    assert all("(demo)" in (f.worries or f.change) for f in Feedback.objects.all())
