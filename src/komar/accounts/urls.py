from django.urls import path

from komar.accounts import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("directory/<slug:slug>/members/", views.members, name="members"),
    path(
        "directory/<slug:slug>/members/<int:membership_id>/",
        views.member_update,
        name="member_update",
    ),
    path("i18n/setlang/", views.set_language_view, name="set_language"),
]
