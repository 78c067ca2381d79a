"""`komar worker`: run background tasks (django-tasks API, database backend; no broker needed).

Same options as django-tasks-db's `db_worker` (e.g. `--batch` to run what is queued and exit).
While it runs, the daily tasks (deadline watch, retention) are enqueued once a day."""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from komar.core.schedule import start_scheduler


class Command(DbWorkerCommand):
    help = (
        "Run Komar's background tasks (database queue) and enqueue the daily tasks once a day. "
        "Use --batch to drain the queue and exit."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options.get("batch"):
            start_scheduler()
        super().handle(*args, **options)
