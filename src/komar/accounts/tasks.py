"""Background work for accounts (django-tasks API; run by `komar worker`)."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from komar.accounts.models import User


@task()
def send_invitation(user_id: int) -> bool:
    """E-mail a newly invited person a link to choose their password. Idempotent: a user who
    already has a password is not sent anything."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return False
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "url": settings.KOMAR_BASE_URL.rstrip("/") + path}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
