"""CSV export of an organisation's cases. De-identified by default; with identities only for
holders of the separate permission. Every export is written to the access log with its purpose."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komar.accounts.roles import Perm
from komar.audit import services as audit
from komar.cases.models import Case, ChildIdentity
from komar.cases.permissions import org_ids_with

COLUMNS = [
    "case_code",
    "status",
    "legal_status",
    "trial_stage",
    "detained",
    "age_at_offence",
    "age_estimated",
    "offence_class",
    "where_now",
    "deadline_at",
    "deadline_kind",
    "deadline_rule_verified",
    "below_min_age",
    "held_with_adults",
    "has_lawyer",
    "opened_on",
    "closed_on",
]
IDENTITY_COLUMNS = [
    "name_km",
    "name_latin",
    "birth_date",
    "estimated_age",
    "sex",
    "home_village_code",
]


@transaction.atomic
def export_cases(*, actor: Any, organisation_id: int, purpose: str, identifiable: bool) -> str:
    """The organisation's cases as CSV text; writes one access-log event per exported case and
    one for the export itself."""
    if organisation_id not in org_ids_with(actor, Perm.CHILD_RECORDS_VIEW):
        raise PermissionDenied
    if identifiable and organisation_id not in org_ids_with(actor, Perm.CASES_EXPORT_IDENTIFIABLE):
        raise PermissionDenied
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say why you export these records.")})
    cases = list(
        Case.objects.filter(organisation_id=organisation_id)
        .select_related("current_place", "deadline_rule")
        .order_by("opened_on", "pk")
    )
    identities: dict[int, ChildIdentity] = {}
    if identifiable:
        identities = {i.case_id: i for i in ChildIdentity.objects.filter(case__in=cases)}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS + (IDENTITY_COLUMNS if identifiable else []))
    for c in cases:
        row = [
            c.code,
            c.status,
            c.legal_status,
            c.trial_stage,
            int(c.detained),
            "" if c.age_at_offence is None else c.age_at_offence,
            int(c.age_estimated),
            c.offence_class,
            c.current_place.code if c.current_place else c.current_place_text,
            timezone.localtime(c.deadline_at).isoformat() if c.deadline_at else "",
            c.deadline_kind,
            "" if c.deadline_rule is None else int(c.deadline_rule.verified),
            int(c.below_min_age),
            int(c.held_with_adults),
            int(c.lawyer_id is not None),
            c.opened_on.isoformat(),
            c.closed_on.isoformat() if c.closed_on else "",
        ]
        if identifiable:
            ident = identities.get(c.pk)
            row += [("" if ident is None else (getattr(ident, f) or "")) for f in IDENTITY_COLUMNS]
        writer.writerow(row)
    kind = "identifiable" if identifiable else "de-identified"
    audit.record(
        actor=actor,
        action="cases.export",
        target=audit.Target("organisations.organisation", str(organisation_id)),
        changes={"purpose": purpose[:200], "kind": kind, "cases": len(cases)},
        organisation_id=organisation_id,
    )
    for c in cases:
        audit.record(
            actor=actor,
            action="cases.case.exported",
            target=audit.Target("cases.case", str(c.pk), c.code),
            changes={"purpose": purpose[:200], "kind": kind},
            organisation_id=organisation_id,
        )
    return out.getvalue()
