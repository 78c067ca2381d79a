from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from komar.audit.context import current_ip


def client_ip(request: HttpRequest) -> str | None:
    # With KOMAR_BEHIND_TLS_PROXY the proxy sets REMOTE_ADDR via X-Forwarded-For handling upstream;
    # axes/ipware apply the same rule for lockouts.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
