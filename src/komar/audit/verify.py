"""Checking the audit chain end to end."""

from __future__ import annotations

from dataclasses import dataclass

from komar.audit.models import AuditChainHead, AuditEvent
from komar.audit.services import GENESIS_HASH, event_hash, hash_payload


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk every event in order; report the first one whose link or content does not hold."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, "event missing")
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.seq, "link to previous event broken")
        if event_hash(hash_payload(event)) != event.hash:
            return ChainReport(False, checked, event.seq, "event content altered")
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (checked, expected_prev):
        return ChainReport(False, checked, checked + 1, "newest events missing")
    return ChainReport(True, checked)
