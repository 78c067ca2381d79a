from __future__ import annotations

from collections.abc import Callable
from typing import Any

from komar.accounts.models import Membership, User
from komar.accounts.roles import Role
from komar.accounts.services import member_invite
from komar.geo.models import Province
from komar.organisations.models import Organisation, ThematicArea
from komar.organisations.services import organisation_create

GOVERNMENT_SLUG = "ministry-of-social-affairs-veterans-and-youth-rehabilitation"

# (key, e-mail, full name, role, organisation slug). All fictional.
PEOPLE = [
    (
        "secretariat",
        "dara.secretariat@demo-komar.invalid",
        "Dara Sok (demo)",
        Role.SECRETARIAT_ADMIN,
        "child-rights-coalition-cambodia",
    ),
    (
        "analyst",
        "vanna.analyst@demo-komar.invalid",
        "Vanna Keo (demo)",
        Role.ANALYST,
        "child-rights-coalition-cambodia",
    ),
    (
        "lac_admin",
        "sophea.admin@demo-komar.invalid",
        "Sophea Chan (demo)",
        Role.ORG_ADMIN,
        "legal-aid-of-cambodia",
    ),
    (
        "lac_caseworker",
        "bopha.lawyer@demo-komar.invalid",
        "Bopha Lim (demo)",
        Role.CASEWORKER,
        "legal-aid-of-cambodia",
    ),
    (
        "kt_admin",
        "rithy.admin@demo-komar.invalid",
        "Rithy Meas (demo)",
        Role.ORG_ADMIN,
        "krousar-thmey",
    ),
    (
        "kt_caseworker",
        "sreymom.socialworker@demo-komar.invalid",
        "Sreymom Ouk (demo)",
        Role.CASEWORKER,
        "krousar-thmey",
    ),
    (
        "monitor",
        "kosal.monitor@demo-komar.invalid",
        "Kosal Heng (demo)",
        Role.MONITOR,
        "cambodian-center-for-human-rights",
    ),
    (
        "government",
        "chenda.focalpoint@demo-komar.invalid",
        "Chenda Pich (demo)",
        Role.GOVERNMENT_FOCAL_POINT,
        GOVERNMENT_SLUG,
    ),
    (
        "youth",
        "nika.youth@demo-komar.invalid",
        "Nika Soun (demo)",
        Role.YOUTH_MEMBER,
        "cambodian-children-and-young-people-movement-for-child-rights",
    ),
]


def _government(actor: Any) -> Organisation:
    existing = Organisation.objects.filter(slug=GOVERNMENT_SLUG).first()
    if existing:
        return existing
    organisation = organisation_create(
        actor=actor,
        data={
            "name_en": "Ministry of Social Affairs, Veterans and Youth Rehabilitation",
            "name_km": "ក្រសួងសង្គមកិច្ច អតីតយុទ្ធជន និងយុវនីតិសម្បទា",
            "acronym": "MoSVY",
            "kind": Organisation.Kind.GOVERNMENT,
            "scope": Organisation.Scope.NATIONAL,
        },
        thematic_areas=ThematicArea.objects.filter(
            code__in=["child_protection", "social_protection", "alternative_care"]
        ),
        provinces=Province.objects.all(),
    )
    if organisation.slug != GOVERNMENT_SLUG:
        organisation.slug = GOVERNMENT_SLUG
        organisation.save(update_fields=["slug"])
    return organisation


def create_people(
    password_for: Callable[[str], str],
) -> tuple[dict[str, User], list[dict[str, str]]]:
    users: dict[str, User] = {}
    accounts: list[dict[str, str]] = []
    secretariat_actor = None
    for key, email, name, role, slug in PEOPLE:
        if slug == GOVERNMENT_SLUG:
            _government(secretariat_actor)
        organisation = Organisation.objects.get(slug=slug)
        user = User.objects.filter(email=email).first()
        if (
            user is None
            or not Membership.objects.filter(user=user, organisation=organisation).exists()
        ):
            member_invite(
                actor=secretariat_actor,
                organisation=organisation,
                email=email,
                full_name=name,
                role=role,
            )
            user = User.objects.get(email=email)
        password = password_for(email)
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        users[key] = user
        secretariat_actor = secretariat_actor or user
        accounts.append(
            {"email": email, "password": password, "role": role.value, "organisation": slug}
        )
    return users, accounts
