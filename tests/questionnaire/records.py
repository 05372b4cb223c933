"""A clean example family record, its context, and random mutations of it.

All names and numbers are invented. NIKs follow PPRRSSDDMMYYXXXX with DD + 40 for women.
"""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st

from households.questionnaire.definition import load_definition

FORM, VERSION = "regsosek22k", "1"

KECAMATAN_TANGSEL = ["01", "02", "03", "04", "05", "06", "07"]


def base_context() -> dict[str, Any]:
    return {
        "today": "2022-10-20",
        "bps_kabkota": "3674",
        "kemendagri_kabkota": "3674",
        "kemendagri_kecamatan": list(KECAMATAN_TANGSEL),
        "photo_trigger_codes": [1, 2],
    }


def _disability(age: int) -> dict[str, int]:
    letters = "abcdef" if age < 5 else "abcdefghij"
    return {f"r428{letter}": 4 for letter in letters}


def head() -> dict[str, Any]:
    return {
        "r401": 1, "r402": "BUDI SANTOSO", "r403": "3674071503800001", "r404": 1, "r405": 1,
        "r406_tgl": 15, "r406_bln": 3, "r406_thn": 1980, "r407": 42, "r408": 2, "r409": 1,
        "r411": [1, 4], "r412": 3, "r413": 13, "r414": 8, "r415": 13,
        "r416a": 1, "r416b": 40, "r417": 12, "r418": 4, "r419": 1, "r420": 2,
        **_disability(42), "r430": 1, "r431a": [2], "r431b": 2, "r431c": 2, "r431d": 2, "r431f": [1, 2, 4],
    }  # fmt: skip


def spouse() -> dict[str, Any]:
    return {
        "r401": 2, "r402": "SITI AMINAH", "r403": "3674076207830002", "r404": 1, "r405": 2,
        "r406_tgl": 22, "r406_bln": 7, "r406_thn": 1983, "r407": 39, "r408": 2, "r409": 2, "r410": 2,
        "r411": [1, 4], "r412": 3, "r413": 8, "r414": 8, "r415": 8, "r416a": 2, "r419": 3,
        "r420": 1, "r421": 12, "r422": 0, "r423": 1, "r424": 11, "r425": 1, "r426": [1, 8],
        **_disability(39), "r430": 2, "r431a": [2], "r431b": 2, "r431c": 2, "r431d": 2, "r431f": [0],
    }  # fmt: skip


def daughter() -> dict[str, Any]:
    return {
        "r401": 3, "r402": "RINA LESTARI", "r403": "3674075001050003", "r404": 1, "r405": 2,
        "r406_tgl": 10, "r406_bln": 1, "r406_thn": 2005, "r407": 17, "r408": 1, "r409": 3,
        "r411": [1, 4], "r412": 2, "r413": 13, "r414": 3, "r415": 8, "r416a": 2, "r419": 3, "r420": 2,
        **_disability(17), "r430": 1, "r431a": [2], "r431b": 2, "r431c": 2, "r431d": 2, "r431e": 1,
        "r431f": [0],
    }  # fmt: skip


def son() -> dict[str, Any]:
    return {
        "r401": 4, "r402": "ADI PRATAMA", "r403": "3674070505190004", "r404": 1, "r405": 1,
        "r406_tgl": 5, "r406_bln": 5, "r406_thn": 2019, "r407": 3, "r408": 1, "r409": 3,
        "r411": [1, 2], "r427": 3, **_disability(3), "r430": 1, "r431a": [2],
    }  # fmt: skip


def base_family() -> dict[str, Any]:
    family: dict[str, Any] = {
        "r101": "36", "r102": "74", "r103": "010", "r104": "001", "r105": "0001", "r105a": "00",
        "r106": "RT 001 RW 002", "r107": "JL. MAWAR NO. 5", "r108": "BUDI SANTOSO", "r109": "001",
        "r110": "001", "r111": 2, "r112": 4, "r113": "67B4PT", "r114": "3674071503100001", "r115": 0,
        "r201": "2022-10-18", "r202_nama": "ANI SUSANTI", "r202_kode": "PPL001", "r203": "2022-10-19",
        "r204_nama": "DEDI KURNIAWAN", "r204_kode": "PML001", "nama_responden": "BUDI SANTOSO", "r205": 1,
        "hp_responden": "081234567890",
        "r301a": 1, "r301b": 1, "r302": 45, "r303": 2, "r304": 1, "r305": 2, "r306a": 2, "r307a": 1,
        "r307b1": 2, "r308": 4, "r309a": 1, "r309b": 1, "r310": 1,
        "r501a": 1, "r501a_bln": 8, "r501a_thn": 2022, "r501b": 2, "r501c": 2,
        "r501d": 1, "r501d_bln": 98, "r501d_thn": 2022, "r501e": 2, "r501f": 2,
        "r501g": 1, "r501g_bln": 3, "r501g_thn": 2022,
        "r503a": 2, "r503b": 2, "r505": 3, "r506": 2,
    }  # fmt: skip
    assets = {"a": 2, "b": 1, "c": 2, "d": 2, "e": 2, "f": 1, "g": 2, "h": 1, "i": 1, "j": 1, "k": 2, "l": 2,
              "m": 2, "n": 1}  # fmt: skip
    family.update({f"r502{letter}": value for letter, value in assets.items()})
    family.update({f"r504{letter}": 0 for letter in "abcde"})
    return family


def base_record() -> dict[str, Any]:
    """A complete, clean family of four (no issues with base_context())."""
    return {
        "form": FORM,
        "version": VERSION,
        "family": base_family(),
        "members": [head(), spouse(), daughter(), son()],
    }


# --- random mutations -----------------------------------------------------------------

MISSING = object()

_COMMON_BAD: list[Any] = [None, "", MISSING, True, "1", 1.5, [1], {"x": 1}]
_INTEGERS: list[Any] = [0, 1, 2, 3, 4, 5, 9, 10, 14, 15, 17, 30, 31, 42, 54, 60, 98, 99, 100, 997, 998, 1000,
                        -1, 1899, 1980, 2021, 2022, 2023, 12, 13]  # fmt: skip
_STRINGS: list[Any] = ["ABC", "BUDI SANTOSO", "SITI AMINAH", "O'NEIL-2", "36", "74", "3674", "010", "0001",
                       "00", "0A", "67B4PT", "67b4pt", "001", "01", "3674071503800001", "367407150380000",
                       "3674076207830002", "3201011503800001", "3674091503800001", "3674071513800001",
                       "3674071503800000", "36740715038000AB", "081234567890", "+6281234",
                       "12345678"]  # fmt: skip
_DATES: list[Any] = ["2022-10-18", "2022-10-19", "2022-10-21", "2022-02-30", "2022-10-17", "18/10/2022",
                     20221018, "2021-10-01"]  # fmt: skip


def candidate_values(variable: dict[str, Any]) -> list[Any]:
    kind = variable["type"]
    if kind == "code":
        codes = [entry["code"] for entry in variable["codes"]]
        return [*codes, *codes, 99, -1, 0, 7, *_COMMON_BAD]
    if kind == "multicode":
        codes = [entry["code"] for entry in variable["codes"]]
        return [
            [codes[1]],
            [codes[0]],
            codes[1:3],
            [codes[0], codes[-1]],
            [codes[1], codes[1]],
            [3],
            [],
            1,
            *_COMMON_BAD,
        ]
    if kind == "integer":
        return [*_INTEGERS, *_COMMON_BAD]
    if kind == "date":
        return [*_DATES, *_COMMON_BAD]
    return [*_STRINGS, 5, *_COMMON_BAD]


def _set(row: dict[str, Any], key: str, value: Any) -> None:
    if value is MISSING:
        row.pop(key, None)
    else:
        row[key] = copy.deepcopy(value)


def mutate(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of `record` with a few random changes (valid and invalid answers alike)."""
    definition = load_definition(FORM, VERSION)
    out = copy.deepcopy(record)
    family, members = out["family"], out["members"]
    family_vars, member_vars = definition.family_variables(), definition.member_variables()
    if rng.random() < 0.15:
        family["r205"] = rng.choice([2, 3, 4, 5])
    for _ in range(rng.randint(0, 6)):
        variable = rng.choice(family_vars)
        _set(family, variable["id"], rng.choice(candidate_values(variable)))
    if members and rng.random() < 0.15:
        members.pop(rng.randrange(len(members)))
    if members and rng.random() < 0.1:
        members.append(copy.deepcopy(rng.choice(members)))
    for member in members:
        for _ in range(rng.choice([0, 0, 1, 2, 4])):
            variable = rng.choice(member_vars)
            _set(member, variable["id"], rng.choice(candidate_values(variable)))
    if rng.random() < 0.05:
        family["r999"] = 1
    if members and rng.random() < 0.05:
        members[0]["nik"] = "x"
    return out


def record_strategy() -> st.SearchStrategy[dict[str, Any]]:
    return st.randoms(use_true_random=False).map(lambda rng: mutate(base_record(), rng))


def seeded_records(*, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [mutate(base_record(), rng) for _ in range(count)]
