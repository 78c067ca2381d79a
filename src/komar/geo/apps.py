from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GeoConfig(AppConfig):
    name = "komar.geo"
    label = "geo"
    verbose_name = "Geography"

    def ready(self) -> None:
        from komar.core import reference
        from komar.geo.loaders import load_provinces

        reference.register(self.label, load_provinces)
        post_migrate.connect(reference.post_migrate_loader(self.label), sender=self, weak=False)
