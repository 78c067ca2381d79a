from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from komar.audit import services as audit
from komar.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from komar.audit.verify import verify_chain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    actor = UserFactory()
    return [
        audit.record(
            actor=actor,
            action="thing.update",
            target=audit.Target("things.thing", str(i), f"thing {i}"),
            changes=audit.diff({"size": i}, {"size": i + 1}),
            ip="2001:DB8::1",
        )
        for i in range(n)
    ]


def test_events_are_chained_and_verify() -> None:
    start = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    events = _events(3)
    assert [e.seq for e in events] == [start + 1, start + 2, start + 3]
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert events[0].changes == {"size": {"old": 0, "new": 1}}
    assert events[0].ip == "2001:db8::1"  # stored as the database returns it
    report = verify_chain()
    assert report.ok and report.checked == AuditEvent.objects.count()


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = _events(1)[0]
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_database_refuses_updates() -> None:
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged'")


def test_a_forged_event_is_found_by_verify_and_the_command_fails() -> None:
    events = _events(3)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, occurred_at, actor_label, action, target_type,"
            " target_id, target_label, changes, prev_hash, hash)"
            " VALUES (%s, %s, '', 'forged', '', '', '', '{}', %s, %s)",
            [events[-1].seq + 1, events[-1].occurred_at, events[-1].hash, "f" * 64],
        )
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == events[-1].seq + 1
    assert report.reason == "event content altered"
    with pytest.raises(CommandError, match=f"#{events[-1].seq + 1}"):
        call_command("audit", "verify")


def test_a_missing_event_breaks_the_chain() -> None:
    events = _events(3)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Simulates someone with superuser access bypassing the append-only trigger.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [events[1].seq])
            cursor.execute("SET session_replication_role = DEFAULT")
    else:
        AuditEvent.objects.filter(seq=events[1].seq)._raw_delete(connection.alias)
    report = verify_chain()
    assert (report.ok, report.broken_seq, report.reason) == (False, events[1].seq, "event missing")


def test_verify_command_reports_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _events(2)
    call_command("audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out


def test_sensitive_fields_record_only_that_they_changed() -> None:
    changes = audit.diff(
        {"password": "old-secret", "name": "A"},
        {"password": "new-secret", "name": "B"},
        sensitive={"password"},
    )
    assert changes == {"password": {"changed": True}, "name": {"old": "A", "new": "B"}}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.dictionaries(
        st.sampled_from("abcdef"), st.one_of(st.integers(), st.text(max_size=5), st.none())
    ),
    after=st.dictionaries(
        st.sampled_from("abcdef"), st.one_of(st.integers(), st.text(max_size=5), st.none())
    ),
    sensitive=st.sets(st.sampled_from("abcdef")),
)
def test_diff_lists_exactly_the_changed_fields_and_hides_sensitive_values(
    before: dict, after: dict, sensitive: set
) -> None:
    changes = audit.diff(before, after, sensitive=sensitive)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert set(changes) == changed
    for key, change in changes.items():
        if key in sensitive:
            assert change == {"changed": True}
        else:
            assert change == {"old": before.get(key), "new": after.get(key)}


def test_reading_a_childs_record_is_logged_by_reference_only() -> None:
    reader = UserFactory()
    event = audit.record_read(actor=reader, target=audit.Target("cases.case", "42", "CASE-0042"))
    assert (event.action, event.target_id, event.target_label) == (
        "cases.case.read",
        "42",
        "CASE-0042",
    )
    assert event.actor == reader
    assert event.changes == {}


def test_audit_log_page_query_count_does_not_grow(client: Any, world: Any) -> None:
    from komar.accounts.roles import Role
    from tests.conftest import login, query_count

    login(client, world.user(Role.SECRETARIAT_ADMIN))
    _events(3)
    baseline = query_count(lambda: client.get("/audit/"))
    _events(60)
    response = client.get("/audit/")
    assert query_count(lambda: client.get("/audit/")) == baseline
    assert len(response.context["page"].object_list) == 50
    filtered = client.get("/audit/", {"action": "thing."}, headers={"hx-request": "true"})
    assert filtered.content.decode().lstrip().startswith('<section id="results"')
