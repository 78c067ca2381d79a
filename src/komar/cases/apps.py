from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "komar.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from komar.cases.demo import demo_cases
        from komar.cases.loaders import load_rules
        from komar.cases.panels import dashboard_watch
        from komar.cases.tasks import anonymise_expired_cases, notify_watch_bands
        from komar.core import panels, reference
        from komar.core.demo import STEPS
        from komar.core.schedule import register_daily

        register_daily("cases.watch", notify_watch_bands)
        register_daily("cases.retention", anonymise_expired_cases)

        panels.register("dashboard", dashboard_watch)
        if demo_cases not in STEPS:
            STEPS.append(demo_cases)
        reference.register(self.label, load_rules)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
