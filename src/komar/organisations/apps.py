from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganisationsConfig(AppConfig):
    name = "komar.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from komar.core import reference
        from komar.organisations.loaders import load_organisations

        reference.register(self.label, load_organisations)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
