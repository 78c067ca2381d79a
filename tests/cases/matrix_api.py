"""Permission-matrix entries for the cases API (imported by tests/test_permission_matrix.py).

The objects a route needs are made on first use, through the services: a detained case of
organisation A (opened by its caseworker), its last event, and a referral of it to organisation B.
A case exists only for those who may see it, so case routes answer 404 (never 403) to everyone
else; those who see it but may not change it get 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from komar.accounts.roles import Role
from komar.cases import services
from komar.cases.models import Case, LegalRule, Referral, TimelineEvent
from tests.cases.helpers import days_ago, detained_case
from tests.conftest import World
from tests.matrix import ORG_ADMIN, OTHER, SEC, SIGNED_IN, Route

CW = Role.CASEWORKER.value
READERS = {SEC, ORG_ADMIN, CW}  # children.view in organisation A (the secretariat is a member)
EDITORS = {ORG_ADMIN, CW}  # cases.edit in organisation A
NOT_SEEING = SIGNED_IN - READERS  # for them the case does not exist


def _case(w: World) -> Case:
    found = Case.objects.filter(organisation=w.org_a).order_by("pk").first()
    return found or detained_case(w)


def _path(w: World, rest: str = "") -> str:
    return f"/api/v1/cases/{_case(w).code}{rest}"


def _event(w: World) -> TimelineEvent:
    """The case's last event (the pre-trial order): removing it leaves a possible timeline."""
    return _case(w).events.order_by("-date", "-pk").first()  # type: ignore[return-value]


def _consent_id(w: World) -> int:
    case = _case(w)
    consent = case.consents.filter(purpose="referral").first()
    if consent is None:
        consent = services.consent_record(
            actor=w.user(CW),
            case=case,
            data={
                "kind": "consent",
                "purpose": "referral",
                "given_by": "Mother",
                "given_on": days_ago(1),
            },
        )
    return consent.pk


def _referral(w: World) -> Referral:
    case = _case(w)
    found = case.referrals.filter(to_organisation=w.org_b).first()
    return found or services.referral_create(
        actor=w.user(CW),
        case=case,
        to_organisation_id=w.org_b.pk,
        reason="Family tracing",
        consent_id=_consent_id(w),
    )


def _rule(w: World) -> LegalRule:
    return LegalRule.objects.filter(ruleset__code=settings.KOMAR_RULESET).order_by("pk").first()  # type: ignore[return-value]


def _new_case(w: World) -> dict[str, Any]:
    birth = timezone.localdate() - dt.timedelta(days=15 * 365)
    return {
        "organisation": w.org_a.slug,
        "name_km": "ម៉ៅ សុភា",
        "name_latin": "Mao Sophea",
        "birth_date": birth.isoformat(),
    }


def _delete_event_path(w: World) -> str:
    case = _case(w)
    return f"/api/v1/cases/{case.code}/events/{_event(w).pk}?version={case.version}&reason=matrix"


CASE_API_ROUTES: list[Route] = [
    Route("api:list_cases", lambda w: "/api/v1/cases", READERS | {OTHER}, api=True),
    Route(
        "api:open_case",
        lambda w: "/api/v1/cases",
        EDITORS,
        method="post_json",
        data=_new_case,
        ok=201,
        api=True,
        unchanged=lambda w: Case.objects.filter(organisation=w.org_a).count(),
    ),
    Route(
        "api:get_case",
        lambda w: _path(w),
        READERS,
        api=True,
        not_found_for=NOT_SEEING,
    ),
    Route(
        "api:get_case_identity",
        lambda w: _path(w, "/identity?purpose=matrix"),
        READERS,
        api=True,
        not_found_for=NOT_SEEING,
    ),
    Route(
        "api:patch_case",
        lambda w: _path(w),
        EDITORS,
        method="patch",
        data=lambda w: {"version": _case(w).version, "mosvy_number": "MS-MATRIX"},
        api=True,
        not_found_for=NOT_SEEING,
        unchanged=lambda w: Case.objects.get(pk=_case(w).pk).mosvy_number,
    ),
    Route(
        "api:add_case_event",
        lambda w: _path(w, "/events"),
        EDITORS,
        method="post_json",
        data=lambda w: {
            "version": _case(w).version,
            "kind": "hearing_scheduled",
            "date": days_ago(-14).isoformat(),
        },
        ok=201,
        api=True,
        not_found_for=NOT_SEEING,
        unchanged=lambda w: _case(w).events.count(),
    ),
    Route(
        "api:delete_case_event",
        _delete_event_path,
        EDITORS,
        method="delete",
        api=True,
        not_found_for=NOT_SEEING,
        unchanged=lambda w: _case(w).events.count(),
    ),
    Route(
        "api:refer_case",
        lambda w: _path(w, "/referrals"),
        EDITORS,
        method="post_json",
        data=lambda w: {
            "to_organisation": w.org_b.slug,
            "reason": "Family tracing",
            "consent": _consent_id(w),
        },
        ok=201,
        api=True,
        not_found_for=NOT_SEEING,
        unchanged=lambda w: Referral.objects.count(),
    ),
    Route(
        "api:record_consent",
        lambda w: _path(w, "/consents"),
        EDITORS,
        method="post_json",
        data=lambda w: {
            "kind": "assent",
            "purpose": "referral",
            "given_on": days_ago(0).isoformat(),
        },
        ok=201,
        api=True,
        not_found_for=NOT_SEEING,
        unchanged=lambda w: _case(w).consents.count(),
    ),
    Route("api:list_referrals", lambda w: "/api/v1/referrals", READERS | {OTHER}, api=True),
    Route(
        "api:answer_referral",
        lambda w: f"/api/v1/referrals/{_referral(w).pk}/answer",
        {OTHER},
        method="post_json",
        data=lambda w: {"accept": True},
        api=True,
        not_found_for=SIGNED_IN - {OTHER},
        unchanged=lambda w: Referral.objects.get(pk=_referral(w).pk).status,
    ),
    Route("api:get_watch", lambda w: "/api/v1/watch", READERS | {OTHER}, api=True),
    Route("api:get_coalition_watch", lambda w: "/api/v1/watch/coalition", {SEC}, api=True),
    Route("api:list_rules", lambda w: "/api/v1/rules", SIGNED_IN, api=True),
    Route(
        "api:patch_rule",
        lambda w: f"/api/v1/rules/{_rule(w).pk}",
        {SEC},
        method="patch",
        data=lambda w: {"note_en": "Changed by the matrix"},
        api=True,
        unchanged=lambda w: LegalRule.objects.get(pk=_rule(w).pk).note_en,
    ),
]
