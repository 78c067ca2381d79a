from __future__ import annotations

from collections.abc import Callable

from komar.accounts.permissions import has_perm
from komar.core.access import ViewFunc, guarded


def permission_required(perm: str) -> Callable[[ViewFunc], ViewFunc]:
    """Signed-in users whose role (in any of their organisations) grants `perm`.
    Object-level checks (which organisation) belong in the view's selector."""
    return guarded(perm, has_perm)
