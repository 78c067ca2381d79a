"""Demo cases: fictional children only, spread over the deadline watch's bands so every part of
the watch shows something. Idempotent: skipped when the demo organisation already has cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from komar.cases import services
from komar.cases.models import Case, Consent
from komar.places.models import Place


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _born(age: int, extra_days: int = 120) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=int(age * 365.25) + extra_days)


def _event(case: Case, actor: Any, **data: Any) -> None:
    case.refresh_from_db()
    services.event_add(actor=actor, case=case, expected_version=case.version, data=data)


def demo_cases(users: dict[str, Any]) -> None:
    lawyer, admin = users.get("lac_caseworker"), users.get("lac_admin")
    if lawyer is None or admin is None:
        return
    org_id = lawyer.memberships.get().organisation_id
    if Case.objects.filter(organisation_id=org_id).exists():
        return
    cc2 = Place.objects.filter(code="kh-cc2").first()
    now = timezone.localtime()

    def open_(name_km: str, name_latin: str, age: int, extra: int = 120, **kw: Any) -> Case:
        return services.case_open(
            actor=lawyer,
            organisation_id=org_id,
            identity={
                "name_km": name_km,
                "name_latin": name_latin,
                "birth_date": _born(age, extra),
                "sex": kw.pop("sex", "male"),
                "guardian_name": "ម្តាយ (demo)",
            },
            confirm_not_duplicate=True,
            **kw,
        )

    # 1. In police custody for 30 hours: past the (unverified) 24-hour limit for minors.
    c1 = open_("ចាន់ វិចិត្រ", "Chan Vichet", 15, lawyer=lawyer)
    arrest = now - dt.timedelta(hours=30)
    _event(
        c1,
        lawyer,
        kind="arrest",
        date=arrest.date(),
        time=arrest.time().replace(second=0, microsecond=0),
        place_text="Municipal police station (demo)",
    )
    # 2. Pre-trial detention for a felony, 16 years old: the 6-month limit falls within a week.
    c2 = open_("សុខ ពិសិដ្ឋ", "Sok Piseth", 16, 200, lawyer=lawyer, social_worker=admin)
    _event(c2, lawyer, kind="arrest", date=_ago(180))
    _event(
        c2, lawyer, kind="charge", date=_ago(180), offence="Theft (demo)", offence_class="felony"
    )
    _event(c2, lawyer, kind="pretrial_order", date=_ago(178), place=cc2)
    # 3. A misdemeanour, 17: the 2-month limit within 30 days; a hearing without an outcome.
    c3 = open_("ស្រី ណារី", "Srey Neary", 17, lawyer=lawyer, sex="female")
    _event(c3, lawyer, kind="arrest", date=_ago(45))
    _event(
        c3,
        lawyer,
        kind="charge",
        date=_ago(45),
        offence="Drug use (demo)",
        offence_class="misdemeanour",
    )
    _event(c3, lawyer, kind="pretrial_order", date=_ago(44), place=cc2)
    _event(c3, lawyer, kind="hearing_scheduled", date=_ago(5))
    # 4. Thirteen at the offence and detained: below the minimum age.
    c4 = open_("ហេង សុភ័ក្រ", "Heng Sopheak", 13, lawyer=lawyer)
    _event(c4, lawyer, kind="arrest", date=_ago(3))
    _event(c4, lawyer, kind="pretrial_order", date=_ago(2), place=cc2)
    # 5. Held with adults and no lawyer assigned.
    c5 = open_("គឹម រតនា", "Kim Rotana", 15)
    _event(c5, lawyer, kind="arrest", date=_ago(20))
    _event(
        c5, lawyer, kind="charge", date=_ago(20), offence="Robbery (demo)", offence_class="felony"
    )
    _event(c5, lawyer, kind="pretrial_order", date=_ago(19), place=cc2)
    _event(
        c5,
        lawyer,
        kind="transfer",
        date=_ago(10),
        place_text="Provincial prison, adult block (demo)",
        held_with_adults=True,
    )
    # 6. Convicted and serving a sentence of 12 months.
    c6 = open_("ឡុង ដារ៉ា", "Long Dara", 16, 200, lawyer=lawyer)
    _event(c6, lawyer, kind="arrest", date=_ago(130))
    _event(
        c6, lawyer, kind="charge", date=_ago(130), offence="Theft (demo)", offence_class="felony"
    )
    _event(c6, lawyer, kind="pretrial_order", date=_ago(129), place=cc2)
    _event(c6, lawyer, kind="hearing_scheduled", date=_ago(20))
    _event(c6, lawyer, kind="verdict", date=_ago(20), outcome="convicted")
    _event(c6, lawyer, kind="sentence", date=_ago(20), sentence_months=12, custodial=True)
    # 7. Released after diversion; case closed.
    c7 = open_("ពៅ សុខា", "Pov Sokha", 15, lawyer=lawyer)
    _event(c7, lawyer, kind="arrest", date=_ago(60))
    _event(c7, lawyer, kind="custody_end", date=_ago(59))
    _event(c7, lawyer, kind="diversion", date=_ago(59), measure="Community mediation (demo)")
    c7.refresh_from_db()
    services.case_close(actor=lawyer, case=c7, expected_version=c7.version, reason="released")
    # Case 2 referred to Krousar Thmey with the guardian's consent and the child's assent.
    kt = users.get("kt_admin")
    if kt is not None:
        consent = services.consent_record(
            actor=lawyer,
            case=c2,
            data={
                "kind": Consent.Kind.CONSENT,
                "purpose": Consent.Purpose.REFERRAL,
                "given_by": "ម្តាយ (demo)",
                "relationship": "mother",
                "given_on": _ago(7),
            },
        )
        services.consent_record(
            actor=lawyer,
            case=c2,
            data={
                "kind": Consent.Kind.ASSENT,
                "purpose": Consent.Purpose.REFERRAL,
                "given_on": _ago(7),
            },
        )
        services.service_record(
            actor=lawyer,
            case=c2,
            organisation_id=org_id,
            data={"service": "legal_representation", "provided_on": _ago(170)},
        )
        services.referral_create(
            actor=lawyer,
            case=c2,
            to_organisation_id=kt.memberships.get().organisation_id,
            reason="Family tracing and reintegration support after release (demo).",
            consent_id=consent.pk,
            shares={"share_timeline": True, "share_services": True},
        )
    services.note_add(
        actor=lawyer, case=c2, text="Visited at CC2; the child asked about school (demo)."
    )
