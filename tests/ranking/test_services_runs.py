"""Starting, cancelling, finalising and comparing runs; a run is immutable once it has ended."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditAction, AuditEntry
from households.models import Family
from ranking import jobs
from ranking.jobs import ranking_run_execute
from ranking.models import RankedFamily, RankingRun, RunStatus, UnrankedFamily
from ranking.selectors import ranking_run_previous, run_comparison
from ranking.services import (
    RunRefusedError,
    ranking_run_cancel,
    ranking_run_finalise,
    ranking_run_start,
)
from regsosek.errors import ApplicationError, NotAllowedError
from tests.ranking.factories import floor_model, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(population):
    return floor_model()


@pytest.mark.parametrize("persona", ["petugas", "supervisor", "koseka", "pemkot"])
def test_only_a_bps_admin_starts_cancels_and_finalises(request, model, bps_admin, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowedError):
        ranking_run_start(user=user)
    run = run_now(bps_admin)
    with pytest.raises(NotAllowedError):
        ranking_run_finalise(user=user, run=run)
    with pytest.raises(NotAllowedError):
        ranking_run_cancel(user=user, run=run)


def test_start_enqueues_the_run_id_on_commit_and_refuses_a_second_active_run(
    model, bps_admin, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("ranking.services._enqueue", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        run = ranking_run_start(user=bps_admin)
    assert sent == [(run.pk,)]  # the id only: never personal data in task arguments
    assert run.status == RunStatus.QUEUED and run.model == model
    assert run.parameters == {"statuses": ["approved"], "group_max_desil": [1, 2, 4], "adjustments": []}
    with pytest.raises(RunRefusedError):
        ranking_run_start(user=bps_admin)
    assert RankingRun.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"statuses": ["approved", "unknown"]},
        {"statuses": []},
        {"group_max_desil": [2, 1, 4]},
        {"group_max_desil": [1, 2]},
    ],
)
def test_start_refuses_bad_parameters(model, bps_admin, kwargs):
    with pytest.raises(ApplicationError):
        ranking_run_start(user=bps_admin, **kwargs)
    assert not RankingRun.objects.exists()


def test_a_queued_run_cancelled_is_never_computed(model, bps_admin):
    run = ranking_run_start(user=bps_admin)
    cancelled = ranking_run_cancel(user=bps_admin, run=run)
    assert cancelled.status == RunStatus.CANCELLED
    assert ranking_run_cancel(user=bps_admin, run=run).status == RunStatus.CANCELLED  # twice: same answer
    assert ranking_run_execute(run.pk) is None
    assert not RankedFamily.objects.filter(run=run).exists()


def test_a_run_cancelled_while_computing_stops_and_writes_no_rows(model, bps_admin, monkeypatch):
    run = ranking_run_start(user=bps_admin)
    monkeypatch.setattr(jobs, "CHUNK", 3)
    real_progress = jobs._progress

    def progress_then_cancel(run_id, done, total=None):
        real_progress(run_id, done, total)
        if done == 3:  # after the first chunk, a BPS admin presses "Batalkan"
            ranking_run_cancel(user=bps_admin, run=run)

    monkeypatch.setattr(jobs, "_progress", progress_then_cancel)
    left = ranking_run_execute(run.pk)
    assert left is not None and left.status == RunStatus.CANCELLED
    assert left.progress_done == 3 and left.progress_total == 14
    assert not RankedFamily.objects.filter(run=run).exists()
    assert not UnrankedFamily.objects.filter(run=run).exists()
    # a finished run cannot be cancelled
    done = run_now(bps_admin)
    with pytest.raises(RunRefusedError):
        ranking_run_cancel(user=bps_admin, run=done)


def test_a_failing_job_marks_the_run_failed_without_values(model, bps_admin, monkeypatch):
    def broken(features, record):
        raise ZeroDivisionError(f"value {record['family'].get('r302')}")

    monkeypatch.setattr(jobs, "feature_vector", broken)
    run = ranking_run_start(user=bps_admin)
    left = ranking_run_execute(run.pk)
    assert left is not None and left.status == RunStatus.FAILED
    assert left.error == "ZeroDivisionError"  # the class only: a value could be personal data
    assert not RankedFamily.objects.filter(run=run).exists()
    details = AuditEntry.objects.filter(action=AuditAction.RANKING_RUN).order_by("id").values_list("detail", flat=True)
    assert list(details) == ["event=started", "event=failed"]


def test_a_finished_run_is_immutable(model, bps_admin):
    run = run_now(bps_admin)
    before = list(RankedFamily.objects.filter(run=run).order_by("rank").values_list("family_id", "rank", "desil"))
    assert ranking_run_execute(run.pk) is None  # a duplicate delivery: nothing to do
    assert (
        list(RankedFamily.objects.filter(run=run).order_by("rank").values_list("family_id", "rank", "desil")) == before
    )
    for statement in (
        "UPDATE ranking_rankedfamily SET desil = 1 WHERE run_id = %s",
        "DELETE FROM ranking_rankedfamily WHERE run_id = %s",
        "DELETE FROM ranking_unrankedfamily WHERE run_id = %s",
        "UPDATE ranking_rankingrun SET counts = '{}' WHERE id = %s",
        "UPDATE ranking_rankingrun SET status = 'queued' WHERE id = %s",
        "DELETE FROM ranking_rankingrun WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [run.pk])
    # finalising is the one change allowed, and at most one run is final
    assert ranking_run_finalise(user=bps_admin, run=run).is_final
    second = run_now(bps_admin)
    ranking_run_finalise(user=bps_admin, run=second)
    run.refresh_from_db()
    assert not run.is_final and RankingRun.objects.get(is_final=True) == second


def test_only_a_finished_run_can_be_final(model, bps_admin):
    run = ranking_run_start(user=bps_admin)
    with pytest.raises(RunRefusedError):
        ranking_run_finalise(user=bps_admin, run=run)


def test_the_comparison_lists_the_families_that_changed_desil(model, bps_admin, population):
    fam = population["families"]
    first = run_now(bps_admin)
    # the largest house (120 m2, desil 10) is corrected to 10 m2: it becomes the poorest
    data = dict(fam[9].data, r302=10)
    Family.objects.filter(pk=fam[9].pk).update(data=data)
    second = run_now(bps_admin)
    assert ranking_run_previous(user=bps_admin, run=second) == first
    changed = {row.family_id: row for row in run_comparison(user=bps_admin, run=second, previous=first)}
    old = dict(RankedFamily.objects.filter(run=first).values_list("family_id", "desil"))
    new = dict(RankedFamily.objects.filter(run=second).values_list("family_id", "desil"))
    assert set(changed) == {f for f in new if old.get(f) != new[f]}
    assert (changed[fam[9].pk].desil_before, changed[fam[9].pk].desil) == (10, 1)
    assert changed[fam[9].pk].rank_before == 12 and changed[fam[9].pk].rank == 1
    assert fam[11].pk not in changed  # 18 m2: rank 1 then 2, desil 1 both times
    assert (changed[fam[3].pk].desil_before, changed[fam[3].pk].desil) == (9, 10)  # 90 m2: 11th, then 12th


def test_a_ranked_rows_areas_are_its_familys_and_protect_them_without_a_database_check(model, bps_admin):
    """The areas of a ranked row carry no foreign-key check in the database (docs/ranking.md, "The
    run"), so the copy must be right when written, and Django's PROTECT still keeps the area."""
    from django.db.models import ProtectedError

    run = run_now(bps_admin)
    rows = list(RankedFamily.objects.filter(run=run).select_related("family__sls__kelurahan"))
    assert rows
    for row in rows:
        sls = row.family.sls
        assert (row.sls_id, row.kelurahan_id, row.kecamatan_id) == (
            sls.pk,
            sls.kelurahan_id,
            sls.kelurahan.kecamatan_id,
        )
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        rows[0].sls.delete()
    assert any(isinstance(obj, RankedFamily) for obj in refused.value.protected_objects)
