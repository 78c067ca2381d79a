"""Events (/events/), the children's feedback form and published themes (/voices/), and the
secretariat's moderation and safeguarding pages (/participation/)."""

from django.urls import path

from komar.participation.views import events, exports, moderation, safeguarding, voices

urlpatterns = [
    path("events/", events.event_list, name="participation_events"),
    path("events/new/", events.event_create, name="participation_event_create"),
    path("events/export.csv", exports.events_csv, name="participation_events_csv"),
    path("events/<int:pk>/", events.event_detail, name="participation_event"),
    path("events/<int:pk>/edit/", events.event_edit, name="participation_event_edit"),
    path(
        "events/<int:pk>/participants/",
        events.participants_edit,
        name="participation_participants",
    ),
    path(
        "events/<int:pk>/requests/new/",
        events.request_create,
        name="participation_request_create",
    ),
    path(
        "events/<int:pk>/requests/<int:rid>/",
        events.request_edit,
        name="participation_request_edit",
    ),
    path("voices/", voices.feedback_form, name="participation_voices"),
    path("voices/thanks/", voices.feedback_thanks, name="participation_voices_thanks"),
    path("voices/themes/", voices.published_themes, name="participation_themes"),
    path("voices/themes/export.csv", exports.themes_csv, name="participation_themes_csv"),
    path("participation/feedback/", moderation.feedback_queue, name="participation_feedback_queue"),
    path(
        "participation/feedback/<int:pk>/",
        moderation.feedback_detail,
        name="participation_feedback",
    ),
    path(
        "participation/feedback/<int:pk>/accept/",
        moderation.feedback_accept,
        name="participation_feedback_accept",
    ),
    path(
        "participation/feedback/<int:pk>/reject/",
        moderation.feedback_reject,
        name="participation_feedback_reject",
    ),
    path(
        "participation/feedback/<int:pk>/at-risk/",
        moderation.feedback_at_risk,
        name="participation_feedback_at_risk",
    ),
    path(
        "participation/themes/", moderation.theme_publications, name="participation_themes_manage"
    ),
    path(
        "participation/themes/<int:pk>/withdraw/",
        moderation.theme_withdraw,
        name="participation_theme_withdraw",
    ),
    path("participation/safeguarding/", safeguarding.referral_list, name="participation_referrals"),
    path(
        "participation/safeguarding/<int:pk>/",
        safeguarding.referral_detail,
        name="participation_referral",
    ),
    path(
        "participation/safeguarding/focal-point/",
        safeguarding.focal_point_settings,
        name="participation_focal_point",
    ),
]
