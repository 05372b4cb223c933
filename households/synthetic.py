"""Synthetic families for demos and benchmarks: valid REGSOSEK22-K records, made up, seeded.

Each family is built from four member templates (head, spouse, daughter, son) whose answers
satisfy the questionnaire's rules; names, birth dates (and so ages and NIKs), floor area,
welfare estimate and family size vary with a seeded random generator. Names end in
"SINTETIS"; NIK serials start with 9. `tests/households/test_synthetic.py` validates a sample
against the definition, so a new form version that breaks them fails a test.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from enumeration.models import SLS, Assignment
from households import form, records
from households.models import (
    Family,
    FamilyStatus,
    PrelistFamily,
    PrelistStatus,
)

logger = logging.getLogger(__name__)

FORM, VERSION = "regsosek22k", "1"
INTERVIEW_DATE = dt.date(2022, 10, 18)
_GIVEN_M = ["BUDI", "AGUS", "ADI", "DEDI", "EKO", "HADI", "JOKO", "RUDI", "TONO", "YANTO", "RAHMAT", "FAJAR"]
_GIVEN_F = [
    "SITI",
    "ANI",
    "DEWI",
    "RINA",
    "SARI",
    "WATI",
    "INDAH",
    "PUTRI",
    "LESTARI",
    "UMI",
    "GITA",
    "CITRA",
]


def _disability(age: int) -> dict[str, int]:
    letters = "abcdef" if age < 5 else "abcdefghij"
    return {f"r428{letter}": 4 for letter in letters}


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _nik(kec: str, born: dt.date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"{kec}{day:02d}{born.month:02d}{born.year % 100:02d}{9000 + serial % 1000:04d}"


def _born(rng: random.Random, year: int, spread: int) -> dt.date:
    return dt.date(year + rng.randint(-spread, spread), rng.randint(1, 12), rng.randint(1, 28))


def _person(line: int, name: str, nik: str, born: dt.date, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "r401": line,
        "r402": name,
        "r403": nik,
        "r404": 1,
        "r406_tgl": born.day,
        "r406_bln": born.month,
        "r406_thn": born.year,
        "r407": _age(born, INTERVIEW_DATE),
        **extra,
    }


def _members(rng: random.Random, kec: str, serial: int, size: int) -> list[dict[str, Any]]:
    surname = "SINTETIS"
    head_born = _born(rng, 1980, 3)
    head = _person(1, f"{rng.choice(_GIVEN_M)} {surname}", _nik(kec, head_born, False, serial), head_born, {
        "r405": 1, "r408": 2, "r409": 1, "r411": [1, 4], "r412": 3, "r413": 13, "r414": 8, "r415": 13,
        "r416a": 1, "r416b": 40, "r417": 12, "r418": 4, "r419": 1, "r420": 2, **_disability(42), "r430": 1,
        "r431a": [2], "r431b": 2, "r431c": 2, "r431d": 2, "r431f": [1, 2, 4],
    })  # fmt: skip
    members = [head]
    if size >= 2:
        born = _born(rng, 1983, 2)
        members.append(_person(2, f"{rng.choice(_GIVEN_F)} {surname}", _nik(kec, born, True, serial + 1), born, {
            "r405": 2, "r408": 2, "r409": 2, "r410": 2, "r411": [1, 4], "r412": 3, "r413": 8, "r414": 8,
            "r415": 8, "r416a": 2, "r419": 3, "r420": 1, "r421": 12, "r422": 0, "r423": 1, "r424": 11,
            "r425": 1, "r426": [1, 8], **_disability(39), "r430": 2, "r431a": [2], "r431b": 2, "r431c": 2,
            "r431d": 2, "r431f": [0],
        }))  # fmt: skip
    if size >= 3:
        born = dt.date(2005, rng.randint(1, 8), rng.randint(1, 28))
        members.append(_person(3, f"{rng.choice(_GIVEN_F)} {surname}", _nik(kec, born, True, serial + 2), born, {
            "r405": 2, "r408": 1, "r409": 3, "r411": [1, 4], "r412": 2, "r413": 13, "r414": 3, "r415": 8,
            "r416a": 2, "r419": 3, "r420": 2, **_disability(17), "r430": 1, "r431a": [2], "r431b": 2,
            "r431c": 2, "r431d": 2, "r431e": 1, "r431f": [0],
        }))  # fmt: skip
    for line in range(4, size + 1):
        born = dt.date(2019, rng.randint(1, 9), rng.randint(1, 28))
        members.append(_person(line, f"{rng.choice(_GIVEN_M)} {surname}", _nik(kec, born, False, serial + line),
                               born, {"r405": 1, "r408": 1, "r409": 3, "r411": [1, 2], "r427": 3,
                                      **_disability(3), "r430": 1, "r431a": [2]}))  # fmt: skip
    return members


def synthetic_record(
    rng: random.Random, sls: SLS, kemendagri_kec: str, *, building: int, serial: int
) -> dict[str, Any]:
    """One valid family record for `sls` (kemendagri_kec: the 6 NIK region digits, e.g. 367407)."""
    size = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 6])
    members = _members(rng, kemendagri_kec, serial, size)
    kk = f"{kemendagri_kec}{INTERVIEW_DATE.strftime('%d%m%y')}{9000 + serial % 1000:04d}"
    family: dict[str, Any] = {
        "r101": sls.kelurahan_id[:2], "r102": sls.kelurahan_id[2:4], "r103": sls.kelurahan.kecamatan_id[-3:],
        "r104": sls.kelurahan_id[-3:], "r105": sls.code, "r105a": sls.sub_code, "r106": sls.name[:60].upper(),
        "r107": f"JL. SINTETIS NO. {building}", "r108": members[0]["r402"], "r109": f"{building % 1000:03d}",
        "r110": "001", "r111": rng.choice([1, 2, 3, 3, 3, 3]), "r112": len(members), "r113": "SYN001", "r114": kk,
        "r115": 0, "r201": "2022-10-18", "r202_nama": "PPL SINTETIS", "r202_kode": "PPL001", "r203": "2022-10-19",
        "r204_nama": "PML SINTETIS", "r204_kode": "PML001", "nama_responden": members[0]["r402"], "r205": 1,
        "hp_responden": "081200000000",
        "r301a": 1, "r301b": 1, "r302": rng.randint(18, 120), "r303": 2, "r304": 1, "r305": 2, "r306a": 2,
        "r307a": 1, "r307b1": 2, "r308": 4, "r309a": 1, "r309b": 1, "r310": 1,
        "r501a": 1, "r501a_bln": 8, "r501a_thn": 2022, "r501b": 2, "r501c": 2,
        "r501d": 1, "r501d_bln": 98, "r501d_thn": 2022, "r501e": 2, "r501f": 2,
        "r501g": 1, "r501g_bln": 3, "r501g_thn": 2022,
        "r503a": 2, "r503b": 2, "r505": 3, "r506": 2,
    }  # fmt: skip
    for letter in "abcdefghijklmn":
        family[f"r502{letter}"] = rng.choice([1, 2]) if letter not in "abfhij" else 1
    family["r502a"] = 2  # no 5.5 kg gas cylinder: the family cooks with fuel 308 = 4 (check r502a_lpg)
    family.update({f"r504{letter}": 0 for letter in "abcde"})
    return {"form": FORM, "version": VERSION, "family": family, "members": members}


def families_remove() -> None:
    """Delete the synthetic families (and their rows) before their SLS are removed."""
    with transaction.atomic():
        PrelistFamily.objects.filter(sls__is_synthetic=True).delete()
        Family.objects.filter(sls__is_synthetic=True).delete()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


FAMILY_COLUMNS = [
    "id",
    "client_uuid",
    "sls_id",
    "form_id",
    "form_version",
    "status",
    "revision",
    "payload_sha256",
    "building_no",
    "family_no",
    "landmark_id",
    "head_name",
    "welfare_estimate",
    "result_code",
    "member_count",
    "photo_required",
    "kk_ciphertext",
    "kk_hash",
    "data",
    "warnings",
    "created_by_id",
    "updated_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "review_comment",
]
MEMBER_COLUMNS = [
    "family_id",
    "line_no",
    "name",
    "relationship",
    "sex",
    "birth_date",
    "age",
    "nik_ciphertext",
    "nik_hash",
    "data",
]


def family_copy_row(
    *,
    family_id: int,
    client_uuid: uuid.UUID,
    sls_id: int,
    status: str,
    record: dict[str, Any],
    parts: records.FamilyParts,
    ppl_id: int,
    now: dt.datetime,
    photo_required: bool,
    review_comment: str = "",
) -> tuple[Any, ...]:
    """One households_family row in FAMILY_COLUMNS order, for COPY."""
    c = parts.columns
    return (
        family_id, client_uuid, sls_id, FORM, VERSION, status, 1, records.payload_sha256(record), c["building_no"],
        c["family_no"], c["landmark_id"], c["head_name"], c["welfare_estimate"], c["result_code"],
        len(parts.members), photo_required, parts.kk.ciphertext, parts.kk.hash,
        json.dumps(parts.data), "[]", ppl_id, ppl_id, now, now, now, review_comment,
    )  # fmt: skip


def member_copy_rows(*, family_id: int, parts: records.FamilyParts) -> list[tuple[Any, ...]]:
    """The households_member rows of one family in MEMBER_COLUMNS order, for COPY."""
    return [
        (family_id, m.columns["line_no"], m.columns["name"], m.columns["relationship"], m.columns["sex"],
         m.columns["birth_date"], m.columns["age"], m.nik.ciphertext, m.nik.hash, json.dumps(m.data))
        for m in parts.members
    ]  # fmt: skip


def families_generate(*, families_per_sls: int, seed: int, batch: int = 5000) -> int:
    """Create synthetic families (with members, revision 1, a review event and a VK1 row each) in
    every synthetic SLS that has none yet, as its active PPL.

    Records are valid by construction (tests/households/test_synthetic.py validates a sample), so
    they are split into rows like any stored family and written with COPY, without per-record
    validation: 500,000 families take minutes, not hours. Deterministic for a seed.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    definition = form.definition_or_none(FORM, VERSION)
    if definition is None:
        raise ValueError("questionnaire definition regsosek22k/1 is missing")
    active = {a.sls_id: a.ppl_id for a in Assignment.objects.filter(ended_at__isnull=True, sls__is_synthetic=True)}
    sls_list = list(
        SLS.objects.filter(pk__in=active, is_synthetic=True, families__isnull=True)
        .select_related("kelurahan__kecamatan__kabkota")
        .order_by("pk")
    )
    now = timezone.now()
    made = serial = 0
    for sls_batch in _chunks(sls_list, max(1, batch // max(families_per_sls, 1))):
        planned: list[tuple[SLS, int, dict[str, Any]]] = []
        for sls in sls_batch:
            kec = sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
            for building in range(1, families_per_sls + 1):
                serial += 7
                planned.append((sls, building, synthetic_record(rng, sls, kec, building=building, serial=serial)))
        with transaction.atomic(), connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute("SELECT nextval('households_family_id_seq') FROM generate_series(1, %s)", [len(planned)])
            ids = [row[0] for row in cursor.fetchall()]
            family_rows, member_rows, revision_rows, event_rows, prelist_rows = [], [], [], [], []
            for family_id, (sls, building, record) in zip(ids, planned, strict=True):
                parts = records.split(definition, record)
                roll = rng.random()
                status = (
                    FamilyStatus.APPROVED
                    if roll < 0.6
                    else (FamilyStatus.RETURNED if roll < 0.65 else FamilyStatus.SUBMITTED)
                )
                ppl = active[sls.pk]
                c = parts.columns
                family_rows.append(
                    family_copy_row(
                        family_id=family_id,
                        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        sls_id=sls.pk,
                        status=status,
                        record=record,
                        parts=parts,
                        ppl_id=ppl,
                        now=now,
                        photo_required=record["family"]["r111"] in (1, 2),
                        review_comment="Periksa kembali (data sintetis)" if status == FamilyStatus.RETURNED else "",
                    )
                )
                member_rows.extend(member_copy_rows(family_id=family_id, parts=parts))
                revision_rows.append((family_id, 1, ppl, now, "synthetic", "[]"))
                event_rows.append((family_id, FamilyStatus.DRAFT, status, ppl, now, ""))
                prelist_rows.append(
                    (sls.pk, building, c["head_name"], "", PrelistStatus.FOUND, family_id, "", ppl, now, True)
                )
            _copy(cursor, "households_family", FAMILY_COLUMNS, family_rows)
            _copy(cursor, "households_member", MEMBER_COLUMNS, member_rows)
            _copy(
                cursor,
                "households_familyrevision",
                ["family_id", "revision", "author_id", "created_at", "source", "changes"],
                revision_rows,
            )
            _copy(
                cursor,
                "households_reviewevent",
                ["family_id", "from_status", "to_status", "actor_id", "at", "comment"],
                event_rows,
            )
            _copy(
                cursor,
                "households_prelistfamily",
                [
                    "sls_id",
                    "line_no",
                    "head_name",
                    "address",
                    "status",
                    "family_id",
                    "note",
                    "status_by_id",
                    "status_at",
                    "is_synthetic",
                ],
                prelist_rows,
            )
        made += len(planned)
    logger.info("synthetic.families", extra={"families": made})
    return made
