"""Shared pieces of the permission matrix (tests/test_permission_matrix.py): actors and the
`Route` record. Apps with many routes keep their entries beside their tests and the matrix
imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from komar.accounts.roles import MEMBER_ROLES, Role
from tests.conftest import World

ANON = "anonymous"
OTHER = "other_org_admin"
ALL_ROLES = [r.value for r in MEMBER_ROLES]
ACTORS = [ANON, *ALL_ROLES, OTHER]
SIGNED_IN = {*ALL_ROLES, OTHER}
EVERYONE = {ANON, *SIGNED_IN}
SEC = Role.SECRETARIAT_ADMIN.value
ORG_ADMIN = Role.ORG_ADMIN.value
PLACE_EDITORS = {SEC, Role.MONITOR.value, Role.GOVERNMENT_FOCAL_POINT.value}
NEW_PLACE = {
    "code": "kh-test-place",
    "name_en": "Test Police Station",
    "name_km": "ប៉ុស្តិ៍សាកល្បង",
    "place_type": "police_station",
    "province": "17",
}


@dataclass
class Route:
    name: str  # URL name (namespaced for the API)
    path: Callable[[World], str]
    allowed: set[str]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    ok: int = 200
    api: bool = False
    denied_status: int = 403  # for signed-in actors who are not allowed
    not_found_for: set[str] = field(default_factory=set)  # allowed in general, not this object
    unchanged: Callable[[World], Any] | None = None  # snapshot that a denial must not change
    extra: dict[str, Any] = field(default_factory=dict)
    # Actors for whom the route answers something else (e.g. 400: allowed in, refused by the form).
    status_for: dict[str, int] = field(default_factory=dict)
