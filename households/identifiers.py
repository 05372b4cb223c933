"""NIK and No. KK at rest: encrypted with rotatable keys, plus a keyed hash for lookups.

- `encrypt`/`decrypt`: Fernet (AES-128-CBC + HMAC-SHA256) through `MultiFernet`, so a new key can
  be put first while old ones still decrypt; `rotate` re-encrypts a token with the newest key.
- `lookup_hash`: HMAC-SHA256 under a separate key, for exact lookup and duplicate detection
  (one NIK in two families, one KK twice) without decrypting anything.
- `mask`: what pages and APIs show to roles that do not need the number.
Neither the values nor the hashes ever go into logs, URLs, task arguments or error messages.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

NIK = "nik"
KK = "kk"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key.") from exc


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: object) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> bytes:
    return _fernet().encrypt(value.encode())


def decrypt(token: bytes | memoryview) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken as exc:
        # Never include the token: only say that no configured key opens it.
        raise ImproperlyConfigured("An identifier cannot be decrypted with FIELD_ENCRYPTION_KEYS.") from exc


def rotate(token: bytes | memoryview) -> bytes:
    return _fernet().rotate(bytes(token))


def lookup_hash(kind: str, value: str) -> str:
    key = settings.IDENTIFIER_HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask(last4: str) -> str:
    """Twelve bullets and the last four digits: enough to tell two numbers apart on a call."""
    return "•" * 12 + last4 if last4 else ""
