"""Between a questionnaire record (JSON, as phones send it) and the stored rows.

A record is `{"form", "version", "family": {var_id: value}, "members": [{var_id: value}, ...]}`
(docs/questionnaire.md). Splitting takes the typed columns and the identifiers out; composing
puts them back, with NIK / No. KK either in full (for whoever may see them) or masked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from households import identifiers
from households.form import Definition, family_ids_by_number, member_ids_by_number, member_ids_for_number

# Variables by their number on the paper form (domain.md A2). The ids come from the definition.
FAMILY_COLUMNS = {
    "109": "building_no",
    "110": "family_no",
    "113": "landmark_id",
    "108": "head_name",
    "111": "welfare_estimate",
    "205": "result_code",
}
MEMBER_COLUMNS = {"401": "line_no", "402": "name", "409": "relationship", "405": "sex", "407": "age"}
BIRTH_DATE_NUMBER = "406"  # day, month, year; 98 = unknown day or month
KK_NUMBER = "114"
NIK_NUMBER = "403"
NAME_NUMBER = "402"


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_sha256(record: dict[str, Any]) -> str:
    # surrogatepass: a lone surrogate (refused later, field by field) must not crash the hash.
    return hashlib.sha256(canonical_json(record).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Identifier:
    ciphertext: bytes | None = None
    hash: str = ""

    @classmethod
    def of(cls, kind: str, value: Any) -> Identifier:
        if value in (None, ""):
            return cls()
        text = str(value)
        return cls(identifiers.encrypt(text), identifiers.lookup_hash(kind, text))


@dataclass
class MemberParts:
    columns: dict[str, Any]
    data: dict[str, Any]
    nik: Identifier


@dataclass
class FamilyParts:
    columns: dict[str, Any]
    data: dict[str, Any]
    kk: Identifier
    members: list[MemberParts] = field(default_factory=list)


def _birth_date(definition: Definition, answers: dict[str, Any]) -> dt.date | None:
    parts = [answers.get(var) for var in member_ids_for_number(definition, BIRTH_DATE_NUMBER)]
    if len(parts) != 3 or not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return None
    day, month, year = (int(p) for p in parts)  # type: ignore[arg-type]  # all ints, checked above
    try:
        return dt.date(year, month, day)
    except (ValueError, TypeError):
        return None  # unknown day/month (98) or an impossible date: kept only in the answers


def _column_value(column: str, value: Any) -> Any:
    if column in {"welfare_estimate", "result_code", "relationship", "sex", "age", "line_no"}:
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    return "" if value is None else str(value)


def split(definition: Definition, record: dict[str, Any]) -> FamilyParts:
    """Typed columns and identifiers out of a *validated* record; the rest stays as answers."""
    fam_ids = family_ids_by_number(definition)
    mem_ids = member_ids_by_number(definition)
    family_answers = dict(record.get("family") or {})
    kk = Identifier.of(identifiers.KK, family_answers.pop(fam_ids[KK_NUMBER], None))
    columns = {
        col: _column_value(col, family_answers.get(fam_ids[num]))
        for num, col in FAMILY_COLUMNS.items()
        if num in fam_ids
    }
    parts = FamilyParts(columns=columns, data=family_answers, kk=kk)
    for index, member in enumerate(record.get("members") or []):
        answers = dict(member)
        nik = Identifier.of(identifiers.NIK, answers.pop(mem_ids[NIK_NUMBER], None))
        mcols = {
            col: _column_value(col, answers.get(mem_ids[num])) for num, col in MEMBER_COLUMNS.items() if num in mem_ids
        }
        mcols["birth_date"] = _birth_date(definition, answers)
        # The roster's order is the line number: 401 is validated, but a device could repeat it.
        mcols["line_no"] = index + 1
        parts.members.append(MemberParts(columns=mcols, data=answers, nik=nik))
    return parts


def identifier_text(ciphertext: bytes | memoryview | None, hash_hex: str, *, reveal: bool) -> str | None:
    """The number in full (`reveal`) or its mask (from the keyed hash: nothing decrypted), or None."""
    if ciphertext is None:
        return None
    return identifiers.decrypt(ciphertext) if reveal else identifiers.mask(hash_hex)


def compose(definition: Definition, family: Any, members: list[Any], *, reveal: bool) -> dict[str, Any]:
    """The record as stored; identifiers in full only when `reveal` (the caller has checked the right)."""
    fam_ids = family_ids_by_number(definition)
    mem_ids = member_ids_by_number(definition)
    family_answers = dict(family.data)
    kk = identifier_text(family.kk_ciphertext, family.kk_hash, reveal=reveal)
    if kk is not None:
        family_answers[fam_ids[KK_NUMBER]] = kk
    member_records = []
    for member in members:
        answers = dict(member.data)
        nik = identifier_text(member.nik_ciphertext, member.nik_hash, reveal=reveal)
        if nik is not None:
            answers[mem_ids[NIK_NUMBER]] = nik
        member_records.append(answers)
    return {
        "form": family.form_id,
        "version": family.form_version,
        "family": family_answers,
        "members": member_records,
    }


def _mask_issue(var: str, number: str, index: int | None, check: str, message: str, message_en: str) -> dict[str, Any]:
    return {
        "variable": var,
        "number": number,
        "member_index": index,
        "check": check,
        "severity": "error",
        "message": message,
        "message_en": message_en,
    }


def holds_mask(record: Any) -> bool:
    """Whether any answer of the record is written like a mask (cheap: no definition needed)."""
    if not isinstance(record, dict):
        return False
    rows = [record.get("family"), *(record.get("members") or [] if isinstance(record.get("members"), list) else [])]
    return any(isinstance(row, dict) and any(identifiers.is_masked(v) for v in row.values()) for row in rows)


def restore_masked(
    definition: Definition, record: dict[str, Any], family: Any, members: list[Any], *, sent_masked: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The record with each mask of a stored identifier of `family` put back as the stored number,
    and the issues of the identifiers that cannot be (none: the record is complete).

    Whoever was shown the identifiers masked (a supervisor, `sent_masked`) sends them back masked.
    A mask is matched by its tag among the family's stored numbers of that kind, wherever it now
    stands (members may be reordered or removed); two stored NIK of one family with the same tag are
    told apart by the member's name (402), else refused. A mask that matches nothing is refused. An
    identifier left out while a stored one is accounted for by no mask is refused too (for
    `sent_masked` callers): nothing says which person it belonged to, and guessing could give one
    person's NIK to another. An explicit null (or "") means "no number"; for `sent_masked` callers
    such empty identifiers are left out of the result, as `compose` leaves them out, so that the
    result hashes like the record the PPL will pull. Decrypts only the numbers a mask points to."""
    fam_ids = family_ids_by_number(definition)
    mem_ids = member_ids_by_number(definition)
    kk_var, nik_var, name_var = fam_ids.get(KK_NUMBER), mem_ids.get(NIK_NUMBER), mem_ids.get(NAME_NUMBER)
    issues: list[dict[str, Any]] = []
    result = dict(record)
    answers = record.get("family")
    if isinstance(answers, dict) and kk_var is not None:
        answers = dict(answers)
        value = answers.get(kk_var)
        if identifiers.is_masked(value):
            if family.kk_ciphertext is not None and value == identifiers.mask(family.kk_hash):
                answers[kk_var] = identifiers.decrypt(family.kk_ciphertext)
            else:
                issues.append(
                    _mask_issue(
                        kk_var,
                        KK_NUMBER,
                        None,
                        "masked_unknown",
                        _(
                            "Nilai tersamar ini bukan No. KK yang tersimpan untuk keluarga ini. Kirim nilai "
                            "tersamar apa adanya seperti diterima, ketik nomor lengkap, atau kosongkan (null)."
                        ),
                        "This masked value is not the KK number stored for this family. Send the masked value "
                        "as received, type the full number, or empty it (null).",
                    )
                )
        elif kk_var not in answers and sent_masked and family.kk_ciphertext is not None:
            issues.append(
                _mask_issue(
                    kk_var,
                    KK_NUMBER,
                    None,
                    "identifier_omitted",
                    _(
                        "No. KK tidak dikirim, padahal tersimpan di server. Kirim nilai tersamar apa adanya "
                        "untuk mempertahankannya, atau null untuk mengosongkannya."
                    ),
                    "The KK number was left out although the server stores one. Send the masked value as "
                    "received to keep it, or null to empty it.",
                )
            )
        if sent_masked and answers.get(kk_var) in (None, ""):
            answers.pop(kk_var, None)
        result["family"] = answers
    rows = record.get("members")
    if isinstance(rows, list) and nik_var is not None:
        stored = [m for m in members if m.nik_ciphertext is not None]
        by_mask: dict[str, list[Any]] = {}
        for member in stored:
            by_mask.setdefault(identifiers.mask(member.nik_hash), []).append(member)
        accounted: set[int] = set()
        restored_rows: list[Any] = []
        omitted: list[int] = []
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                restored_rows.append(row)
                continue
            row = dict(row)
            value = row.get(nik_var)
            if isinstance(value, str) and identifiers.is_masked(value):
                candidates = by_mask.get(value, [])
                if len({m.nik_hash for m in candidates}) > 1:
                    # Two numbers of the family share the tag: the member's name tells them apart.
                    candidates = [m for m in candidates if name_var is not None and m.name == row.get(name_var)]
                if candidates and len({m.nik_hash for m in candidates}) == 1:
                    row[nik_var] = identifiers.decrypt(candidates[0].nik_ciphertext)
                    accounted |= {m.pk for m in by_mask[value] if m.nik_hash == candidates[0].nik_hash}
                elif value in by_mask:
                    issues.append(
                        _mask_issue(
                            nik_var,
                            NIK_NUMBER,
                            index,
                            "masked_ambiguous",
                            _(
                                "Nilai tersamar ini cocok dengan lebih dari satu NIK keluarga ini; buka NIK "
                                "anggota ini (dengan alasan) lalu ketik lengkap."
                            ),
                            "This masked value matches more than one NIK of this family; reveal this member's "
                            "NIK (with a reason) and type it in full.",
                        )
                    )
                else:
                    issues.append(
                        _mask_issue(
                            nik_var,
                            NIK_NUMBER,
                            index,
                            "masked_unknown",
                            _(
                                "Nilai tersamar ini bukan NIK yang tersimpan untuk keluarga ini. Kirim nilai "
                                "tersamar apa adanya seperti diterima, ketik NIK lengkap, atau kosongkan (null)."
                            ),
                            "This masked value is not a NIK stored for this family. Send the masked value as "
                            "received, type the full NIK, or empty it (null).",
                        )
                    )
            elif nik_var not in row:
                omitted.append(index)
            if sent_masked and row.get(nik_var) in (None, ""):
                row.pop(nik_var, None)
            restored_rows.append(row)
        if sent_masked and any(m.pk not in accounted for m in stored):
            for index in omitted:
                issues.append(
                    _mask_issue(
                        nik_var,
                        NIK_NUMBER,
                        index,
                        "identifier_omitted",
                        _(
                            "NIK anggota ini tidak dikirim, padahal keluarga ini menyimpan NIK yang tidak ada di "
                            "data kiriman. Kirim nilai tersamar apa adanya untuk mempertahankannya, atau null "
                            "bila anggota ini tidak ber-NIK."
                        ),
                        "This member's NIK was left out while the family stores a NIK that the record does not "
                        "carry. Send the masked value as received to keep it, or null if this member has no NIK.",
                    )
                )
        result["members"] = restored_rows
    return result, issues


def flatten_for_history(definition: Definition, parts: FamilyParts) -> dict[str, Any]:
    """(block, member index, variable) → value, with identifiers as a mask plus a change token.

    The token is read from the keyed hash (`identifiers.history_value`): it tells that a NIK
    changed without storing it or any of its digits.
    """
    fam_ids = family_ids_by_number(definition)
    mem_ids = member_ids_by_number(definition)
    flat: dict[str, Any] = {}
    for var, value in parts.data.items():
        flat[f"family.{var}"] = value
    if parts.kk.hash:
        flat[f"family.{fam_ids[KK_NUMBER]}"] = identifiers.history_value(parts.kk.hash)
    for index, member in enumerate(parts.members):
        for var, value in member.data.items():
            flat[f"members.{index}.{var}"] = value
        if member.nik.hash:
            flat[f"members.{index}.{mem_ids[NIK_NUMBER]}"] = identifiers.history_value(member.nik.hash)
    return flat


def flatten_stored(definition: Definition, family: Any, members: list[Any]) -> dict[str, Any]:
    """`flatten_for_history` of a stored family, from its columns (nothing decrypted)."""
    parts = FamilyParts(
        columns={},
        data=dict(family.data),
        kk=Identifier(hash=family.kk_hash),
        members=[MemberParts(columns={}, data=dict(m.data), nik=Identifier(hash=m.nik_hash)) for m in members],
    )
    return flatten_for_history(definition, parts)


def history_key(change: dict[str, Any]) -> str:
    """The key of `flatten_for_history` that a change of `diff` is about."""
    if change["member_index"] is None:
        return f"family.{change['variable']}"
    return f"members.{change['member_index']}.{change['variable']}"


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before != after:
            block, *rest = key.split(".")
            member_index = int(rest[0]) if block == "members" else None
            changes.append({"variable": rest[-1], "member_index": member_index, "old": before, "new": after})
    return changes
