"""Encryption at rest of children's data, key rotation (`komar rotatekeys`), and the blind index."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.cases import services
from komar.cases.crypto import UndecryptableError, fernet, identity_digests
from komar.cases.models import CaseNote, ChildIdentity, Consent, IdentityIndex
from tests.cases.helpers import days_ago, open_case
from tests.conftest import World

BIRTH = dt.date(2010, 4, 5)


def key() -> str:
    return Fernet.generate_key().decode()


def raw(table: str, column: str) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def child(world: World, name: str = "Sok Dara", **kw: Any) -> Any:
    case = open_case(world, name_latin=name, name_km="សុខ ដារា", birth_date=BIRTH, **kw)
    cw = world.user(Role.CASEWORKER)
    services.note_add(actor=cw, case=case, text=f"{name} asked for his mother")
    services.consent_record(
        actor=cw,
        case=case,
        data={
            "kind": "consent",
            "purpose": "services",
            "given_by": "Ms Mao",
            "given_on": days_ago(1),
        },
    )
    return case


def read_all(case: Any) -> tuple[Any, ...]:
    identity = ChildIdentity.objects.get(case=case)
    return (
        identity.name_latin,
        identity.name_km,
        identity.birth_date,
        identity.sex,
        CaseNote.objects.get(case=case).text,
        Consent.objects.get(case=case).given_by,
    )


def test_values_read_back_in_clear_and_are_stored_as_tokens(world: World) -> None:
    old = key()
    with override_settings(KOMAR_FIELD_KEYS=[old]):
        case = child(world)
        assert read_all(case) == (
            "Sok Dara",
            "សុខ ដារា",
            BIRTH,
            "male",
            "Sok Dara asked for his mother",
            "Ms Mao",
        )
        [token] = raw("cases_childidentity", "name_latin")
        assert Fernet(old.encode()).decrypt(token.encode()) == b"Sok Dara"
    # Blank values are stored as NULL, not as an encrypted empty string.
    assert raw("cases_childidentity", "guardian_name") == [None]


def test_a_wrong_key_raises_instead_of_returning_ciphertext(world: World) -> None:
    with override_settings(KOMAR_FIELD_KEYS=[key()]):
        case = child(world)
    with override_settings(KOMAR_FIELD_KEYS=[key()]):
        with pytest.raises(UndecryptableError, match=r"ChildIdentity\.name_km"):
            ChildIdentity.objects.get(case=case)
        with pytest.raises(UndecryptableError, match=r"CaseNote\.text"):
            CaseNote.objects.get(case=case)
        with pytest.raises(UndecryptableError, match=r"Consent\.given_by"):
            list(Consent.objects.filter(case=case))


def test_an_empty_key_list_is_a_configuration_error(world: World) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(KOMAR_FIELD_KEYS=[]), pytest.raises(ImproperlyConfigured):
        fernet()


def test_values_under_an_older_key_still_read_while_it_is_listed(world: World) -> None:
    old, new = key(), key()
    with override_settings(KOMAR_FIELD_KEYS=[old]):
        case = child(world)
        expected = read_all(case)
    with override_settings(KOMAR_FIELD_KEYS=[new, old]):
        assert read_all(case) == expected
        # New writes use the first key.
        services.note_add(actor=world.user(Role.CASEWORKER), case=case, text="new note")
        newest = raw("cases_casenote", "text")[-1]
        assert Fernet(new.encode()).decrypt(newest.encode()) == b"new note"


def test_rotation_re_encrypts_everything_so_the_old_key_can_go(world: World) -> None:
    old, new = key(), key()
    with override_settings(KOMAR_FIELD_KEYS=[old]):
        cases = [child(world, name) for name in ("Sok Dara", "Keo Sothea", "Chea Vuthy")]
        expected = [read_all(c) for c in cases]
        tokens_before = raw("cases_childidentity", "name_latin")
    with override_settings(KOMAR_FIELD_KEYS=[new, old]):
        out = io.StringIO()
        call_command("rotatekeys", stdout=out)
        assert "Keys rotated." in out.getvalue()
    assert raw("cases_childidentity", "name_latin") != tokens_before
    with override_settings(KOMAR_FIELD_KEYS=[new]):
        assert [read_all(c) for c in cases] == expected
    with override_settings(KOMAR_FIELD_KEYS=[old]), pytest.raises(UndecryptableError):
        read_all(cases[0])
    event = AuditEvent.objects.get(action="cases.keys_rotated")
    counts = event.changes["counts"]
    # name_km, name_latin, birth_date, sex per identity; one note and one consent per case.
    assert counts["cases_childidentity"] == 3 * 4
    assert counts["cases_casenote"] == 3
    assert counts["cases_consent"] == 3
    assert counts["index_entries"] == 3 * 2
    for value in ("Sok", "Dara", "Mao", "2010"):
        assert value not in repr(event.changes)


def test_a_value_no_key_opens_aborts_the_whole_rotation(world: World) -> None:
    old, new, lost = key(), key(), key()
    with override_settings(KOMAR_FIELD_KEYS=[old]):
        first = child(world, "Sok Dara")
    with override_settings(KOMAR_FIELD_KEYS=[lost]):
        second = child(world, "Keo Sothea")
    columns = (("cases_childidentity", "name_latin"), ("cases_casenote", "text"))
    before = {t: raw(t, c) for t, c in columns}
    index_before = sorted(IdentityIndex.objects.values_list("case_id", "digest"))
    with override_settings(KOMAR_FIELD_KEYS=[new, old]), pytest.raises(CommandError) as info:
        call_command("rotatekeys", stdout=io.StringIO())
    identity_id = ChildIdentity.objects.values_list("pk", flat=True).get(case=second)
    assert f"cases_childidentity.name_km, row id {identity_id}" in str(info.value)
    assert "Nothing was changed" in str(info.value)
    assert {t: raw(t, c) for t, c in columns} == before
    assert sorted(IdentityIndex.objects.values_list("case_id", "digest")) == index_before
    assert not AuditEvent.objects.filter(action="cases.keys_rotated").exists()
    with override_settings(KOMAR_FIELD_KEYS=[old]):
        assert read_all(first)[0] == "Sok Dara"


def test_rotation_rebuilds_the_blind_index_under_a_new_blind_key(world: World) -> None:
    with override_settings(KOMAR_BLIND_INDEX_KEY="a" * 48):
        case = child(world)
        old_digests = set(IdentityIndex.objects.filter(case=case).values_list("digest", flat=True))
    with override_settings(KOMAR_BLIND_INDEX_KEY="b" * 48):
        expected = identity_digests("សុខ ដារា", "Sok Dara", BIRTH.year)
        assert expected.isdisjoint(old_digests)
        # Before the rebuild, the same child is not recognised …
        open_case(world, name_latin="Dara Sok", birth_date=BIRTH, confirm=False).delete()
        call_command("rotatekeys", stdout=io.StringIO())
        new_digests = set(IdentityIndex.objects.filter(case=case).values_list("digest", flat=True))
        assert new_digests == expected
        # … after it, they are again.
        with pytest.raises(services.DuplicateWarning):
            open_case(world, name_latin="Dara Sok", birth_date=BIRTH, confirm=False)


def test_new_key_prints_a_usable_key_and_changes_nothing(world: World) -> None:
    case = child(world)
    before = raw("cases_childidentity", "name_latin")
    out = io.StringIO()
    call_command("rotatekeys", "--new-key", stdout=out)
    printed = out.getvalue().strip()
    assert Fernet(printed.encode()).decrypt(Fernet(printed.encode()).encrypt(b"x")) == b"x"
    assert raw("cases_childidentity", "name_latin") == before
    assert not AuditEvent.objects.filter(action="cases.keys_rotated").exists()
    assert read_all(case)[0] == "Sok Dara"


def test_the_blind_index_ignores_spelling_but_not_the_birth_year() -> None:
    with override_settings(KOMAR_BLIND_INDEX_KEY="k" * 48):
        a = identity_digests("សុខ ដារា", "Sok Dara", 2010)
        assert a == identity_digests("ដារា សុខ", "DARA  Sók", 2010)
        assert a.isdisjoint(identity_digests("សុខ ដារា", "Sok Dara", 2011))
        assert identity_digests("", "Sok Dara", 2010) < a  # one script only: one digest
        assert identity_digests("", "", 2010) == set()
