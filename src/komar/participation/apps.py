from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ParticipationConfig(AppConfig):
    name = "komar.participation"
    label = "participation"
    verbose_name = "Consultations and children's voices"

    def ready(self) -> None:
        from komar.core import reference
        from komar.core.demo import STEPS
        from komar.participation.demo import demo_participation
        from komar.participation.loaders import load_participation

        if demo_participation not in STEPS:
            STEPS.append(demo_participation)
        reference.register(self.label, load_participation)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
