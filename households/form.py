"""The questionnaire definitions as the rest of the server uses them: which definition a record
or a stored family follows, the context its rules read, validation and derived values.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration.codes import kemendagri_digits
from enumeration.models import SLS, Kecamatan
from households.questionnaire.definition import Definition, available_definitions, load_definition
from households.questionnaire.validate import Issue, RecordError, derive
from households.questionnaire.validate import validate as validate_record
from regsosek.errors import ApplicationError
from regsosek.text import unstorable

__all__ = ["Definition", "Issue"]


class UnknownFormError(ApplicationError):
    code = "invalid_record"


def definition_or_none(form_id: str, version: str) -> Definition | None:
    try:
        return load_definition(form_id, version)
    except LookupError:
        return None


def all_definitions() -> list[Definition]:
    return [load_definition(form_id, version) for form_id, version in available_definitions()]


def definition_for_record(record: Any) -> Definition:
    form_id = record.get("form") if isinstance(record, dict) else None
    version = record.get("version") if isinstance(record, dict) else None
    definition = definition_or_none(str(form_id), str(version)) if form_id and version else None
    if definition is None:
        message = _("Formulir atau versinya tidak dikenal server.")
        raise UnknownFormError(
            message,
            extra={
                "errors": [
                    {
                        "variable": "form",
                        "number": None,
                        "member_index": None,
                        "check": "form",
                        "severity": "error",
                        "message": message,
                        "message_en": "Unknown form or form version.",
                    }
                ]
            },
        )
    return definition


def definition_for_family(family: Any) -> Definition:
    return load_definition(family.form_id, family.form_version)


_IDS: dict[tuple[str, str, str], tuple[dict[str, str], dict[str, str]]] = {}


def _ids_by_number(definition: Definition) -> tuple[dict[str, str], dict[str, str]]:
    key = (definition.form, definition.version, definition.sha256)
    if key not in _IDS:
        # A number can cover several variables (406 = day, month, year): map it to the first.
        family: dict[str, str] = {}
        members: dict[str, str] = {}
        for v in definition.family_variables():
            if v.get("number"):
                family.setdefault(v["number"], v["id"])
        for v in definition.member_variables():
            if v.get("number"):
                members.setdefault(v["number"], v["id"])
        _IDS[key] = (family, members)
    return _IDS[key]


def family_ids_by_number(definition: Definition) -> dict[str, str]:
    return _ids_by_number(definition)[0]


def member_ids_by_number(definition: Definition) -> dict[str, str]:
    return _ids_by_number(definition)[1]


def member_ids_for_number(definition: Definition, number: str) -> tuple[str, ...]:
    """The member variables numbered `number` (406 is day, month and year), read once per definition."""
    return definition.cached(
        f"form.member_ids_for_number:{number}",
        lambda d: tuple(v["id"] for v in d.member_variables() if v.get("number") == number),
    )


def _numbers_by_id(definition: Definition) -> dict[str, str | None]:
    return definition.cached(
        "form.numbers_by_id",
        lambda d: {v["id"]: v.get("number") for v in d.family_variables() + d.member_variables()},
    )


_KECAMATAN_CODES: dict[str, list[str]] = {}


def _kemendagri_kecamatan(kabkota_code: str) -> list[str]:
    """The 2-digit Kemendagri kecamatan codes of a kab/kota; reference data, read once per process."""
    if kabkota_code not in _KECAMATAN_CODES:
        _KECAMATAN_CODES[kabkota_code] = sorted(
            code.rsplit(".", 1)[-1]
            for code in Kecamatan.objects.filter(kabkota_id=kabkota_code).values_list("kemendagri_code", flat=True)
        )
    return list(_KECAMATAN_CODES[kabkota_code])


def context_for(sls: SLS) -> dict[str, Any]:
    """What the rules read as `context.*` for a family of `sls`: today, the area codes, photo codes."""
    kabkota = sls.kelurahan.kecamatan.kabkota
    kemendagri_kecamatan = _kemendagri_kecamatan(kabkota.bps_code)
    return {
        "today": timezone.localdate().isoformat(),
        "bps_kabkota": kabkota.bps_code,
        "kemendagri_kabkota": kemendagri_digits(kabkota.kemendagri_code),
        "kemendagri_kecamatan": kemendagri_kecamatan,
        "photo_trigger_codes": list(settings.REGSOSEK_PHOTO_WELFARE_CODES),
    }


def area_prefill(sls: SLS) -> dict[str, str]:
    """Blok I answers that follow from the SLS, keyed by variable number (101 to 106)."""
    kabkota = sls.kelurahan.kecamatan.kabkota
    return {
        "101": kabkota.bps_code[:2],
        "102": kabkota.bps_code[2:],
        **_expected_area_codes(sls),
        "106": sls.name,
    }


def _expected_area_codes(sls: SLS) -> dict[str, str]:
    return {
        "103": sls.kelurahan.kecamatan_id[-3:],
        "104": sls.kelurahan_id[-3:],
        "105": sls.code,
        "105a": sls.sub_code,
    }


def validate(definition: Definition, record: Any, *, sls: SLS) -> list[Issue]:
    """The definition's issues plus the server's own checks (docs/records.md): Blok I's area codes
    are the SLS's, text length and characters PostgreSQL cannot store (`_size_issues`; the phone
    runs the same, static/js/questionnaire/server-checks.js).

    A roster longer than MAX_MEMBERS, or a row with far more answers than the form has variables, is
    refused before anything else is checked: a hostile record of thousands of members or keys would
    otherwise cost seconds of validation and an answer listing every one of them."""
    members = record.get("members") if isinstance(record, dict) else None
    if isinstance(members, list) and len(members) > MAX_MEMBERS:
        return [_too_many_members()]
    crowded = _crowded_row(definition, record)
    if crowded is not None:
        return [crowded]
    try:
        issues = validate_record(definition, record, context_for(sls))
    except RecordError as exc:
        message = _("Bentuk data tidak sesuai formulir.")
        return [
            {
                "variable": "record",
                "number": None,
                "member_index": None,
                "check": "shape",
                "severity": "error",
                "message": message,
                "message_en": str(exc),
            }
        ]
    issues.extend(_size_issues(definition, record))
    ids = family_ids_by_number(definition)
    family = record.get("family") or {}
    for number, value in _expected_area_codes(sls).items():
        var = ids.get(number)
        if var is not None and var in family and family[var] != value:
            issues.append(
                {
                    "variable": var,
                    "number": number,
                    "member_index": None,
                    "check": "sls_area",
                    "severity": "error",
                    "message": _("Kode wilayah tidak sesuai dengan SLS tugas (seharusnya %(v)s).") % {"v": value},
                    "message_en": f"Area code does not match the assigned SLS (expected {value}).",
                }
            )
    return issues


MAX_MEMBERS = 60
MAX_TEXT = 500
# Answers stored in typed columns of bounded size (households/models.py).
COLUMN_TEXT_LIMITS = {"108": 150, "402": 150}


def _size_issues(definition: Definition, record: Any) -> list[Issue]:
    """Server-side bounds the definition does not state: text lengths and characters
    PostgreSQL cannot store (they keep a hostile or broken record from reaching the database as an
    error instead of a refusal)."""
    issues: list[Issue] = []

    def too_long(var: str, number: str | None, index: int | None, limit: int) -> Issue:
        return {
            "variable": var,
            "number": number,
            "member_index": index,
            "check": "max_length",
            "severity": "error",
            "message": _("Isian terlalu panjang (maksimal %(n)d karakter).") % {"n": limit},
            "message_en": f"Answer too long (at most {limit} characters).",
        }

    def bad_character(var: str, number: str | None, index: int | None) -> Issue:
        return {
            "variable": var,
            "number": number,
            "member_index": index,
            "check": "character",
            "severity": "error",
            "message": _("Isian memuat karakter yang tidak dapat disimpan; ketik ulang."),
            "message_en": "The answer holds a character that cannot be stored; type it again.",
        }

    numbers = _numbers_by_id(definition)
    family = record.get("family") if isinstance(record.get("family"), dict) else {}
    members = record.get("members") if isinstance(record.get("members"), list) else []
    rows: list[tuple[int | None, Any]] = [(None, family), *enumerate(members)]
    for index, row in rows:
        if not isinstance(row, dict):
            continue
        for var, value in row.items():
            if isinstance(value, str):
                limit = COLUMN_TEXT_LIMITS.get(numbers.get(var) or "", MAX_TEXT)
                if len(value) > limit:
                    issues.append(too_long(var, numbers.get(var), index, limit))
                if unstorable(value):
                    issues.append(bad_character(var, numbers.get(var), index))
    return issues


# Unknown variables a row may carry and still be answered one by one (each is an "unknown" issue).
MAX_UNKNOWN_KEYS = 50


def _crowded_row(definition: Definition, record: Any) -> Issue | None:
    """The issue for a family or member row with more keys than the form's variables plus
    MAX_UNKNOWN_KEYS, or None."""
    if not isinstance(record, dict):
        return None
    family_limit, member_limit = definition.cached(
        "form.row_key_limits",
        lambda d: (len(d.family_variables()) + MAX_UNKNOWN_KEYS, len(d.member_variables()) + MAX_UNKNOWN_KEYS),
    )
    family = record.get("family")
    members = record.get("members")
    rows: list[tuple[int | None, Any, int]] = [(None, family, family_limit)]
    if isinstance(members, list):
        rows += [(index, member, member_limit) for index, member in enumerate(members)]
    for index, row, limit in rows:
        if isinstance(row, dict) and len(row) > limit:
            return {
                "variable": "family" if index is None else "members",
                "number": None,
                "member_index": index,
                "check": "max_keys",
                "severity": "error",
                "message": _("Terlalu banyak isian yang tidak dikenal formulir; periksa data."),
                "message_en": "Far more answers than the form has questions; check the data.",
            }
    return None


def _too_many_members() -> Issue:
    return {
        "variable": "members",
        "number": None,
        "member_index": None,
        "check": "max_members",
        "severity": "error",
        "message": _("Jumlah anggota keluarga lebih dari %(n)d; periksa data.") % {"n": MAX_MEMBERS},
        "message_en": f"More than {MAX_MEMBERS} family members; check the data.",
    }


def photo_required(definition: Definition, record: Any, *, sls: SLS | None = None) -> bool:
    context = (
        context_for(sls) if sls is not None else {"photo_trigger_codes": list(settings.REGSOSEK_PHOTO_WELFARE_CODES)}
    )
    return bool(derive(definition, record, context).get("photo_required"))
