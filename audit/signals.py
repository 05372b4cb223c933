"""Audit entries for signing in and out, failed sign-ins and lockouts, on the web and on devices.

Django sends `user_logged_in` / `user_logged_out` for web sessions and `user_login_failed` for every
refused password (the web login, the admin's, and the enumerator app's device sign-in, which calls
`authenticate` with the request); django-axes sends `user_locked_out` for an attempt at or beyond the
failure limit. A successful device sign-in issues a token rather than a session: `enumeration.devices`
records it. The channel (`web` or `device`) is read from the path: the device sign-in is under /api/.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.context import client_ip
from audit.models import AuditAction
from audit.services import Area, audit_record

# A request attribute that turns the sign-out being recorded into another action (an idle session
# ended by `enumeration.sessions.IdleSessionMiddleware` is `auth.session_expired`).
SIGN_OUT_ACTION_ATTR = "audit_sign_out_action"


def _channel(request: HttpRequest | None) -> str:
    path = getattr(request, "path", "") or ""
    return "device" if path.startswith("/api/") else "web"


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None and hasattr(request, "META") else None


def _account(username: object) -> Any:
    """The account a username names, or None. The typed text itself is never stored: people type
    passwords into the username field."""
    if not isinstance(username, str) or not username:
        return None
    return get_user_model()._default_manager.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.SIGN_IN,
        actor=user,
        object_type="user",
        object_id=user.pk,
        area=Area.of_user(user),
        detail=f"channel={_channel(request)}",
        ip_address=_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return  # signing out without a session: nothing ended
    action = getattr(request, SIGN_OUT_ACTION_ATTR, AuditAction.SIGN_OUT)
    audit_record(
        action=action,
        actor=user,
        object_type="user",
        object_id=user.pk,
        area=Area.of_user(user),
        detail=f"channel={_channel(request)}",
        ip_address=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # An attempt at or beyond the limit is recorded once, as the lockout: django-axes (whose receiver
    # of this signal runs first, its app being installed first) has flagged the request by now.
    if getattr(request, "axes_locked_out", False):
        return
    _record_attempt(AuditAction.SIGN_IN_FAILED, credentials.get("username"), request)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender: Any, request: HttpRequest | None, username: object, **kwargs: Any) -> None:
    _record_attempt(AuditAction.LOCKED_OUT, username, request)


def _record_attempt(action: AuditAction, username: object, request: HttpRequest | None) -> None:
    """The account tried is the entry's "who" (it is whose password was tried, not necessarily by
    them); an unknown username is recorded as such, without the text."""
    account = _account(username)
    detail = f"channel={_channel(request)}" + ("" if account is not None else " account=unknown")
    audit_record(
        action=action,
        actor=account,
        object_type="user" if account is not None else "",
        object_id=account.pk if account is not None else "",
        area=Area.of_user(account),
        detail=detail,
        ip_address=_ip(request),
    )
