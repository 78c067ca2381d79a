"""Case services: duplicates, concurrent edits, privacy of the audit trail and of the stored
columns, referrals and consent, closing, impossible timelines, and rule changes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.cases import services
from komar.cases.models import (
    Case,
    ChildIdentity,
    Consent,
    IdentityIndex,
    LegalRule,
    Referral,
    TimelineEvent,
)
from komar.cases.tasks import recompute_deadlines
from komar.notifications.models import Notification
from tests.cases.helpers import add_event, days_ago, detained_case, open_case
from tests.conftest import World

TODAY = timezone.localdate


def years_ago(years: int, plus_days: int = 0) -> dt.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day + dt.timedelta(days=plus_days)


def cw(world: World) -> Any:
    return world.user(Role.CASEWORKER)


def admin(world: World) -> Any:
    return world.user(Role.ORG_ADMIN)


def snapshot(case: Case) -> dict[str, Any]:
    """What a refused write must leave untouched."""
    case.refresh_from_db()
    identity = ChildIdentity.objects.get(case=case)
    return {
        "version": case.version,
        "events": list(case.events.values_list("kind", "date")),
        "identity": [getattr(identity, f) for f in services.IDENTITY_FIELDS],
        "audit": AuditEvent.objects.count(),
        "index": sorted(IdentityIndex.objects.filter(case=case).values_list("digest", flat=True)),
        "deadline": case.deadline_at,
        "age": case.age_at_offence,
    }


# Duplicates -------------------------------------------------------------------------------------


def test_the_same_child_typed_differently_gets_a_duplicate_warning(world: World) -> None:
    birth = years_ago(15, 40)
    first = open_case(world, name_km="សុខ ដារា", name_latin="Sok Dara", birth_date=birth)
    with pytest.raises(services.DuplicateWarning) as info:
        open_case(world, name_km="", name_latin="DARA  Sók", birth_date=birth, confirm=False)
    assert [c.pk for c in info.value.candidates] == [first.pk]
    assert first.code in info.value.messages[0]
    with pytest.raises(services.DuplicateWarning):  # Khmer name only, words swapped
        open_case(world, name_km="ដារា  សុខ", name_latin="", birth_date=birth, confirm=False)
    assert Case.objects.count() == 1
    second = open_case(world, name_km="", name_latin="Dara Sok", birth_date=birth, confirm=True)
    assert Case.objects.count() == 2
    opened = AuditEvent.objects.get(action="cases.case.opened", target_id=str(second.pk))
    assert opened.changes["duplicate_warning_overridden"] is True


def test_another_birth_year_is_not_a_duplicate(world: World) -> None:
    open_case(world, name_latin="Sok Dara", birth_date=dt.date(2010, 5, 1))
    other = open_case(world, name_latin="Sok Dara", birth_date=dt.date(2011, 5, 1), confirm=False)
    assert other.pk


def test_a_case_of_another_organisation_is_never_revealed_as_a_duplicate(world: World) -> None:
    birth = years_ago(15, 40)
    theirs = open_case(
        world, birth_date=birth, organisation=world.org_b, actor=world.other_admin, confirm=False
    )
    # Organisation A may open the same child without learning that B follows them …
    ours = open_case(world, birth_date=birth, confirm=False)
    assert ours.organisation_id == world.org_a.pk
    # … and B is not told about A's case either, but is about its own.
    with pytest.raises(services.DuplicateWarning) as info:
        open_case(
            world,
            birth_date=birth,
            organisation=world.org_b,
            actor=world.other_admin,
            confirm=False,
        )
    assert [c.pk for c in info.value.candidates] == [theirs.pk]
    assert ours.code not in info.value.messages[0]


def test_a_case_referred_to_us_counts_as_a_duplicate(world: World) -> None:
    birth = years_ago(15, 40)
    theirs = open_case(
        world, birth_date=birth, organisation=world.org_b, actor=world.other_admin, confirm=False
    )
    services.referral_create(
        actor=world.other_admin,
        case=theirs,
        to_organisation_id=world.org_a.pk,
        reason="Needs a lawyer",
        override_reason="Urgent: hearing tomorrow",
    )
    with pytest.raises(services.DuplicateWarning) as info:
        open_case(world, birth_date=birth, confirm=False)
    assert [c.pk for c in info.value.candidates] == [theirs.pk]


def test_only_members_who_edit_cases_may_open_one(world: World) -> None:
    for actor in (world.user(Role.MONITOR), world.other_admin):
        with pytest.raises(ValidationError, match="cannot open cases"):
            open_case(world, actor=actor)
    assert not Case.objects.exists()


# Concurrent edits -------------------------------------------------------------------------------


def test_a_stale_save_is_refused_naming_who_changed_what(world: World) -> None:
    case = detained_case(world)
    seen = case.version
    services.event_add(
        actor=cw(world),
        case=case,
        expected_version=seen,
        data={"kind": "transfer", "date": days_ago(2), "place_text": "Youth centre"},
    )
    before = snapshot(case)
    with pytest.raises(services.ConcurrentEdit) as info:
        services.identity_update(
            actor=admin(world),
            case=case,
            expected_version=seen,
            identity={"name_latin": "Changed Name", "birth_date": years_ago(16, 30)},
        )
    err = info.value
    assert err.since_version == seen
    assert err.current_version == seen + 1
    message = err.messages[0]
    assert "caseworker@a.example.invalid changed event" in message
    assert f"version {seen} → {seen + 1}" in message
    assert "Nothing of yours was saved" in message
    assert snapshot(case) == before


def test_the_conflict_message_names_fields_never_values(world: World) -> None:
    case = detained_case(world, name_latin="Sok Dara")
    seen = case.version
    services.identity_update(
        actor=admin(world),
        case=case,
        expected_version=seen,
        identity={
            "name_km": "សុខ ដារា",
            "name_latin": "Sok Darith",
            "birth_date": ChildIdentity.objects.get(case=case).birth_date,
            "sex": "male",
        },
    )
    before = snapshot(case)
    with pytest.raises(services.ConcurrentEdit) as info:
        services.event_add(
            actor=cw(world),
            case=case,
            expected_version=seen,
            data={"kind": "release", "date": days_ago(0)},
        )
    message = info.value.messages[0]
    assert "org_admin@a.example.invalid changed name_latin" in message
    assert "Darith" not in message
    assert snapshot(case) == before


@pytest.mark.parametrize("write", ["close", "delete_event", "update"])
def test_every_case_write_checks_the_version(world: World, write: str) -> None:
    case = detained_case(world)
    stale = case.version - 1
    before = snapshot(case)
    last_event = case.events.last()
    assert last_event is not None
    writes = {
        "close": lambda: services.case_close(
            actor=cw(world), case=case, expected_version=stale, reason="other"
        ),
        "delete_event": lambda: services.event_delete(
            actor=cw(world),
            case=case,
            event_id=last_event.pk,
            expected_version=stale,
            reason="typo",
        ),
        "update": lambda: services.case_update(
            actor=cw(world), case=case, expected_version=stale, data={"mosvy_number": "M-1"}
        ),
    }
    with pytest.raises(services.ConcurrentEdit):
        writes[write]()
    assert snapshot(case) == before
    assert Case.objects.get(pk=case.pk).status == "open"


# Privacy ----------------------------------------------------------------------------------------

SECRETS = {
    "name_km": "ចាន់ សុភា",
    "name_latin": "Chan Sophea",
    "guardian_name": "Mao Srey Leak",
    "guardian_contact": "+855 12 345 678",
    "home_village_code": "12020304",
}


def test_the_audit_trail_never_holds_identifying_values(world: World) -> None:
    birth = dt.date(2009, 11, 23)
    case = services.case_open(
        actor=cw(world),
        organisation_id=world.org_a.pk,
        identity={**SECRETS, "birth_date": birth, "sex": "female"},
    )
    add_event(case, cw(world), kind="arrest", date=days_ago(5))
    add_event(case, cw(world), kind="charge", date=days_ago(5), offence_class="misdemeanour")
    services.identity_update(
        actor=cw(world),
        case=case,
        expected_version=case.version,
        identity={**SECRETS, "name_latin": "Chan Sopheap", "birth_date": birth},
    )
    services.note_add(actor=cw(world), case=case, text="Chan Sophea's mother Mao Srey Leak called")
    consent = services.consent_record(
        actor=cw(world),
        case=case,
        data={
            "kind": "consent",
            "purpose": "referral",
            "given_by": "Mao Srey Leak",
            "relationship": "mother",
            "given_on": days_ago(1),
        },
    )
    services.referral_create(
        actor=cw(world),
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Family tracing",
        consent_id=consent.pk,
    )
    services.identity_reveal(actor=cw(world), case=case, purpose="court file")
    case.refresh_from_db()
    services.case_close(actor=cw(world), case=case, expected_version=case.version, reason="other")
    services.case_anonymise(case=case)

    events = AuditEvent.objects.filter(target_id=str(case.pk))
    assert events.count() >= 10
    dump = json.dumps(
        [[e.changes, e.target_label, e.actor_label] for e in events], ensure_ascii=False
    )
    for value in [*SECRETS.values(), "Sopheap", "Sophea", "Mao", birth.isoformat(), "2009"]:
        assert value not in dump
    opened = events.get(action="cases.case.opened")
    assert opened.changes["name_latin"] == {"changed": True}
    assert opened.target_label == case.code


def test_the_database_holds_only_ciphertext(world: World) -> None:
    birth = dt.date(2009, 11, 23)
    case = services.case_open(
        actor=cw(world),
        organisation_id=world.org_a.pk,
        identity={**SECRETS, "birth_date": birth, "sex": "female", "estimated_age": ""},
    )
    services.note_add(actor=cw(world), case=case, text="Chan Sophea sleeps badly")
    services.consent_record(
        actor=cw(world),
        case=case,
        data={
            "kind": "consent",
            "purpose": "services",
            "given_by": "Mao Srey Leak",
            "given_on": days_ago(0),
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_childidentity")
        identity_rows = cursor.fetchall()
        cursor.execute("SELECT text FROM cases_casenote")
        notes = cursor.fetchall()
        cursor.execute("SELECT given_by FROM cases_consent")
        consents = cursor.fetchall()
        cursor.execute("SELECT digest FROM cases_identityindex")
        digests = cursor.fetchall()
    raw = repr([identity_rows, notes, consents, digests])
    for value in [*SECRETS.values(), "Sophea", "Chan", "Mao", birth.isoformat(), "female"]:
        assert value not in raw
    assert len(digests) == 2  # one for each script
    assert "gAAAAA" in raw  # Fernet tokens
    # … while the application reads them back in clear.
    identity = ChildIdentity.objects.get(case=case)
    assert (identity.name_latin, identity.birth_date) == ("Chan Sophea", birth)


# Referrals and consent --------------------------------------------------------------------------


def _consent(world: World, case: Case, purpose: str = "referral") -> Consent:
    return services.consent_record(
        actor=cw(world),
        case=case,
        data={"kind": "consent", "purpose": purpose, "given_by": "Mother", "given_on": days_ago(3)},
    )


def _refer(world: World, case: Case, actor: Any = None, **kw: Any) -> Referral:
    return services.referral_create(
        actor=actor or cw(world),
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Psychosocial support",
        **kw,
    )


def test_a_referral_needs_consent_to_referral_in_force(world: World) -> None:
    case = detained_case(world)
    with pytest.raises(ValidationError, match="Record consent to referral first"):
        _refer(world, case)
    other_purpose = _consent(world, case, purpose="photo")
    with pytest.raises(ValidationError, match="consent to referral that is in force"):
        _refer(world, case, consent_id=other_purpose.pk)
    consent = _consent(world, case)
    services.consent_withdraw(
        actor=cw(world), case=case, consent_id=consent.pk, withdrawn_on=days_ago(1)
    )
    with pytest.raises(ValidationError, match="consent to referral that is in force"):
        _refer(world, case, consent_id=consent.pk)
    assert not Referral.objects.exists()

    fresh = _consent(world, case)
    referral = _refer(world, case, consent_id=fresh.pk, shares={"share_identity": True})
    assert referral.consent == fresh
    assert referral.share_identity and not referral.share_notes
    event = AuditEvent.objects.get(action="cases.case.referred")
    assert event.changes["consent"] == fresh.pk
    assert event.changes["shared"] == ["share_identity"]
    # The receiving organisation's admin is told, by case code.
    note = Notification.objects.get(user=world.other_admin)
    assert case.code in note.subject
    with pytest.raises(ValidationError, match="already referred"):
        _refer(world, case, consent_id=fresh.pk)


def test_a_consent_is_withdrawn_once_and_not_before_it_was_given(world: World) -> None:
    case = detained_case(world)
    consent = _consent(world, case)
    with pytest.raises(ValidationError, match="between the consent and today"):
        services.consent_withdraw(
            actor=cw(world), case=case, consent_id=consent.pk, withdrawn_on=days_ago(10)
        )
    services.consent_withdraw(
        actor=cw(world), case=case, consent_id=consent.pk, withdrawn_on=days_ago(0)
    )
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.consent_withdraw(
            actor=cw(world), case=case, consent_id=consent.pk, withdrawn_on=days_ago(0)
        )
    with pytest.raises(ValidationError, match="in the future"):
        services.consent_record(
            actor=cw(world),
            case=case,
            data={"kind": "assent", "purpose": "referral", "given_on": days_ago(-1)},
        )


def test_only_an_org_admin_may_refer_without_consent_and_it_is_audited(world: World) -> None:
    case = detained_case(world)
    with pytest.raises(ValidationError, match="Only an organisation admin"):
        _refer(world, case, override_reason="Child at risk")
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.case.referred").exists()

    referral = _refer(world, case, actor=admin(world), override_reason="Child at risk")
    assert referral.consent is None
    assert referral.override_reason == "Child at risk"
    event = AuditEvent.objects.get(action="cases.case.referred_without_consent")
    assert event.actor == admin(world)
    assert event.changes["without_consent_reason"] == "Child at risk"


def test_the_receiver_answers_a_referral_once(world: World) -> None:
    case = detained_case(world)
    referral = _refer(world, case, consent_id=_consent(world, case).pk)
    with pytest.raises(ValidationError, match="Only the receiving organisation"):
        services.referral_answer(actor=cw(world), referral=referral, accept=True)
    with pytest.raises(ValidationError, match="Say why you decline"):
        services.referral_answer(actor=world.other_admin, referral=referral, accept=False)
    answered = services.referral_answer(actor=world.other_admin, referral=referral, accept=True)
    assert answered.status == Referral.Status.ACCEPTED
    assert answered.answered_by == world.other_admin
    with pytest.raises(ValidationError, match="already answered"):
        services.referral_answer(actor=world.other_admin, referral=referral, accept=False, note="x")
    event = AuditEvent.objects.get(action="cases.case.referral_answered")
    assert event.changes["referral"] == {"old": "pending", "new": "accepted"}
    withdrawn = services.referral_withdraw(actor=cw(world), case=case, referral_id=referral.pk)
    assert withdrawn.status == Referral.Status.WITHDRAWN
    with pytest.raises(ValidationError, match="cannot be withdrawn"):
        services.referral_withdraw(actor=cw(world), case=case, referral_id=referral.pk)


# Closing and reopening --------------------------------------------------------------------------


def test_closing_and_reopening_a_case(world: World) -> None:
    case = detained_case(world)
    with pytest.raises(ValidationError, match="Choose a reason"):
        services.case_close(actor=cw(world), case=case, expected_version=case.version, reason="x")
    with pytest.raises(ValidationError, match="between opening and today"):
        services.case_close(
            actor=cw(world),
            case=case,
            expected_version=case.version,
            reason="released",
            closed_on=days_ago(-1),
        )
    closed = services.case_close(
        actor=cw(world), case=case, expected_version=case.version, reason="released", note="ok"
    )
    assert (closed.status, closed.closed_on, closed.close_reason) == ("closed", TODAY(), "released")
    with pytest.raises(ValidationError, match="already closed"):
        services.case_close(
            actor=cw(world), case=closed, expected_version=closed.version, reason="other"
        )
    with pytest.raises(ValidationError, match="Reopen the case"):
        _refer(world, closed, override_reason="x", actor=admin(world))
    with pytest.raises(ValidationError, match="Say why"):
        services.case_reopen(
            actor=cw(world), case=closed, expected_version=closed.version, reason=" "
        )
    reopened = services.case_reopen(
        actor=cw(world), case=closed, expected_version=closed.version, reason="Re-arrested"
    )
    assert reopened.is_open
    assert reopened.closed_on is None
    assert reopened.version == case.version + 2
    assert reopened.deadline_at == case.deadline_at  # recomputed from the same timeline
    actions = list(
        AuditEvent.objects.filter(target_id=str(case.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["cases.case.closed", "cases.case.reopened"]


# Impossible timelines and ages ------------------------------------------------------------------


def test_an_impossible_event_is_refused_and_nothing_is_saved(world: World) -> None:
    case = open_case(world)
    before = snapshot(case)
    with pytest.raises(ValidationError) as info:
        services.event_add(
            actor=cw(world),
            case=case,
            expected_version=case.version,
            data={"kind": "release", "date": days_ago(1)},
        )
    assert "record the arrest or detention before it" in info.value.message_dict["date"][0]
    assert snapshot(case) == before


def test_a_birth_date_after_the_arrest_is_refused(world: World) -> None:
    case = detained_case(world, arrested_days_ago=30)
    before = snapshot(case)
    with pytest.raises(ValidationError) as info:
        services.identity_update(
            actor=cw(world),
            case=case,
            expected_version=case.version,
            identity={"name_latin": "Sok Dara", "birth_date": days_ago(20)},
        )
    assert info.value.message_dict["birth_date"] == ["The date of birth is after the arrest."]
    assert snapshot(case) == before


def test_an_arrest_before_the_birth_date_is_refused(world: World) -> None:
    birth = days_ago(200)
    case = open_case(world, birth_date=birth)
    before = snapshot(case)
    with pytest.raises(ValidationError) as info:
        add_event(case, cw(world), kind="arrest", date=birth - dt.timedelta(days=1))
    assert info.value.message_dict["date"] == ["The date of birth is after the arrest."]
    assert snapshot(case) == before


def test_a_birth_date_after_the_offence_date_is_refused_at_opening(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        open_case(world, birth_date=days_ago(10), offence_date=days_ago(20))
    assert "birth_date" in info.value.message_dict
    assert not Case.objects.exists()


def test_an_adult_at_the_offence_is_refused_at_opening(world: World) -> None:
    with pytest.raises(ValidationError) as info:
        open_case(world, birth_date=years_ago(18, -1), offence_date=days_ago(0))
    message = info.value.message_dict["birth_date"][0]
    assert "would be 18 at the offence" in message
    assert "Law on Juvenile Justice (2016), art. 3" in message
    assert not Case.objects.exists()
    # The day before the 18th birthday is still a minor's offence.
    case = open_case(world, birth_date=years_ago(18, 1), offence_date=days_ago(0))
    assert case.age_at_offence == 17


def test_an_estimated_age_of_18_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="would be 18"):
        services.case_open(
            actor=cw(world),
            organisation_id=world.org_a.pk,
            identity={"name_latin": "Sok", "estimated_age": "18", "estimated_on": days_ago(0)},
            offence_date=days_ago(0),
        )
    case = services.case_open(
        actor=cw(world),
        organisation_id=world.org_a.pk,
        identity={"name_latin": "Sok", "estimated_age": "17", "estimated_on": days_ago(0)},
        offence_date=days_ago(0),
    )
    assert (case.age_at_offence, case.age_estimated) == (17, True)


def test_an_estimated_age_is_dated_so_the_age_at_the_offence_does_not_drift(
    world: World,
) -> None:
    today = timezone.localdate()
    case = services.case_open(
        actor=cw(world),
        organisation_id=world.org_a.pk,
        identity={"name_latin": "Sok", "estimated_age": "15"},
    )
    assert ChildIdentity.objects.get(case=case).estimated_on == today
    # The arrest is recorded more than a year later; the child was 15 when arrested.
    later = today + dt.timedelta(days=400)
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        case = add_event(case, cw(world), kind="arrest", date=today + dt.timedelta(days=10))
    assert case.age_at_offence == 15
    assert case.age_estimated
    assert not case.below_min_age


def test_an_identity_update_making_the_child_an_adult_is_refused(world: World) -> None:
    case = detained_case(world, arrested_days_ago=10)
    before = snapshot(case)
    with pytest.raises(ValidationError, match="would be 19 at the offence"):
        services.identity_update(
            actor=cw(world),
            case=case,
            expected_version=case.version,
            identity={"name_latin": "Sok Dara", "birth_date": years_ago(19, -30)},
        )
    assert snapshot(case) == before


def test_an_event_that_makes_the_offence_later_cannot_make_the_child_an_adult(
    world: World,
) -> None:
    # Turned 18 twenty days ago; arrested at 17, forty days ago.
    case = open_case(world, birth_date=years_ago(18, -20))
    case = add_event(case, cw(world), kind="arrest", date=days_ago(40))
    assert case.age_at_offence == 17
    case = add_event(case, cw(world), kind="custody_start", date=days_ago(10))
    first = case.events.get(kind="arrest")
    before = snapshot(case)
    with pytest.raises(ValidationError, match="would be 18 at the offence"):
        services.event_delete(
            actor=cw(world),
            case=case,
            event_id=first.pk,
            expected_version=case.version,
            reason="wrong date",
        )
    assert snapshot(case) == before
    # Nor may the offence date itself be moved past the birthday.
    with pytest.raises(ValidationError) as info:
        services.case_update(
            actor=cw(world),
            case=case,
            expected_version=case.version,
            data={"offence_date": days_ago(5)},
        )
    assert "offence_date" in info.value.message_dict
    assert snapshot(case) == before


def test_an_earlier_arrest_updates_the_age_at_the_offence(world: World) -> None:
    # Turned 14 ten days ago: arrested now, the child is 14; arrested earlier, 13.
    case = open_case(world, birth_date=years_ago(14, -10))
    case = add_event(case, cw(world), kind="custody_start", date=days_ago(2))
    assert (case.age_at_offence, case.below_min_age) == (14, False)
    case = add_event(case, cw(world), kind="arrest", date=days_ago(12))
    assert case.age_at_offence == 13
    assert case.below_min_age
    assert case.deadline_kind == "no_detention"
    assert case.detained_since == days_ago(12)


def test_a_timeline_starting_with_a_detention_order_still_gets_a_deadline(world: World) -> None:
    case = open_case(world, age=15)
    case = add_event(case, cw(world), kind="charge", date=days_ago(20), offence_class="felony")
    case = add_event(case, cw(world), kind="pretrial_order", date=days_ago(20))
    assert case.age_at_offence == 15
    assert case.legal_status == "pretrial_detention"
    assert case.deadline_rule is not None
    assert case.deadline_rule.code == "pretrial-minor-14-16-felony"


def test_adding_and_removing_events_is_versioned_and_audited(world: World) -> None:
    case = detained_case(world, arrested_days_ago=3, age=15, offence_class="misdemeanour")
    assert case.deadline_at is not None
    version = case.version
    case = add_event(case, cw(world), kind="release", date=days_ago(1))
    assert case.version == version + 1
    assert case.legal_status == "released"
    assert case.deadline_at is None
    release = case.events.get(kind="release")
    with pytest.raises(ValidationError, match="Say why"):
        services.event_delete(
            actor=cw(world),
            case=case,
            event_id=release.pk,
            expected_version=case.version,
            reason="",
        )
    services.event_delete(
        actor=cw(world),
        case=case,
        event_id=release.pk,
        expected_version=case.version,
        reason="typo",
    )
    case.refresh_from_db()
    assert case.legal_status == "pretrial_detention"
    assert case.version == version + 2
    removed = AuditEvent.objects.get(action="cases.case.event_removed")
    assert removed.changes["event"] == {"old": f"release {days_ago(1).isoformat()}", "new": None}
    assert removed.changes["reason"] == "typo"


def test_event_fields_required_by_kind(world: World) -> None:
    case = detained_case(world)
    cases = [
        ({"kind": "charge", "date": days_ago(1)}, "offence_class"),
        ({"kind": "extension", "date": days_ago(1)}, "extension_of"),
        ({"kind": "verdict", "date": days_ago(1)}, "outcome"),
        ({"kind": "sentence", "date": days_ago(1)}, "sentence_months"),
        ({"kind": "transfer", "date": days_ago(1)}, "place"),
    ]
    before = snapshot(case)
    for data, field in cases:
        with pytest.raises(ValidationError) as info:
            services.event_add(actor=cw(world), case=case, expected_version=case.version, data=data)
        assert field in info.value.message_dict
    assert snapshot(case) == before


# Rules ------------------------------------------------------------------------------------------


def test_a_rule_change_by_the_secretariat_recomputes_open_cases(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    case = open_case(world, age=15, lawyer=cw(world))
    case = add_event(case, cw(world), kind="arrest", date=days_ago(0), time=dt.time(8, 0))
    arrival = timezone.make_aware(dt.datetime.combine(days_ago(0), dt.time(8, 0)))
    assert case.deadline_at == arrival + dt.timedelta(hours=24)
    assert case.deadline_unverified
    rule = LegalRule.objects.get(code="police-custody-minor")
    with django_capture_on_commit_callbacks(execute=True):
        services.rule_update(
            actor=world.user(Role.SECRETARIAT_ADMIN),
            rule=rule,
            data={"limit_value": 48},
            verified=True,
        )
    rule.refresh_from_db()
    assert (rule.limit_value, rule.verified) == (48, True)
    assert rule.verified_by == world.user(Role.SECRETARIAT_ADMIN)
    queued = DBTaskResult.objects.get(task_path="komar.cases.tasks.recompute_deadlines")
    assert queued.args_kwargs["args"] == [rule.ruleset_id]
    case.refresh_from_db()
    assert case.deadline_at == arrival + dt.timedelta(hours=24)  # not until the task runs
    assert recompute_deadlines.call(rule.ruleset_id) == 1
    case.refresh_from_db()
    assert case.deadline_at == arrival + dt.timedelta(hours=48)
    assert not case.deadline_unverified
    changed = AuditEvent.objects.get(action="cases.rule.changed")
    assert changed.changes["limit_value"] == {"old": 24, "new": 48}
    assert changed.changes["verified"] == {"old": False, "new": True}


def test_marking_a_rule_unverified_again_flags_the_deadline(world: World) -> None:
    case = open_case(world, age=15)
    case = add_event(case, cw(world), kind="arrest", date=days_ago(0))
    rule = LegalRule.objects.get(code="police-custody-minor")
    secretariat = world.user(Role.SECRETARIAT_ADMIN)
    services.rule_update(actor=secretariat, rule=rule, data={}, verified=True)
    services.recompute_ruleset(rule.ruleset_id)
    case.refresh_from_db()
    assert not case.deadline_unverified
    services.rule_update(actor=secretariat, rule=rule, data={}, verified=False)
    services.recompute_ruleset(rule.ruleset_id)
    case.refresh_from_db()
    assert case.deadline_unverified
    rule.refresh_from_db()
    assert rule.verified_by is None


def test_only_the_secretariat_changes_rules_and_each_needs_a_citation(world: World) -> None:
    rule = LegalRule.objects.get(code="police-custody-minor")
    for actor in (admin(world), cw(world), world.other_admin):
        with pytest.raises(ValidationError, match="Only the secretariat"):
            services.rule_update(actor=actor, rule=rule, data={"limit_value": 1}, verified=True)
    secretariat = world.user(Role.SECRETARIAT_ADMIN)
    with pytest.raises(ValidationError, match="citation"):
        services.rule_update(actor=secretariat, rule=rule, data={"citation_en": " "}, verified=True)
    with pytest.raises(ValidationError, match="limit and its unit"):
        services.rule_update(actor=secretariat, rule=rule, data={"limit_unit": None}, verified=True)
    with pytest.raises(ValidationError, match="length of each extension"):
        services.rule_update(
            actor=secretariat, rule=rule, data={"max_extensions": 1}, verified=True
        )
    fresh = LegalRule.objects.get(pk=rule.pk)
    assert (fresh.limit_value, fresh.verified, fresh.citation_en) == (
        24,
        False,
        rule.citation_en,
    )
    assert not AuditEvent.objects.filter(action="cases.rule.changed").exists()


def test_an_unchanged_rule_writes_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rule = LegalRule.objects.get(code="immediate-appearance")
    with django_capture_on_commit_callbacks() as callbacks:
        services.rule_update(
            actor=world.user(Role.SECRETARIAT_ADMIN),
            rule=rule,
            data={"limit_value": 14},
            verified=True,
        )
    assert callbacks == []
    assert not AuditEvent.objects.filter(action="cases.rule.changed").exists()


def test_recompute_skips_a_timeline_that_became_impossible(world: World) -> None:
    case = detained_case(world)
    TimelineEvent.objects.create(case=case, kind="appeal", date=days_ago(1))  # no verdict
    before = Case.objects.get(pk=case.pk).deadline_at
    assert services.recompute_ruleset(case.ruleset_id) == 1
    assert Case.objects.get(pk=case.pk).deadline_at == before


def test_saving_an_unchanged_identity_changes_nothing(world: World) -> None:
    case = open_case(world)
    identity = ChildIdentity.objects.get(case=case)
    # As a form sends it back: empty fields as "", the estimated age as a number.
    form = {f: getattr(identity, f) or "" for f in services.IDENTITY_FIELDS}
    before = snapshot(case)
    services.identity_update(
        actor=cw(world), case=case, expected_version=case.version, identity=form
    )
    assert snapshot(case)["version"] == before["version"]
    assert snapshot(case)["audit"] == before["audit"]
    services.identity_update(
        actor=cw(world), case=case, expected_version=case.version, identity={**form, "sex": "other"}
    )
    changed = AuditEvent.objects.get(action="cases.case.identity_changed")
    assert set(changed.changes) == {"sex", "version"}
    assert changed.changes["sex"] == {"changed": True}


def test_a_rule_saved_with_no_extensions_given_means_none_allowed(world: World) -> None:
    from komar.cases.models import LegalRule

    rule = LegalRule.objects.get(code="pretrial-adult-felony")
    saved = services.rule_update(
        actor=world.user(Role.SECRETARIAT_ADMIN),
        rule=rule,
        data={"max_extensions": None, "citation_en": rule.citation_en},
        verified=True,
    )
    assert saved.max_extensions == 0


def test_a_referral_without_a_choice_shares_the_timeline_and_services_only(world: World) -> None:
    from tests.cases.helpers import detained_case

    case = detained_case(world)
    consent = services.consent_record(
        actor=world.user(Role.CASEWORKER),
        case=case,
        data={"kind": "assent", "purpose": "referral", "given_on": case.opened_on},
    )
    referral = services.referral_create(
        actor=world.user(Role.CASEWORKER),
        case=case,
        to_organisation_id=world.org_b.pk,
        reason="Tracing",
        consent_id=consent.pk,
    )
    assert (referral.share_timeline, referral.share_services) == (True, True)
    assert (referral.share_identity, referral.share_notes) == (False, False)
