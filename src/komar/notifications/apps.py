from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "komar.notifications"
    label = "notifications"
    verbose_name = "Notifications"
