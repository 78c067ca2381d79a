from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "komar.core"
    label = "core"
    verbose_name = "Komar core"
