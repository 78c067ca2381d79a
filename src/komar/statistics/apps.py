from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatisticsConfig(AppConfig):
    name = "komar.statistics"
    label = "statistics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from komar.core import panels, reference
        from komar.statistics.loaders import load_indicators
        from komar.statistics.panels import place_counts

        panels.register("place_profile", place_counts)

        reference.register(self.label, load_indicators)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
