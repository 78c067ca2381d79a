"""Daily background tasks without a broker or cron: `komar worker` enqueues each registered
daily task once per day (the `DailyRun` row makes that hold across several workers); `komar
daily` runs them all at once (for a system timer, or to try them)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
DAILY: dict[str, Any] = {}  # name → django-tasks Task taking no arguments


def register_daily(name: str, task: Any) -> None:
    DAILY[name] = task


def enqueue_due() -> list[str]:
    """Enqueue every daily task not yet enqueued today. Returns the names enqueued."""
    from komar.core.models import DailyRun

    today = timezone.localdate()
    done = []
    for name, task in DAILY.items():
        try:
            with transaction.atomic():
                DailyRun.objects.create(name=name, day=today)
                transaction.on_commit(task.enqueue)
        except IntegrityError:
            continue
        done.append(name)
    return done


def start_scheduler(interval: float = 300.0) -> threading.Event:
    """Check every `interval` seconds in a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                names = enqueue_due()
                if names:
                    logger.info("Daily tasks enqueued: %s", ", ".join(names))
            except Exception:
                logger.exception("Could not enqueue the daily tasks")
            finally:
                close_old_connections()
            stop.wait(interval)

    threading.Thread(target=loop, name="komar-daily", daemon=True).start()
    return stop
