from django.urls import path

from komar.cases.views import case, lists

urlpatterns = [
    path("", lists.case_list, name="case_list"),
    path("new/", lists.case_create, name="case_create"),
    path("watch/", lists.watch, name="case_watch"),
    path("watch/coalition/", lists.coalition_watch, name="case_coalition_watch"),
    path("referrals/", lists.referrals, name="case_referrals"),
    path("export/", lists.export, name="case_export"),
    path("rules/", lists.rules, name="case_rules"),
    path("rules/<int:pk>/edit/", lists.rule_edit, name="case_rule_edit"),
    path("<str:code>/", case.case_detail, name="case_detail"),
    path("<str:code>/edit/", case.case_edit, name="case_edit"),
    path("<str:code>/identity/", case.identity_show, name="case_identity"),
    path("<str:code>/identity/edit/", case.identity_edit, name="case_identity_edit"),
    path("<str:code>/identity/photo/", case.identity_photo, name="case_identity_photo"),
    path("<str:code>/events/", case.event_add, name="case_event_add"),
    path("<str:code>/events/<int:event_id>/delete/", case.event_delete, name="case_event_delete"),
    path("<str:code>/notes/", case.note_add, name="case_note_add"),
    path("<str:code>/consents/", case.consent_add, name="case_consent_add"),
    path(
        "<str:code>/consents/<int:consent_id>/withdraw/",
        case.consent_withdraw,
        name="case_consent_withdraw",
    ),
    path("<str:code>/services/", case.service_add, name="case_service_add"),
    path("<str:code>/referrals/", case.referral_create, name="case_referral_create"),
    path("<str:code>/referrals/answer/", case.referral_answer, name="case_referral_answer"),
    path(
        "<str:code>/referrals/<int:referral_id>/withdraw/",
        case.referral_withdraw,
        name="case_referral_withdraw",
    ),
    path("<str:code>/close/", case.case_close, name="case_close"),
    path("<str:code>/reopen/", case.case_reopen, name="case_reopen"),
    path("<str:code>/access-log/", case.access_log, name="case_access_log"),
]
