"""`komar daily`: run every daily task now, in this process (for a system timer, or to try)."""

from typing import Any

from django.core.management.base import BaseCommand

from komar.core.schedule import DAILY


class Command(BaseCommand):
    help = "Run the daily tasks (deadline watch notifications, retention) now."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, task in DAILY.items():
            result = task.call()
            self.stdout.write(f"{name}: {result}")
