"""Device sign-in and bearer tokens for the enumerator app.

A PPL signs in once while online; the token is bound to the user and to the device id the app
made, and works only with that device id in `X-Device-ID` (a token copied to another device is
refused). Tokens expire (DEVICE_TOKEN_DAYS); a device holding unsynced work signs in again with its
password and keeps that work (the app never deletes it on expiry). An admin revokes a lost phone:
at its next contact the device is told to wipe its local data, and it reports the wipe with the
token it held (kept for that alone: a revoked device's token opens nothing else).

Each sign-in also gives the device its key shares: secrets derived per device from SECRET_KEY
(and its fallbacks), which the app uses to wrap its data key so that only a password sign-in
opens the phone's data after its PIN was reset (static/js/sync/keyring.js, docs/privacy.md). The
server stores nothing for them and a revoked device never gets them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration import signin_guard
from enumeration.models import Device, DeviceToken, Role, User
from regsosek.errors import ConflictError, NotAllowedError

logger = logging.getLogger(__name__)

DEVICE_ROLES = {Role.PPL}
KEY_SHARE_SALT = "regsosek.enumeration.devices.key_share"


class DeviceAuthError(exceptions.AuthenticationFailed):
    """401 with a machine-readable `code` (and `wipe` for a revoked device)."""

    def __init__(self, code: str, message: str, *, wipe: bool = False) -> None:
        super().__init__(message, code=code)
        # Set after init: DRF would turn every value (the boolean too) into a string.
        self.detail = {"code": code, "message": message, "wipe": wipe}  # type: ignore[dict-item]


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class SignIn:
    token: str
    expires_at: dt.datetime
    device: Device
    key_shares: list[str]


def device_key_shares(*, device_id: uuid.UUID) -> list[str]:
    """The device's shares of the app lock (32 bytes each, base64url without padding): the one of
    SECRET_KEY first, then one per SECRET_KEY_FALLBACKS entry, so a phone whose keyring was wrapped
    before a rotation still opens. Derived, never stored; only sent in a password sign-in's answer
    (no-store), never logged."""
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        base64.urlsafe_b64encode(
            salted_hmac(KEY_SHARE_SALT, str(device_id), secret=secret, algorithm="sha256").digest()
        )
        .rstrip(b"=")
        .decode()
        for secret in secrets_
    ]


def device_sign_in(
    *, request: HttpRequest, username: str, password: str, device_id: uuid.UUID, device_name: str
) -> SignIn:
    """Check the password (failed attempts count toward the login throttle) and issue a token.

    Raises SignInThrottledError (429: too many failures from this address, or site-wide from unknown
    clients; never for a known device of this user), DeviceAuthError (wrong password, revoked
    device) or NotAllowedError (not a PPL, or the device belongs to another user).
    """
    # Before the password is checked: a throttled address learns nothing (enumeration/signin_guard.py).
    signin_guard.signin_check(request=request, username=username, device_id=device_id)
    # Outside any transaction: the login throttle's record of a failed attempt must survive the
    # refusal that follows it.
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            locked = _("Terlalu banyak percobaan masuk. Coba lagi nanti atau minta PML/Koseka membuka kuncinya.")
            raise DeviceAuthError("locked_out", locked)
        raise DeviceAuthError("invalid_credentials", _("Username atau kata sandi salah."))
    assert isinstance(user, User)  # noqa: S101 - our only user model
    if user.role not in DEVICE_ROLES:
        raise NotAllowedError(_("Aplikasi pencacahan hanya untuk PPL."))
    with transaction.atomic():
        signed = _issue_token(user=user, device_id=device_id, device_name=device_name)
    signin_guard.signin_note_success(request=request)
    return signed


def _issue_token(*, user: User, device_id: uuid.UUID, device_name: str) -> SignIn:
    device = Device.objects.select_for_update().filter(pk=device_id).first()
    if device is not None and device.revoked_at is not None:
        raise DeviceAuthError("device_revoked", _("Perangkat ini telah dicabut; data lokal harus dihapus."), wipe=True)
    if device is not None and device.user_id != user.pk:
        raise NotAllowedError(_("Perangkat ini terdaftar untuk pengguna lain. Hubungi admin BPS."))
    new = device is None
    if device is None:
        device = Device.objects.create(pk=device_id, user=user, name=device_name[:100])
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=settings.DEVICE_TOKEN_DAYS)
    DeviceToken.objects.create(key_hash=_hash(key), device=device, expires_at=expires_at)
    # Old tokens of this device stop working: one live token per device.
    DeviceToken.objects.filter(device=device).exclude(key_hash=_hash(key)).delete()
    logger.info("device.signed_in", extra={"device": str(device.pk), "user_id": user.pk})
    audit_record(
        action=AuditAction.DEVICE_SIGN_IN,
        actor=user,
        object_type="device",
        object_id=device.pk,
        area=Area.of_user(user),
        detail=f"new_device={int(new)}",
    )
    return SignIn(token=key, expires_at=expires_at, device=device, key_shares=device_key_shares(device_id=device.pk))


@transaction.atomic
def device_revoke(*, device: Device, by: User) -> Device:
    """Revoke a device (a lost phone): every request with its token is then refused and answered
    "wipe". The token row stays: it authenticates nothing any more (`DeviceTokenAuthentication`
    checks the revocation) but is what the device proves itself with when it reports the wipe.
    Raises NotAllowedError for anyone but a BPS admin."""
    if by.role != Role.BPS_ADMIN and not by.is_superuser:
        raise NotAllowedError(_("Hanya admin BPS yang dapat mencabut perangkat."))
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = timezone.now(), by
        device.save(update_fields=["revoked_at", "revoked_by"])
        logger.info("device.revoked", extra={"device": str(device.pk), "user_id": device.user_id, "by": by.pk})
        audit_record(
            action=AuditAction.DEVICE_REVOKE,
            actor=by,
            object_type="device",
            object_id=device.pk,
            area=Area.of_user(device.user),
            detail=f"owner_id={device.user_id}",
        )
    return device


@transaction.atomic
def device_confirm_wipe(*, device: Device) -> Device:
    """A revoked device reports that it wiped its data; the caller has authenticated it with its own
    token and device id (`WipeReportAuthentication`). Records the time once and deletes the device's
    tokens, whose last use this was. What it proves: the report came from whoever holds that phone's
    token, not that nothing was copied before. Raises ConflictError if the device is not revoked."""
    if device.revoked_at is None:
        raise ConflictError(_("Perangkat ini tidak dicabut; data di ponsel tidak perlu dihapus."))
    first = Device.objects.filter(pk=device.pk, wipe_confirmed_at__isnull=True).update(wipe_confirmed_at=timezone.now())
    DeviceToken.objects.filter(device=device).delete()
    logger.info("device.wipe_confirmed", extra={"device": str(device.pk), "user_id": device.user_id})
    if first:
        audit_record(
            action=AuditAction.DEVICE_WIPE_CONFIRMED,
            actor=device.user,
            object_type="device",
            object_id=device.pk,
            area=Area.of_user(device.user),
        )
    return device


def _bearer_key(request: Request) -> str | None:
    header: str = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    return header[len("Bearer ") :].strip()


def _device_id_header(request: Request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.META.get("HTTP_X_DEVICE_ID", ""))
    except ValueError:
        return None


def _token_of_this_device(key: str, device_id: uuid.UUID | None) -> DeviceToken | None:
    """The stored token for `key`, or None. Raises DeviceAuthError when the token exists but the
    request names another device (or none): a token copied off its phone opens nothing."""
    token = DeviceToken.objects.select_related("device__user").filter(key_hash=_hash(key)).first()
    if token is not None and token.device_id != device_id:
        logger.warning("device.token_device_mismatch", extra={"device": str(token.device_id)})
        raise DeviceAuthError("device_mismatch", _("Token ini milik perangkat lain; silakan masuk lagi."))
    return token


MAX_REPORTED_UNSENT = 1_000_000


def _device_report(request: Request) -> tuple[str, int | None] | None:
    """The app version and unsent count the phone sent (`X-App-Version`, `X-Unsent-Count`, on pull
    and push), or None when it sent neither. A malformed count is ignored, a version is cut to
    printable ASCII of at most 40 characters: what the health page shows is never a guess."""
    version_header: str = request.META.get("HTTP_X_APP_VERSION", "")
    count_header: str = request.META.get("HTTP_X_UNSENT_COUNT", "")
    if not version_header and not count_header:
        return None
    version = "".join(ch for ch in version_header if 32 < ord(ch) < 127)[:40]
    count = int(count_header) if count_header.isascii() and count_header.isdigit() else None
    if count is not None and count > MAX_REPORTED_UNSENT:
        count = None
    return version, count


class DeviceTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` from the enumerator app."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, Device] | None:
        key = _bearer_key(request)
        if key is None:
            return None
        device_id = _device_id_header(request)
        token = _token_of_this_device(key, device_id)
        if token is None:
            # An unknown token (replaced, or deleted after a wipe): if the device that says who it
            # is was revoked, tell it to wipe.
            if device_id is not None and Device.objects.filter(pk=device_id, revoked_at__isnull=False).exists():
                raise DeviceAuthError(
                    "device_revoked", _("Perangkat ini telah dicabut; data lokal harus dihapus."), wipe=True
                )
            raise DeviceAuthError("token_invalid", _("Sesi tidak dikenal; silakan masuk lagi."))
        device = token.device
        if device.revoked_at is not None:
            raise DeviceAuthError(
                "device_revoked", _("Perangkat ini telah dicabut; data lokal harus dihapus."), wipe=True
            )
        if token.expires_at <= timezone.now():
            raise DeviceAuthError("token_expired", _("Sesi berakhir; masuk lagi. Data yang belum terkirim tetap aman."))
        user = device.user
        if not user.is_active:
            raise DeviceAuthError("user_inactive", _("Akun ini tidak aktif."))
        now = timezone.now()
        changes: dict[str, object] = {}
        if device.last_seen_at is None or now - device.last_seen_at > dt.timedelta(minutes=5):
            changes["last_seen_at"] = now
        report = _device_report(request)
        if report is not None and (report[0], report[1]) != (device.app_version, device.unsent_count):
            changes.update(app_version=report[0], unsent_count=report[1], reported_at=now)
        if changes:
            # One UPDATE, and only when something changed: most requests write nothing.
            Device.objects.filter(pk=device.pk).update(**changes)
        return user, device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class WipeReportAuthentication(BaseAuthentication):
    """The wipe report of a revoked device: the token it held, with its own `X-Device-ID`, whatever
    the token's expiry (possession is the proof here, not a fresh session). Used by that one
    endpoint only; `device_confirm_wipe` refuses a device that is not revoked."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, Device] | None:
        key = _bearer_key(request)
        if key is None:
            return None
        token = _token_of_this_device(key, _device_id_header(request))
        if token is None:
            raise DeviceAuthError("token_invalid", _("Sesi tidak dikenal; laporan penghapusan tidak diterima."))
        return token.device.user, token.device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
