"""Analysts' exports: families and members as CSV or XLSX, dwellings' geotags as GeoJSON.

A supervisor asks for a file (`export_job_create`); a Celery task on the `exports` queue writes it
(`export_run`, by job id only) in chunks of families, recording progress on the job row; the file
is kept under MEDIA_ROOT/exports/ until `expires_at` (EXPORT_TTL_HOURS) and is served only by the
scoped download view. Every finished export is audited (who, what, how many rows, filters), and so
is every download.

NIK and No. KK are always masked: no role that may export has the right to see them in bulk
(docs/privacy.md: a reveal is one number with a reason, not an export).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Area, audit_download, audit_export
from enumeration import scoping
from enumeration.models import Role, User
from households import selectors as household_selectors
from households.models import Family, FamilyStatus
from monitoring import export_sql
from monitoring.models import ExportFormat, ExportJob, ExportKind, ExportState
from regsosek.errors import NotAllowedError, TooManyRequestsError

logger = logging.getLogger(__name__)

EXPORT_ROLES = {Role.PML, Role.KOSEKA, Role.BPS_ADMIN}
CHUNK_FAMILIES = 20_000
MAX_SLS_OPTIONS = 300  # more SLS than this in scope: the form asks for an SLS number instead of a list
MAX_OPEN_JOBS = 3  # queued or running, per user
FORMATS = {
    ExportKind.FAMILIES: {ExportFormat.CSV, ExportFormat.XLSX},
    ExportKind.MEMBERS: {ExportFormat.CSV, ExportFormat.XLSX},
    ExportKind.GEOTAGS: {ExportFormat.GEOJSON},
}
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.GEOJSON: "application/geo+json",
}


def can_export(user: Any) -> bool:
    return bool(isinstance(user, User) and user.is_active and user.role in EXPORT_ROLES)


@dataclass(frozen=True)
class ExportFilters:
    kecamatan_code: str = ""
    kelurahan_code: str = ""
    sls_id: int | None = None
    status: str = ""

    @classmethod
    def of_job(cls, job: ExportJob) -> ExportFilters:
        return cls(job.kecamatan_code, job.kelurahan_code, job.sls_id, job.status)

    def describe(self) -> str:
        parts = [
            f"kecamatan={self.kecamatan_code}" if self.kecamatan_code else "",
            f"kelurahan={self.kelurahan_code}" if self.kelurahan_code else "",
            f"sls={self.sls_id}" if self.sls_id is not None else "",
            f"status={self.status}" if self.status else "",
        ]
        return " ".join(p for p in parts if p)

    def area(self) -> Area:
        return Area(kecamatan=self.kecamatan_code, kelurahan=self.kelurahan_code, sls_id=self.sls_id)


def export_family_qs(*, user: User, filters: ExportFilters) -> QuerySet[Family]:
    """The families an export of `user` covers: their scope (enumeration.scoping), narrowed by the
    filters. Empty for anyone who may not export."""
    if not can_export(user):
        return Family.objects.none()
    qs = household_selectors.family_qs_for_user(user=user)
    if filters.kecamatan_code:
        qs = qs.filter(sls__kelurahan__kecamatan_id=filters.kecamatan_code)
    if filters.kelurahan_code:
        qs = qs.filter(sls__kelurahan_id=filters.kelurahan_code)
    if filters.sls_id is not None:
        qs = qs.filter(sls_id=filters.sls_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


def export_job_list_for_user(*, user: User) -> QuerySet[ExportJob]:
    """The user's own export jobs, newest first (nobody sees another person's files)."""
    if not can_export(user):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(requested_by=user).order_by("-created_at", "-id")


def export_job_get_for_user(*, user: User, job_id: int) -> ExportJob | None:
    return export_job_list_for_user(user=user).filter(pk=job_id).first()


def export_area_choices(*, user: User) -> dict[str, Any]:
    """What the filter form offers: the kecamatan, kelurahan and SLS in the user's scope (at most
    MAX_SLS_OPTIONS + 1 SLS: one more tells the form there are too many to list)."""
    sls = scoping.visible_sls(user).select_related("kelurahan").order_by("kelurahan_id", "code", "sub_code")
    return {
        "kecamatan": list(scoping.visible_kecamatan(user).order_by("bps_code").values_list("bps_code", "name")),
        "kelurahan": list(scoping.visible_kelurahan(user).order_by("bps_code").values_list("bps_code", "name")),
        "sls": list(sls[: MAX_SLS_OPTIONS + 1]),
    }


def _check_filters(user: User, filters: ExportFilters) -> None:
    if filters.status and filters.status not in FamilyStatus.values:
        raise NotAllowedError(_("Status keluarga tidak dikenal."))
    outside = (
        (filters.kecamatan_code and not scoping.visible_kecamatan(user).filter(pk=filters.kecamatan_code).exists())
        or (filters.kelurahan_code and not scoping.visible_kelurahan(user).filter(pk=filters.kelurahan_code).exists())
        or (filters.sls_id is not None and not scoping.visible_sls(user).filter(pk=filters.sls_id).exists())
    )
    if outside:
        raise NotAllowedError(_("Wilayah itu di luar wilayah tugas Anda."))


@transaction.atomic
def export_job_create(*, user: User, kind: str, fmt: str, labels: bool, filters: ExportFilters) -> ExportJob:
    """Queue an export for `user`. The task is enqueued when the transaction commits, with the
    job's id only. Raises NotAllowedError (a role that may not export, a format the kind has not,
    an area outside the user's scope) or TooManyRequestsError (MAX_OPEN_JOBS unfinished jobs)."""
    if not can_export(user):
        raise NotAllowedError(_("Anda tidak berhak mengekspor data."))
    if kind not in FORMATS or fmt not in FORMATS[ExportKind(kind)]:
        raise NotAllowedError(_("Format ini tidak tersedia untuk data tersebut."))
    _check_filters(user, filters)
    open_jobs = ExportJob.objects.filter(requested_by=user, state__in=[ExportState.QUEUED, ExportState.RUNNING]).count()
    if open_jobs >= MAX_OPEN_JOBS:
        raise TooManyRequestsError(_("Tunggu sampai ekspor yang sedang berjalan selesai."))
    export_purge_expired()
    job = ExportJob(
        requested_by=user,
        kind=kind,
        format=fmt,
        labels=labels and kind != ExportKind.GEOTAGS,
        kecamatan_code=filters.kecamatan_code,
        kelurahan_code=filters.kelurahan_code,
        sls_id=filters.sls_id,
        status=filters.status,
        expires_at=timezone.now() + dt.timedelta(hours=settings.EXPORT_TTL_HOURS),
    )
    job.full_clean()
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: _enqueue(job_id))
    logger.info("export.queued", extra={"job": job_id, "user_id": user.pk, "kind": kind, "format": fmt})
    return job


def _enqueue(job_id: int) -> None:
    from monitoring.tasks import run_export

    run_export.delay(job_id)  # type: ignore[attr-defined]  # a Celery task


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def export_path(job: ExportJob) -> Path | None:
    """The job's file, or None if it has none (not done, expired, or a name that is not ours)."""
    if not job.file_name or "/" in job.file_name or job.file_name.startswith("."):
        return None
    path = export_dir() / job.file_name
    return path if path.is_file() else None


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the file of a queued job. Idempotent by claim: a conditional UPDATE moves the job from
    queued to running, and a job another worker claimed (or a finished one) is left alone (None).
    The requester's scope is read again now: a user deactivated meanwhile gets an empty file.
    A failure marks the job failed with a generic reason (the log has the error class) and
    removes any partial file."""
    claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    filters = ExportFilters.of_job(job)
    export_dir().mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{secrets.token_hex(8)}.{job.format}"
    partial = export_dir() / f".{name}.part"
    try:
        scope = export_family_qs(user=job.requested_by, filters=filters)
        if job.kind == ExportKind.GEOTAGS:
            rows = _write_geojson(job, scope, partial)
        else:
            rows = _write_table(job, scope, partial)
        os.replace(partial, export_dir() / name)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        logger.exception("export.failed", extra={"job": job.pk, "error": type(exc).__name__})
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, finished_at=timezone.now(), error=_("Ekspor gagal; coba lagi atau hubungi admin.")
        )
        raise
    with transaction.atomic():
        job.state, job.finished_at, job.row_count = ExportState.DONE, timezone.now(), rows
        job.file_name, job.file_size = name, (export_dir() / name).stat().st_size
        job.save(update_fields=["state", "finished_at", "row_count", "file_name", "file_size"])
        audit_export(
            actor=job.requested_by,
            export=f"{job.kind}_{job.format}",
            rows=rows,
            area=filters.area(),
            filters=" ".join(p for p in [f"job={job.pk}", filters.describe(), "identifiers=masked"] if p),
        )
    logger.info("export.done", extra={"job": job.pk, "rows": rows, "bytes": job.file_size})
    return job


def _progress(job: ExportJob, done: int, total: int | None = None) -> None:
    fields: dict[str, Any] = {"rows_done": done}
    if total is not None:
        fields["rows_total"] = total
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def _chunks(scope_sql: str, scope_params: tuple[Any, ...]) -> tuple[int, list[tuple[int, int]]]:
    """The number of families in scope and (low, high] id ranges of CHUNK_FAMILIES families each."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), min(id), max(id) FROM households_family WHERE id IN ({scope_sql})",  # noqa: S608
            scope_params,
        )
        total, low, high = cursor.fetchone()
        if not total:
            return 0, []
        cursor.execute(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM households_family "  # noqa: S608
            f"WHERE id IN ({scope_sql})) t WHERE n %% %s = 0 ORDER BY id",
            (*scope_params, CHUNK_FAMILIES),
        )
        bounds = [row[0] for row in cursor.fetchall()]
    edges = [low - 1, *[b for b in bounds if b < high], high]
    return total, list(itertools.pairwise(edges))


def _columns(job: ExportJob) -> list[export_sql.Column]:
    definition = export_sql.current_definition()
    if job.kind == ExportKind.MEMBERS:
        return export_sql.member_columns(definition, labels=job.labels)
    return export_sql.family_columns(definition, labels=job.labels)


class _ChunkedCopy:
    """COPY of the selected rows, chunk by chunk, with progress recorded on the job in between.
    `rows` counts what was copied so far."""

    def __init__(self, job: ExportJob, scope: QuerySet[Family], columns: list[export_sql.Column]) -> None:
        self.job, self.rows = job, 0
        # Without the default ordering: every chunk would sort the whole scope again (0.6 s a chunk
        # at 500,000 families).
        self.scope_sql, self.scope_params = household_selectors.family_ids_sql(scope)
        self.select = export_sql.select_sql(job.kind, columns, scope_sql=self.scope_sql)

    def copies(self, copy_format: str) -> Iterator[Any]:
        """Yield one psycopg Copy per chunk (`csv` for bytes to write as they come, `text` for
        rows()). Each range but the last holds exactly CHUNK_FAMILIES families."""
        total, ranges = _chunks(self.scope_sql, self.scope_params)
        _progress(self.job, 0, total)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for index, (low, high) in enumerate(ranges, start=1):
                statement = f"COPY ({self.select}) TO STDOUT WITH (FORMAT {copy_format})"
                with raw.copy(statement, (*self.scope_params, low, high)) as copy:
                    yield copy
                self.rows += max(raw.rowcount, 0)
                _progress(self.job, min(total, index * CHUNK_FAMILIES))


def _write_table(job: ExportJob, scope: QuerySet[Family], path: Path) -> int:
    columns = _columns(job)
    chunked = _ChunkedCopy(job, scope, columns)
    if job.format == ExportFormat.XLSX:
        _write_xlsx(chunked, columns, path)
        return chunked.rows
    with path.open("wb") as out:
        # The BOM tells spreadsheet programs the file is UTF-8.
        out.write(b"\xef\xbb\xbf")
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow([c.header for c in columns])
        out.write(header.getvalue().encode())
        for copy in chunked.copies("csv"):
            for data in copy:
                out.write(data)
    return chunked.rows


NUMERIC_TYPES = {"integer", "number", "code"}


def _cell(value: str | None, numeric: bool) -> Any:
    """A number where the column holds numbers and the text is one, so a spreadsheet sums it."""
    if value is None or not numeric:
        return value
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


def _write_xlsx(chunked: _ChunkedCopy, columns: list[export_sql.Column], path: Path) -> None:
    """Sheet "data" (a header of variable ids, one row per family or member) and sheet "kodebook"
    (export_sql.codebook_rows). xlsxwriter's constant_memory mode writes each row out as the next
    begins, so memory does not grow with the number of rows (docs/performance.md)."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(path.parent),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        bold = workbook.add_format({"bold": True})
        sheet = workbook.add_worksheet("data")
        sheet.write_row(0, 0, [c.header for c in columns], bold)
        sheet.freeze_panes(1, 0)
        numeric = [c.type in NUMERIC_TYPES or c.header in {"id_keluarga", "revisi", "no_urut"} for c in columns]
        labelled = chunked.job.labels
        row = 1
        for copy in chunked.copies("text"):
            for record in copy.rows():
                cells = zip(record, numeric, columns, strict=True)
                sheet.write_row(row, 0, [_cell(v, n and not (labelled and c.codes)) for v, n, c in cells])
                row += 1
        book = workbook.add_worksheet("kodebook")
        definition = export_sql.current_definition()
        for index, values in enumerate(export_sql.codebook_rows(definition, columns)):
            book.write_row(index, 0, values, bold if index == 0 else None)
    finally:
        workbook.close()


def _write_geojson(job: ExportJob, scope: QuerySet[Family], path: Path) -> int:
    """A FeatureCollection of the dwellings (geotags) of the families in scope, for QGIS: a point
    (WGS 84) per geotag, with its SLS, building number, accuracy, time, source, checks and the ids
    of its families. Rows come through a server-side cursor, written one feature a line."""
    scope_sql, scope_params = household_selectors.family_ids_sql(scope)
    features = f"""
        SELECT json_build_object(
            'type', 'Feature',
            'geometry', ST_AsGeoJSON(g.location::geometry, 7)::json,
            'properties', json_build_object(
                'id_geotag', g.id,
                'kode_sls', s.kelurahan_id || s.code || s.sub_code,
                'no_bangunan', g.building_no,
                'akurasi_m', g.accuracy_m,
                'waktu', g.captured_at,
                'sumber', g.provider,
                'ppl', u.username,
                'tanda', (SELECT coalesce(string_agg(fl.kind, ',' ORDER BY fl.kind), '')
                          FROM geotag_geotagflag fl WHERE fl.geotag_id = g.id),
                'id_keluarga', fam.ids))::text
        FROM geotag_geotag g
        JOIN enumeration_sls s ON s.id = g.sls_id
        JOIN enumeration_user u ON u.id = g.collected_by_id
        JOIN (SELECT geotag_id, array_agg(id ORDER BY id) AS ids FROM households_family
              WHERE geotag_id IS NOT NULL AND id IN ({scope_sql}) GROUP BY geotag_id) fam ON fam.geotag_id = g.id
        ORDER BY g.id
    """  # noqa: S608 - no user text in the statement
    rows = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor, path.open("w", encoding="utf-8") as out:
        cursor.execute(features, scope_params)
        out.write('{"type": "FeatureCollection", "features": [\n')
        while batch := cursor.fetchmany(2000):
            for (feature,) in batch:
                out.write((",\n" if rows else "") + feature)
                rows += 1
            _progress(job, rows)
        out.write("\n]}\n")
    ExportJob.objects.filter(pk=job.pk).update(rows_total=rows)
    return rows


def export_download(*, user: User, job: ExportJob) -> Path:
    """The file of a finished job of `user`, recording the download. Raises NotAllowedError when
    there is no file (not finished, failed or expired)."""
    path = export_path(job) if job.state == ExportState.DONE and job.expires_at > timezone.now() else None
    if path is None:
        raise NotAllowedError(_("Berkas ekspor ini tidak tersedia (belum selesai atau sudah kedaluwarsa)."))
    audit_download(actor=user, object_type="export", object_id=job.pk, area=ExportFilters.of_job(job).area())
    return path


def export_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of jobs past `expires_at` and mark them expired (a job still queued or
    running then is expired too: its worker's claim or write finds it so). Runs when an export is
    asked for or the exports page opens, and by `manage.py purge_exports`. Returns the jobs expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(state=ExportState.EXPIRED):
        path = export_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
        expired += (
            ExportJob.objects.filter(pk=job.pk)
            .exclude(state=ExportState.EXPIRED)
            .update(state=ExportState.EXPIRED, file_name="")
        )
    if expired:
        logger.info("export.expired", extra={"jobs": expired})
    return expired
