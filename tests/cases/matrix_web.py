"""Permission-matrix entries for the case pages (imported by tests/test_permission_matrix.py).

Organisation A owns the cases. Its secretariat admin, org admin and caseworker read them (only
the last two change them); the admin of organisation B gets 404 — the case does not exist for
them — except on a case referred to B, which B may answer."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from komar.accounts.roles import Role
from komar.cases import services
from komar.cases.models import Case, CaseNote, Consent, LegalRule, Referral
from komar.notifications.models import Notification
from tests.cases.helpers import days_ago, detained_case
from tests.conftest import World
from tests.matrix import OTHER, SEC, SIGNED_IN, Route

CW = Role.CASEWORKER.value
ADMIN = Role.ORG_ADMIN.value
READERS = {SEC, ADMIN, CW}  # children.view in organisation A
EDITORS = {ADMIN, CW}  # cases.edit in organisation A
B_ONLY = {OTHER}


def _case(w: World) -> Case:
    case = Case.objects.filter(organisation=w.org_a, status="open", referrals__isnull=True).first()
    return case or detained_case(w)


def _fresh(w: World) -> Case:
    return Case.objects.get(pk=_case(w).pk)


def _consent(w: World) -> Consent:
    case = _case(w)
    consent = case.consents.filter(withdrawn_on__isnull=True).first()
    return consent or services.consent_record(
        actor=w.user(Role.CASEWORKER),
        case=case,
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Parent",
            "given_on": days_ago(1),
        },
    )


def _referred(w: World) -> Case:
    """A case of A referred to B (pending), with consent."""
    found = Case.objects.filter(referrals__to_organisation=w.org_b, referrals__status="pending")
    if found.exists():
        return found.first()  # type: ignore[return-value]
    case = detained_case(w, name_latin="Other Child", name_km="កុមារ ផ្សេង")
    consent = services.consent_record(
        actor=w.user(Role.CASEWORKER),
        case=case,
        data={"kind": "assent", "purpose": "referral", "given_on": days_ago(1)},
    )
    services.referral_create(
        actor=w.user(Role.CASEWORKER),
        case=case,
        to_organisation_id=w.org_b.pk,
        reason="Family tracing",
        consent_id=consent.pk,
    )
    return case


def _referral(w: World) -> Referral:
    _referred(w)
    return Referral.objects.filter(to_organisation=w.org_b, status="pending").first()  # type: ignore[return-value]


def _closed(w: World) -> Case:
    found = Case.objects.filter(organisation=w.org_a, status="closed").first()
    if found:
        return found
    case = detained_case(w, name_latin="Closed Child", name_km="កុមារ បិទ")
    return services.case_close(
        actor=w.user(Role.CASEWORKER), case=case, expected_version=case.version, reason="other"
    )


def _rule(w: World) -> LegalRule:
    return LegalRule.objects.get(code="police-custody-minor")


def _v(w: World) -> int:
    return _fresh(w).version


def _code(w: World) -> str:
    return _case(w).code


def _identity(w: World) -> dict[str, Any]:
    return {
        "name_km": "ថ្មី",
        "name_latin": "New Child",
        "birth_date": days_ago(16 * 366).isoformat(),
    }


CASE_WEB_ROUTES: list[Route] = [
    Route("case_list", lambda w: "/cases/", {*READERS, OTHER}),
    Route("case_create", lambda w: "/cases/new/", {*EDITORS, OTHER}),
    Route(
        "case_create",
        lambda w: "/cases/new/",
        EDITORS,
        method="post",
        data=lambda w: {"organisation": w.org_a.pk, **_identity(w)},
        ok=302,
        status_for={OTHER: 400},  # may open cases, but not for organisation A
        unchanged=lambda w: Case.objects.filter(organisation=w.org_a).count(),
    ),
    Route("case_watch", lambda w: "/cases/watch/", {*READERS, OTHER}),
    Route("case_coalition_watch", lambda w: "/cases/watch/coalition/", {SEC}),
    Route("case_referrals", lambda w: "/cases/referrals/", {*READERS, OTHER}),
    Route("case_export", lambda w: "/cases/export/", {*READERS, OTHER}),
    Route(
        "case_export",
        lambda w: "/cases/export/",
        {*READERS, OTHER},
        method="post",
        data=lambda w: {"purpose": "Monthly report"},
    ),
    Route("case_rules", lambda w: "/cases/rules/", SIGNED_IN),
    Route("case_rule_edit", lambda w: f"/cases/rules/{_rule(w).pk}/edit/", {SEC}),
    Route(
        "case_rule_edit",
        lambda w: f"/cases/rules/{_rule(w).pk}/edit/",
        {SEC},
        method="post",
        data=lambda w: {
            "limit_value": 24,
            "limit_unit": "hours",
            "max_extensions": 0,
            "citation_en": "Code of Criminal Procedure, art. 100",
            "verified": "on",
        },
        ok=302,
        unchanged=lambda w: LegalRule.objects.get(pk=_rule(w).pk).verified,
    ),
    Route(
        "case_detail",
        lambda w: f"/cases/{_code(w)}/",
        READERS,
        not_found_for=B_ONLY,
    ),
    Route("case_edit", lambda w: f"/cases/{_code(w)}/edit/", EDITORS, not_found_for=B_ONLY),
    Route(
        "case_edit",
        lambda w: f"/cases/{_code(w)}/edit/",
        EDITORS,
        method="post",
        data=lambda w: {"version": _v(w), "primero_case_id": "PRM-1"},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _fresh(w).primero_case_id,
    ),
    Route("case_identity", lambda w: f"/cases/{_code(w)}/identity/", READERS, not_found_for=B_ONLY),
    Route(
        "case_identity",
        lambda w: f"/cases/{_code(w)}/identity/",
        READERS,
        method="post",
        data=lambda w: {"purpose": "Prison visit"},
        not_found_for=B_ONLY,
    ),
    Route(
        "case_identity_edit",
        lambda w: f"/cases/{_code(w)}/identity/edit/",
        EDITORS,
        not_found_for=B_ONLY,
    ),
    Route(
        "case_identity_edit",
        lambda w: f"/cases/{_code(w)}/identity/edit/",
        EDITORS,
        method="post",
        data=lambda w: {"version": _v(w), **_identity(w)},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _v(w),
    ),
    Route(
        "case_identity_photo",
        lambda w: f"/cases/{_code(w)}/identity/photo/",
        READERS,
        ok=404,  # no photo in this case: allowed readers get 404 too, after the checks
        not_found_for=B_ONLY,
    ),
    Route(
        "case_event_add",
        lambda w: f"/cases/{_code(w)}/events/",
        EDITORS,
        method="post",
        data=lambda w: {
            "version": _v(w),
            "kind": "transfer",
            "date": timezone.localdate().isoformat(),
            "place_text": "Another centre",
        },
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _fresh(w).events.count(),
    ),
    Route(
        "case_event_delete",
        lambda w: f"/cases/{_code(w)}/events/{_case(w).events.order_by('-pk').first().pk}/delete/",  # type: ignore[union-attr]
        EDITORS,
        method="post",
        data=lambda w: {"version": _v(w), "reason": "Entered twice"},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _fresh(w).events.count(),
    ),
    Route(
        "case_note_add",
        lambda w: f"/cases/{_code(w)}/notes/",
        EDITORS,
        method="post",
        data=lambda w: {"text": "Visited today."},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: CaseNote.objects.count(),
    ),
    Route(
        "case_consent_add",
        lambda w: f"/cases/{_code(w)}/consents/",
        EDITORS,
        method="post",
        data=lambda w: {
            "kind": "assent",
            "purpose": "services",
            "given_on": timezone.localdate().isoformat(),
        },
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: Consent.objects.count(),
    ),
    Route(
        "case_consent_withdraw",
        lambda w: f"/cases/{_code(w)}/consents/{_consent(w).pk}/withdraw/",
        EDITORS,
        method="post",
        data=lambda w: {"withdrawn_on": timezone.localdate().isoformat()},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: Consent.objects.filter(withdrawn_on__isnull=False).count(),
    ),
    Route(
        "case_service_add",
        lambda w: f"/cases/{_code(w)}/services/",
        EDITORS,
        method="post",
        data=lambda w: {
            "service": "legal_representation",
            "provided_on": timezone.localdate().isoformat(),
        },
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _fresh(w).services.count(),
    ),
    Route(
        "case_referral_create",
        lambda w: f"/cases/{_code(w)}/referrals/",
        EDITORS,
        method="post",
        data=lambda w: {
            "to_organisation": w.org_b.pk,
            "reason": "Family tracing",
            "consent": _consent(w).pk,
            "share_timeline": "on",
        },
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: Referral.objects.filter(case=_case(w)).count(),
    ),
    Route(
        "case_referral_answer",
        lambda w: f"/cases/{_referred(w).code}/referrals/answer/",
        B_ONLY,
        method="post",
        data=lambda w: {"decision": "accept"},
        ok=302,
        unchanged=lambda w: _referral(w).status,
    ),
    Route(
        "case_referral_withdraw",
        lambda w: f"/cases/{_referred(w).code}/referrals/{_referral(w).pk}/withdraw/",
        EDITORS,
        method="post",
        ok=302,
        unchanged=lambda w: Referral.objects.filter(status="withdrawn").count(),
    ),
    Route(
        "case_close",
        lambda w: f"/cases/{_code(w)}/close/",
        EDITORS,
        method="post",
        data=lambda w: {"version": _v(w), "reason": "other"},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: _fresh(w).status,
    ),
    Route(
        "case_reopen",
        lambda w: f"/cases/{_closed(w).code}/reopen/",
        EDITORS,
        method="post",
        data=lambda w: {"version": _closed(w).version, "reason": "New charge"},
        ok=302,
        not_found_for=B_ONLY,
        unchanged=lambda w: (_closed(w), Case.objects.filter(status="closed").count())[1],
    ),
    Route(
        "case_access_log",
        lambda w: f"/cases/{_code(w)}/access-log/",
        {ADMIN},
        not_found_for=B_ONLY,
    ),
    Route("notifications", lambda w: "/notifications/", SIGNED_IN),
    Route(
        "notifications_read",
        lambda w: "/notifications/read/",
        SIGNED_IN,
        method="post",
        ok=302,
        unchanged=lambda w: Notification.objects.filter(read_at__isnull=False).count(),
    ),
]
