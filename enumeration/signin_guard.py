"""Sign-in guessing limits beside django-axes's lockout (docs/operations.md, "Sign-in lockout and
throttling").

Three layers, each keyed so that an outsider cannot keep an enumerator off the field:

1. django-axes locks out a username *from one client address* after LOGIN_FAILURE_LIMIT wrong
   passwords (settings.AXES_LOCKOUT_PARAMETERS); the same PPL signs in from their own address.
   A PML, Koseka or BPS admin lifts it (`signin_unlock`, on the field staff page), which also
   resets layer 2's count for the addresses the PPL's failed attempts came from.
2. Per address: more than SIGNIN_ADDRESS_FAILURE_LIMIT failed sign-ins (any usernames) from one
   address within SIGNIN_ADDRESS_WINDOW_S refuse that address's next attempts with 429 before any
   password is checked (password spraying).
3. Site-wide: more than SIGNIN_GLOBAL_FAILURE_LIMIT failures within a minute (many addresses) refuse
   attempts from unknown clients for the rest of that minute.

A *known device* (the device id the app sends is registered to the account named and not revoked)
passes 2 and 3: a PPL's phone that signed in once is never turned away by someone else's guessing,
and its own wrong passwords still count toward 1. A *known address* (one with a successful sign-in
within SIGNIN_KNOWN_ADDRESS_DAYS) passes 3 only.

The counters live in the Django cache (Redis): they are short-lived, shared by every web process,
and need no table. If Redis is unreachable the throttles let the attempt through (logged), and the
database-backed lockout of 1 still holds: sign-in keeps working while Redis is down.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from audit.context import client_ip
from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration import scoping
from enumeration.models import Device, Role, User
from regsosek.errors import NotAllowedError, TooManyRequestsError

logger = logging.getLogger(__name__)

# The key part for a request whose address cannot be read (a garbled forwarded header).
UNKNOWN_ADDRESS = "unknown"
SITE_WINDOW_S = 60
UNLOCK_ROLES = {Role.PML, Role.KOSEKA, Role.BPS_ADMIN}


class SignInThrottledError(TooManyRequestsError):
    """Too many failed sign-ins from this address, or site-wide from unknown clients."""

    code = "too_many_attempts"


def _key(*parts: str) -> str:
    return ":".join((settings.SIGNIN_THROTTLE_NAMESPACE, *parts))


def _address(request: HttpRequest) -> str:
    return client_ip(request) or UNKNOWN_ADDRESS


def _count(key: str, window_s: int) -> None:
    """One more in a counter that lives `window_s` from its first count (Redis INCR keeps the TTL)."""
    cache.add(key, 0, timeout=window_s)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.set(key, 1, timeout=window_s)


def known_device(*, username: str, device_id: uuid.UUID) -> bool:
    """Whether `device_id` is a registered, unrevoked device of the active account `username`."""
    return Device.objects.filter(
        pk=device_id, user__username=username, user__is_active=True, revoked_at__isnull=True
    ).exists()


def _refusal(address: str) -> tuple[str, int] | None:
    """('address' | 'site', seconds to wait) when the address may not try now, else None."""
    address_key, site_key, known_key = _key("addr", address), _key("site"), _key("known", address)
    counts = cache.get_many([address_key, site_key, known_key])
    if counts.get(address_key, 0) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
        return "address", settings.SIGNIN_ADDRESS_WINDOW_S
    if counts.get(site_key, 0) >= settings.SIGNIN_GLOBAL_FAILURE_LIMIT and not counts.get(known_key):
        return "site", SITE_WINDOW_S
    return None


def signin_check(*, request: HttpRequest, username: str, device_id: uuid.UUID | None) -> None:
    """Refuse an attempt before its password is checked, so a throttled guesser learns nothing.

    Raises SignInThrottledError (429, `retry_after` at most the window). The first refusal of an
    address per window is audited (`auth.sign_in_throttled`), not every one: a flood of refusals
    would flood the log. Lets the attempt through when Redis cannot be reached."""
    if device_id is not None and known_device(username=username, device_id=device_id):
        return
    address = _address(request)
    try:
        refusal = _refusal(address)
        if refusal is None:
            return
        limit, retry_after = refusal
        first = cache.add(_key("noted", limit, address), 1, timeout=retry_after)
    except RedisError as exc:
        logger.warning("signin.throttle_unavailable", extra={"error": type(exc).__name__})
        return
    if first:
        channel = "device" if request.path.startswith("/api/") else "web"
        audit_record(action=AuditAction.SIGN_IN_THROTTLED, detail=f"channel={channel} limit={limit}")
    raise SignInThrottledError(
        _("Terlalu banyak percobaan masuk dari jaringan ini. Coba lagi dalam beberapa menit."),
        retry_after=retry_after,
    )


def signin_note_success(*, request: HttpRequest) -> None:
    """Remember the address of a successful sign-in (device or web) as known for a while."""
    address = client_ip(request)
    if address is None:
        return
    try:
        cache.set(_key("known", address), 1, timeout=settings.SIGNIN_KNOWN_ADDRESS_DAYS * 24 * 3600)
    except RedisError as exc:
        logger.warning("signin.throttle_unavailable", extra={"error": type(exc).__name__})


@receiver(user_login_failed, dispatch_uid="signin_guard_count_failure")
def _count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Every refused password counts (device sign-in, web and admin login, a locked-out attempt too).
    if request is None or not hasattr(request, "META"):
        return
    try:
        _count(_key("addr", _address(request)), settings.SIGNIN_ADDRESS_WINDOW_S)
        _count(_key("site"), SITE_WINDOW_S)
    except RedisError as exc:
        logger.warning("signin.throttle_unavailable", extra={"error": type(exc).__name__})


@receiver(user_logged_in, dispatch_uid="signin_guard_known_address")
def _web_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "META"):
        signin_note_success(request=request)


class WebSignInThrottleMiddleware:
    """The throttles for the web login and the admin's: a POST there from a throttled address gets
    the Indonesian page with 429 and Retry-After. (The device sign-in checks in its service, where
    the device id is known.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in (reverse("login"), reverse("admin:login")):
            try:
                signin_check(request=request, username=request.POST.get("username", ""), device_id=None)
            except SignInThrottledError as exc:
                response = render(request, "registration/locked_out.html", {"throttled": True}, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)


def _locked_since() -> dt.datetime:
    cool_off = get_cool_off()
    return timezone.now() - (cool_off if cool_off is not None else dt.timedelta(0))


def locked_out_usernames(*, usernames: Iterable[str]) -> set[str]:
    """Which of these accounts are locked out now, from at least one address (django-axes's
    attempts at or past the limit within the cool-off)."""
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=_locked_since(),
        ).values_list("username", flat=True)
    )


def _reset_address_counters(addresses: set[str]) -> int:
    """Forget the per-address failure counts (and their refusal notes) of these addresses, so an
    unlocked PPL at a shared address (a kecamatan office's network on a training day) is not turned
    away by the address throttle for the rest of its window. Returns how many counters existed."""
    if not addresses:
        return 0
    keys = [_key("addr", address) for address in addresses]
    try:
        existing = len(cache.get_many(keys))
        cache.delete_many(keys + [_key("noted", "address", address) for address in addresses])
    except RedisError as exc:
        logger.warning("signin.throttle_unavailable", extra={"error": type(exc).__name__})
        return 0
    return existing


@transaction.atomic
def signin_unlock(*, ppl: User, by: User) -> int:
    """Lift every lockout of a PPL's account (all addresses), forget their failed attempts and reset
    the per-address throttle of the addresses those attempts came from; returns how many address
    records were cleared. Audited (`auth.unlock`), also when there was
    nothing to clear. Raises NotAllowedError unless `by` is a PML, Koseka or BPS admin who sees the
    PPL (enumeration.scoping.visible_staff); the caller found the PPL in scope already."""
    allowed = by.is_active and (by.role in UNLOCK_ROLES or by.is_superuser)
    if not allowed or ppl.role != Role.PPL or not scoping.visible_staff(by).filter(pk=ppl.pk).exists():
        raise NotAllowedError(_("Anda tidak dapat membuka kunci akun ini."))
    attempts = AccessAttempt.objects.filter(username=ppl.username)
    addresses = {address for address in attempts.values_list("ip_address", flat=True) if address}
    cleared: int = attempts.delete()[0]
    reset = _reset_address_counters(addresses)
    logger.info("signin.unlocked", extra={"user_id": ppl.pk, "by": by.pk, "cleared": cleared, "addresses": reset})
    audit_record(
        action=AuditAction.SIGN_IN_UNLOCK,
        actor=by,
        object_type="user",
        object_id=ppl.pk,
        area=Area.of_user(ppl),
        detail=f"cleared={cleared}",
    )
    return cleared
