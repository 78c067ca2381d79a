"""E-mail copies of notifications (django-tasks; run by `komar worker`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from komar.notifications.models import Notification


@task()
def email_notification(notification_id: int) -> bool:
    """Send one notification by e-mail. Idempotent: a notification is e-mailed at most once."""
    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None or note.emailed_at is not None or not note.user.is_active:
        return False
    link = settings.KOMAR_BASE_URL.rstrip("/") + note.url if note.url else ""
    body = f"{note.body}\n\n{link}".strip() + "\n"
    send_mail(f"[Komar] {note.subject}", body, settings.DEFAULT_FROM_EMAIL, [note.user.email])
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True
