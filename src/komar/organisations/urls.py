from django.urls import path

from komar.organisations import views

urlpatterns = [
    path("", views.directory_view, name="directory"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
]
