"""`komar demo`: load reference data and the synthetic demo data set (idempotent).

Every person created here is fictional (e-mail addresses end in `.invalid`). Later modules add
their own demo data by registering a step in `komar.core.demo.STEPS`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from komar.core.demo import run_demo


class Command(BaseCommand):
    help = "Load reference data and fictional demo data; print and save the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print logins")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts, path = run_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Logins saved to {path}"))
        if options["quiet_logins"]:
            return
        width = max(len(a["email"]) for a in accounts)
        self.stdout.write("")
        self.stdout.write(f"  Demo logins for {settings.KOMAR_BASE_URL}/account/login/")
        self.stdout.write("")
        for account in accounts:
            self.stdout.write(
                f"  {account['email']:<{width}}  {account['password']}  "
                f"{account['role']:<24} {account['organisation']}"
            )
        self.stdout.write("")
