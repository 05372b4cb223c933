"""Review workflow: every transition, illegal ones, who may do what, SLS confirmation."""

from __future__ import annotations

import functools
import uuid

import pytest

from households import services
from households.imports import prelist_import
from households.models import FamilyStatus, PrelistFamily, PrelistStatus, ReviewEvent
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(petugas, field):
    return create_family(petugas, field["own1"])


def test_pml_of_the_team_approves(family, supervisor):
    services.family_approve(user=supervisor, family=family, comment="lengkap")
    family.refresh_from_db()
    assert family.status == FamilyStatus.APPROVED and family.reviewed_by == supervisor
    event = ReviewEvent.objects.filter(family=family).latest("at")
    assert (event.from_status, event.to_status, event.actor, event.comment) == (
        FamilyStatus.SUBMITTED,
        FamilyStatus.APPROVED,
        supervisor,
        "lengkap",
    )


@pytest.mark.parametrize("persona", ["petugas", "koseka", "bps_admin", "other_supervisor", "pemkot"])
def test_nobody_else_approves(family, request, persona):
    with pytest.raises(NotAllowedError):
        services.family_approve(user=request.getfixturevalue(persona), family=family)
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


def test_approving_twice_is_refused(family, supervisor):
    services.family_approve(user=supervisor, family=family)
    with pytest.raises(ConflictError):
        services.family_approve(user=supervisor, family=family)


def test_a_return_needs_a_comment_and_goes_back_to_the_ppl(family, supervisor):
    with pytest.raises(ApplicationError):
        services.family_return(user=supervisor, family=family, comment="  ")
    services.family_return(user=supervisor, family=family, comment="Umur anak ke-2 salah")
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED and family.review_comment == "Umur anak ke-2 salah"


def test_the_ppl_fixes_a_returned_family_which_is_resubmitted(family, supervisor, petugas, field):
    services.family_return(user=supervisor, family=family, comment="perbaiki luas lantai")
    record = record_for(field["own1"], r302=50)
    save = functools.partial(
        services.family_save, user=petugas, sls=field["own1"], client_uuid=family.client_uuid, record=record
    )
    # A correction that does not name the return was made without its comment: refused, kept returned.
    with pytest.raises(ConflictError) as refused:
        save(base_revision=1)
    assert refused.value.extra["reason"] == "returned"
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED and family.revision == 1
    result = save(base_revision=1, answers_return=services.family_return_id(family))
    assert result.outcome == "updated" and result.family.status == FamilyStatus.SUBMITTED
    statuses = list(ReviewEvent.objects.filter(family=family).values_list("to_status", flat=True))
    assert statuses == [FamilyStatus.SUBMITTED, FamilyStatus.RETURNED, FamilyStatus.SUBMITTED]


def test_the_ppl_can_resubmit_unchanged_with_an_explanation(family, supervisor, petugas):
    with pytest.raises(ConflictError):
        services.family_resubmit(user=petugas, family=family)
    services.family_return(user=supervisor, family=family, comment="cek umur")
    services.family_resubmit(user=petugas, family=family, comment="umur sudah benar sesuai KK")
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


def test_an_approved_family_cannot_be_edited_by_the_ppl(family, supervisor, petugas, field):
    services.family_approve(user=supervisor, family=family)
    with pytest.raises(NotAllowedError):
        services.family_save(
            user=petugas,
            sls=field["own1"],
            client_uuid=family.client_uuid,
            record=record_for(field["own1"], r302=50),
            base_revision=1,
        )


def test_the_pml_may_correct_a_submitted_family_and_the_ppl_then_gets_a_conflict(family, supervisor, petugas, field):
    services.family_save(
        user=supervisor,
        sls=field["own1"],
        client_uuid=family.client_uuid,
        record=record_for(field["own1"], r302=48),
        base_revision=1,
    )
    with pytest.raises(ConflictError):
        services.family_save(
            user=petugas,
            sls=field["own1"],
            client_uuid=family.client_uuid,
            record=record_for(field["own1"], r302=51),
            base_revision=1,
        )


def test_koseka_returns_an_approved_family_but_a_pml_cannot(family, supervisor, koseka, other_koseka):
    services.family_approve(user=supervisor, family=family)
    with pytest.raises(ConflictError):
        services.family_return(user=supervisor, family=family, comment="lagi")
    with pytest.raises(NotAllowedError):
        services.family_return(user=other_koseka, family=family, comment="bukan wilayah")
    services.family_return(user=koseka, family=family, comment="foto rumah belum ada")
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED


def test_a_ppl_cannot_return(family, petugas):
    with pytest.raises(NotAllowedError):
        services.family_return(user=petugas, family=family, comment="x")
    # Refused for who they are, not for the body: without a reason it is the same refusal.
    with pytest.raises(NotAllowedError):
        services.family_return(user=petugas, family=family, comment="")


def prelist(sls, *names):  # type: ignore[no-untyped-def]
    rows = "\n".join(f"{sls.kelurahan_id},{sls.code},{sls.sub_code},{i + 1},{name}" for i, name in enumerate(names))
    report = prelist_import(f"kode_kelurahan,kode_sls,kode_sub_sls,no_urut,nama_kepala_keluarga\n{rows}\n".encode())
    assert report.ok, report.errors
    return list(PrelistFamily.objects.filter(sls=sls).order_by("line_no"))


def test_koseka_confirms_an_sls_only_when_complete(family, supervisor, petugas, koseka, field):
    sls = field["own1"]
    budi, ani = prelist(sls, "BUDI SANTOSO", "ANI")
    with pytest.raises(ApplicationError) as caught:
        services.sls_confirm(user=koseka, sls=sls)
    assert caught.value.extra["open"] == {"prelist_pending": 2, "families_not_approved": 1}
    services.prelist_set_status(user=petugas, row=budi, status=PrelistStatus.FOUND, family=family)
    services.prelist_set_status(user=petugas, row=ani, status=PrelistStatus.MOVED, note="pindah ke Bogor")
    with pytest.raises(ApplicationError):
        services.sls_confirm(user=koseka, sls=sls)  # the family is not approved yet
    services.family_approve(user=supervisor, family=family)
    for user in (petugas, supervisor):
        with pytest.raises(NotAllowedError):
            services.sls_confirm(user=user, sls=sls)
    services.sls_confirm(user=koseka, sls=sls, comment="lengkap")
    with pytest.raises(ConflictError):
        services.sls_confirm(user=koseka, sls=sls)
    # A confirmed SLS is frozen.
    with pytest.raises(NotAllowedError):
        services.family_return(user=koseka, family=family, comment="x")
    with pytest.raises(NotAllowedError):
        create_family(petugas, sls)
    services.sls_reopen(user=koseka, sls=sls, comment="ada keluarga terlewat")
    assert create_family(petugas, sls, record_for(sls, r109="002")).status == FamilyStatus.SUBMITTED


def test_prelist_found_needs_a_family_of_the_same_sls(petugas, field, other_petugas):
    (row,) = prelist(field["own1"], "BUDI")
    with pytest.raises(ApplicationError):
        services.prelist_set_status(user=petugas, row=row, status=PrelistStatus.FOUND)
    other = create_family(petugas, field["own2"], record_for(field["own2"]))
    with pytest.raises(ApplicationError):
        services.prelist_set_status(user=petugas, row=row, status=PrelistStatus.FOUND, family=other)
    with pytest.raises(NotAllowedError):
        services.prelist_set_status(user=other_petugas, row=row, status=PrelistStatus.MOVED)


def test_new_families_are_added_to_the_prelist(petugas, field):
    prelist(field["own1"], "BUDI")
    row = services.prelist_add_new(user=petugas, sls=field["own1"], head_name="KELUARGA BARU", address="Gg. Baru 1")
    assert (row.line_no, row.status) == (2, PrelistStatus.NEW)


def test_prelist_import_reports_bad_rows_and_keeps_field_statuses(petugas, field):
    sls = field["own1"]
    head = "kode_kelurahan,kode_sls,kode_sub_sls,no_urut,nama_kepala_keluarga\n"
    bad = prelist_import(f"{head}{sls.kelurahan_id},{sls.code},,x,NAMA\n{sls.kelurahan_id},9999,,1,NAMA\n".encode())
    assert [(e.row, e.column) for e in bad.errors] == [(2, "no_urut"), (3, "kode_sls")]
    assert not PrelistFamily.objects.exists()
    (row,) = prelist(sls, "BUDI")
    services.prelist_set_status(user=petugas, row=row, status=PrelistStatus.DECEASED)
    again = prelist_import(f"{head}{sls.kelurahan_id},{sls.code},,1,BUDI\n".encode())
    assert again.unchanged == 1
    row.refresh_from_db()
    assert row.status == PrelistStatus.DECEASED


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_pushes_of_one_uuid_store_one_family(petugas, field):
    """Ten simultaneous first pushes of one family: one row, the rest answered as retries."""
    import threading

    from django.db import connection

    from households.models import Family, Member

    key, record = uuid.uuid4(), record_for(field["own1"])
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def push() -> None:
        try:
            barrier.wait()
            outcomes.append(
                services.family_save(
                    user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=None
                ).outcome
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["unchanged"] * 9
    assert Family.objects.filter(client_uuid=key).count() == 1 and Member.objects.count() == 4
