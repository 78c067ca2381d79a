from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommitmentsConfig(AppConfig):
    name = "komar.commitments"
    label = "commitments"
    verbose_name = "Commitments tracker"

    def ready(self) -> None:
        from komar.commitments.demo import demo_commitments
        from komar.commitments.loaders import load_commitments
        from komar.commitments.tasks import remind_due_commitments
        from komar.core import reference
        from komar.core.demo import STEPS
        from komar.core.schedule import register_daily

        register_daily("commitments.reminders", remind_due_commitments)
        if demo_commitments not in STEPS:
            STEPS.append(demo_commitments)
        reference.register(self.label, load_commitments)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
