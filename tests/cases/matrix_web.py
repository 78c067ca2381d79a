"""Permission-matrix entries for the cases web pages (imported by tests/test_permission_matrix.py)."""

from __future__ import annotations

from tests.matrix import Route

CASE_WEB_ROUTES: list[Route] = []
