"""Request context (client IP) that services' audit events pick up without a request object."""

from __future__ import annotations

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("komar_audit_ip", default=None)
