"""Statements for the tests: drafted by organisation A's admin, in Khmer and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

from komar.accounts.models import User
from komar.accounts.roles import Role
from komar.organisations.models import Organisation
from komar.statements import services
from komar.statements.models import Endorsement, Statement
from tests.conftest import World, enable_totp
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

TITLE_KM = "សេចក្តីថ្លែងការណ៍រួមរបស់សង្គមស៊ីវិល"
TITLE_EN = "Joint statement of civil society"
TEXT_KM = (
    "យើងជាអង្គការដែលបានចុះហត្ថលេខាខាងក្រោម សូមអបអរសាទរចំពោះការប្រារព្ធពិធីដាក់ឱ្យប្រើប្រាស់។\n\n"
    "យើងគាំទ្រសំណើទាំងដប់របស់កុមារ។"
)
TEXT_EN = (
    "We, the undersigned organizations, congratulate the successful National Launch.\n\n"
    "We fully support the ten requests of the children."
)


def statement_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title_en": TITLE_EN,
        "title_km": TITLE_KM,
        "text_en": TEXT_EN,
        "text_km": TEXT_KM,
        "place_en": "Phnom Penh",
        "place_km": "ភ្នំពេញ",
        "date": dt.date(2026, 5, 5),
        "contact": "committee@example.invalid",
        "links": "https://example.invalid/study",
    }
    data.update(overrides)
    return data


def make_statement(w: World, status: str = "draft", **overrides: Any) -> Statement:
    """A statement whose committee is organisation A, moved to `status` by the secretariat."""
    statement = services.statement_create(
        actor=w.user(Role.ORG_ADMIN), data=statement_data(**overrides), organisation_id=w.org_a.pk
    )
    sec = w.user(Role.SECRETARIAT_ADMIN)
    if status in ("open", "closed", "published"):
        statement = services.statement_open(actor=sec, statement=statement)
    if status == "closed":
        statement = services.statement_close(actor=sec, statement=statement)
    if status == "published":
        statement = services.statement_publish(actor=sec, statement=statement)
    return statement


def org_with_admin(name_en: str, name_km: str) -> tuple[Organisation, User]:
    org = OrganisationFactory(name_en=name_en, name_km=name_km)
    user = UserFactory(email=f"admin@{org.slug}.example.invalid")
    MembershipFactory(user=user, organisation=org, role=Role.ORG_ADMIN.value)
    enable_totp(user)  # an organisation admin signs in with two factors
    return org, user


def endorse(
    statement: Statement, org: Organisation, user: User, role: str = "endorser", **kw: Any
) -> Endorsement:
    return services.endorse(
        actor=user, statement=statement, organisation_id=org.pk, role=role, **kw
    )


def fresh(statement: Statement) -> Statement:
    return Statement.objects.get(pk=statement.pk)
