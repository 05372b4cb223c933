"""Web sessions: they end after SESSION_IDLE_MINUTES without a request, and a BPS admin can end all
of one person's sessions and devices at once (a staff member who leaves, a password given away).

Why a middleware and not SESSION_SAVE_EVERY_REQUEST with a short SESSION_COOKIE_AGE: that writes the
session row on every request (a supervisor's screen asks the API often); this writes the time of
the last activity at most once a minute and decides on the server, whatever the cookie says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Area, audit_record
from audit.signals import SIGN_OUT_ACTION_ATTR
from enumeration import scoping
from enumeration.devices import device_revoke
from enumeration.models import Device, User
from regsosek.errors import NotAllowedError

LAST_ACTIVITY_KEY = "last_activity"
# The time of the last activity is written at most this often (seconds).
ACTIVITY_RESOLUTION_S = 60


@receiver(user_logged_in, dispatch_uid="session_activity_at_sign_in")
def _activity_at_sign_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    # Saved with the new session, so the first requests after signing in write nothing more.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(time.time())


class IdleSessionMiddleware:
    """Signs a web session out once it has been idle for SESSION_IDLE_MINUTES (recorded as
    `auth.session_expired`); the request then goes on as anonymous (a page redirects to sign-in,
    the API answers 401/403). Requests with a device token carry no session and pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            last = session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_MINUTES * 60:
                setattr(request, SIGN_OUT_ACTION_ATTR, AuditAction.SESSION_EXPIRED)
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(
                        request,
                        _("Sesi Anda berakhir setelah %(minutes)d menit tanpa aktivitas. Silakan masuk lagi.")
                        % {"minutes": settings.SESSION_IDLE_MINUTES},
                    )
            elif not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION_S:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


@dataclass(frozen=True)
class SessionsEnded:
    sessions: int
    devices: int
    sign_in_blocked: bool


def _user_session_keys(user: User) -> list[str]:
    """The keys of the user's live sessions. Sessions are not indexed by user, so each live one is
    decoded (a few thousand staff: milliseconds); this needs the database session engine, the default."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
    return [s.session_key for s in live if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


@transaction.atomic
def user_sessions_end(*, user: User, by: User, block_sign_in: bool) -> SessionsEnded:
    """End every web session of `user` and revoke every device they signed in on (the phones are
    told to wipe at their next contact: `device_revoke`); with `block_sign_in`, also make the
    password unusable, so that neither the web nor the app lets them in until a BPS admin sets a new
    one (a staff member who leaves). Recorded as `auth.sessions_ended` (counts only). Idempotent:
    a second call ends nothing more. Locks the user's row. Raises NotAllowedError unless `by` is a
    BPS admin, and for one's own account (it would lock the admin out)."""
    if not scoping.can_use_admin(by):
        raise NotAllowedError(_("Hanya admin BPS yang dapat mengakhiri sesi pengguna."))
    if by.pk == user.pk:
        raise NotAllowedError(_("Anda tidak dapat mengakhiri sesi dan perangkat akun Anda sendiri."))
    user = User.objects.select_for_update().get(pk=user.pk)
    keys = _user_session_keys(user)
    Session.objects.filter(session_key__in=keys).delete()
    devices = list(Device.objects.filter(user=user, revoked_at__isnull=True))
    for device in devices:
        device_revoke(device=device, by=by)
    if block_sign_in and user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    audit_record(
        action=AuditAction.SESSIONS_ENDED,
        actor=by,
        object_type="user",
        object_id=user.pk,
        area=Area.of_user(user),
        detail=f"sessions={len(keys)} devices={len(devices)} sign_in_blocked={int(block_sign_in)}",
    )
    return SessionsEnded(sessions=len(keys), devices=len(devices), sign_in_blocked=block_sign_in)
