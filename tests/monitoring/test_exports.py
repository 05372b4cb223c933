"""Analysts' exports: scope per role, content (headers from the definition, labels, codebook,
masking), the audit rows, expiry, and the pages (403 for PPL and Pemkot, 404 for another's job)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl  # type: ignore[import-untyped]  # no stubs installed
import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from households import identifiers
from households.models import Family
from monitoring import export_sql, exports
from monitoring.models import ExportJob, ExportState
from regsosek.errors import NotAllowedError, TooManyRequestsError
from tests.helpers import KEC_A, KEL_A1
from tests.monitoring.conftest import KK_A, NIK_A

pytestmark = pytest.mark.django_db


def run(user, kind="families", fmt="csv", labels=False, filters=None, capture=None) -> ExportJob:
    job = exports.export_job_create(
        user=user, kind=kind, fmt=fmt, labels=labels, filters=filters or exports.ExportFilters()
    )
    done = exports.export_run(job_id=job.pk)
    assert done is not None
    return done


def csv_rows(job: ExportJob) -> list[dict[str, str]]:
    path = exports.export_path(job)
    assert path is not None
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("supervisor", {"own1", "own2", "team"}),
        ("koseka", {"own1", "own2", "team"}),
        ("bps_admin", {"own1", "own2", "team", "other"}),
        ("other_supervisor", {"other"}),
    ],
)
def test_each_role_exports_exactly_its_scope(request, families, persona, expected):
    job = run(request.getfixturevalue(persona))
    ids = {int(row["id_keluarga"]) for row in csv_rows(job)}
    assert ids == {families[name].pk for name in expected}
    assert job.row_count == len(expected) and job.state == ExportState.DONE


@pytest.mark.parametrize("persona", ["supervisor", "bps_admin"])
def test_each_chunk_reads_the_scope_without_sorting_it(request, families, persona):
    """Family's default ordering in the scope subquery made every chunk's COPY sort the whole scope
    again (3.4 x the raw COPY at 500,000 families; docs/performance.md, "Exports")."""
    user = request.getfixturevalue(persona)
    scope = exports.export_family_qs(user=user, filters=exports.ExportFilters())
    job = ExportJob(kind="families", format="csv", labels=False)
    chunked = exports._ChunkedCopy(job, scope, export_sql.family_columns(export_sql.current_definition(), labels=False))
    assert "ORDER BY" not in chunked.scope_sql.upper()
    # A BPS admin's scope is every family: no SLS subquery at all.
    assert ("enumeration_sls" in chunked.scope_sql) is (persona == "supervisor")


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_may_not_export(request, families, persona):
    with pytest.raises(NotAllowedError):
        exports.export_job_create(
            user=request.getfixturevalue(persona), kind="families", fmt="csv", labels=False,
            filters=exports.ExportFilters(),
        )  # fmt: skip
    assert not ExportJob.objects.exists()


def test_an_area_outside_the_scope_is_refused(supervisor, families, field):
    with pytest.raises(NotAllowedError):
        exports.export_job_create(
            user=supervisor, kind="families", fmt="csv", labels=False,
            filters=exports.ExportFilters(sls_id=field["other"].pk),
        )  # fmt: skip


def test_filters_by_area_and_status(bps_admin, families, field):
    by_sls = run(bps_admin, filters=exports.ExportFilters(sls_id=field["own2"].pk))
    assert [int(r["id_keluarga"]) for r in csv_rows(by_sls)] == [families["own2"].pk]
    by_kel = run(bps_admin, filters=exports.ExportFilters(kelurahan_code=KEL_A1))
    assert {int(r["id_keluarga"]) for r in csv_rows(by_kel)} == {families["own1"].pk, families["team"].pk}
    by_kec = run(bps_admin, filters=exports.ExportFilters(kecamatan_code=KEC_A, status="approved"))
    assert csv_rows(by_kec) == [] and by_kec.row_count == 0


def test_csv_headers_are_the_definitions_variables_and_identifiers_are_masked(supervisor, families):
    job = run(supervisor)
    definition = export_sql.current_definition()
    path = exports.export_path(job)
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    variables = [v["id"] for v in definition.family_variables()]
    assert header[: len(export_sql.FAMILY_META)] == [m[0] for m in export_sql.FAMILY_META]
    assert header[len(export_sql.FAMILY_META) :] == variables
    row = next(r for r in csv_rows(job) if int(r["id_keluarga"]) == families["own1"].pk)
    fam = families["own1"]
    assert row["r114"] == identifiers.mask(fam.kk_hash) and row["r114"].startswith("•")
    assert KK_A not in path.read_text(encoding="utf-8-sig")
    assert row["r108"] == "ANI <script>alert(1)</script>"
    assert row["r111"] == str(fam.welfare_estimate) and row["kode_sls"] == fam.sls.full_code


def test_members_csv_masks_nik_and_keeps_one_row_per_member(supervisor, families):
    job = run(supervisor, kind="members")
    rows = csv_rows(job)
    members = sum(families[n].members.count() for n in ("own1", "own2", "team"))
    assert len(rows) == members == job.row_count
    first = next(r for r in rows if int(r["id_keluarga"]) == families["own1"].pk and r["no_urut"] == "1")
    member = families["own1"].members.get(line_no=1)
    assert first["r403"] == identifiers.mask(member.nik_hash)
    assert NIK_A not in exports.export_path(job).read_text(encoding="utf-8-sig")
    assert first["r411"] == "1,4"  # a multicode answer, codes joined


def test_labels_replace_codes_with_the_definitions_labels(supervisor, families):
    definition = export_sql.current_definition()
    sex = definition.variable("r405")
    job = run(supervisor, kind="members", labels=True)
    first = next(r for r in csv_rows(job) if int(r["id_keluarga"]) == families["own1"].pk and r["no_urut"] == "1")
    member = families["own1"].members.get(line_no=1)
    label = next(c["label_id"] for c in sex["codes"] if c["code"] == member.sex)
    assert first["r405"] == label


def test_xlsx_has_the_data_and_a_codebook_sheet(supervisor, families):
    job = run(supervisor, fmt="xlsx")
    book = openpyxl.load_workbook(exports.export_path(job), read_only=True)
    assert book.sheetnames == ["data", "kodebook"]
    data = list(book["data"].iter_rows(values_only=True))
    assert data[0][0] == "id_keluarga" and len(data) - 1 == job.row_count == 3
    header = list(data[0])
    own = next(r for r in data[1:] if r[0] == families["own1"].pk)
    assert own[header.index("r111")] == families["own1"].welfare_estimate  # a number, not text
    assert own[header.index("r114")] == identifiers.mask(families["own1"].kk_hash)
    codebook = list(book["kodebook"].iter_rows(values_only=True))
    r303 = export_sql.current_definition().variable("r303")
    assert ("r303", "303", r303["label_id"]) == codebook[[r[0] for r in codebook].index("r303")][:3]
    assert any(r[0] == "r303" and r[5] == str(r303["codes"][0]["code"]) and r[6] == r303["codes"][0]["label_id"]
               for r in codebook)  # fmt: skip


def test_the_mask_in_sql_is_the_mask_in_python(bps_admin, families):
    from django.db import connection

    with connection.cursor() as cursor:
        mask = export_sql.mask_sql("kk_hash", "kk_ciphertext")
        cursor.execute(f"SELECT kk_hash, {mask} FROM households_family")  # noqa: S608 - our own SQL
        pairs = cursor.fetchall()
    assert pairs and all(mask == (identifiers.mask(h) or None) for h, mask in pairs)


def test_geojson_holds_the_geotags_of_the_families_in_scope(supervisor, families):
    job = run(supervisor, kind="geotags", fmt="geojson")
    collection = json.loads(exports.export_path(job).read_text(encoding="utf-8"))
    in_scope = Family.objects.filter(pk__in=[families[n].pk for n in ("own1", "own2", "team")])
    geotags = set(in_scope.exclude(geotag=None).values_list("geotag_id", flat=True))
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["id_geotag"] for f in collection["features"]} == geotags
    assert job.row_count == len(geotags) == 2
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "Point"


def test_an_export_and_each_download_are_audited(client, supervisor, families):
    job = run(supervisor)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == supervisor.pk and entry.object_type == "families_csv"
    assert f"rows=3 job={job.pk}" in entry.detail and "identifiers=masked" in entry.detail
    client.force_login(supervisor)
    response = client.get(f"/pemantauan/ekspor/{job.pk}/unduh/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfid_keluarga,")
    download = AuditEntry.objects.get(action=AuditAction.DOWNLOAD)
    assert (download.actor_id, download.object_type, download.object_id) == (supervisor.pk, "export", str(job.pk))


def test_another_persons_job_is_not_found(client, supervisor, koseka, families):
    job = run(supervisor)
    client.force_login(koseka)
    assert client.get(f"/pemantauan/ekspor/{job.pk}/unduh/").status_code == 404
    assert client.get(f"/pemantauan/ekspor/{job.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.DOWNLOAD).exists()


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_are_refused_on_every_export_url(client, request, supervisor, families, persona):
    job = run(supervisor)
    client.force_login(request.getfixturevalue(persona))
    for url in ["/pemantauan/ekspor/", f"/pemantauan/ekspor/{job.pk}/", f"/pemantauan/ekspor/{job.pk}/unduh/",
                "/pemantauan/ekspor/kodebook/families.csv"]:  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post("/pemantauan/ekspor/", {"what": "families.csv"}).status_code == 403


def test_the_page_queues_a_job_and_enqueues_it_on_commit(
    client, supervisor, families, django_capture_on_commit_callbacks
):
    from unittest import mock

    client.force_login(supervisor)
    with mock.patch("monitoring.tasks.run_export.delay") as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/pemantauan/ekspor/", {"what": "members.xlsx", "labels": "on"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert (job.kind, job.format, job.labels, job.requested_by_id) == ("members", "xlsx", True, supervisor.pk)
    delay.assert_called_once_with(job.pk)  # the id only
    page = client.get("/pemantauan/ekspor/")
    assert page.status_code == 200 and 'hx-trigger="every 2s"' in page.content.decode()


def test_a_job_runs_once(supervisor, families):
    job = exports.export_job_create(
        user=supervisor, kind="families", fmt="csv", labels=False, filters=exports.ExportFilters()
    )
    assert exports.export_run(job_id=job.pk) is not None
    assert exports.export_run(job_id=job.pk) is None
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_open_jobs_are_limited(supervisor, families):
    def ask() -> ExportJob:
        return exports.export_job_create(
            user=supervisor, kind="families", fmt="csv", labels=False, filters=exports.ExportFilters()
        )

    for _ in range(exports.MAX_OPEN_JOBS):
        ask()
    with pytest.raises(TooManyRequestsError):
        ask()


def test_expired_files_are_deleted_and_no_longer_served(client, supervisor, families):
    job = run(supervisor)
    path = exports.export_path(job)
    assert path is not None and path.is_file()
    later = timezone.now() + dt.timedelta(hours=25)
    assert exports.export_purge_expired(now=later) == 1
    job.refresh_from_db()
    assert job.state == ExportState.EXPIRED and not path.exists()
    client.force_login(supervisor)
    assert client.get(f"/pemantauan/ekspor/{job.pk}/unduh/").status_code == 404


def test_the_codebook_csv_lists_every_variable_with_its_codes(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/pemantauan/ekspor/kodebook/members.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    definition = export_sql.current_definition()
    listed = {r[0] for r in rows[1:] if r[4]}
    assert {v["id"] for v in definition.member_variables()} <= listed
    assert rows[[r[0] for r in rows].index("r405") + 1][:6] == ["r405", "405", "", "", "", "1"]


def test_a_scope_with_many_sls_asks_for_an_sls_number(client, bps_admin, families, field, monkeypatch):
    monkeypatch.setattr(exports, "MAX_SLS_OPTIONS", 2)
    client.force_login(bps_admin)
    page = client.get("/pemantauan/ekspor/").content.decode()
    assert 'type="number" name="sls"' in page
    with mock_enqueue():
        client.post("/pemantauan/ekspor/", {"what": "families.csv", "sls": str(field["own2"].pk)})
    assert ExportJob.objects.get().sls_id == field["own2"].pk


def mock_enqueue():
    from unittest import mock

    return mock.patch("monitoring.tasks.run_export.delay")
