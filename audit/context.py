"""The client address of the request being served, for audit entries written deep in services.

Services take the acting user, not the request; the middleware keeps the request's client address
in a context variable for the length of the request, and `audit_record` reads it. Outside a request
(a Celery task, a management command) there is none and entries carry no address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: with PROXY_COUNT proxies in front, the address the outermost of them
    saw (the PROXY_COUNT-th entry of X-Forwarded-For from the right), else the peer address. None
    when that is not a valid address (a forged or garbled header)."""
    candidate: str = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REGSOSEK_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def current_client_ip() -> str | None:
    return _client_ip.get()


class AuditContextMiddleware:
    """Keeps the request's client address for the audit entries written while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
