"""A forum's meeting date and place, its "held" mark, and what a re-rank carries of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enumeration.models import Kelurahan
from fkp import services
from fkp.models import Decision, Forum, Outcome, ProposedFamily
from ranking.jobs import ranking_run_execute
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError
from tests.helpers import KEL_A1

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def test_a_bps_admin_sets_the_date_and_place_and_it_is_audited_without_the_place(bps_admin, forums):
    forum = services.forum_meeting_set(
        user=bps_admin, forum=forums[0], meeting_date=today(), meeting_place="  Rumah  Pak RT 03 "
    )
    forum.refresh_from_db()
    assert forum.meeting_date == today() and forum.meeting_place == "Rumah Pak RT 03"
    entry = AuditEntry.objects.get(action=AuditAction.FKP_FORUM)
    assert entry.object_id == str(forum.pk) and f"date={today().isoformat()}" in entry.detail
    assert "Rumah" not in entry.detail and "place=set" in entry.detail


def test_setting_the_same_meeting_twice_records_once(bps_admin, forums):
    for _ in range(2):
        services.forum_meeting_set(user=bps_admin, forum=forums[0], meeting_date=today(), meeting_place="Balai")
    assert AuditEntry.objects.filter(action=AuditAction.FKP_FORUM).count() == 1


def test_a_date_before_the_list_existed_or_a_long_place_is_refused_on_its_field(bps_admin, world, forums):
    before = timezone.localdate(world.run.created_at) - dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        services.forum_meeting_set(user=bps_admin, forum=forums[0], meeting_date=before)
    assert refused.value.extra == {"field": "meeting_date"} and "sebelum daftarnya dibuat" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        services.forum_meeting_set(user=bps_admin, forum=forums[0], meeting_date=today(), meeting_place="x" * 201)
    assert refused.value.extra == {"field": "meeting_place"}
    forums[0].refresh_from_db()
    assert forums[0].meeting_date is None and forums[0].meeting_place == ""


@pytest.mark.parametrize("persona", ["pemkot", "koseka"])
def test_readers_cannot_set_the_meeting_or_mark_it_held(forums, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowedError):
        services.forum_meeting_set(user=user, forum=forums[0], meeting_date=today())
    with pytest.raises(NotAllowedError):
        services.forum_mark_held(user=user, forum=forums[0])


def test_marking_held_needs_a_date_that_has_come(bps_admin, forums):
    with pytest.raises(ApplicationError, match="Isi tanggal forum"):
        services.forum_mark_held(user=bps_admin, forum=forums[0])
    services.forum_meeting_set(user=bps_admin, forum=forums[0], meeting_date=today() + dt.timedelta(days=3))
    with pytest.raises(ApplicationError, match="belum tiba"):
        services.forum_mark_held(user=bps_admin, forum=forums[0])
    assert not Forum.objects.get(pk=forums[0].pk).is_held


def test_a_held_forum_keeps_its_date_place_and_sls_but_outcomes_stay_correctable(bps_admin, world, forums):
    forum = forums[0]
    services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=today(), meeting_place="Balai")
    held = services.forum_mark_held(user=bps_admin, forum=forum)
    first_mark = held.held_at
    assert held.held_by == bps_admin and first_mark is not None
    assert services.forum_mark_held(user=bps_admin, forum=forum).held_at == first_mark  # twice: the first mark
    assert AuditEntry.objects.filter(action=AuditAction.FKP_FORUM, detail__startswith="event=held").count() == 1
    with pytest.raises(ConflictError, match="sudah ditandai selesai"):
        services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=today(), meeting_place="Lain")
    with pytest.raises(ConflictError, match="sudah selesai"):
        services.forum_sls_move(user=bps_admin, forum=forums[1], sls=world.sls["team"], to_forum=forum)
    with pytest.raises(ConflictError):
        services.forum_group_kelurahan(
            user=bps_admin, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_A1), max_sls=12
        )
    ranked = world.ranked(world.families[0]).pk
    services.outcome_record(user=bps_admin, forum=forum, ranked_id=ranked, decision=Decision.AGREED)
    services.outcome_record(user=bps_admin, forum=forum, ranked_id=ranked, decision=Decision.DECEASED)
    assert Outcome.objects.filter(forum=forum, ranked_id=ranked).count() == 2  # a correction is a new row


def test_a_rerank_carries_the_meeting_the_mark_and_the_open_proposals(bps_admin, world, forums):
    forum = forums[0]
    services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=today(), meeting_place="Balai")
    services.forum_mark_held(user=bps_admin, forum=forum)
    kept = services.proposal_add(
        user=bps_admin, forum=forum, sls_id=world.sls["own1"].pk, head_name="USULAN TETAP", note="janda"
    )
    dropped = services.proposal_add(user=bps_admin, forum=forum, sls_id=world.sls["own1"].pk, head_name="SALAH KETIK")
    services.proposal_withdraw(user=bps_admin, proposal=dropped)
    services.outcome_record(
        user=bps_admin, forum=forum, ranked_id=world.ranked(world.families[0]).pk, decision=Decision.DECEASED
    )

    new_run = services.fkp_rerank(user=bps_admin, run=world.run)
    new_forum = Forum.objects.get(run=new_run, carried_from=forum)
    forum.refresh_from_db()
    assert (new_forum.meeting_date, new_forum.meeting_place) == (today(), "Balai")
    assert (new_forum.held_by_id, new_forum.held_at) == (forum.held_by_id, forum.held_at)
    assert not Forum.objects.get(run=new_run, carried_from=forums[1]).is_held
    carried = ProposedFamily.objects.get(forum=new_forum)
    assert carried.carried_from_id == kept.pk and carried.head_name == "USULAN TETAP" and carried.note == "janda"
    assert (carried.sls_id, carried.recorded_by_id, carried.recorded_at) == (
        kept.sls_id, kept.recorded_by_id, kept.recorded_at,
    )  # fmt: skip
    assert carried.withdrawn_at is None
    assert ProposedFamily.objects.filter(forum=forum).count() == 2  # the old forum keeps its history


def test_a_carried_forum_keeps_its_earlier_date_when_its_place_changes(bps_admin, world, forums):
    forum = services.forum_meeting_set(user=bps_admin, forum=forums[0], meeting_date=today(), meeting_place="Balai")
    services.outcome_record(
        user=bps_admin, forum=forum, ranked_id=world.ranked(world.families[0]).pk, decision=Decision.DECEASED
    )
    new_run = services.fkp_rerank(user=bps_admin, run=world.run)
    ranking_run_execute(new_run.pk)
    carried = Forum.objects.get(run=new_run, carried_from=forum)
    earlier = today() - dt.timedelta(days=3)
    Forum.objects.filter(pk__in=[forum.pk, carried.pk]).update(meeting_date=earlier)  # met before the re-rank
    carried.refresh_from_db()
    services.forum_meeting_set(user=bps_admin, forum=carried, meeting_date=earlier, meeting_place="Aula")
    carried.refresh_from_db()
    assert (carried.meeting_date, carried.meeting_place) == (earlier, "Aula")
    with pytest.raises(ApplicationError):  # a new date before the new run's list is still refused
        services.forum_meeting_set(user=bps_admin, forum=carried, meeting_date=earlier - dt.timedelta(days=1))
