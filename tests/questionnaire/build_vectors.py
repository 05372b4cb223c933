"""Writes the shared test vectors in tests/questionnaire/vectors/ (run it after editing).

    .venv/bin/python -m tests.questionnaire.build_vectors

Each vector starts from the clean family of records.py, applies a few edits, and states by
hand the issues both validators must report, in order (variable, member_index, check,
severity), and optionally the derived values. The expectations are written here, never
computed by a validator. Files not listed in FILES (hand-written vectors) are left alone.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.questionnaire.records import base_context, base_record

VECTORS_DIR = Path(__file__).resolve().parent / "vectors"

Edit = Callable[[dict[str, Any]], None]
DEL = object()

HEAD, SPOUSE, DAUGHTER, SON = 0, 1, 2, 3


def _patch(row: dict[str, Any], values: dict[str, Any]) -> None:
    for key, value in values.items():
        if value is DEL:
            row.pop(key, None)
        else:
            row[key] = value


def fam(**values: Any) -> Edit:
    return lambda record: _patch(record["family"], values)


def mem(index: int, **values: Any) -> Edit:
    return lambda record: _patch(record["members"][index], values)


def keep_only(index: int, *keys: str) -> Edit:
    def edit(record: dict[str, Any]) -> None:
        row = record["members"][index]
        for key in list(row):
            if key not in keys:
                del row[key]

    return edit


def no_members() -> Edit:
    return lambda record: record.__setitem__("members", [])


def add_member(row: dict[str, Any]) -> Edit:
    return lambda record: record["members"].append(copy.deepcopy(row))


def drop_blocks_after_ii() -> Edit:
    """Leave only Blok I and II (a refusal or absent family)."""
    keep = {"r101", "r102", "r103", "r104", "r105", "r105a", "r106", "r107", "r108", "r109", "r110",
            "r111", "r112", "r113", "r114", "r115", "r201", "r202_nama", "r202_kode", "r203", "r204_nama",
            "r204_kode", "r205"}  # fmt: skip

    def edit(record: dict[str, Any]) -> None:
        record["family"] = {k: v for k, v in record["family"].items() if k in keep}
        record["members"] = []

    return edit


def no_electricity() -> Edit:
    """307a = 4 with everything that depends on electricity removed or set to 2."""
    return fam(r307a=4, r307b1=DEL, r502b=2, r502f=2, r502h=2)


def err(variable: str, check: str, severity: str = "error", m: int | None = None) -> dict[str, Any]:
    return {"variable": variable, "member_index": m, "check": check, "severity": severity}


def warn(variable: str, check: str, m: int | None = None) -> dict[str, Any]:
    return err(variable, check, "warning", m)


def parent() -> dict[str, Any]:
    """A widowed mother of the head, 72 years old on the enumeration date."""
    return {
        "r401": 5, "r402": "SUKARMI", "r403": "3674074101500005", "r404": 1, "r405": 2,
        "r406_tgl": 1, "r406_bln": 1, "r406_thn": 1950, "r407": 72, "r408": 4, "r409": 6,
        "r411": [4], "r412": 1, "r416a": 2, "r419": 3, "r420": 2,
        **{f"r428{letter}": 4 for letter in "abcdefghij"}, "r429": 1, "r430": 2,
        "r431a": [1], "r431b": 2, "r431c": 2, "r431d": 2, "r431f": [0],
    }  # fmt: skip


def vector(
    name: str,
    *edits: Edit,
    expected: list[dict[str, Any]],
    context: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> dict[str, Any]:
    record = base_record()
    for edit in edits:
        edit(record)
    out: dict[str, Any] = {
        "name": name,
        "context": base_context() if context is None else context,
        "expected": expected,
    }
    if derived is not None:
        out["derived"] = derived
    out["record"] = record
    return out


def _is_flat(value: Any) -> bool:
    if isinstance(value, list):
        return all(not isinstance(item, dict | list) for item in value)
    if isinstance(value, dict):
        return all(not isinstance(item, dict) and _is_flat(item) for item in value.values())
    return True


def dumps(value: Any, indent: int = 0) -> str:
    """JSON with one line per flat object (a family, a member, an expected issue)."""
    if _is_flat(value):
        return json.dumps(value, ensure_ascii=False)
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, list):
        return "[\n" + ",\n".join(inner + dumps(item, indent + 1) for item in value) + "\n" + pad + "]"
    items = [f"{inner}{json.dumps(key)}: {dumps(item, indent + 1)}" for key, item in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + pad + "}"


def basics() -> list[dict[str, Any]]:
    return [
        vector("clean complete family", expected=[], derived={"photo_required": True}),
        vector("clean family without any context", expected=[], context={}),
        vector("unknown family key", fam(r999="x"), expected=[err("r999", "unknown")]),
        vector(
            "unknown family keys are reported sorted",
            fam(zz=1, aa=2),
            expected=[err("aa", "unknown"), err("zz", "unknown")],
        ),
        vector("unknown member key", mem(HEAD, nik="3674071503800001"), expected=[err("nik", "unknown", m=HEAD)]),
        vector("refusal with only Blok I and II is clean", drop_blocks_after_ii(), fam(r205=4), expected=[]),
        vector(
            "absent family (205 = 3) with only Blok I and II is clean",
            drop_blocks_after_ii(),
            fam(r205=3),
            expected=[],
        ),
        vector(
            "refusal with a housing answer and members left",
            drop_blocks_after_ii(),
            fam(r205=4, r302=45),
            lambda r: r.__setitem__("members", base_record()["members"][:1]),
            expected=[warn("r112", "r112_members"), err("r302", "relevant"), err("members", "relevant")],
        ),
        vector(
            "partly completed (205 = 2) may leave answers out",
            fam(r205=2, r302=DEL, r303=DEL, r502c=DEL),
            mem(HEAD, r430=DEL),
            expected=[],
        ),
        vector(
            "partly completed still reports wrong answers",
            fam(r205=2, r302=DEL, r303=99),
            expected=[err("r303", "code")],
        ),
        vector("completed family needs its housing answers", fam(r302=DEL), expected=[err("r302", "required")]),
        vector("completed family needs members", no_members(), expected=[err("members", "required")]),
        vector("empty string counts as unanswered", fam(r106=""), expected=[err("r106", "required")]),
        vector("null counts as unanswered", fam(r107=None), expected=[err("r107", "required")]),
        vector(
            "member without a required answer",
            mem(SPOUSE, r402=DEL),
            expected=[err("r402", "required", m=SPOUSE)],
        ),
    ]


def blok_i() -> list[dict[str, Any]]:
    return [
        vector("101 missing", fam(r101=DEL), expected=[err("r101", "required")]),
        vector("101 given as a number", fam(r101=36), expected=[err("r101", "type")]),
        vector("101 with three digits", fam(r101="360"), expected=[err("r101", "r101_format")]),
        vector("101+102 not the survey area", fam(r102="75"), expected=[err("r102", "r102_wilayah")]),
        vector(
            "101+102 unchecked without bps_kabkota in context",
            fam(r102="75"),
            context={**base_context(), "bps_kabkota": None},
            expected=[],
        ),
        vector(
            "102 with letters",
            fam(r102="7A"),
            expected=[err("r102", "r102_format"), err("r102", "r102_wilayah")],
        ),
        vector("103 with two digits", fam(r103="10"), expected=[err("r103", "r103_format")]),
        vector("104 with a letter", fam(r104="01A"), expected=[err("r104", "r104_format")]),
        vector("105 too short", fam(r105="01"), expected=[err("r105", "r105_format")]),
        vector("105 lower-case letters", fam(r105="ab12"), expected=[err("r105", "r105_format")]),
        vector("105 with capital letters is fine", fam(r105="AB12"), expected=[]),
        vector("105a missing", fam(r105a=DEL), expected=[err("r105a", "required")]),
        vector("105a one character", fam(r105a="0"), expected=[err("r105a", "r105a_format")]),
        vector(
            "108 with a digit and not the head's name",
            fam(r108="BUDI 2"),
            expected=[warn("r108", "r108_name"), warn("r108", "r108_head")],
        ),
        vector("108 differs from the head's name", fam(r108="BUDI"), expected=[warn("r108", "r108_head")]),
        vector(
            "108 with apostrophe, hyphen and period",
            fam(r108="MUH. BUDI'S-SANTOSO"),
            mem(HEAD, r402="MUH. BUDI'S-SANTOSO"),
            expected=[],
        ),
        vector("109 not zero-padded", fam(r109="1"), expected=[err("r109", "r109_format")]),
        vector("110 with four digits", fam(r110="0001"), expected=[err("r110", "r110_format")]),
        vector("111 outside its code list", fam(r111=4), expected=[err("r111", "code")]),
        vector("111 given as a string", fam(r111="2"), expected=[err("r111", "type")]),
        vector("112 zero", fam(r112=0), expected=[err("r112", "r112_range"), warn("r112", "r112_members")]),
        vector(
            "112 differs from the members living with the family",
            fam(r112=5),
            expected=[warn("r112", "r112_members")],
        ),
        vector(
            "112 counts only members living with the family (404 = 1, 4)",
            fam(r112=3),
            mem(SON, r404=2),
            keep_only(SON, "r401", "r402", "r403", "r404"),
            expected=[],
        ),
        vector("112 as a decimal", fam(r112=4.5), expected=[err("r112", "type")]),
        vector("112 as 4.0 is an integer", fam(r112=4.0), expected=[]),
        vector("113 with five characters", fam(r113="67B4P"), expected=[err("r113", "r113_format")]),
        vector("113 is optional", fam(r113=DEL), expected=[]),
        vector("114 missing while 115 says KK sesuai", fam(r114=DEL), expected=[warn("r115", "r115_kk")]),
        vector("114 missing for a family without KK", fam(r114=DEL, r115=1), expected=[]),
        vector("114 with fifteen digits", fam(r114="367407150310000"), expected=[err("r114", "r114_format")]),
        vector("114 from another kab/kota", fam(r114="3201011503100001"), expected=[warn("r114", "r114_region")]),
        vector(
            "114 region unchecked without kemendagri_kabkota",
            fam(r114="3201011503100001"),
            context={**base_context(), "kemendagri_kabkota": None},
            expected=[],
        ),
        vector("115 outside its code list", fam(r115=3), expected=[err("r115", "code")]),
    ]


def blok_ii() -> list[dict[str, Any]]:
    return [
        vector(
            "201 after today and after 203",
            fam(r201="2022-10-21"),
            expected=[err("r201", "r201_future"), err("r203", "r203_order")],
        ),
        vector(
            "201 not a calendar date (ages fall back to today)",
            fam(r201="2022-02-30"),
            expected=[err("r201", "type")],
        ),
        vector("201 in the wrong format", fam(r201="18/10/2022"), expected=[err("r201", "type")]),
        vector("201 missing", fam(r201=DEL), expected=[err("r201", "required")]),
        vector(
            "201 in the future is accepted without today in context",
            fam(r201="2022-10-25"),
            context={**base_context(), "today": None},
            expected=[err("r203", "r203_order")],
        ),
        vector("202 code missing", fam(r202_kode=DEL), expected=[err("r202_kode", "required")]),
        vector("203 is optional", fam(r203=DEL), expected=[]),
        vector("203 after today", fam(r203="2022-10-25"), expected=[err("r203", "r203_future")]),
        vector("204 is optional", fam(r204_nama=DEL, r204_kode=DEL), expected=[]),
        vector("205 outside its code list", drop_blocks_after_ii(), fam(r205=9), expected=[err("r205", "code")]),
        vector(
            "respondent name required for a completed interview",
            fam(nama_responden=DEL),
            expected=[err("nama_responden", "required")],
        ),
        vector(
            "respondent name must be empty after a refusal",
            drop_blocks_after_ii(),
            fam(r205=4, nama_responden="BUDI"),
            expected=[err("nama_responden", "relevant")],
        ),
        vector(
            "phone number too short",
            fam(hp_responden="12345"),
            expected=[warn("hp_responden", "hp_responden_format")],
        ),
        vector(
            "phone number not starting with 0",
            fam(hp_responden="81234567890"),
            expected=[warn("hp_responden", "hp_responden_format")],
        ),
        vector("phone number is optional", fam(hp_responden=DEL), expected=[]),
    ]


def blok_iii() -> list[dict[str, Any]]:
    return [
        vector("301b asked only for own dwellings", fam(r301a=2), expected=[err("r301b", "relevant")]),
        vector("301b required for own dwellings", fam(r301b=DEL), expected=[err("r301b", "required")]),
        vector("302 above 997", fam(r302=998), expected=[err("r302", "r302_range")]),
        vector("302 zero", fam(r302=0), expected=[err("r302", "r302_range")]),
        vector("302 boundaries 1 and 997 are fine", fam(r302=997), expected=[]),
        vector("302 decimal", fam(r302=45.5), expected=[err("r302", "type")]),
        vector("302 as a numeric string", fam(r302="45"), expected=[err("r302", "type")]),
        vector("305 outside its code list", fam(r305=9), expected=[err("r305", "code")]),
        vector("306b required for wells and springs", fam(r306a=4), expected=[err("r306b", "required")]),
        vector("306b answered for a well", fam(r306a=4, r306b=8), expected=[]),
        vector("306b skipped for refill water", fam(r306b=1), expected=[err("r306b", "relevant")]),
        vector("306b code 3 (OpenSID) is not a code", fam(r306a=5, r306b=3), expected=[err("r306b", "code")]),
        vector(
            "no electricity but a meter and electric assets",
            fam(r307a=4),
            expected=[
                err("r307b1", "relevant"),
                err("r502b", "r502b_electric"),
                err("r502f", "r502f_electric"),
                err("r502h", "r502h_electric"),
            ],
        ),
        vector("307b1 required with a PLN meter", fam(r307b1=DEL), expected=[err("r307b1", "required")]),
        vector("307b2 and 307b3 are optional extra meters", fam(r307b2=3, r307b3=1), expected=[]),
        vector(
            "electric cooking without electricity",
            no_electricity(),
            fam(r308=1),
            expected=[err("r308", "r308_electric")],
        ),
        vector("cooking with LPG 5.5 kg but no such cylinder", fam(r308=2), expected=[warn("r502a", "r502a_lpg")]),
        vector("a 5.5 kg cylinder but cooking with 3 kg LPG", fam(r502a=1), expected=[warn("r502a", "r502a_lpg")]),
        vector("a 5.5 kg cylinder and cooking with 12 kg LPG", fam(r502a=1, r308=3), expected=[]),
        vector("308 code 0: does not cook at home", fam(r308=0), expected=[]),
        vector("308 code 12 (OpenSID) is not a code", fam(r308=12), expected=[err("r308", "code")]),
        vector(
            "309b and 310 skipped for public toilets",
            fam(r309a=4),
            expected=[err("r309b", "relevant"), err("r310", "relevant")],
        ),
        vector("no toilet facility", fam(r309a=6, r309b=DEL, r310=DEL), expected=[]),
        vector("310 required with an own toilet", fam(r310=DEL), expected=[err("r310", "required")]),
    ]


def blok_iv_identity() -> list[dict[str, Any]]:
    return [
        vector("401 out of sequence", mem(SPOUSE, r401=3), expected=[err("r401", "r401_sequence", m=SPOUSE)]),
        vector("402 with a digit", mem(SPOUSE, r402="SITI 2"), expected=[warn("r402", "r402_name", m=SPOUSE)]),
        vector("403 is nullable", mem(SPOUSE, r403=DEL), mem(DAUGHTER, r403=None), expected=[]),
        vector(
            "403 with fifteen digits",
            mem(HEAD, r403="367407150380000"),
            expected=[err("r403", "r403_format", m=HEAD)],
        ),
        vector("403 given as a number", mem(HEAD, r403=3674071503800001), expected=[err("r403", "type", m=HEAD)]),
        vector(
            "403 with letters",
            mem(HEAD, r403="36740715038000AB"),
            expected=[err("r403", "r403_format", m=HEAD)],
        ),
        vector(
            "NIK says female (day + 40) for a man",
            mem(HEAD, r403="3674075503800001"),
            expected=[warn("r403", "r403_sex", m=HEAD)],
        ),
        vector(
            "NIK says male for a woman",
            mem(SPOUSE, r403="3674072207830002"),
            expected=[warn("r403", "r403_sex", m=SPOUSE)],
        ),
        vector(
            "NIK birth month differs from 406",
            mem(HEAD, r403="3674071504800001"),
            expected=[warn("r403", "r403_dob", m=HEAD)],
        ),
        vector(
            "NIK birth year differs from 406",
            mem(HEAD, r403="3674071503810001"),
            expected=[warn("r403", "r403_dob", m=HEAD)],
        ),
        vector(
            "NIK with an impossible birth day",
            mem(HEAD, r403="3674073503800001"),
            expected=[warn("r403", "r403_birthdate", m=HEAD), warn("r403", "r403_dob", m=HEAD)],
        ),
        vector(
            "NIK with month 13",
            mem(HEAD, r403="3674071513800001"),
            expected=[warn("r403", "r403_birthdate", m=HEAD), warn("r403", "r403_dob", m=HEAD)],
        ),
        vector(
            "NIK from another kab/kota",
            mem(HEAD, r403="3201011503800001"),
            expected=[warn("r403", "r403_region", m=HEAD)],
        ),
        vector(
            "NIK region unchecked without kemendagri_kabkota",
            mem(HEAD, r403="3201011503800001"),
            context={**base_context(), "kemendagri_kabkota": None},
            expected=[],
        ),
        vector(
            "NIK with a kecamatan Tangsel does not have",
            mem(HEAD, r403="3674091503800001"),
            expected=[warn("r403", "r403_kecamatan", m=HEAD)],
        ),
        vector(
            "NIK kecamatan unchecked without the kecamatan list",
            mem(HEAD, r403="3674091503800001"),
            context={**base_context(), "kemendagri_kecamatan": []},
            expected=[],
        ),
        vector(
            "NIK kab/kota prefix comes from the context",
            mem(HEAD, r403="3201011503800001"),
            context={**base_context(), "kemendagri_kabkota": "3201", "kemendagri_kecamatan": ["01"]},
            expected=[
                warn("r114", "r114_region"),
                warn("r403", "r403_region", m=SPOUSE),
                warn("r403", "r403_region", m=DAUGHTER),
                warn("r403", "r403_region", m=SON),
            ],
        ),
        vector(
            "NIK serial 0000",
            mem(HEAD, r403="3674071503800000"),
            expected=[warn("r403", "r403_serial", m=HEAD)],
        ),
        vector(
            "404 code 6 (OpenSID) is not a code",
            fam(r112=3),
            mem(SON, r404=6),
            keep_only(SON, "r401", "r402", "r403", "r404"),
            expected=[err("r404", "code", m=SON)],
        ),
        vector(
            "member who moved out has answers that must be empty",
            fam(r112=3),
            mem(SON, r404=3),
            keep_only(SON, "r401", "r402", "r403", "r404", "r405", "r407"),
            expected=[err("r405", "relevant", m=SON), err("r407", "relevant", m=SON)],
        ),
        vector("new member (404 = 4) is interviewed like a resident", mem(SON, r404=4), expected=[]),
        vector("405 missing", mem(DAUGHTER, r405=DEL), expected=[err("r405", "required", m=DAUGHTER)]),
    ]


def blok_iv_dates() -> list[dict[str, Any]]:
    return [
        vector("unknown birth day and month (98)", mem(HEAD, r406_tgl=98, r406_bln=98), expected=[]),
        vector(
            "unknown birth day in the month of the enumeration: either age",
            mem(SPOUSE, r406_tgl=98, r406_bln=10, r407=38, r403="3674076210830002"),
            expected=[],
        ),
        vector(
            "unknown birth day in the month of the enumeration: older age too",
            mem(SPOUSE, r406_tgl=98, r406_bln=10, r407=39, r403="3674076210830002"),
            expected=[],
        ),
        vector(
            "unknown birth day in the month of the enumeration: not two years off",
            mem(SPOUSE, r406_tgl=98, r406_bln=10, r407=37, r403="3674076210830002"),
            expected=[err("r407", "r407_dob", m=SPOUSE)],
        ),
        vector(
            "birth day 32",
            mem(HEAD, r406_tgl=32),
            expected=[
                warn("r403", "r403_dob", m=HEAD),
                err("r406_tgl", "r406_tgl_range", m=HEAD),
                err("r406_thn", "r406_valid", m=HEAD),
            ],
        ),
        vector(
            "30 February",
            mem(HEAD, r406_tgl=30, r406_bln=2),
            expected=[warn("r403", "r403_dob", m=HEAD), err("r406_thn", "r406_valid", m=HEAD)],
        ),
        vector(
            "birth month 13",
            mem(HEAD, r406_bln=13),
            expected=[
                warn("r403", "r403_dob", m=HEAD),
                err("r406_bln", "r406_bln_range", m=HEAD),
                err("r406_thn", "r406_valid", m=HEAD),
            ],
        ),
        vector(
            "birth year 1899",
            mem(HEAD, r406_thn=1899),
            expected=[
                warn("r403", "r403_dob", m=HEAD),
                err("r406_thn", "r406_thn_range", m=HEAD),
                err("r407", "r407_dob", m=HEAD),
            ],
        ),
        vector(
            "born after the enumeration year",
            mem(SON, r406_thn=2023),
            expected=[
                warn("r403", "r403_dob", m=SON),
                err("r406_thn", "r406_thn_range", m=SON),
                err("r406_thn", "r406_valid", m=SON),
            ],
        ),
        vector(
            "born after the enumeration date in the same year",
            mem(SON, r406_thn=2022, r406_bln=11, r407=0),
            mem(SON, r403="3674070511220004", **{f"r428{x}": DEL for x in "abcdef"}),
            expected=[err("r406_thn", "r406_valid", m=SON)],
        ),
        vector(
            "age does not match the birth date",
            mem(HEAD, r407=40),
            expected=[err("r407", "r407_dob", m=HEAD)],
        ),
        vector(
            "age 99",
            mem(HEAD, r407=99),
            expected=[
                err("r407", "r407_range", m=HEAD),
                err("r407", "r407_dob", m=HEAD),
                err("r429", "required", m=HEAD),
            ],
        ),
        vector(
            "the day before the 42nd birthday the head is 41",
            mem(HEAD, r406_tgl=19, r406_bln=10, r407=41, r403="3674071910800001"),
            expected=[],
        ),
        vector(
            "age counted from the birthday, not the year",
            mem(HEAD, r406_tgl=19, r406_bln=10, r403="3674071910800001"),
            expected=[err("r407", "r407_dob", m=HEAD)],
        ),
        vector("ages use today's date when 201 is missing", fam(r201=DEL), expected=[err("r201", "required")]),
        vector(
            "ages use 201, not today",
            fam(r201="2022-03-10", r203="2022-03-11"),
            expected=[
                err("r407", "r407_dob", m=HEAD),
                err("r407", "r407_dob", m=SPOUSE),
                err("r407", "r407_dob", m=SON),
            ],
        ),
        vector(
            "407 missing: questions asked by age are skipped",
            mem(SON, r407=DEL),
            expected=[
                err("r407", "required", m=SON),
                err("r427", "relevant", m=SON),
                *[err(f"r428{x}", "relevant", m=SON) for x in "abcdef"],
            ],
        ),
        vector(
            "407 missing: 427 (under 5) is skipped too, not asked",
            mem(SON, r407=DEL, r427=DEL),
            mem(SON, **{f"r428{x}": DEL for x in "abcdef"}),
            expected=[err("r407", "required", m=SON)],
        ),
        vector("406 year missing", mem(SPOUSE, r406_thn=DEL), expected=[err("r406_thn", "required", m=SPOUSE)]),
    ]


def blok_iv_relations() -> list[dict[str, Any]]:
    spouse_age_9 = mem(SPOUSE, r407=9)
    return [
        vector("two heads of family", mem(DAUGHTER, r409=1), expected=[err("members", "members_one_head")]),
        vector("no head of family", mem(HEAD, r409=8), expected=[err("members", "members_one_head")]),
        vector(
            "the head has died",
            fam(r112=3),
            mem(HEAD, r404=2),
            keep_only(HEAD, "r401", "r402", "r403", "r404"),
            expected=[err("members", "members_one_head")],
        ),
        vector(
            "the head has died and 112 still counts him",
            mem(HEAD, r404=2),
            keep_only(HEAD, "r401", "r402", "r403", "r404"),
            expected=[warn("r112", "r112_members"), err("members", "members_one_head")],
        ),
        vector("married before 10", mem(SON, r408=2), expected=[warn("r408", "r408_age", m=SON)]),
        vector(
            "spouse not married",
            mem(SPOUSE, r408=1),
            expected=[err("r409", "r409_spouse_married", m=SPOUSE), err("r410", "relevant", m=SPOUSE)],
        ),
        vector(
            "spouse present but head not married",
            mem(HEAD, r408=1),
            expected=[err("r409", "r409_head_married", m=SPOUSE)],
        ),
        vector(
            "spouse of the same sex as the head",
            mem(SPOUSE, r405=1),
            expected=[
                warn("r403", "r403_sex", m=SPOUSE),
                warn("r409", "r409_spouse_sex", m=SPOUSE),
                err("r410", "relevant", m=SPOUSE),
            ],
        ),
        vector(
            "spouse aged 9",
            spouse_age_9,
            expected=[
                err("r407", "r407_dob", m=SPOUSE),
                warn("r408", "r408_age", m=SPOUSE),
                err("r409", "r409_spouse_age", m=SPOUSE),
                err("r410", "relevant", m=SPOUSE),
                err("r431e", "required", m=SPOUSE),
                err("r431f", "relevant", m=SPOUSE),
            ],
        ),
        vector(
            "child older than the head",
            mem(DAUGHTER, r407=50),
            expected=[
                err("r407", "r407_dob", m=DAUGHTER),
                warn("r409", "r409_younger_than_head", m=DAUGHTER),
                err("r431e", "relevant", m=DAUGHTER),
            ],
        ),
        vector(
            "grandchild older than the head",
            mem(DAUGHTER, r409=5, r407=50),
            expected=[
                err("r407", "r407_dob", m=DAUGHTER),
                warn("r409", "r409_younger_than_head", m=DAUGHTER),
                err("r431e", "relevant", m=DAUGHTER),
            ],
        ),
        vector("a parent older than the head", fam(r112=5), add_member(parent()), expected=[]),
        vector(
            "a parent younger than the head",
            fam(r112=5),
            add_member({**parent(), "r407": 40, "r406_thn": 1982, "r403": "3674074101820005"}),
            expected=[
                warn("r409", "r409_parent_age", m=4),
                err("r410", "required", m=4),
                err("r429", "relevant", m=4),
            ],
        ),
        vector(
            "head aged 9",
            mem(HEAD, r407=9),
            expected=[
                err("r407", "r407_dob", m=HEAD),
                warn("r408", "r408_age", m=HEAD),
                warn("r409", "r409_head_age", m=HEAD),
                err("r431e", "required", m=HEAD),
                err("r431f", "relevant", m=HEAD),
                warn("r409", "r409_younger_than_head", m=DAUGHTER),
            ],
        ),
        vector("409 outside its code list", mem(DAUGHTER, r409=9), expected=[err("r409", "code", m=DAUGHTER)]),
    ]


def blok_iv_items() -> list[dict[str, Any]]:
    return [
        vector(
            "410 required for a married woman aged 10-54",
            mem(SPOUSE, r410=DEL),
            expected=[err("r410", "required", m=SPOUSE)],
        ),
        vector(
            "410 skipped for an unmarried woman",
            mem(DAUGHTER, r410=2),
            expected=[err("r410", "relevant", m=DAUGHTER)],
        ),
        vector(
            "410 skipped for a woman over 54",
            fam(r112=5),
            add_member({**parent(), "r410": 2}),
            expected=[err("r410", "relevant", m=4)],
        ),
        vector(
            "411 none combined with a card",
            mem(HEAD, r411=[0, 1]),
            expected=[err("r411", "r411_exclusive", m=HEAD)],
        ),
        vector("411 none alone", mem(HEAD, r411=[0]), expected=[]),
        vector("411 duplicate code", mem(HEAD, r411=[1, 1]), expected=[err("r411", "code", m=HEAD)]),
        vector("411 code 3 is not a card", mem(HEAD, r411=[3]), expected=[err("r411", "code", m=HEAD)]),
        vector("411 as the paper sum", mem(HEAD, r411=5), expected=[err("r411", "type", m=HEAD)]),
        vector("411 empty list is unanswered", mem(HEAD, r411=[]), expected=[err("r411", "required", m=HEAD)]),
        vector("412 skipped under 5", mem(SON, r412=1), expected=[err("r412", "relevant", m=SON)]),
        vector(
            "never schooled: 413-415 skipped",
            mem(HEAD, r412=1),
            expected=[
                err("r413", "relevant", m=HEAD),
                err("r414", "relevant", m=HEAD),
                err("r415", "relevant", m=HEAD),
            ],
        ),
        vector(
            "413 required while in school",
            mem(DAUGHTER, r413=DEL),
            expected=[err("r413", "required", m=DAUGHTER)],
        ),
        vector("414 grade 9", mem(HEAD, r414=9), expected=[err("r414", "r414_range", m=HEAD)]),
        vector("415 no primary certificate", mem(HEAD, r415=23), expected=[]),
        vector(
            "415 certificate above the level attended",
            mem(HEAD, r415=19),
            expected=[warn("r415", "r415_level", m=HEAD)],
        ),
        vector(
            "not working: 416b-418 skipped",
            mem(HEAD, r416a=2),
            expected=[
                err("r416b", "relevant", m=HEAD),
                err("r417", "relevant", m=HEAD),
                err("r418", "relevant", m=HEAD),
            ],
        ),
        vector("416b zero hours", mem(HEAD, r416b=0), expected=[err("r416b", "r416b_range", m=HEAD)]),
        vector("416b 100 hours", mem(HEAD, r416b=100), expected=[err("r416b", "r416b_range", m=HEAD)]),
        vector(
            "own-account worker without a business",
            mem(HEAD, r418=1),
            expected=[warn("r418", "r418_business", m=HEAD)],
        ),
        vector(
            "business owner must describe the business",
            mem(HEAD, r420=1),
            expected=[err(v, "required", m=HEAD) for v in ("r421", "r422", "r423", "r424", "r425", "r426")],
        ),
        vector(
            "employer with paid workers reports none",
            mem(HEAD, r418=3, r420=1, r421=12, r422=0, r423=0, r424=4, r425=2, r426=[0]),
            expected=[warn("r422", "r422_paid", m=HEAD)],
        ),
        vector("422 above 999", mem(SPOUSE, r422=1000), expected=[err("r422", "r422_range", m=SPOUSE)]),
        vector("423 negative", mem(SPOUSE, r423=-1), expected=[err("r423", "r423_range", m=SPOUSE)]),
        vector(
            "426 none combined with sales",
            mem(SPOUSE, r426=[0, 8]),
            expected=[err("r426", "r426_exclusive", m=SPOUSE)],
        ),
        vector("427 required under 5", mem(SON, r427=DEL), expected=[err("r427", "required", m=SON)]),
        vector("427 skipped from 5", mem(DAUGHTER, r427=3), expected=[err("r427", "relevant", m=DAUGHTER)]),
        vector("428g skipped under 5", mem(SON, r428g=4), expected=[err("r428g", "relevant", m=SON)]),
        vector("428a required from 2", mem(SON, r428a=DEL), expected=[err("r428a", "required", m=SON)]),
        vector(
            "429 required from 60",
            fam(r112=5),
            add_member({k: v for k, v in parent().items() if k != "r429"}),
            expected=[err("r429", "required", m=4)],
        ),
        vector(
            "429 required with a severe difficulty",
            mem(HEAD, r428c=2),
            expected=[err("r429", "required", m=HEAD)],
        ),
        vector(
            "429 skipped without difficulty under 60",
            mem(HEAD, r429=1),
            expected=[err("r429", "relevant", m=HEAD)],
        ),
        vector(
            "431a none combined with don't know",
            mem(HEAD, r431a=[0, 99]),
            expected=[err("r431a", "r431a_exclusive", m=HEAD)],
        ),
        vector("431a don't know alone", mem(HEAD, r431a=[99]), expected=[]),
        vector("431a duplicate code", mem(HEAD, r431a=[2, 2]), expected=[err("r431a", "code", m=HEAD)]),
        vector("431b code 3", mem(HEAD, r431b=3), expected=[err("r431b", "code", m=HEAD)]),
        vector("431e skipped over 30", mem(HEAD, r431e=2), expected=[err("r431e", "relevant", m=HEAD)]),
        vector("431f skipped under 15", mem(SON, r431f=[0]), expected=[err("r431f", "relevant", m=SON)]),
        vector(
            "431f none combined with JHT",
            mem(HEAD, r431f=[0, 4]),
            expected=[err("r431f", "r431f_exclusive", m=HEAD)],
        ),
    ]


def blok_v_vi() -> list[dict[str, Any]]:
    return [
        vector(
            "501a received without month and year",
            fam(r501a_bln=DEL, r501a_thn=DEL),
            expected=[err("r501a_bln", "required"), err("r501a_thn", "required")],
        ),
        vector(
            "501b not received but month and year given",
            fam(r501b_bln=5, r501b_thn=2022),
            expected=[err("r501b_bln", "relevant"), err("r501b_thn", "relevant")],
        ),
        vector(
            "501a month 13",
            fam(r501a_bln=13),
            expected=[err("r501a_bln", "r501a_bln_range"), err("r501a_thn", "r501a_period")],
        ),
        vector(
            "501a before the programme period",
            fam(r501a_bln=9, r501a_thn=2021),
            expected=[err("r501a_thn", "r501a_period")],
        ),
        vector("501a on the first month of the period", fam(r501a_bln=10, r501a_thn=2021), expected=[]),
        vector(
            "501a after the programme period",
            fam(r501a_bln=11, r501a_thn=2022),
            expected=[err("r501a_thn", "r501a_period")],
        ),
        vector(
            "501a period comes from the context",
            fam(r501a_bln=11, r501a_thn=2022),
            context={**base_context(), "program_end_year": 2023, "program_end_month": 12},
            expected=[],
        ),
        vector(
            "501d unknown month in a year outside the period",
            fam(r501d_thn=2020),
            expected=[err("r501d_thn", "r501d_period")],
        ),
        vector("501d unknown month in the first year of the period", fam(r501d_thn=2021), expected=[]),
        vector("501d month 0", fam(r501d_bln=0), expected=[err("r501d_bln", "r501d_bln_range")]),
        *[
            vector(
                f"501{x} month 0 in 2020",
                fam(**{f"r501{x}": 1, f"r501{x}_bln": 0, f"r501{x}_thn": 2020}),
                expected=[err(f"r501{x}_bln", f"r501{x}_bln_range"), err(f"r501{x}_thn", f"r501{x}_period")],
            )
            for x in "bcefg"
        ],
        vector(
            "fridge without electricity",
            no_electricity(),
            fam(r502b=1),
            expected=[err("r502b", "r502b_electric")],
        ),
        vector(
            "AC without electricity",
            no_electricity(),
            fam(r502c=1),
            expected=[err("r502c", "r502c_electric")],
        ),
        vector(
            "water heater without electricity",
            no_electricity(),
            fam(r502d=1),
            expected=[err("r502d", "r502d_electric")],
        ),
        vector(
            "flat TV without electricity",
            no_electricity(),
            fam(r502f=1),
            expected=[err("r502f", "r502f_electric")],
        ),
        vector(
            "computer without electricity",
            no_electricity(),
            fam(r502h=1),
            expected=[err("r502h", "r502h_electric")],
        ),
        vector("a motorcycle needs no electricity", no_electricity(), fam(r502i=1), expected=[]),
        vector("502n as a string", fam(r502n="1"), expected=[err("r502n", "type")]),
        vector("504a above 999", fam(r504a=1000), expected=[err("r504a", "r504a_range")]),
        vector("504e negative", fam(r504e=-1), expected=[err("r504e", "r504e_range")]),
        vector(
            "504b, 504c and 504d out of range",
            fam(r504b=1000, r504c=-5, r504d=1200),
            expected=[err("r504b", "r504b_range"), err("r504c", "r504c_range"), err("r504d", "r504d_range")],
        ),
        vector("504 boundaries 0 and 999 are fine", fam(r504a=999, r504c=0), expected=[]),
        vector("504b decimal", fam(r504b=2.5), expected=[err("r504b", "type")]),
        vector("505 outside its code list", fam(r505=4), expected=[err("r505", "code")]),
        vector("506 missing", fam(r506=DEL), expected=[err("r506", "required")]),
        vector("notes are optional free text", fam(catatan="Rumah di belakang masjid."), expected=[]),
        vector("notes must be text", fam(catatan=5), expected=[err("catatan", "type")]),
    ]


def photo() -> list[dict[str, Any]]:
    return [
        vector(
            "photo for a very poor family (111 = 1)",
            fam(r111=1),
            expected=[],
            derived={"photo_required": True},
        ),
        vector(
            "no photo for a family rated not poor (111 = 3)",
            fam(r111=3),
            expected=[],
            derived={"photo_required": False},
        ),
        vector(
            "photo codes come from the context",
            fam(r111=3),
            context={**base_context(), "photo_trigger_codes": [3]},
            expected=[],
            derived={"photo_required": True},
        ),
        vector(
            "only the configured photo codes count",
            fam(r111=2),
            context={**base_context(), "photo_trigger_codes": [1]},
            expected=[],
            derived={"photo_required": False},
        ),
        vector(
            "default photo codes without context",
            fam(r111=2),
            context={},
            expected=[],
            derived={"photo_required": True},
        ),
        vector(
            "no photo without a welfare estimate",
            fam(r111=DEL),
            expected=[err("r111", "required")],
            derived={"photo_required": False},
        ),
        vector(
            "photo still required after a refusal",
            drop_blocks_after_ii(),
            fam(r205=4, r111=1),
            expected=[],
            derived={"photo_required": True},
        ),
    ]


FILES: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "01-basics.json": basics,
    "02-blok-i.json": blok_i,
    "03-blok-ii.json": blok_ii,
    "04-blok-iii.json": blok_iii,
    "05-blok-iv-identity.json": blok_iv_identity,
    "06-blok-iv-dates.json": blok_iv_dates,
    "07-blok-iv-relations.json": blok_iv_relations,
    "08-blok-iv-items.json": blok_iv_items,
    "09-blok-v-vi.json": blok_v_vi,
    "10-photo.json": photo,
}


def main() -> None:
    names: set[str] = set()
    for filename, build in FILES.items():
        vectors = build()
        for item in vectors:
            if item["name"] in names:
                raise SystemExit(f"duplicate vector name: {item['name']}")
            names.add(item["name"])
        text = dumps(vectors) + "\n"
        assert json.loads(text) == vectors
        (VECTORS_DIR / filename).write_text(text, encoding="utf-8")
    print(f"wrote {len(names)} vectors in {len(FILES)} files")


if __name__ == "__main__":
    main()
