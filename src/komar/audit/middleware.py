from __future__ import annotations

from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse

from komar.audit.context import current_ip


def client_ip(request: HttpRequest) -> str | None:
    """The client's address by the same rule django-axes uses for lockouts (behind a proxy,
    with KOMAR_BEHIND_TLS_PROXY, the address the proxy forwarded)."""
    return get_client_ip_address(request) or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
