"""Who may do what with a case (pure functions over the role table and memberships).

A case is visible to its owning organisation's members whose role reads children's records, and
to such members of an organisation it is referred to (while the referral awaits an answer or is
accepted) — and to no one else: for everyone else it does not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from komar.accounts.permissions import org_ids_with
from komar.accounts.roles import Perm
from komar.cases.models import Case, Referral

__all__ = ["CaseAccess", "access_for", "org_ids_with"]


@dataclass(frozen=True)
class CaseAccess:
    """What one user may see and do on one case."""

    owner: bool
    can_edit: bool
    referral: Referral | None = None
    can_export_identifiable: bool = False
    can_refer_without_consent: bool = False
    can_read_access_log: bool = False

    @property
    def sees_identity(self) -> bool:
        return self.owner or bool(self.referral and self.referral.share_identity)

    @property
    def sees_timeline(self) -> bool:
        return self.owner or bool(self.referral and self.referral.share_timeline)

    @property
    def sees_notes(self) -> bool:
        return self.owner or bool(self.referral and self.referral.share_notes)

    @property
    def sees_services(self) -> bool:
        return self.owner or bool(self.referral and self.referral.share_services)

    @property
    def can_record_service(self) -> bool:
        """The owner's caseworkers, and a receiver that accepted the referral."""
        if self.owner:
            return self.can_edit
        return bool(self.referral and self.referral.status == Referral.Status.ACCEPTED)

    @property
    def can_answer_referral(self) -> bool:
        return bool(self.referral and self.referral.status == Referral.Status.PENDING)


def access_for(user: Any, case: Case, referral: Referral | None = None) -> CaseAccess | None:
    """None when the user may not know the case exists."""
    org = case.organisation_id
    if org in org_ids_with(user, Perm.CHILD_RECORDS_VIEW):
        return CaseAccess(
            owner=True,
            can_edit=org in org_ids_with(user, Perm.CASES_EDIT) and case.anonymised_at is None,
            can_export_identifiable=org in org_ids_with(user, Perm.CASES_EXPORT_IDENTIFIABLE),
            can_refer_without_consent=org in org_ids_with(user, Perm.CASES_REFER_WITHOUT_CONSENT),
            can_read_access_log=org in org_ids_with(user, Perm.CASES_ACCESS_LOG),
        )
    if referral is not None and referral.to_organisation_id in org_ids_with(
        user, Perm.CHILD_RECORDS_VIEW
    ):
        return CaseAccess(owner=False, can_edit=False, referral=referral)
    return None
