from __future__ import annotations

import logging

from django_tasks import task

from komar.audit.verify import verify_chain

logger = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict[str, object]:
    """Check the whole audit chain (run it on a schedule through `komar worker`)."""
    report = verify_chain()
    if not report.ok:
        logger.error("Audit chain broken at event %s: %s", report.broken_seq, report.reason)
    return {"ok": report.ok, "checked": report.checked, "broken_seq": report.broken_seq}
