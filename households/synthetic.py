"""Synthetic families for demos and benchmarks: valid REGSOSEK22-K records, made up, seeded.

Each family is built from four member templates (head, spouse, daughter, son) whose answers
satisfy the questionnaire's rules; names, birth dates (and so ages and NIKs), floor area,
welfare estimate and family size vary with a seeded random generator. Names end in
"SINTETIS"; NIK serials start with 9. `tests/households/test_synthetic.py` validates a sample
against the definition, so a new form version that breaks them fails a test.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from enumeration.models import SLS, Assignment
from households import form, records, services
from households.models import (
    Family,
    FamilyRevision,
    FamilyStatus,
    Member,
    PrelistFamily,
    PrelistStatus,
    ReviewEvent,
)
from regsosek import pgcopy

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


def family_rows(
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
) -> tuple[Family, list[Member]]:
    """One synthetic family and its members as unsaved rows (revision 1, its PPL as author), with
    the typed columns, data and encrypted identifiers of `parts` set as for any stored family; for
    `regsosek.pgcopy`."""
    family = Family(
        pk=family_id,
        client_uuid=client_uuid,
        sls_id=sls_id,
        form_id=FORM,
        form_version=VERSION,
        status=status,
        revision=1,
        payload_sha256=records.payload_sha256(record),
        photo_required=photo_required,
        warnings=[],
        created_by_id=ppl_id,
        updated_by_id=ppl_id,
        submitted_at=now,
        review_comment=review_comment,
    )
    # The same split-record-to-rows steps as every family the services store.
    services._write_parts(family, parts)
    return family, services._member_rows(family, parts)


def families_generate(*, families_per_sls: int, seed: int, batch: int = 5000, max_sls: int | None = None) -> int:
    """Create synthetic families (with members, revision 1, a review event and a VK1 row each) in
    every synthetic SLS that has none yet, as its active PPL.

    `max_sls` stops after that many SLS (benchmarks copy the rest: families_copy_into_empty_sls).
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
        .order_by("pk")[:max_sls]
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
        with transaction.atomic():
            ids = pgcopy.reserve_ids(Family, len(planned))
            families: list[Model] = []
            members: list[Model] = []
            revisions: list[Model] = []
            events: list[Model] = []
            prelist: list[Model] = []
            for family_id, (sls, building, record) in zip(ids, planned, strict=True):
                parts = records.split(definition, record)
                roll = rng.random()
                status = (
                    FamilyStatus.APPROVED
                    if roll < 0.6
                    else (FamilyStatus.RETURNED if roll < 0.65 else FamilyStatus.SUBMITTED)
                )
                ppl = active[sls.pk]
                family, roster = family_rows(
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
                families.append(family)
                members.extend(roster)
                revisions.append(
                    FamilyRevision(family_id=family_id, revision=1, author_id=ppl, source="synthetic", changes=[])
                )
                events.append(
                    ReviewEvent(
                        family_id=family_id, from_status=FamilyStatus.DRAFT, to_status=status, actor_id=ppl, comment=""
                    )
                )
                prelist.append(
                    PrelistFamily(
                        sls_id=sls.pk,
                        line_no=building,
                        head_name=parts.columns["head_name"],
                        address="",
                        status=PrelistStatus.FOUND,
                        family_id=family_id,
                        note="",
                        status_by_id=ppl,
                        status_at=now,
                        is_synthetic=True,
                    )
                )
            pgcopy.copy_rows(Family, families, now, with_id=True)
            pgcopy.copy_rows(Member, members, now)
            pgcopy.copy_rows(FamilyRevision, revisions, now)
            pgcopy.copy_rows(ReviewEvent, events, now)
            pgcopy.copy_rows(PrelistFamily, prelist, now)
        made += len(planned)
    logger.info("synthetic.families", extra={"families": made})
    return made


# Families placed and dated by families_place_in_fieldwork: one geotag each, near an anchor point
# that is drawn inside the SLS's kelurahan (synthetic SLS have no boundary of their own), dated over
# the fieldwork days. The jitter and dates come from hashes of the family id: deterministic, no RNG.
_PLACE_SQL = """
WITH kelurahan AS (
    SELECT k.boundary, array_agg(s.id ORDER BY s.id) AS sls_ids
    FROM enumeration_sls s JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id
    WHERE s.is_synthetic AND k.boundary IS NOT NULL
    GROUP BY k.bps_code
), anchor AS (
    -- One ST_GeneratePoints per kelurahan (a polygon is triangulated once), a point per SLS.
    SELECT k.sls_ids[d.path[1]] AS sls_id, d.geom AS point
    FROM kelurahan k, LATERAL ST_Dump(ST_GeneratePoints(k.boundary, cardinality(k.sls_ids), %(seed)s)) AS d
), placed AS (
    INSERT INTO geotag_geotag (client_uuid, sls_id, building_no, location, accuracy_m, captured_at, provider,
                               accepted_reason, collected_by_id, created_at)
    SELECT md5('geotag-' || f.id)::uuid, f.sls_id, f.building_no,
           ST_Translate(a.point, (hashtext('x' || f.id) %% 1000) * 0.0000015,
                        (hashtext('y' || f.id) %% 1000) * 0.0000015)::geography,
           5 + abs(hashtext('a' || f.id)) %% 20, now(), 'gps', '', f.created_by_id, now()
    FROM households_family f JOIN anchor a ON a.sls_id = f.sls_id
    WHERE f.geotag_id IS NULL
    RETURNING id, client_uuid
)
UPDATE households_family f SET geotag_id = placed.id
FROM placed WHERE placed.client_uuid = md5('geotag-' || f.id)::uuid
"""

_DATE_SQL = """
WITH dated AS (
    SELECT f.id,
           %(start)s::timestamptz + make_interval(
               days => floor(%(days)s * power((abs(hashtext('d' || f.id)) %% 100000) / 100000.0, 1.3))::int,
               hours => 8 + abs(hashtext('h' || f.id)) %% 10) AS at
    FROM households_family f JOIN enumeration_sls s ON s.id = f.sls_id
    WHERE s.is_synthetic
)
UPDATE households_family f
SET created_at = dated.at, submitted_at = dated.at,
    reviewed_at = CASE WHEN f.status IN ('approved', 'returned') THEN LEAST(
        dated.at + make_interval(days => 1 + abs(hashtext('r' || f.id)) %% 3), %(last)s::timestamptz) END
FROM dated WHERE dated.id = f.id AND f.created_at NOT BETWEEN %(start)s::timestamptz AND %(last)s::timestamptz
"""


def families_place_in_fieldwork(*, start: dt.date, end: dt.date, seed: int = 2022) -> int:
    """Give every synthetic family without a geotag one (inside its kelurahan) and date every
    synthetic family's arrival (and review, if reviewed) over the fieldwork days `start`..`end`,
    earlier days busier, so that the monitoring map and trend chart have something to show.

    Idempotent for the geotags (only families without one get one); the dates are recomputed from
    the family ids, so running it again gives the same dates (and skips families already dated
    within the period). Returns the number of rows changed (families placed plus families dated).
    Raises ValueError if end < start.
    """
    if end < start:
        raise ValueError("the fieldwork ends before it starts")
    tz = timezone.get_default_timezone()
    first = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    last = dt.datetime.combine(end, dt.time(20), tzinfo=tz)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PLACE_SQL, {"seed": seed})
        changed = int(cursor.rowcount)
        cursor.execute(_DATE_SQL, {"start": first, "days": (end - start).days + 1, "last": last})
        return changed + int(cursor.rowcount)


def _columns(model: type[Model], overrides: dict[str, str], alias: str) -> tuple[str, str]:
    """The INSERT column list of `model` (all concrete columns) and the SELECT list copying each
    from `alias`, except the columns given an SQL expression in `overrides`."""
    columns = [f.column for f in model._meta.concrete_fields]
    select = [overrides.get(c, f"{alias}.{c}") for c in columns]
    return ", ".join(columns), ", ".join(select)


def families_copy_into_empty_sls() -> int:
    """Benchmarks only: fill every synthetic SLS that has no families with copies of the families,
    members and VK1 rows of an SLS that has (round robin), as the empty SLS's PPL, with new ids and
    UUIDs. Generating 500,000 families record by record takes most of an hour on a busy 2-core
    machine; generating a tenth and copying the rest takes minutes, and gives tables of the same
    size and shape. Copies carry the same (encrypted) identifiers as their originals, which no
    real data would, so this is never for a demo. Returns the number of families added."""
    with transaction.atomic(), connection.cursor() as cursor:
        # ON COMMIT DROP, but inside an outer transaction (a test's) the tables outlive this call.
        cursor.execute("DROP TABLE IF EXISTS copy_pairs, copy_families")
        cursor.execute(
            """
            CREATE TEMP TABLE copy_pairs ON COMMIT DROP AS
            WITH empty AS (
                SELECT s.id, a.ppl_id, row_number() OVER (ORDER BY s.id) - 1 AS rn
                FROM enumeration_sls s
                JOIN enumeration_assignment a ON a.sls_id = s.id AND a.ended_at IS NULL
                WHERE s.is_synthetic AND NOT EXISTS (SELECT 1 FROM households_family f WHERE f.sls_id = s.id)
            ), source AS (
                SELECT sls_id AS id, row_number() OVER (ORDER BY sls_id) - 1 AS rn
                FROM (SELECT DISTINCT sls_id FROM households_family) AS s
            )
            SELECT e.id AS target, e.ppl_id, source.id AS source
            FROM empty e JOIN source ON source.rn = mod(e.rn, GREATEST((SELECT count(*) FROM source), 1))
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE copy_families ON COMMIT DROP AS
            SELECT f.id AS old_id, p.target, p.ppl_id,
                   nextval(pg_get_serial_sequence('households_family', 'id')) AS new_id
            FROM households_family f JOIN copy_pairs p ON p.source = f.sls_id
            """
        )
        who = {"created_by_id": "m.ppl_id", "updated_by_id": "m.ppl_id"}
        columns, select = _columns(
            Family, {"id": "m.new_id", "client_uuid": "gen_random_uuid()", "sls_id": "m.target", **who}, "f"
        )
        cursor.execute(
            f"INSERT INTO households_family ({columns}) SELECT {select} "  # noqa: S608 - column names from the model
            "FROM households_family f JOIN copy_families m ON m.old_id = f.id"
        )
        added = int(cursor.rowcount)
        columns, select = _without_id(*_columns(Member, {"family_id": "m.new_id"}, "x"))
        cursor.execute(
            f"INSERT INTO households_member ({columns}) SELECT {select} "  # noqa: S608 - column names from the model
            "FROM households_member x JOIN copy_families m ON m.old_id = x.family_id"
        )
        overrides = {"sls_id": "m.target", "family_id": "m.new_id", "status_by_id": "m.ppl_id"}
        columns, select = _without_id(*_columns(PrelistFamily, overrides, "x"))
        cursor.execute(
            f"INSERT INTO households_prelistfamily ({columns}) SELECT {select} "  # noqa: S608 - column names from the model
            "FROM households_prelistfamily x JOIN copy_families m ON m.old_id = x.family_id"
        )
    return added


def _without_id(columns: str, select: str) -> tuple[str, str]:
    pairs = [(c, s) for c, s in zip(columns.split(", "), select.split(", "), strict=True) if c != "id"]
    return ", ".join(c for c, _ in pairs), ", ".join(s for _, s in pairs)
