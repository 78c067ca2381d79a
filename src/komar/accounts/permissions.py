"""Pure functions answering "may this user do that?" from the role table and memberships."""

from __future__ import annotations

from typing import Any

from komar.accounts.roles import ROLE_PERMISSIONS, TWO_FACTOR_ROLES, Perm, Role, role_has


def _roles(user: Any, organisation_id: int | None = None) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {Role.PUBLIC.value}
    cache = getattr(user, "_komar_roles", None)
    if cache is None:
        cache = list(user.memberships.values_list("organisation_id", "role"))
        user._komar_roles = cache
    return {role for org_id, role in cache if organisation_id is None or org_id == organisation_id}


def has_perm(user: Any, perm: str, organisation_id: int | None = None) -> bool:
    """True if any of the user's roles (in `organisation_id`, if given) grants `perm`."""
    return any(role_has(role, perm) for role in _roles(user, organisation_id))


def org_ids_with(user: Any, perm: str) -> set[int]:
    """Organisations in which the user's role grants `perm`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    _roles(user)  # fills the per-request cache of (organisation, role)
    return {org_id for org_id, role in user._komar_roles if role_has(role, perm)}


def perms_of(user: Any) -> set[str]:
    return {perm.value for role in _roles(user) for perm in ROLE_PERMISSIONS.get(Role(role), set())}


def requires_two_factor(user: Any) -> bool:
    return any(Role(role) in TWO_FACTOR_ROLES for role in _roles(user))


def can_edit_organisation(user: Any, organisation_id: int) -> bool:
    return has_perm(user, Perm.ORGANISATION_EDIT_ANY) or has_perm(
        user, Perm.ORGANISATION_EDIT_OWN, organisation_id
    )


def can_manage_members(user: Any, organisation_id: int) -> bool:
    return has_perm(user, Perm.MEMBERS_MANAGE_ANY) or has_perm(
        user, Perm.MEMBERS_MANAGE_OWN, organisation_id
    )


def forget_cached_roles(user: Any) -> None:
    if hasattr(user, "_komar_roles"):
        del user._komar_roles
