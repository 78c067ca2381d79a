"""Permission-matrix entries for the participation app; imported by tests/test_permission_matrix.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from komar.accounts.roles import Role
from komar.participation import services
from komar.participation.models import (
    ChildRequest,
    Event,
    Feedback,
    FeedbackTheme,
    ReferralEntry,
    SafeguardingReferral,
    SafeguardingSettings,
    ThemePublication,
)
from tests.conftest import World
from tests.matrix import EVERYONE, ORG_ADMIN, OTHER, SEC, Route
from tests.participation.helpers import good_token

EDITORS = {SEC, ORG_ADMIN, Role.YOUTH_MEMBER.value}  # EVENTS_EDIT in org A, the organiser
DAY = dt.date(2024, 2, 10)


def _sec(w: World) -> Any:
    return w.user(SEC)


def _event(w: World) -> Event:
    found = Event.objects.filter(title_en="Matrix consultation").first()
    return found or services.event_save(
        actor=_sec(w),
        data={"title_en": "Matrix consultation", "title_km": "ក", "starts_on": DAY,
              "format": "online", "is_public": True},
        organisers=[w.org_a],
    )  # fmt: skip


def _request(w: World) -> ChildRequest:
    event = _event(w)
    found = event.requests.first()
    return found or services.request_save(
        actor=_sec(w), event=event, data={"number": 1, "text_en": "Listen to us"}, items=[]
    )


def _feedback(w: World) -> Feedback:
    found = Feedback.objects.filter(worries="Matrix message").first()
    return found or services.feedback_submit(worries="Matrix message", change="")


def _flagged(w: World) -> SafeguardingReferral:
    found = SafeguardingReferral.objects.first()
    if found:
        return found
    services.feedback_submit(worries="they beat me", change="")
    return SafeguardingReferral.objects.get()


def _quarter_with_feedback(w: World) -> str:
    if not Feedback.objects.filter(received_on=DAY).exists():
        f = services.feedback_submit(worries="school", change="", received_on=DAY)
        services.feedback_accept(
            actor=_sec(w), feedback=f, themes=FeedbackTheme.objects.filter(code="education")
        )
    return "/participation/themes/"


def _publication(w: World) -> ThemePublication:
    found = ThemePublication.objects.first()
    if found:
        return found
    _quarter_with_feedback(w)
    return services.themes_publish(actor=_sec(w), year=2024, quarter=1)


def _event_form(w: World) -> dict[str, Any]:
    return {"title_en": "Matrix event", "starts_on": "2025-01-01", "format": "online",
            "organisers": [w.org_a.pk], "is_public": "on"}  # fmt: skip


PARTICIPATION_ROUTES: list[Route] = [
    # Events
    Route("participation_events", lambda w: "/events/", EVERYONE),
    Route("participation_event", lambda w: f"/events/{_event(w).pk}/", EVERYONE),
    Route("participation_event_create", lambda w: "/events/new/", EDITORS | {OTHER}),
    Route(
        "participation_event_create",
        lambda w: "/events/new/",
        EDITORS,
        method="post",
        data=_event_form,
        ok=302,
        # Org B's admin records events, but not in org A's name: refused by the form.
        status_for={OTHER: 400},
        unchanged=lambda w: Event.objects.filter(title_en="Matrix event").count(),
    ),
    Route("participation_event_edit", lambda w: f"/events/{_event(w).pk}/edit/", EDITORS),
    Route(
        "participation_event_edit",
        lambda w: f"/events/{_event(w).pk}/edit/",
        EDITORS,
        method="post",
        data=_event_form,
        ok=302,
        unchanged=lambda w: Event.objects.get(pk=_event(w).pk).title_en,
    ),
    Route("participation_participants", lambda w: f"/events/{_event(w).pk}/participants/", EDITORS),
    Route(
        "participation_participants",
        lambda w: f"/events/{_event(w).pk}/participants/",
        EDITORS,
        method="post",
        data=lambda w: {"children_count": "7"},
        ok=302,
        unchanged=lambda w: list(_event(w).participants.values_list("group", "count")),
    ),
    Route(
        "participation_request_create", lambda w: f"/events/{_event(w).pk}/requests/new/", EDITORS
    ),
    Route(
        "participation_request_create",
        lambda w: f"/events/{_event(w).pk}/requests/new/",
        EDITORS,
        method="post",
        data=lambda w: {"number": "5", "kind": "message", "text_en": "We want to be heard"},
        ok=302,
        unchanged=lambda w: ChildRequest.objects.filter(number=5).count(),
    ),
    Route(
        "participation_request_edit",
        lambda w: f"/events/{_event(w).pk}/requests/{_request(w).pk}/",
        EDITORS,
    ),
    Route(
        "participation_request_edit",
        lambda w: f"/events/{_event(w).pk}/requests/{_request(w).pk}/",
        EDITORS,
        method="post",
        data=lambda w: {"number": "1", "kind": "request", "text_en": "Changed"},
        ok=302,
        unchanged=lambda w: ChildRequest.objects.get(pk=_request(w).pk).text_en,
    ),
    # The children's form and the published themes: anyone.
    Route("participation_voices", lambda w: "/voices/", EVERYONE),
    Route(
        "participation_voices",
        lambda w: "/voices/",
        EVERYONE,
        method="post",
        data=lambda w: {"worries": "ខ្ញុំចង់រៀន", "change": "", "token": good_token()},
        ok=302,
    ),
    Route("participation_voices_thanks", lambda w: "/voices/thanks/", EVERYONE),
    Route("participation_themes", lambda w: "/voices/themes/", EVERYONE),
    # Moderation: the secretariat.
    Route("participation_feedback_queue", lambda w: "/participation/feedback/", {SEC}),
    Route("participation_feedback", lambda w: f"/participation/feedback/{_feedback(w).pk}/", {SEC}),
    Route(
        "participation_feedback_accept",
        lambda w: f"/participation/feedback/{_feedback(w).pk}/accept/",
        {SEC},
        method="post",
        data=lambda w: {"themes": [FeedbackTheme.objects.get(code="health").pk]},
        ok=302,
        unchanged=lambda w: Feedback.objects.get(pk=_feedback(w).pk).status,
    ),
    Route(
        "participation_feedback_reject",
        lambda w: f"/participation/feedback/{_feedback(w).pk}/reject/",
        {SEC},
        method="post",
        ok=302,
        unchanged=lambda w: Feedback.objects.get(pk=_feedback(w).pk).status,
    ),
    Route(
        "participation_feedback_at_risk",
        lambda w: f"/participation/feedback/{_feedback(w).pk}/at-risk/",
        {SEC},
        method="post",
        ok=302,
        unchanged=lambda w: SafeguardingReferral.objects.count(),
    ),
    Route("participation_themes_manage", lambda w: "/participation/themes/", {SEC}),
    Route(
        "participation_themes_manage",
        _quarter_with_feedback,
        {SEC},
        method="post",
        data=lambda w: {"year": "2024", "quarter": "1"},
        ok=302,
        unchanged=lambda w: ThemePublication.objects.count(),
    ),
    Route(
        "participation_theme_withdraw",
        lambda w: f"/participation/themes/{_publication(w).pk}/withdraw/",
        {SEC},
        method="post",
        ok=302,
        unchanged=lambda w: ThemePublication.objects.filter(pk=_publication(w).pk).count(),
    ),
    # Safeguarding: the focal point (none named here) and SAFEGUARDING holders; 404 for others.
    Route(
        "participation_referrals",
        lambda w: "/participation/safeguarding/",
        {SEC},
        denied_status=404,
    ),
    Route(
        "participation_referral",
        lambda w: f"/participation/safeguarding/{_flagged(w).pk}/",
        {SEC},
        denied_status=404,
    ),
    Route(
        "participation_referral",
        lambda w: f"/participation/safeguarding/{_flagged(w).pk}/",
        {SEC},
        method="post",
        data=lambda w: {"acted_on": "2024-01-01", "action": "Called", "status": "in_progress"},
        ok=302,
        denied_status=404,
        unchanged=lambda w: ReferralEntry.objects.count(),
    ),
    Route("participation_focal_point", lambda w: "/participation/safeguarding/focal-point/", {SEC}),
    Route(
        "participation_focal_point",
        lambda w: "/participation/safeguarding/focal-point/",
        {SEC},
        method="post",
        data=lambda w: {"focal_point": w.user(Role.MONITOR).pk},
        ok=302,
        unchanged=lambda w: SafeguardingSettings.objects.filter(focal_point__isnull=False).count(),
    ),
]


# The API and the CSV exports (the participation API owner's entries) --------------------------

API = "/api/v1/events"
SIGNED_IN = EVERYONE - {"anonymous"}


def _api_event(w: World) -> dict[str, Any]:
    return {"title_en": "Matrix API event", "starts_on": "2025-01-01", "format": "online",
            "organisers": [w.org_a.slug]}  # fmt: skip


PARTICIPATION_ROUTES += [
    Route("participation_events_csv", lambda w: "/events/export.csv", EVERYONE),
    Route("participation_themes_csv", lambda w: "/voices/themes/export.csv", EVERYONE),
    Route("api:list_participation_events", lambda w: API, SIGNED_IN, api=True),
    Route("api:get_participation_event", lambda w: f"{API}/{_event(w).pk}", SIGNED_IN, api=True),
    Route(
        "api:create_participation_event",
        lambda w: API,
        EDITORS,
        method="post_json",
        data=_api_event,
        ok=201,
        api=True,
        # Org B's admin records events, but not in org A's name.
        status_for={OTHER: 422},
        unchanged=lambda w: Event.objects.filter(title_en="Matrix API event").count(),
    ),
    Route(
        "api:patch_participation_event",
        lambda w: f"{API}/{_event(w).pk}",
        EDITORS,
        method="patch",
        data=lambda w: {"title_en": "Hijacked"},
        api=True,
        unchanged=lambda w: Event.objects.get(pk=_event(w).pk).title_en,
    ),
    Route(
        "api:set_participation_counts",
        lambda w: f"{API}/{_event(w).pk}/participants",
        EDITORS,
        method="put",
        data=lambda w: {"children": 7},
        api=True,
        unchanged=lambda w: list(_event(w).participants.values_list("group", "count")),
    ),
    Route(
        "api:create_child_request",
        lambda w: f"{API}/{_event(w).pk}/requests",
        EDITORS,
        method="post_json",
        data=lambda w: {"number": 5, "kind": "message", "text_en": "We want to be heard"},
        ok=201,
        api=True,
        unchanged=lambda w: ChildRequest.objects.filter(number=5).count(),
    ),
    Route(
        "api:patch_child_request",
        lambda w: f"{API}/{_event(w).pk}/requests/{_request(w).pk}",
        EDITORS,
        method="patch",
        data=lambda w: {"text_en": "Changed"},
        api=True,
        unchanged=lambda w: ChildRequest.objects.get(pk=_request(w).pk).text_en,
    ),
    Route(
        "api:list_feedback_theme_periods", lambda w: "/api/v1/feedback-themes", SIGNED_IN, api=True
    ),
    Route(
        "api:get_feedback_theme_period",
        lambda w: f"/api/v1/feedback-themes/{_publication(w).year}/{_publication(w).quarter}",
        SIGNED_IN,
        api=True,
    ),
]
