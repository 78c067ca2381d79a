from django.urls import path

from komar.notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications"),
    path("read/", views.mark_all_read, name="notifications_read"),
]
