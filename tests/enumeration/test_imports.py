"""CSV imports: each kind of bad row is reported (row, column, reason) and nothing is imported."""

from __future__ import annotations

import pytest

from enumeration.imports import assignment_import, sls_import, staff_import
from enumeration.models import SLS, Assignment, Role, User
from tests.helpers import KEC_A, KEL_A1, make_sls

pytestmark = pytest.mark.django_db


def csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def errors(report) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(e.row, e.column) for e in report.errors]


# --- file-level problems, the same for every kind ------------------------------------------------


@pytest.mark.parametrize("importer", [sls_import, staff_import, lambda data: assignment_import(data=data, by=None)])
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", (0, "")),
        (b"\xff\xfe\x00a\x00b", (0, "")),
        (b"kolom_aneh\nx\n", (1, "kolom_aneh")),
    ],
    ids=["empty", "not-utf8", "unknown-column"],
)
def test_file_level_problems_are_reported(importer, data, expected):
    report = importer(data=data) if importer in (sls_import, staff_import) else importer(data)
    assert not report.ok and expected in errors(report)
    assert all(e.reason for e in report.errors)


# --- SLS ----------------------------------------------------------------------------------------

SLS_HEADER = "kode_kelurahan,kode_sls,kode_sub_sls,nama_sls,batas_wkt"
INSIDE_KERANGGAN = "POLYGON((106.652 -6.345, 106.6535 -6.345, 106.6535 -6.3435, 106.652 -6.3435, 106.652 -6.345))"
IN_PONDOK_AREN = "POLYGON((106.72 -6.27, 106.721 -6.27, 106.721 -6.269, 106.72 -6.269, 106.72 -6.27))"


def test_a_good_sls_file_imports_and_reimports_unchanged():
    data = csv(SLS_HEADER, f'{KEL_A1},0001,,RT 001 RW 001,"{INSIDE_KERANGGAN}"', f"{KEL_A1},0002,01,RT 002 RW 001,")
    first = sls_import(data=data)
    assert first.ok and (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert SLS.objects.get(kelurahan_id=KEL_A1, code="0001").sub_code == "00"
    assert SLS.objects.get(kelurahan_id=KEL_A1, code="0001").boundary is not None
    again = sls_import(data=data)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    renamed = sls_import(data=csv(SLS_HEADER, f"{KEL_A1},0002,01,RT 002 RW 009,"))
    assert (renamed.created, renamed.updated) == (0, 1)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("9999999999,0001,,RT 1,", "kode_kelurahan"),
        (f"{KEL_A1},001,,RT 1,", "kode_sls"),
        (f"{KEL_A1},00-1,,RT 1,", "kode_sls"),
        (f"{KEL_A1},0001,ABC,RT 1,", "kode_sub_sls"),
        (f"{KEL_A1},0001,,,", "nama_sls"),
        (f"{KEL_A1},0001,,{'x' * 151},", "nama_sls"),
        (f'{KEL_A1},0001,,RT 1,"POLYGON((1 2, 3 4"', "batas_wkt"),
        (f'{KEL_A1},0001,,RT 1,"POINT(106.65 -6.34)"', "batas_wkt"),
        (f'{KEL_A1},0001,,RT 1,"{IN_PONDOK_AREN}"', "batas_wkt"),
        (f'{KEL_A1},0001,,RT 1,"POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))"', "batas_wkt"),
        (f"{KEL_A1},0001,,RT 1,,extra", ""),
    ],
    ids=[
        "unknown-kelurahan",
        "short-code",
        "bad-char",
        "bad-sub",
        "no-name",
        "long-name",
        "broken-wkt",
        "not-polygon",
        "outside-kelurahan",
        "self-intersecting",
        "extra-field",
    ],
)
def test_each_bad_sls_row_is_reported_and_nothing_imports(row, column):
    report = sls_import(data=csv(SLS_HEADER, f"{KEL_A1},0009,,RT baik,", row))
    assert not report.ok
    assert (3, column) in errors(report), report.errors
    assert not SLS.objects.exists()


def test_a_duplicate_sls_row_is_reported():
    report = sls_import(data=csv(SLS_HEADER, f"{KEL_A1},0001,,RT 1,", f"{KEL_A1},0001,00,RT 1 lagi,"))
    assert errors(report) == [(3, "kode_sls")] and "baris 2" in report.errors[0].reason


def test_semicolon_separated_files_with_bom_are_read():
    report = sls_import(data="\ufeffkode_kelurahan;kode_sls;nama_sls\n3674010001;0001;RT 1\n".encode())
    assert report.ok and report.created == 1


# --- staff --------------------------------------------------------------------------------------

STAFF_HEADER = "username,nama,peran,username_atasan,kode_kecamatan,aktif"


def team_csv(*extra: str) -> bytes:
    return csv(
        STAFF_HEADER,
        f"kos.a,Koseka A,koseka,,{KEC_A},1",
        f"pml.a,PML A,pml,kos.a,{KEC_A},1",
        f"ppl.a,PPL A,ppl,pml.a,{KEC_A},1",
        *extra,
    )


def test_a_good_staff_file_imports_in_order_independent_way_and_reimports_unchanged():
    data = csv(
        STAFF_HEADER,
        f"ppl.a,PPL A,ppl,pml.a,{KEC_A},",  # the PML comes later in the file
        f"pml.a,PML A,pml,kos.a,{KEC_A},1",
        f"kos.a,Koseka A,koseka,,{KEC_A},ya",
        "admin.kota,Admin Kota,bps_admin,,,1",
    )
    first = staff_import(data=data)
    assert first.ok and first.created == 4, first.errors
    ppl = User.objects.get(username="ppl.a")
    assert ppl.role == Role.PPL and ppl.supervisor.username == "pml.a" and ppl.supervisor.supervisor.username == "kos.a"
    assert not ppl.has_usable_password()
    assert User.objects.get(username="admin.kota").is_staff
    again = staff_import(data=data)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("Bad Name!,X,ppl,pml.a,,", "username"),
        ("ppl.b,,ppl,pml.a,,", "nama"),
        ("ppl.b,B,juru,pml.a,,", "peran"),
        ("ppl.b,B,ppl,,,", "username_atasan"),
        ("ppl.b,B,ppl,kos.a,,", "username_atasan"),
        ("ppl.b,B,ppl,tidak.ada,,", "username_atasan"),
        ("pml.b,B,pml,pml.b,,", "username_atasan"),
        ("kos.b,B,koseka,,,", "kode_kecamatan"),
        ("kos.b,B,koseka,,3674999,", "kode_kecamatan"),
        ("adm.b,B,bps_admin,kos.a,,", "username_atasan"),
        ("ppl.b,B,ppl,pml.a,,mungkin", "aktif"),
        ("ppl.a,Lagi,ppl,pml.a,,", "username"),
    ],
    ids=[
        "bad-username",
        "no-name",
        "unknown-role",
        "ppl-without-pml",
        "ppl-under-koseka",
        "unknown-supervisor",
        "self-supervisor",
        "koseka-without-kecamatan",
        "unknown-kecamatan",
        "admin-with-supervisor",
        "bad-active",
        "duplicate",
    ],
)
def test_each_bad_staff_row_is_reported_and_nothing_imports(row, column):
    report = staff_import(data=team_csv(row))
    assert not report.ok
    assert (5, column) in errors(report), report.errors
    assert not User.objects.filter(username__in=["kos.a", "pml.a", "ppl.a", "ppl.b", "pml.b"]).exists()


def test_a_ppl_with_active_assignments_cannot_be_demoted_or_deactivated(field, petugas, supervisor):
    for row in (
        f"{petugas.username},X,pml,koseka.setu,{KEC_A},1",
        f"{petugas.username},X,ppl,{supervisor.username},,0",
    ):
        report = staff_import(data=csv(STAFF_HEADER, row))
        assert errors(report) == [(2, "peran")]
    petugas.refresh_from_db()
    assert petugas.role == Role.PPL and petugas.is_active


def test_staff_import_of_the_full_city():
    """2,491 officers (40 Koseka, 490 PML, 1,961 PPL) import in one transaction. Its speed is
    measured by `make bench-foundation` (docs/performance.md), not asserted here."""
    kec = ["3674010", "3674020", "3674030", "3674040", "3674050", "3674060", "3674070"]
    lines = [STAFF_HEADER]
    lines += [f"kos{i:03d},Koseka {i},koseka,,{kec[i % 7]},1" for i in range(40)]
    lines += [f"pml{i:04d},PML {i},pml,kos{i % 40:03d},,1" for i in range(490)]
    lines += [f"ppl{i:05d},PPL {i},ppl,pml{i % 490:04d},,1" for i in range(1961)]
    report = staff_import(data=csv(*lines))
    assert report.ok and report.created == 2491, report.errors[:3]
    assert User.objects.filter(role=Role.PPL, supervisor__role=Role.PML).count() == 1961


# --- assignments --------------------------------------------------------------------------------

ASSIGN_HEADER = "kode_kelurahan,kode_sls,kode_sub_sls,username_ppl"


def test_assignment_import_assigns_reassigns_with_history_and_reimports_unchanged(field, petugas, teammate):
    unassigned, own1 = field["unassigned"], field["own1"]
    data = csv(
        ASSIGN_HEADER,
        f"{unassigned.kelurahan_id},{unassigned.code},,{petugas.username}",
        f"{own1.kelurahan_id},{own1.code},{own1.sub_code},{teammate.username}",
    )
    report = assignment_import(data=data, by=None)
    assert report.ok and (report.created, report.updated) == (1, 1), report.errors
    assert Assignment.objects.get(sls=own1, ended_at__isnull=True).ppl == teammate
    assert Assignment.objects.filter(sls=own1).count() == 2
    again = assignment_import(data=data, by=None)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("{kel},9999,,{ppl}", "kode_sls"),
        ("{kel},0003,,tidak.ada", "username_ppl"),
        ("{kel},0003,,pml.setu", "username_ppl"),
        ("{kel},0003,,,", ""),
        ("{kel},0003,,", "username_ppl"),
        ("{kel},0001,02,{ppl}", "kode_sls"),
    ],
    ids=["unknown-sls", "unknown-user", "not-a-ppl", "extra-field", "missing-ppl", "wrong-sub-sls"],
)
def test_each_bad_assignment_row_is_reported_and_nothing_imports(field, petugas, row, column):
    before = set(Assignment.objects.values_list("pk", "ended_at"))
    good = f"{KEL_A1},0002,,{petugas.username}"
    report = assignment_import(
        data=csv(ASSIGN_HEADER, good, row.format(kel="3674010002", ppl=petugas.username)), by=None
    )
    assert not report.ok and (3, column) in errors(report), report.errors
    assert set(Assignment.objects.values_list("pk", "ended_at")) == before


def test_inactive_ppl_and_foreign_kecamatan_are_refused(field, petugas, koseka):
    User.objects.filter(pk=petugas.pk).update(is_active=False)
    other = field["other"]
    report = assignment_import(
        data=csv(
            ASSIGN_HEADER,
            f"{KEL_A1},0002,,{petugas.username}",
            f"{other.kelurahan_id},{other.code},,ppl.paren",
        ),
        by=koseka,
    )
    assert errors(report) == [(2, "username_ppl"), (3, "kode_sls")]


def test_a_duplicate_sls_in_one_assignment_file_is_reported(field, petugas, teammate):
    make_sls(KEL_A1, "0005")
    report = assignment_import(
        data=csv(ASSIGN_HEADER, f"{KEL_A1},0005,,{petugas.username}", f"{KEL_A1},0005,00,{teammate.username}"),
        by=None,
    )
    assert errors(report) == [(3, "kode_sls")]
