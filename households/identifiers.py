"""NIK and No. KK at rest: encrypted with rotatable keys, plus a keyed hash for lookups.

- `encrypt`/`decrypt`: Fernet (AES-128-CBC + HMAC-SHA256) through `MultiFernet`, so a new key can
  be put first while old ones still decrypt; `rotate` re-encrypts a token with the newest key.
- `lookup_hash`: HMAC-SHA256 under a separate key, for exact lookup and duplicate detection
  (one NIK in two families, one KK twice) without decrypting anything.
- `mask`: what pages and APIs show to roles that do not need the number: bullets and a short
  keyed tag (`tag`), never a digit of the number. A NIK is region + birth date + serial and a No. KK
  region + date + serial; the region is one of a few kecamatan and the birth date is in the record,
  so any four digits of the number shown beside it would give the whole number away. The tag is
  read from the keyed hash (letters only), so it tells two numbers apart without saying anything
  about them to whoever lacks IDENTIFIER_HASH_KEY.
- `history_value`: how a revision records an identifier: the mask and a longer change token.
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


# Consonants only: no digit, no vowel (no words), nothing that reads as a digit (I, O).
TAG_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
TAG_LENGTH = 4  # 160,000 values: in families of five numbers, two share a tag about once in 16,000
TOKEN_LENGTH = 8  # every bit of the hash's first 32: what revisions kept before tags existed
MASK_CHAR = "•"
MASK_PREFIX = MASK_CHAR * 16 + "-"


def change_token(hash_hex: str) -> str:
    """Letters for the first 32 bits of a keyed hash, least significant first. The tag is its start.

    Only the first 8 hex digits are read, so revisions that kept `hash[:8]` convert to it exactly
    (households/migrations/0003)."""
    if not hash_hex:
        return ""
    value = int(hash_hex[:8], 16)
    letters = []
    for _ in range(TOKEN_LENGTH):
        value, index = divmod(value, len(TAG_ALPHABET))
        letters.append(TAG_ALPHABET[index])
    return "".join(letters)


def tag(hash_hex: str) -> str:
    """A short tag of a stored number: four letters from its keyed hash, e.g. "KQTZ"."""
    return change_token(hash_hex)[:TAG_LENGTH]


def mask(hash_hex: str) -> str:
    """What a supervisor sees for a stored number: sixteen bullets and its tag, no digit of it."""
    return MASK_PREFIX + tag(hash_hex) if hash_hex else ""


def is_masked(value: object) -> bool:
    """A value as `mask` writes it (or a damaged copy of one): it holds the mask character."""
    return isinstance(value, str) and MASK_CHAR in value


def history_value(hash_hex: str) -> str:
    """An identifier in a revision's changes: its mask and an 8-letter change token, so a change is
    visible without the number (two numbers share a tag far more often than a token)."""
    return f"{mask(hash_hex)} [{change_token(hash_hex)}]"
