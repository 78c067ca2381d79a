"""Writing the audit trail. Call `record` inside the service's own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from komar.audit.context import current_ip
from komar.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _plain(value: Any) -> Any:
    """A JSON-safe, stable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, sensitive: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """Field-level changes between two snapshots. Sensitive fields show only that they changed."""
    hidden = set(sensitive)
    changes: dict[str, dict[str, Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        changes[field] = {"changed": True} if field in hidden else {"old": old, "new": new}
    return changes


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Current values of `fields` (many-to-many fields as sorted lists of primary keys)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        elif field.is_relation:
            values[name] = getattr(instance, getattr(field, "attname", name))
        else:
            values[name] = getattr(instance, name)
    return values


def event_hash(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "changes": event.changes,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


def _normalise_ip(ip: str | None) -> str | None:
    # Stored as the database will return it, so the hash verifies after a round trip.
    return clean_ipv6_address(ip) if ip and ":" in ip else ip


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    label: str = ""

    @classmethod
    def of(cls, instance: models.Model, label: str | None = None) -> Target:
        return cls(instance._meta.label_lower, str(instance.pk), label if label is not None else "")


def record(
    *,
    actor: Any,
    action: str,
    target: Target | models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    if isinstance(target, models.Model):
        target = Target.of(target, str(target)[:255])
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor=user,
            actor_label=(user.email if user else "")[:254],
            organisation_id=organisation_id,
            action=action,
            target_type=target.type if target else "",
            target_id=target.id if target else "",
            target_label=(target.label if target else "")[:255],
            changes=_plain(dict(changes or {})),
            ip=_normalise_ip(ip if ip is not None else current_ip.get()),
            prev_hash=head.hash,
        )
        event.hash = event_hash(hash_payload(event))
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def record_read(*, actor: Any, target: Target, organisation_id: int | None = None) -> AuditEvent:
    """Log that `actor` read a child's record (`target` carries a reference, never a name)."""
    return record(
        actor=actor, action=f"{target.type}.read", target=target, organisation_id=organisation_id
    )
