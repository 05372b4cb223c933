"""The team page (`/review/tim/`): a row per PPL of one PML's team, for every role, its refusals,
its figures and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from enumeration.models import Device
from households import services
from households.models import Family, PrelistFamily
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def _interview(family: Family, start: dt.datetime, minutes: int) -> None:
    Family.objects.filter(pk=family.pk).update(
        interview_started_at=start, interview_finished_at=start + dt.timedelta(minutes=minutes)
    )


def _rows(response):  # type: ignore[no-untyped-def]
    return {row.ppl.username: row for row in response.context["rows"]}


def test_the_pml_sees_each_ppl_of_the_team_with_their_figures(client, supervisor, petugas, teammate, field):
    PrelistFamily.objects.bulk_create(
        [PrelistFamily(sls=field["own1"], line_no=n, head_name=f"KK {n}") for n in (1, 2, 3)]
        + [PrelistFamily(sls=field["own2"], line_no=1, head_name="KK 4")]
    )
    first, second, third = (
        create_family(petugas, field["own1"], record_for(field["own1"], r109=f"00{n}")) for n in (1, 2, 3)
    )
    services.family_approve(user=supervisor, family=first)
    services.family_return(user=supervisor, family=second, comment="cek umur")
    day = timezone.now().replace(hour=3, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    _interview(first, day, 20)
    _interview(second, day + dt.timedelta(hours=2), 30)
    _interview(third, day + dt.timedelta(days=1), 50)
    seen = timezone.now() - dt.timedelta(hours=1)
    Device.objects.create(pk=uuid.uuid4(), user=petugas, last_seen_at=seen - dt.timedelta(days=3))
    Device.objects.create(pk=uuid.uuid4(), user=petugas, last_seen_at=seen)

    client.force_login(supervisor)
    response = client.get("/review/tim/")
    assert response.status_code == 200
    rows = _rows(response)
    assert set(rows) == {petugas.username, teammate.username}
    mine = rows[petugas.username]
    assert [s.pk for s in mine.sls] == [field["own1"].pk, field["own2"].pk]
    assert (mine.vk1_target, mine.done, mine.submitted, mine.approved, mine.returned) == (4, 3, 1, 1, 1)
    assert mine.last_sync == seen
    assert mine.per_day == 1.5  # three interviews on two days
    assert mine.median_minutes == 30
    idle = rows[teammate.username]
    assert (idle.done, idle.last_sync, idle.per_day, idle.median_minutes) == (0, None, None, None)
    body = response.content.decode()
    assert "<caption>" in body and '<th scope="col">' in body
    assert f'href="/review/?ppl={petugas.pk}&amp;status=returned">1</a>' in body
    assert f'href="/review/sls/{field["own1"].pk}/"' in body


def test_an_interview_over_eight_hours_is_left_out_of_the_median(client, supervisor, petugas, field):
    short, left_open = create_family(petugas, field["own1"]), create_family(petugas, field["own2"])
    start = timezone.now() - dt.timedelta(days=1)
    _interview(short, start, 25)
    _interview(left_open, start, 60 * 20)
    client.force_login(supervisor)
    row = _rows(client.get("/review/tim/"))[petugas.username]
    assert row.median_minutes == 25 and row.interviews == 2


def test_the_koseka_picks_a_team_of_the_kecamatan(client, koseka, supervisor, other_supervisor, petugas):
    client.force_login(koseka)
    choose = client.get("/review/tim/")
    assert choose.status_code == 200
    assert [lead.pk for lead in choose.context["leads"]] == [supervisor.pk]
    assert f'href="/review/tim/{supervisor.pk}/"' in choose.content.decode()
    assert set(_rows(client.get(f"/review/tim/{supervisor.pk}/"))) == {petugas.username}
    assert client.get(f"/review/tim/{other_supervisor.pk}/").status_code == 404


def test_the_bps_admin_sees_every_team(client, bps_admin, supervisor, other_supervisor, other_petugas):
    client.force_login(bps_admin)
    leads = {lead.pk for lead in client.get("/review/tim/").context["leads"]}
    assert leads == {supervisor.pk, other_supervisor.pk}
    assert set(_rows(client.get(f"/review/tim/{other_supervisor.pk}/"))) == {other_petugas.username}


def test_a_pml_cannot_open_another_team_nor_a_non_pml(client, supervisor, other_supervisor, petugas):
    client.force_login(supervisor)
    assert client.get(f"/review/tim/{supervisor.pk}/").status_code == 200
    assert client.get(f"/review/tim/{other_supervisor.pk}/").status_code == 404
    assert client.get(f"/review/tim/{petugas.pk}/").status_code == 404
    assert client.get("/review/tim/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_are_refused(client, request, persona, supervisor):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/review/tim/").status_code == 403
    assert client.get(f"/review/tim/{supervisor.pk}/").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, supervisor):
    response = client.get("/review/tim/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_the_team_page_costs_a_fixed_number_of_queries(
    client, request, persona, supervisor, petugas, teammate, field, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    url = f"/review/tim/{supervisor.pk}/"
    create_family(petugas, field["own1"])
    # session, user, synthetic banner, the PML, the PPL with their last sync, the assignments with
    # their VK1 count, the families' figures
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(4):
        create_family(teammate, field["team"], record_for(field["team"], r109=f"00{n}"))
        Device.objects.create(pk=uuid.uuid4(), user=teammate, last_seen_at=timezone.now())
    PrelistFamily.objects.create(sls=field["team"], line_no=1, head_name="KK 1")
    with django_assert_num_queries(7):
        response = client.get(url)
    assert _rows(response)[teammate.username].done == 4


def test_the_queue_links_to_the_team_page(client, supervisor):
    client.force_login(supervisor)
    assert 'href="/review/tim/"' in client.get("/review/").content.decode()
