"""Who may do what in the participation app (pure functions over roles and memberships)."""

from __future__ import annotations

from typing import Any

from komar.accounts.permissions import has_perm, org_ids_with
from komar.accounts.roles import Perm, Role


def is_secretariat(user: Any) -> bool:
    """A member of the coalition secretariat (from the memberships already read for the
    request, so no extra query)."""
    if not org_ids_with(user, Perm.EVENTS_EDIT):
        return False
    return any(role == Role.SECRETARIAT_ADMIN for _, role in getattr(user, "_komar_roles", []))


def event_org_ids(user: Any) -> set[int]:
    """Organisations whose events the user may record."""
    return org_ids_with(user, Perm.EVENTS_EDIT)


def can_edit_event(user: Any, organiser_ids: set[int]) -> bool:
    """The secretariat edits any event; others only events their organisation organises."""
    return is_secretariat(user) or bool(event_org_ids(user) & organiser_ids)


def can_read_referrals(user: Any, focal_point_id: int | None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return has_perm(user, Perm.SAFEGUARDING) or user.pk == focal_point_id
