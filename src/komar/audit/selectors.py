from __future__ import annotations

from django.db.models import QuerySet

from komar.audit.models import AuditEvent


def audit_events(
    *, action: str = "", actor: str = "", target_type: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("organisation").order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if target_type:
        qs = qs.filter(target_type=target_type)
    return qs
