from django.urls import path

from komar.places import views

urlpatterns = [
    path("", views.place_list, name="place_list"),
    path("new/", views.place_create, name="place_create"),
    path("<slug:code>/", views.place_detail, name="place_detail"),
    path("<slug:code>/edit/", views.place_edit, name="place_edit"),
]
