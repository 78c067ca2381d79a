from komar.accounts.roles import MEMBER_ROLES, ROLE_PERMISSIONS, TWO_FACTOR_ROLES, Perm, Role


def test_every_role_has_a_row_in_the_permission_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert Role.PUBLIC not in MEMBER_ROLES


def test_public_may_only_browse_the_directory() -> None:
    assert ROLE_PERMISSIONS[Role.PUBLIC] == {Perm.DIRECTORY_VIEW}


def test_two_factor_is_required_exactly_for_roles_that_read_childrens_records() -> None:
    assert {Role.SECRETARIAT_ADMIN, Role.ORG_ADMIN, Role.CASEWORKER} == TWO_FACTOR_ROLES


def test_only_the_secretariat_reads_the_audit_log_and_edits_any_organisation() -> None:
    holders = {role for role, perms in ROLE_PERMISSIONS.items() if Perm.AUDIT_VIEW in perms}
    assert holders == {Role.SECRETARIAT_ADMIN}
    editors = {r for r, perms in ROLE_PERMISSIONS.items() if Perm.ORGANISATION_EDIT_ANY in perms}
    assert editors == {Role.SECRETARIAT_ADMIN}
