"""Device sign-in and bearer tokens for the enumerator app.

A PPL signs in once while online; the token is bound to the user and to the device id the app
made. Tokens expire (DEVICE_TOKEN_DAYS); a device holding unsynced work signs in again with its
password and keeps that work (the app never deletes it on expiry). An admin revokes a lost phone:
at its next contact the device is told to wipe its local data.
"""

from __future__ import annotations

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
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from enumeration.models import Device, DeviceToken, Role, User
from regsosek.errors import NotAllowedError

logger = logging.getLogger(__name__)

DEVICE_ROLES = {Role.PPL}


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


def device_sign_in(
    *, request: HttpRequest, username: str, password: str, device_id: uuid.UUID, device_name: str
) -> SignIn:
    """Check the password (failed attempts count toward the login throttle) and issue a token.

    Raises DeviceAuthError (wrong password, revoked device) or NotAllowedError (not a PPL, or the
    device belongs to another user).
    """
    # Outside any transaction: the login throttle's record of a failed attempt must survive the
    # refusal that follows it.
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise DeviceAuthError(
                "locked_out", _("Terlalu banyak percobaan masuk. Coba lagi nanti atau hubungi admin.")
            )
        raise DeviceAuthError("invalid_credentials", _("Username atau kata sandi salah."))
    assert isinstance(user, User)  # noqa: S101 - our only user model
    if user.role not in DEVICE_ROLES:
        raise NotAllowedError(_("Aplikasi pencacahan hanya untuk PPL."))
    with transaction.atomic():
        return _issue_token(user=user, device_id=device_id, device_name=device_name)


def _issue_token(*, user: User, device_id: uuid.UUID, device_name: str) -> SignIn:
    device = Device.objects.select_for_update().filter(pk=device_id).first()
    if device is not None and device.revoked_at is not None:
        raise DeviceAuthError("device_revoked", _("Perangkat ini telah dicabut; data lokal harus dihapus."), wipe=True)
    if device is not None and device.user_id != user.pk:
        raise NotAllowedError(_("Perangkat ini terdaftar untuk pengguna lain. Hubungi admin BPS."))
    if device is None:
        device = Device.objects.create(pk=device_id, user=user, name=device_name[:100])
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=settings.DEVICE_TOKEN_DAYS)
    DeviceToken.objects.create(key_hash=_hash(key), device=device, expires_at=expires_at)
    # Old tokens of this device stop working: one live token per device.
    DeviceToken.objects.filter(device=device).exclude(key_hash=_hash(key)).delete()
    logger.info("device.signed_in", extra={"device": str(device.pk), "user_id": user.pk})
    return SignIn(token=key, expires_at=expires_at, device=device)


@transaction.atomic
def device_revoke(*, device: Device, by: User) -> Device:
    if by.role != Role.BPS_ADMIN and not by.is_superuser:
        raise NotAllowedError(_("Hanya admin BPS yang dapat mencabut perangkat."))
    if device.revoked_at is None:
        device.revoked_at, device.revoked_by = timezone.now(), by
        device.save(update_fields=["revoked_at", "revoked_by"])
        DeviceToken.objects.filter(device=device).delete()
    return device


def device_confirm_wipe(*, device_id: uuid.UUID) -> None:
    Device.objects.filter(pk=device_id, revoked_at__isnull=False, wipe_confirmed_at__isnull=True).update(
        wipe_confirmed_at=timezone.now()
    )


class DeviceTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` from the enumerator app."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, Device] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        device_header = request.META.get("HTTP_X_DEVICE_ID", "")
        token = DeviceToken.objects.select_related("device__user").filter(key_hash=_hash(key)).first()
        if token is None:
            # A revoked device's tokens are gone; if it says who it is, tell it to wipe.
            revoked = self._revoked_device(device_header)
            if revoked:
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
        if device.last_seen_at is None or now - device.last_seen_at > dt.timedelta(minutes=5):
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        return user, device

    @staticmethod
    def _revoked_device(device_header: str) -> bool:
        try:
            device_id = uuid.UUID(device_header)
        except ValueError:
            return False
        return Device.objects.filter(pk=device_id, revoked_at__isnull=False).exists()

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
