"""Interview start and finish times sent with a family, and the team the pull names for Blok II."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from households.models import Family
from tests.fieldapp.test_api_sync import device_client, item, push

pytestmark = pytest.mark.django_db


def _times(started: dt.datetime | str | None, finished: dt.datetime | str | None) -> dict[str, object]:
    def text(value: dt.datetime | str | None) -> str | None:
        return value.isoformat() if isinstance(value, dt.datetime) else value

    return {"interview_started_at": text(started), "interview_finished_at": text(finished)}


def test_the_interview_times_are_stored_with_a_new_family(petugas, field):
    client, _token, _device = device_client(petugas)
    finished = timezone.now().replace(microsecond=0)
    started = finished - dt.timedelta(minutes=42)
    [result] = push(client, {**item(field["own1"]), **_times(started, finished)})
    assert result["result"] == "created", result
    family = Family.objects.get(client_uuid=result["client_uuid"])
    assert (family.interview_started_at, family.interview_finished_at) == (started, finished)


def test_an_update_keeps_the_start_and_takes_the_new_finish(petugas, field):
    client, _token, _device = device_client(petugas)
    key = uuid.uuid4()
    now = timezone.now().replace(microsecond=0)
    started = now - dt.timedelta(hours=2)
    [first] = push(client, {**item(field["own1"], key=key), **_times(started, now - dt.timedelta(hours=1))})
    assert first["result"] == "created"
    [second] = push(client, {**item(field["own1"], key=key, base=first["revision"], r302=60), **_times(None, now)})
    assert second["result"] == "updated", second
    family = Family.objects.get(client_uuid=key)
    assert (family.interview_started_at, family.interview_finished_at) == (started, now)


def test_an_older_app_that_sends_no_times_still_works(petugas, field):
    client, _token, _device = device_client(petugas)
    [result] = push(client, item(field["own1"]))
    assert result["result"] == "created"
    family = Family.objects.get(client_uuid=result["client_uuid"])
    assert family.interview_started_at is None and family.interview_finished_at is None


@pytest.mark.parametrize(
    ("started", "finished", "variable"),
    [
        ("kemarin", None, "interview_started_at"),
        ("2022-10-18T09:30:00", None, "interview_started_at"),  # no offset
        (None, timezone.now() + dt.timedelta(hours=1), "interview_finished_at"),  # a clock far ahead
        ("1970-01-01T07:00:00+07:00", None, "interview_started_at"),  # a clock that reset
        (timezone.now(), timezone.now() - dt.timedelta(minutes=5), "interview_finished_at"),  # finish before start
    ],
)
def test_wrong_interview_times_make_the_family_invalid_and_store_nothing(petugas, field, started, finished, variable):
    client, _token, _device = device_client(petugas)
    other = item(field["own1"])
    [bad, good] = push(client, {**item(field["own1"]), **_times(started, finished)}, other)
    assert bad["result"] == "invalid" and [e["variable"] for e in bad["errors"]] == [variable]
    assert good["result"] == "created", "one family's problem never affects another's"
    assert not Family.objects.filter(client_uuid=bad["client_uuid"]).exists()


def test_a_few_minutes_of_clock_drift_are_accepted(petugas, field):
    client, _token, _device = device_client(petugas)
    ahead = timezone.now() + dt.timedelta(minutes=3)
    [result] = push(client, {**item(field["own1"]), **_times(ahead - dt.timedelta(minutes=30), ahead)})
    assert result["result"] == "created", result


def test_the_pull_names_the_ppl_and_the_pml_for_blok_ii(petugas, field):
    client, _token, _device = device_client(petugas)
    team = client.get("/api/v1/sync/pull/").json()["team"]
    assert team["ppl"] == {"name": petugas.full_name, "code": petugas.username}
    pml = petugas.supervisor
    assert team["pml"] == {"name": pml.full_name, "code": pml.username}
