from __future__ import annotations

from django.db import models


class DailyRun(models.Model):
    """That a daily task was enqueued for a day — so several workers enqueue it once."""

    name = models.CharField(max_length=100)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="daily_run_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"
