"""Authentication events from allauth, Django and axes, written to the audit trail.

These are the one place Komar writes audit events from signal receivers: sign-in, sign-out and
two-factor changes happen inside the frameworks, and this is their only hook."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.dispatch import receiver

from komar.accounts.adapters import axes_username
from komar.audit import services as audit


def _user_target(user: Any) -> audit.Target:
    return audit.Target("accounts.user", str(user.pk), user.email)


@receiver(auth_signals.user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", target=_user_target(user))


@receiver(auth_signals.user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="auth.logout", target=_user_target(user))


@receiver(auth_signals.user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    attempted = axes_username(request, credentials)
    with transaction.atomic():
        audit.record(
            actor=None,
            action="auth.login_failed",
            target=audit.Target("accounts.user", "", attempted[:255]),
        )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    audit.record(
        actor=None,
        action="auth.locked_out",
        target=audit.Target("accounts.user", "", (username or "")[:255]),
        ip=ip_address,
    )


@receiver(account_signals.password_changed)
@receiver(account_signals.password_reset)
@receiver(account_signals.password_set)
def on_password(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(
        actor=user,
        action="user.password_change",
        target=_user_target(user),
        changes=audit.diff({}, {"password": "set"}, sensitive={"password"}),
    )


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit.record(
        actor=user,
        action="mfa.add",
        target=_user_target(user),
        changes={"type": {"new": authenticator.type}},
    )


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit.record(
        actor=user,
        action="mfa.remove",
        target=_user_target(user),
        changes={"type": {"old": authenticator.type}},
    )


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    audit.record(
        actor=user,
        action="mfa.reset",
        target=_user_target(user),
        changes={"type": {"new": authenticator.type}},
    )
