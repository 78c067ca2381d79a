from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "komar.api"
    label = "api"
    verbose_name = "API"
