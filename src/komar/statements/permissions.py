"""Who may do what with joint statements (pure functions over roles and memberships).

- Published statements: everyone, signed in or not.
- Open and closed statements: every signed-in member (STATEMENTS_VIEW).
- Drafts: members of an organisation on the statement's committee, and the secretariat.
- Editing, the committee, opening, closing and reopening: the committee's drafters (STATEMENTS_DRAFT
  in an organisation on the committee) and the secretariat (STATEMENTS_MANAGE); never once
  published.
- Publishing, approving, rejecting and ordering signatories: the secretariat.
- Endorsing, reconfirming and withdrawing: members holding STATEMENTS_ENDORSE in the organisation.
"""

from __future__ import annotations

from typing import Any

from komar.accounts.permissions import has_perm, org_ids_with
from komar.accounts.roles import Perm
from komar.statements.models import Statement


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def member_org_ids(user: Any) -> set[int]:
    if not signed_in(user):
        return set()
    has_perm(user, Perm.STATEMENTS_VIEW)  # fills the per-request cache of (organisation, role)
    return {org_id for org_id, _role in getattr(user, "_komar_roles", [])}


def is_secretariat(user: Any) -> bool:
    return signed_in(user) and has_perm(user, Perm.STATEMENTS_MANAGE)


def drafting_org_ids(user: Any) -> set[int]:
    return org_ids_with(user, Perm.STATEMENTS_DRAFT)


def endorsing_org_ids(user: Any) -> set[int]:
    return org_ids_with(user, Perm.STATEMENTS_ENDORSE)


def committee_ids(statement: Statement) -> set[int]:
    """The committee's organisation ids (from the prefetch cache when there is one)."""
    cache = getattr(statement, "_prefetched_objects_cache", {})
    if "committee" in cache:
        return {org.pk for org in cache["committee"]}
    if statement.pk is None:
        return set()
    return set(statement.committee.values_list("pk", flat=True))


def can_see(user: Any, statement: Statement) -> bool:
    if statement.status == Statement.Status.PUBLISHED:
        return True
    if not signed_in(user) or not has_perm(user, Perm.STATEMENTS_VIEW):
        return False
    if statement.status != Statement.Status.DRAFT:
        return True
    return is_secretariat(user) or bool(member_org_ids(user) & committee_ids(statement))


def is_drafter(user: Any, statement: Statement) -> bool:
    """The secretariat, or a drafter of an organisation on the committee."""
    return is_secretariat(user) or bool(drafting_org_ids(user) & committee_ids(statement))


def can_edit(user: Any, statement: Statement) -> bool:
    return statement.status != Statement.Status.PUBLISHED and is_drafter(user, statement)


def can_publish(user: Any, statement: Statement) -> bool:
    return is_secretariat(user) and statement.status in (
        Statement.Status.OPEN,
        Statement.Status.CLOSED,
    )


def can_endorse_for(user: Any, organisation_id: int) -> bool:
    return organisation_id in endorsing_org_ids(user)
