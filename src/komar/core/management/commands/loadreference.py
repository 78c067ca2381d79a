from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from komar.core.reference import LOADERS, load_all


class Command(BaseCommand):
    help = "Load or refresh reference data (provinces, situations, organisations…) from data files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=sorted(LOADERS), help="load one app's data only")

    def handle(self, *args: Any, **options: Any) -> None:
        for label, count in load_all(only=options["only"]).items():
            self.stdout.write(f"{label}: {count} rows created or updated")
