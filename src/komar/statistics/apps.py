from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "komar.statistics"
    label = "statistics"
    verbose_name = "Statistics"
