"""Permission-matrix entries for the cases API (imported by tests/test_permission_matrix.py)."""

from __future__ import annotations

from tests.matrix import Route

CASE_API_ROUTES: list[Route] = []
