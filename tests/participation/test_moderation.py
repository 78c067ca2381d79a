"""The secretariat's moderation queue: accept with themes, reject spam, never edit the words."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.participation import services
from komar.participation.models import Feedback, FeedbackTheme, SafeguardingReferral
from tests.conftest import World, login, query_count
from tests.participation.helpers import make_feedback, post_feedback, secretariat

pytestmark = pytest.mark.django_db


def test_themes_are_the_controlled_vocabulary() -> None:
    codes = list(FeedbackTheme.objects.values_list("code", flat=True))
    assert codes[:3] == ["detention-conditions", "police", "courts-lawyers"]
    assert {"family-contact", "education", "health", "violence", "discrimination",
            "being-heard", "other"} <= set(codes)  # fmt: skip
    assert all(t.name_km and t.name_en for t in FeedbackTheme.objects.all())


def test_a_childs_message_from_the_phone_reaches_the_queue(client: Any, world: World) -> None:
    post_feedback(client)
    login(client, secretariat(world))
    html = client.get("/participation/feedback/").content.decode()
    assert "ខ្ញុំបារម្ភពីការរស់នៅក្នុងមណ្ឌល" in html


def test_accept_with_themes_keeps_the_words(client: Any, world: World) -> None:
    f = make_feedback(worries="I cannot go to school here.")
    login(client, secretariat(world))
    themes = FeedbackTheme.objects.filter(code__in=["education", "detention-conditions"])
    response = client.post(
        f"/participation/feedback/{f.pk}/accept/",
        {"themes": [t.pk for t in themes], "worries": "EDITED"},
    )
    assert response.status_code == 302
    f.refresh_from_db()
    assert f.status == "accepted" and f.worries == "I cannot go to school here."
    assert set(f.themes.values_list("code", flat=True)) == {"education", "detention-conditions"}
    event = AuditEvent.objects.get(action="participation.feedback.accept")
    assert "school" not in str(event.changes) and "school" not in event.target_label


def test_accept_needs_a_theme(client: Any, world: World) -> None:
    f = make_feedback()
    login(client, secretariat(world))
    response = client.post(f"/participation/feedback/{f.pk}/accept/", {"themes": []})
    assert response.status_code == 400
    assert response.context["accept_form"].errors["themes"]
    f.refresh_from_db()
    assert f.status == "new"
    with pytest.raises(ValidationError):
        services.feedback_accept(actor=secretariat(world), feedback=f, themes=[])


def test_reject_as_spam(client: Any, world: World) -> None:
    f = make_feedback(worries="buy cheap watches")
    login(client, secretariat(world))
    assert client.post(f"/participation/feedback/{f.pk}/reject/").status_code == 302
    f.refresh_from_db()
    assert f.status == "rejected" and f.worries == "buy cheap watches"
    assert "buy cheap" not in client.get("/participation/feedback/").content.decode()
    assert "buy cheap" in client.get("/participation/feedback/?status=rejected").content.decode()


def test_a_message_under_safeguarding_cannot_be_rejected(client: Any, world: World) -> None:
    f = make_feedback(worries="a guard beat me")
    login(client, secretariat(world))
    response = client.post(f"/participation/feedback/{f.pk}/reject/")
    assert response.status_code == 400
    f.refresh_from_db()
    assert f.status == "new"


def test_at_risk_button_opens_a_referral_once(client: Any, world: World) -> None:
    f = make_feedback(worries="I am sad and alone", change="")
    assert not SafeguardingReferral.objects.exists()
    login(client, secretariat(world))
    assert client.post(f"/participation/feedback/{f.pk}/at-risk/").status_code == 302
    referral = SafeguardingReferral.objects.get(feedback=f)
    assert referral.reason == "moderator"
    assert AuditEvent.objects.filter(action="participation.referral.open").count() == 1
    again = client.post(f"/participation/feedback/{f.pk}/at-risk/")
    assert again.status_code == 400
    assert SafeguardingReferral.objects.count() == 1


def test_queue_query_count_is_constant(client: Any, world: World) -> None:
    make_feedback()
    login(client, secretariat(world))
    few = query_count(lambda: client.get("/participation/feedback/"))
    for i in range(6):
        f = make_feedback(worries=f"message {i} they beat us", province=None)
        if i % 2:
            services.feedback_accept(
                actor=secretariat(world), feedback=f, themes=FeedbackTheme.objects.all()[:2]
            )
    make_feedback(worries="another")
    assert query_count(lambda: client.get("/participation/feedback/")) == few
    accepted = query_count(lambda: client.get("/participation/feedback/?status=accepted"))
    f = make_feedback()
    services.feedback_accept(
        actor=secretariat(world), feedback=f, themes=FeedbackTheme.objects.all()
    )
    assert query_count(lambda: client.get("/participation/feedback/?status=accepted")) == accepted


def test_others_cannot_moderate(client: Any, world: World) -> None:
    f = make_feedback()
    for user in (world.user(Role.ORG_ADMIN), world.user(Role.YOUTH_MEMBER), world.other_admin):
        login(client, user)
        assert client.get("/participation/feedback/").status_code == 403
        assert client.post(f"/participation/feedback/{f.pk}/reject/").status_code == 403
    f.refresh_from_db()
    assert f.status == Feedback.Status.NEW
