"""CSV imports of SLS, field staff and assignments.

Each import reads the whole file, validates every row and returns a report of
(row, column, reason) in Indonesian. A file with any bad row imports nothing; a good file
imports in one transaction; re-importing the same file changes nothing (the report says
"unchanged"). The row number is the line in the file, the header being row 1.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration import codes, scoping, services
from enumeration.models import SLS, Assignment, Kecamatan, Kelurahan, Role, User

logger = logging.getLogger(__name__)

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row=row, column=column, reason=reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
        }


Row = tuple[int, dict[str, str]]


def read_csv(data: bytes, report: ImportReport, *, required: list[str], optional: list[str]) -> list[Row]:
    if len(data) > MAX_BYTES:
        report.add(0, "", _("File terlalu besar (maksimal %(mb)d MB).") % {"mb": MAX_BYTES // (1024 * 1024)})
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.add(0, "", _("File bukan teks CSV berkode UTF-8."))
        return []
    if "\x00" in text:
        report.add(0, "", _("File bukan teks CSV berkode UTF-8."))
        return []
    if not text.strip():
        report.add(0, "", _("File kosong."))
        return []
    first_line = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (csv.Error, StopIteration):
        report.add(1, "", _("Baris judul kolom tidak dapat dibaca."))
        return []
    allowed = set(required) | set(optional)
    for name in header:
        if name not in allowed:
            report.add(
                1,
                name,
                _("kolom tidak dikenal (kolom yang diterima: %(cols)s)") % {"cols": ", ".join(required + optional)},
            )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report.add(1, name, _("kolom muncul lebih dari sekali"))
        seen.add(name)
    for name in required:
        if name not in header:
            report.add(1, name, _("kolom wajib tidak ada"))
    if report.errors:
        return []
    rows: list[Row] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                report.add(line, "", _("Terlalu banyak baris (maksimal %(n)d).") % {"n": MAX_ROWS})
                return []
            if len(values) != len(header):
                report.add(
                    line,
                    "",
                    _("jumlah kolom %(got)d, seharusnya %(want)d") % {"got": len(values), "want": len(header)},
                )
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=True)}
            for name in optional:
                row.setdefault(name, "")
            rows.append((line, row))
    except csv.Error:
        report.add(reader.line_num, "", _("Format CSV rusak (tanda kutip tidak tertutup?)."))
        return []
    report.rows = len(rows)
    return rows


def required(report: ImportReport, line: int, row: dict[str, str], names: Iterable[str]) -> bool:
    ok = True
    for name in names:
        if not row.get(name):
            report.add(line, name, _("wajib diisi"))
            ok = False
    return ok


# --- SLS -------------------------------------------------------------------------------------------

SLS_REQUIRED = ["kode_kelurahan", "kode_sls", "nama_sls"]
SLS_OPTIONAL = ["kode_sub_sls", "batas_wkt"]


def _parse_boundary(raw: str, kelurahan: Kelurahan) -> tuple[MultiPolygon | None, str | None]:
    # WKT only, parsed by GEOS: GeoJSON would go through GDAL, whose Debian 12 version cannot
    # block file/network access from a hostile spatial reference (check gis.W001).
    text = raw.strip()
    if not text[:12].upper().startswith(("POLYGON", "MULTIPOLYGON")):
        return None, _("batas harus WKT POLYGON atau MULTIPOLYGON dalam koordinat WGS84")
    try:
        geom = GEOSGeometry(text, srid=4326)
    except (GEOSException, ValueError, TypeError):
        return None, _("batas bukan WKT yang dapat dibaca")
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if not isinstance(geom, MultiPolygon):
        return None, _("batas harus berupa poligon")
    if not geom.valid:
        return None, _("poligon batas tidak valid")
    # The kelurahan polygons are approximate (docs/areas.md): allow about 50 m (0.0005°).
    if kelurahan.boundary is not None and not kelurahan.boundary.buffer(0.0005).covers(geom):
        return None, _("batas SLS berada di luar kelurahan %(name)s") % {"name": kelurahan.name}
    return geom, None


def sls_import(*, data: bytes) -> ImportReport:
    """Create or update SLS from CSV (kode_kelurahan, kode_sls, kode_sub_sls, nama_sls, batas_wkt)."""
    report = ImportReport(kind="sls")
    rows = read_csv(data, report, required=SLS_REQUIRED, optional=SLS_OPTIONAL)
    if not report.ok:
        return report
    kelurahan_by_code = {k.bps_code: k for k in Kelurahan.objects.all()}
    parsed: list[tuple[Kelurahan, str, str, str, MultiPolygon | None, bool]] = []
    first_line: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        if not required(report, line, row, SLS_REQUIRED):
            continue
        kel = kelurahan_by_code.get(row["kode_kelurahan"])
        if kel is None:
            report.add(line, "kode_kelurahan", _("kode kelurahan BPS tidak dikenal (10 digit)"))
        code = row["kode_sls"].upper()
        if not codes.is_sls_code(code):
            report.add(line, "kode_sls", _("harus 4 karakter angka/huruf"))
        sub = codes.normalize_sub_sls(row["kode_sub_sls"])
        if not codes.is_sub_sls_code(sub):
            report.add(line, "kode_sub_sls", _("harus 2 karakter angka/huruf (kosong = tidak dipecah)"))
        name = row["nama_sls"]
        if len(name) > 150:
            report.add(line, "nama_sls", _("terlalu panjang (maksimal 150 karakter)"))
        key = (row["kode_kelurahan"], code, sub)
        if key in first_line:
            report.add(line, "kode_sls", _("SLS ini sudah ada di baris %(row)d") % {"row": first_line[key]})
            continue
        first_line[key] = line
        boundary: MultiPolygon | None = None
        if row["batas_wkt"] and kel is not None:
            boundary, problem = _parse_boundary(row["batas_wkt"], kel)
            if problem:
                report.add(line, "batas_wkt", problem)
        if kel is not None:
            parsed.append((kel, code, sub, name, boundary, bool(row["batas_wkt"])))
    if not report.ok:
        return report
    with transaction.atomic():
        existing = {
            (s.kelurahan_id, s.code, s.sub_code): s
            for s in SLS.objects.select_for_update().filter(kelurahan_id__in={p[0].bps_code for p in parsed})
        }
        to_create: list[SLS] = []
        to_update: list[SLS] = []
        for kel, code, sub, name, boundary, has_boundary in parsed:
            current = existing.get((kel.bps_code, code, sub))
            if current is None:
                to_create.append(SLS(kelurahan=kel, code=code, sub_code=sub, name=name, boundary=boundary))
                continue
            changed = current.name != name
            if has_boundary and (
                current.boundary is None or boundary is None or not current.boundary.equals_exact(boundary, 1e-9)
            ):
                changed = True
            if changed:
                current.name = name
                current.updated_at = timezone.now()
                if has_boundary:
                    current.boundary = boundary
                to_update.append(current)
            else:
                report.unchanged += 1
        SLS.objects.bulk_create(to_create, batch_size=1000)
        SLS.objects.bulk_update(to_update, ["name", "boundary", "updated_at"], batch_size=1000)
        report.created, report.updated = len(to_create), len(to_update)
    logger.info("import.sls", extra=_summary(report))
    return report


# --- Staff -----------------------------------------------------------------------------------------

STAFF_REQUIRED = ["username", "nama", "peran"]
STAFF_OPTIONAL = ["username_atasan", "kode_kecamatan", "aktif"]
_ROLE_ALIASES = {
    "ppl": Role.PPL,
    "pencacah": Role.PPL,
    "pml": Role.PML,
    "pengawas": Role.PML,
    "koseka": Role.KOSEKA,
    "bps_admin": Role.BPS_ADMIN,
    "admin": Role.BPS_ADMIN,
    "admin bps": Role.BPS_ADMIN,
    "pemkot": Role.PEMKOT,
}
_TRUE = {"", "1", "ya", "y", "aktif", "true"}
_FALSE = {"0", "tidak", "t", "nonaktif", "false"}


@dataclass
class _StaffRow:
    line: int
    username: str
    full_name: str
    role: str
    supervisor: str
    kecamatan: str
    active: bool


def staff_import(*, data: bytes) -> ImportReport:
    """Create or update staff from CSV (username, nama, peran, username_atasan, kode_kecamatan, aktif).

    New accounts get no usable password: a BPS admin sets or resets it (docs/operations.md).
    """
    report = ImportReport(kind="staff")
    rows = read_csv(data, report, required=STAFF_REQUIRED, optional=STAFF_OPTIONAL)
    if not report.ok:
        return report
    parsed: dict[str, _StaffRow] = {}
    for line, row in rows:
        if not required(report, line, row, STAFF_REQUIRED):
            continue
        username = row["username"].lower()
        if not codes.is_username(username):
            report.add(line, "username", _("3-50 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung"))
            continue
        if username in parsed:
            report.add(
                line,
                "username",
                _("username ini sudah ada di baris %(row)d") % {"row": parsed[username].line},
            )
            continue
        role = _ROLE_ALIASES.get(row["peran"].strip().lower())
        if role is None:
            report.add(line, "peran", _("peran tidak dikenal (pilihan: ppl, pml, koseka, bps_admin, pemkot)"))
        active_raw = row["aktif"].strip().lower()
        if active_raw not in _TRUE | _FALSE:
            report.add(line, "aktif", _("isi 1/ya atau 0/tidak"))
        if len(row["nama"]) > 150:
            report.add(line, "nama", _("terlalu panjang (maksimal 150 karakter)"))
        parsed[username] = _StaffRow(
            line=line,
            username=username,
            full_name=row["nama"],
            role=role or "",
            supervisor=row["username_atasan"].lower(),
            kecamatan=row["kode_kecamatan"],
            active=active_raw in _TRUE,
        )
    existing = {u.username: u for u in User.objects.filter(username__in=list(parsed))}
    supervisor_names = {r.supervisor for r in parsed.values() if r.supervisor} - set(parsed)
    outside = {u.username: u for u in User.objects.filter(username__in=supervisor_names)}
    kecamatan_codes = set(Kecamatan.objects.values_list("bps_code", flat=True))
    active_assignments = set(
        Assignment.objects.filter(ended_at__isnull=True, ppl__username__in=list(parsed)).values_list(
            "ppl__username", flat=True
        )
    )

    def role_of(username: str) -> str | None:
        if username in parsed:
            return parsed[username].role or None
        user = outside.get(username)
        return user.role if user else None

    for r in parsed.values():
        if not r.role:
            continue
        if r.kecamatan and r.kecamatan not in kecamatan_codes:
            report.add(r.line, "kode_kecamatan", _("kode kecamatan BPS tidak dikenal (7 digit)"))
        if r.supervisor and role_of(r.supervisor) is None:
            report.add(r.line, "username_atasan", _("atasan tidak ditemukan di file maupun di sistem"))
        elif r.supervisor and r.supervisor == r.username:
            report.add(r.line, "username_atasan", _("tidak boleh menjadi atasan sendiri"))
        else:
            sup_role = role_of(r.supervisor) if r.supervisor else None
            for fld, reason in services.staff_problems(
                role=r.role, supervisor=None, kecamatan_id=r.kecamatan or None, supervisor_role=sup_role
            ):
                column = {"supervisor": "username_atasan", "kecamatan": "kode_kecamatan"}.get(fld, "peran")
                report.add(r.line, column, reason)
            if r.supervisor and r.supervisor in parsed and not parsed[r.supervisor].active and r.active:
                report.add(r.line, "username_atasan", _("atasan tidak aktif"))
        user = existing.get(r.username)
        if user is not None and user.is_superuser:
            report.add(r.line, "username", _("akun administrator teknis tidak dapat diubah lewat impor"))
        if user is not None and r.username in active_assignments and (r.role != Role.PPL or not r.active):
            report.add(r.line, "peran", _("PPL ini masih memiliki penugasan SLS aktif; alihkan dulu penugasannya"))
    if not report.ok:
        return report

    with transaction.atomic():
        existing = {u.username: u for u in User.objects.select_for_update().filter(username__in=list(parsed))}
        to_create = [
            User(
                username=r.username,
                full_name=r.full_name,
                role=r.role,
                is_active=r.active,
                kecamatan_id=r.kecamatan or None,
                is_staff=r.role == Role.BPS_ADMIN,
                password=make_password(None),
            )
            for r in parsed.values()
            if r.username not in existing
        ]
        User.objects.bulk_create(to_create, batch_size=1000)
        ids = dict(
            User.objects.filter(username__in=list(parsed) + list(supervisor_names)).values_list("username", "id")
        )
        to_update: list[User] = []
        created_names = {u.username for u in to_create}
        fields = ["full_name", "role", "is_active", "kecamatan_id", "supervisor_id", "is_staff"]
        for r in parsed.values():
            user = existing.get(r.username)
            wanted: dict[str, Any] = {
                "full_name": r.full_name,
                "role": r.role,
                "is_active": r.active,
                "kecamatan_id": r.kecamatan or None,
                "supervisor_id": ids.get(r.supervisor) if r.supervisor else None,
                "is_staff": r.role == Role.BPS_ADMIN,
            }
            if user is None:
                if wanted["supervisor_id"] is None:
                    continue
                user = User(id=ids[r.username])
                user.supervisor_id = wanted["supervisor_id"]
                to_update.append(user)
                continue
            if all(getattr(user, k) == v for k, v in wanted.items()):
                report.unchanged += 1
                continue
            for k, v in wanted.items():
                setattr(user, k, v)
            to_update.append(user)
        supervisors_only = [u for u in to_update if u.username == ""]
        full = [u for u in to_update if u.username != ""]
        User.objects.bulk_update(supervisors_only, ["supervisor_id"], batch_size=1000)
        User.objects.bulk_update(full, fields, batch_size=1000)
        report.created = len(created_names)
        report.updated = len(full)
    logger.info("import.staff", extra=_summary(report))
    return report


# --- Assignments -----------------------------------------------------------------------------------

ASSIGNMENT_REQUIRED = ["kode_kelurahan", "kode_sls", "username_ppl"]
ASSIGNMENT_OPTIONAL = ["kode_sub_sls"]


def assignment_import(*, data: bytes, by: User | None) -> ImportReport:
    """Assign SLS to PPL from CSV (kode_kelurahan, kode_sls, kode_sub_sls, username_ppl).

    An SLS already held by another PPL is reassigned: the old assignment ends and stays as
    history. `by` (None for a command-line import by the operator) must be allowed to manage
    every SLS in the file.
    """
    report = ImportReport(kind="assignment")
    rows = read_csv(data, report, required=ASSIGNMENT_REQUIRED, optional=ASSIGNMENT_OPTIONAL)
    if not report.ok:
        return report
    keys = {(r["kode_kelurahan"], r["kode_sls"].upper(), codes.normalize_sub_sls(r["kode_sub_sls"])) for _l, r in rows}
    sls_by_key = {
        (s.kelurahan_id, s.code, s.sub_code): s
        for s in SLS.objects.select_related("kelurahan").filter(kelurahan_id__in={k[0] for k in keys})
    }
    ppl_by_name = {
        u.username: u for u in User.objects.filter(username__in={r["username_ppl"].lower() for _l, r in rows})
    }
    first_line: dict[int, int] = {}
    wanted: list[tuple[SLS, User]] = []
    for line, row in rows:
        if not required(report, line, row, ASSIGNMENT_REQUIRED):
            continue
        sls = sls_by_key.get(
            (row["kode_kelurahan"], row["kode_sls"].upper(), codes.normalize_sub_sls(row["kode_sub_sls"]))
        )
        if sls is None:
            report.add(line, "kode_sls", _("SLS tidak ditemukan di kelurahan ini"))
        ppl = ppl_by_name.get(row["username_ppl"].lower())
        if ppl is None:
            report.add(line, "username_ppl", _("username tidak ditemukan"))
        elif ppl.role != Role.PPL:
            report.add(line, "username_ppl", _("pengguna ini bukan PPL"))
        elif not ppl.is_active:
            report.add(line, "username_ppl", _("PPL ini tidak aktif"))
        elif ppl.supervisor_id is None:
            report.add(line, "username_ppl", _("PPL ini belum memiliki PML"))
        if sls is None:
            continue
        if sls.pk in first_line:
            report.add(line, "kode_sls", _("SLS ini sudah ditugaskan di baris %(row)d") % {"row": first_line[sls.pk]})
            continue
        first_line[sls.pk] = line
        if by is not None and not scoping.can_manage_assignments(by, sls):
            report.add(line, "kode_sls", _("Anda tidak berwenang mengatur penugasan SLS ini"))
        if ppl is not None and ppl.role == Role.PPL and ppl.is_active and ppl.supervisor_id is not None:
            wanted.append((sls, ppl))
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            sls_ids = [s.pk for s, _p in wanted]
            list(SLS.objects.select_for_update().filter(pk__in=sls_ids).values_list("pk", flat=True))
            active = {a.sls_id: a for a in Assignment.objects.filter(sls_id__in=sls_ids, ended_at__isnull=True)}
            now = timezone.now()
            ending: list[Assignment] = []
            new: list[Assignment] = []
            for sls, ppl in wanted:
                current = active.get(sls.pk)
                if current is not None and current.ppl_id == ppl.pk:
                    report.unchanged += 1
                    continue
                if current is not None:
                    current.ended_at, current.ended_by, current.end_reason = (
                        now,
                        by,
                        _("dialihkan ke PPL lain"),
                    )
                    ending.append(current)
                    report.updated += 1
                else:
                    report.created += 1
                new.append(Assignment(sls=sls, ppl=ppl, started_at=now, assigned_by=by))
            Assignment.objects.bulk_update(ending, ["ended_at", "ended_by", "end_reason"], batch_size=1000)
            Assignment.objects.bulk_create(new, batch_size=1000)
    except IntegrityError:
        report.created = report.updated = report.unchanged = 0
        report.add(0, "", _("Penugasan berubah bersamaan oleh pengguna lain; ulangi impor."))
        return report
    logger.info("import.assignment", extra=_summary(report))
    return report


def _summary(report: ImportReport) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "rows": report.rows,
        "rows_created": report.created,
        "rows_updated": report.updated,
        "rows_unchanged": report.unchanged,
    }


Importer = Callable[[bytes, "User | None"], ImportReport]
IMPORTERS: dict[str, tuple[str, Importer]] = {
    "sls": ("SLS", lambda data, by: sls_import(data=data)),
    "staff": ("petugas", lambda data, by: staff_import(data=data)),
    "assignment": ("penugasan", lambda data, by: assignment_import(data=data, by=by)),
}


def register_importer(kind: str, label: str, importer: Importer) -> None:
    """Other apps add their CSV imports (e.g. the VK1 prelist) to the admin page and the command."""
    IMPORTERS[kind] = (label, importer)


def run_import(kind: str, *, data: bytes, by: User | None) -> ImportReport:
    if kind not in IMPORTERS:
        raise ValueError(f"unknown import kind {kind!r}")
    return IMPORTERS[kind][1](data, by)


def report_json(report: ImportReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
