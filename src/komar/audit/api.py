from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from komar.accounts.permissions import has_perm
from komar.accounts.roles import Perm
from komar.api.api import PAGE_SIZE
from komar.audit.selectors import audit_events

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    ip: str | None
    hash: str


class AuditFilters(Schema):
    action: str = Field("", max_length=64)
    actor: str = Field("", max_length=254)


@router.get("/events", response=list[AuditEventOut], summary="Audit events (secretariat admins)")
@paginate(PageNumberPagination, page_size=PAGE_SIZE)
def list_events(request: HttpRequest, filters: Query[AuditFilters]) -> Any:
    if not has_perm(request.user, Perm.AUDIT_VIEW):
        raise PermissionDenied
    return audit_events(**filters.dict())
