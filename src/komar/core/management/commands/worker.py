"""`komar worker`: run background tasks (django-tasks API, database backend; no broker needed).

Same options as django-tasks-db's `db_worker` (e.g. `--batch` to run what is queued and exit)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run Komar's background tasks (database queue). Use --batch to drain the queue and exit."
