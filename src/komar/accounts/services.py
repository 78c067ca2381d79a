"""Writes to accounts: invitations, roles, language, API tokens. Each is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.models import ApiToken, Membership, User
from komar.accounts.roles import MEMBER_ROLES
from komar.audit import services as audit
from komar.organisations.models import Organisation

TOKEN_PREFIX = "kmr_"  # noqa: S105 - a public marker, not a secret


def _check_role(role: str) -> None:
    if role not in {r.value for r in MEMBER_ROLES}:
        raise ValidationError({"role": _("Choose a valid role.")})


@transaction.atomic
def member_invite(
    *, actor: Any, organisation: Organisation, email: str, full_name: str, role: str
) -> Membership:
    """Add a person to an organisation with a role. A new person gets an account without a
    password and an e-mail inviting them to set one."""
    _check_role(role)
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
        audit.record(
            actor=actor,
            action="user.create",
            target=audit.Target.of(user, email),
            changes=audit.diff({}, {"email": email, "full_name": full_name}),
            organisation_id=organisation.pk,
        )
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record(
        actor=actor,
        action="membership.create",
        target=audit.Target.of(membership, f"{email} @ {organisation.slug}"),
        changes=audit.diff({}, {"role": role}),
        organisation_id=organisation.pk,
    )
    if created:
        from komar.accounts.tasks import send_invitation

        transaction.on_commit(lambda: send_invitation.enqueue(user_id=user.pk))
    return membership


@transaction.atomic
def membership_change_role(*, actor: Any, membership: Membership, role: str) -> Membership:
    _check_role(role)
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError({"role": _("You cannot change your own role.")})
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="membership.update",
        target=audit.Target.of(
            membership, f"{membership.user.email} @ {membership.organisation.slug}"
        ),
        changes=audit.diff(before, {"role": role}),
        organisation_id=membership.organisation_id,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot remove yourself."))
    audit.record(
        actor=actor,
        action="membership.delete",
        target=audit.Target.of(
            membership, f"{membership.user.email} @ {membership.organisation.slug}"
        ),
        changes=audit.diff({"role": membership.role}, {}),
        organisation_id=membership.organisation_id,
    )
    membership.delete()


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if user.preferred_language == language:
        return
    before = {"preferred_language": user.preferred_language}
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    audit.record(
        actor=user,
        action="user.update",
        target=audit.Target.of(user, user.email),
        changes=audit.diff(before, {"preferred_language": language}),
    )


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token. The secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:12],
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit.record(
        actor=user,
        action="api_token.create",
        target=audit.Target.of(token, f"{token.name} ({token.prefix}…)"),
        changes=audit.diff({}, {"key": "set"}, sensitive={"key"}),
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="api_token.revoke",
        target=audit.Target.of(token, f"{token.name} ({token.prefix}…)"),
    )


def token_authenticate(secret: str) -> User | None:
    """The active user a bearer secret belongs to, or None. Marks the token as used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
