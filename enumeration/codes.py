"""Validation of area codes and identifiers. Codes are strings: leading zeros matter."""

from __future__ import annotations

import re

_KABKOTA_BPS = re.compile(r"^\d{4}$")
_KECAMATAN_BPS = re.compile(r"^\d{7}$")
_KELURAHAN_BPS = re.compile(r"^\d{10}$")
_KABKOTA_KEMENDAGRI = re.compile(r"^\d{2}\.\d{2}$")
_KECAMATAN_KEMENDAGRI = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_KELURAHAN_KEMENDAGRI = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
_SLS = re.compile(r"^[0-9A-Z]{4}$")
_SUB_SLS = re.compile(r"^[0-9A-Z]{2}$")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,49}$")

NO_SUB_SLS = "00"


def is_kabkota_bps(code: str) -> bool:
    return bool(_KABKOTA_BPS.match(code))


def is_kecamatan_bps(code: str) -> bool:
    return bool(_KECAMATAN_BPS.match(code))


def is_kelurahan_bps(code: str) -> bool:
    return bool(_KELURAHAN_BPS.match(code))


def is_kabkota_kemendagri(code: str) -> bool:
    return bool(_KABKOTA_KEMENDAGRI.match(code))


def is_kecamatan_kemendagri(code: str) -> bool:
    return bool(_KECAMATAN_KEMENDAGRI.match(code))


def is_kelurahan_kemendagri(code: str) -> bool:
    return bool(_KELURAHAN_KEMENDAGRI.match(code))


def is_sls_code(code: str) -> bool:
    return bool(_SLS.match(code))


def is_sub_sls_code(code: str) -> bool:
    return bool(_SUB_SLS.match(code))


def is_username(value: str) -> bool:
    return bool(_USERNAME.match(value))


def normalize_sub_sls(code: str | None) -> str:
    """An empty sub-SLS means the SLS is not split: BPS writes it as "00"."""
    code = (code or "").strip().upper()
    return code or NO_SUB_SLS


def kemendagri_digits(code: str) -> str:
    """`36.74.07` -> `367407`: the form the region digits take inside a NIK."""
    return code.replace(".", "")
