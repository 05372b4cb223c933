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
