from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StatementsConfig(AppConfig):
    name = "komar.statements"
    label = "statements"
    verbose_name = "Joint statements"

    def ready(self) -> None:
        from komar.core import reference
        from komar.statements.loaders import load_statements

        reference.register(self.label, load_statements)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)

        from komar.core.demo import STEPS
        from komar.statements.demo import demo_statements

        if demo_statements not in STEPS:
            STEPS.append(demo_statements)
