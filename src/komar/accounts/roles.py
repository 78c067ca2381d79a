"""Roles and what each may do — the permission table is data, read by every access check.

A role is held through a Membership (user, organisation, role). `PUBLIC` is the anonymous visitor.
Permissions are codenames "<area>.<action>". Later modules add their codenames here, with the roles
that hold them; `tests/accounts/test_roles.py` checks the table stays consistent.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT_ADMIN = "secretariat_admin", _("Coalition secretariat admin")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    CASEWORKER = "caseworker", _("Caseworker (legal aid / social work)")
    MONITOR = "monitor", _("Detention monitor")
    ANALYST = "analyst", _("Analyst")
    GOVERNMENT_FOCAL_POINT = "government_focal_point", _("Government focal point")
    YOUTH_MEMBER = "youth_member", _("Youth network member")
    PUBLIC = "public", _("Public (not signed in)")


MEMBER_ROLES = [role for role in Role if role != Role.PUBLIC]


class Perm(models.TextChoices):
    DIRECTORY_VIEW = "directory.view", _("Browse the organisations directory")
    DASHBOARD_VIEW = "dashboard.view", _("Use the signed-in dashboard")
    API_TOKENS_MANAGE = "api.tokens", _("Create and revoke own API tokens")
    ORGANISATION_EDIT_OWN = "organisations.edit_own", _("Edit own organisation's profile")
    ORGANISATION_EDIT_ANY = "organisations.edit_any", _("Edit any organisation's profile")
    MEMBERS_MANAGE_OWN = "members.manage_own", _("Manage members of own organisation")
    MEMBERS_MANAGE_ANY = "members.manage_any", _("Manage members of any organisation")
    AUDIT_VIEW = "audit.view", _("Read the audit log")
    REFERENCE_CONFIRM = "reference.confirm", _("Confirm unverified reference data")
    CHILD_RECORDS_VIEW = "children.view", _("Read children's records (requires two-factor sign-in)")
    PLACES_VIEW = "places.view", _("See the registry of places of deprivation of liberty")
    PLACES_EDIT = "places.edit", _("Add and update places in the registry")
    STATISTICS_VIEW = "statistics.view", _("See count returns and the detailed national picture")
    STATISTICS_SUBMIT = "statistics.submit", _("Enter, import and submit count returns")
    STATISTICS_VALIDATE = "statistics.validate", _("Validate count returns entered by others")
    STATISTICS_PUBLISH = "statistics.publish", _("Publish validated count returns")
    POPULATION_EDIT = "statistics.population", _("Enter child-population figures and their sources")
    CASES_EDIT = "cases.edit", _("Open children's case records and keep their timelines")
    CASES_EXPORT_IDENTIFIABLE = (
        "cases.export_identifiable",
        _("Export case records with children's identities"),
    )
    CASES_REFER_WITHOUT_CONSENT = (
        "cases.refer_without_consent",
        _("Refer a case without recorded consent (the override is audited)"),
    )
    CASES_ACCESS_LOG = "cases.access_log", _("Read the access log of own organisation's cases")
    WATCH_COALITION = (
        "cases.watch_coalition",
        _("See the coalition-wide deadline watch in aggregate"),
    )
    RULES_VIEW = "rules.view", _("Read the legal rule sets")
    COMMITMENTS_VIEW = (
        "commitments.view",
        _("Follow recommendations, pledges and children's requests in the tracker"),
    )
    COMMITMENTS_EDIT = (
        "commitments.edit",
        _("Load sources and items into the tracker, assign them and import them"),
    )
    ASSESS_COALITION = (
        "commitments.assess_coalition",
        _("Record actions and the coalition's assessments of progress"),
    )
    ASSESS_GOVERNMENT = (
        "commitments.assess_government",
        _("Record actions and the government's reports of progress"),
    )
    COMMITMENTS_VALIDATE = (
        "commitments.validate",
        _("Validate submitted progress assessments"),
    )
    STATEMENTS_VIEW = (
        "statements.view",
        _("Read joint statements, drafts of own committee included"),
    )
    STATEMENTS_DRAFT = (
        "statements.draft",
        _("Start joint statements and edit them as a member of their organising committee"),
    )
    STATEMENTS_ENDORSE = (
        "statements.endorse",
        _("Endorse or withdraw endorsements on behalf of own organisation"),
    )
    STATEMENTS_MANAGE = (
        "statements.manage",
        _("Approve endorsements, close and publish joint statements"),
    )
    EVENTS_EDIT = (
        "participation.events",
        _("Record consultations and events, their participant counts and children's requests"),
    )
    FEEDBACK_MODERATE = (
        "participation.moderate",
        _("Moderate children's feedback and publish its themes"),
    )
    SAFEGUARDING = (
        "participation.safeguarding",
        _("Follow up feedback suggesting a child is at risk"),
    )
    COMMITMENTS_PUBLISH = (
        "commitments.publish",
        _("Publish assessments and items on the public progress site"),
    )


_EVERYONE_SIGNED_IN = {
    Perm.DIRECTORY_VIEW,
    Perm.DASHBOARD_VIEW,
    Perm.API_TOKENS_MANAGE,
    Perm.PLACES_VIEW,
    Perm.STATISTICS_VIEW,
    Perm.RULES_VIEW,
    Perm.COMMITMENTS_VIEW,
    Perm.STATEMENTS_VIEW,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.PUBLIC: frozenset({Perm.DIRECTORY_VIEW}),
    Role.SECRETARIAT_ADMIN: frozenset(
        _EVERYONE_SIGNED_IN
        | {
            Perm.ORGANISATION_EDIT_OWN,
            Perm.ORGANISATION_EDIT_ANY,
            Perm.MEMBERS_MANAGE_OWN,
            Perm.MEMBERS_MANAGE_ANY,
            Perm.AUDIT_VIEW,
            Perm.REFERENCE_CONFIRM,
            Perm.CHILD_RECORDS_VIEW,
            Perm.PLACES_EDIT,
            Perm.STATISTICS_SUBMIT,
            Perm.STATISTICS_VALIDATE,
            Perm.STATISTICS_PUBLISH,
            Perm.POPULATION_EDIT,
            Perm.WATCH_COALITION,
            Perm.COMMITMENTS_EDIT,
            Perm.ASSESS_COALITION,
            Perm.ASSESS_GOVERNMENT,
            Perm.COMMITMENTS_VALIDATE,
            Perm.COMMITMENTS_PUBLISH,
            Perm.STATEMENTS_DRAFT,
            Perm.STATEMENTS_ENDORSE,
            Perm.STATEMENTS_MANAGE,
            Perm.EVENTS_EDIT,
            Perm.FEEDBACK_MODERATE,
            Perm.SAFEGUARDING,
        }
    ),
    Role.ORG_ADMIN: frozenset(
        _EVERYONE_SIGNED_IN
        | {
            Perm.ORGANISATION_EDIT_OWN,
            Perm.MEMBERS_MANAGE_OWN,
            Perm.CHILD_RECORDS_VIEW,
            Perm.CASES_EDIT,
            Perm.CASES_EXPORT_IDENTIFIABLE,
            Perm.CASES_REFER_WITHOUT_CONSENT,
            Perm.CASES_ACCESS_LOG,
            Perm.ASSESS_COALITION,
            Perm.STATEMENTS_DRAFT,
            Perm.STATEMENTS_ENDORSE,
            Perm.EVENTS_EDIT,
        }
    ),
    Role.CASEWORKER: frozenset(_EVERYONE_SIGNED_IN | {Perm.CHILD_RECORDS_VIEW, Perm.CASES_EDIT}),
    Role.MONITOR: frozenset(
        _EVERYONE_SIGNED_IN | {Perm.PLACES_EDIT, Perm.STATISTICS_SUBMIT, Perm.ASSESS_COALITION}
    ),
    Role.ANALYST: frozenset(
        _EVERYONE_SIGNED_IN
        | {
            Perm.STATISTICS_VALIDATE,
            Perm.POPULATION_EDIT,
            Perm.COMMITMENTS_EDIT,
            Perm.ASSESS_COALITION,
            Perm.COMMITMENTS_VALIDATE,
        }
    ),
    Role.GOVERNMENT_FOCAL_POINT: frozenset(
        _EVERYONE_SIGNED_IN
        | {
            Perm.PLACES_EDIT,
            Perm.STATISTICS_SUBMIT,
            Perm.STATISTICS_VALIDATE,
            Perm.ASSESS_GOVERNMENT,
        }
    ),
    Role.YOUTH_MEMBER: frozenset(_EVERYONE_SIGNED_IN | {Perm.EVENTS_EDIT}),
}

# Roles that can read children's records must sign in with a second factor.
TWO_FACTOR_ROLES: frozenset[Role] = frozenset(
    role for role, perms in ROLE_PERMISSIONS.items() if Perm.CHILD_RECORDS_VIEW in perms
)


def role_has(role: str, perm: str) -> bool:
    try:
        return perm in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
