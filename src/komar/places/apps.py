from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlacesConfig(AppConfig):
    name = "komar.places"
    label = "places"
    verbose_name = "Places of deprivation of liberty"

    def ready(self) -> None:
        from komar.core import reference
        from komar.places.loaders import load_places

        reference.register(self.label, load_places)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
