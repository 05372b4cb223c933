"""Overlapping pushes of the same UUIDs, on two real connections: each family, geotag and photo is
stored once, the answers are the usual ones, and no statement fails (regsosek/keylocks.py).

The first writer is held inside its transaction, after its inserts, until the second one is either
waiting on a lock or done: the interleaving in which both used to find a UUID absent and the second
one's INSERT / COPY failed on the unique index (a failed statement PostgreSQL logs). Failures are
counted twice: every statement error the threads' connections saw (`execute_wrapper`), and the
database's own count of rolled-back transactions (`pg_stat_database.xact_rollback`).
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection

from fieldapp import sync
from geotag.models import Geotag
from households.models import Family, Member
from photos import services as photo_services
from photos.models import Photo
from tests.fieldapp.test_api_sync import geotag, item, jpeg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rollbacks() -> int:
    """The database's rolled-back transactions so far, once every other backend of it has exited
    (a backend reports its counts when idle, at most once a second, or as it exits) and this one's
    own counts are reported (the test's earlier tests rolled back their transactions)."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.02)
        cursor.execute("SELECT pg_stat_force_next_flush()")  # reported as this statement ends
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _wait_event_type(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


class Race:
    """Runs `first` and `second` on their own connections; `first` calls `hold()` after its inserts,
    inside its transaction, and is let go once `second` waits on a lock or has finished."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.pids: dict[str, int] = {}
        self.results: dict[str, Any] = {}
        self.statement_errors: list[str] = []
        self.second_waited = False

    def hold(self) -> None:
        if threading.current_thread().name == "first":
            self.held.set()
            assert self.release.wait(30), "never released"

    def _run(self, name: str, work: Callable[[], Any]) -> None:
        def record_errors(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            try:
                return execute(sql, params, many, context)
            except DatabaseError as error:
                self.statement_errors.append(f"{name}: {type(error).__name__}")
                raise

        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pids[name] = int(cursor.fetchone()[0])
            with connection.execute_wrapper(record_errors):
                self.results[name] = work()
        except Exception as error:  # reported by the test
            self.results[name] = error
        finally:
            connection.close()

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> None:
        before = _rollbacks()
        one = threading.Thread(target=self._run, args=("first", first), name="first")
        one.start()
        assert self.held.wait(30), "the first writer never reached its hold"
        two = threading.Thread(target=self._run, args=("second", second), name="second")
        two.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and two.is_alive():
            pid = self.pids.get("second")
            if pid is not None and _wait_event_type(pid) == "Lock":
                self.second_waited = True
                break
            time.sleep(0.02)
        self.release.set()
        one.join(30)
        two.join(30)
        self.rollbacks = _rollbacks() - before  # the threads' backends report theirs as they exit


def test_overlapping_push_batches_store_each_family_once_and_no_statement_fails(petugas, field, monkeypatch):
    race = Race()
    real_keep = sync._keep_conflicts

    def keep_then_hold(*args: Any, **kwargs: Any) -> None:
        real_keep(*args, **kwargs)
        race.hold()

    monkeypatch.setattr(sync, "_keep_conflicts", keep_then_hold)
    building = geotag()
    families = [item(field["own1"], r109=f"{n:03d}") | {"geotag": building} for n in range(1, 5)]
    # A retry racing its original: the second batch repeats three families and adds one.
    first_batch, second_batch = families[:3], families[1:]

    race.run(
        lambda: sync.sync_push(user=petugas, device=None, items=first_batch),
        lambda: sync.sync_push(user=petugas, device=None, items=second_batch),
    )

    assert race.statement_errors == []
    assert race.rollbacks == 0
    first, second = race.results["first"], race.results["second"]
    assert not isinstance(first, Exception) and not isinstance(second, Exception), race.results
    assert race.second_waited, "the second batch never overlapped the first one"
    assert [r["result"] for r in first] == ["created"] * 3
    assert [r["result"] for r in second] == ["unchanged", "unchanged", "created"]
    assert Family.objects.count() == 4 and Member.objects.count() == 4 * 4
    assert Geotag.objects.count() == 1
    assert set(Family.objects.values_list("geotag__client_uuid", flat=True)) == {uuid.UUID(building["client_uuid"])}


def test_overlapping_uploads_of_one_photo_store_it_once_and_no_statement_fails(petugas, field, monkeypatch):
    family = item(field["own1"])
    sync.sync_push(user=petugas, device=None, items=[family])
    race = Race()
    real_save = photo_services._save_original

    def save_then_hold(photo: Photo, data: bytes) -> None:
        real_save(photo, data)
        race.hold()

    monkeypatch.setattr(photo_services, "_save_original", save_then_hold)
    monkeypatch.setattr(photo_services, "_enqueue", lambda photo_id: None)  # no broker in this test
    key, data = uuid.uuid4(), jpeg()

    def receive() -> photo_services.PhotoReceipt:
        return photo_services.photo_receive(
            user=petugas,
            client_uuid=key,
            family_uuid=uuid.UUID(family["client_uuid"]),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )

    race.run(receive, receive)

    assert race.statement_errors == []
    assert race.rollbacks == 0
    first, second = race.results["first"], race.results["second"]
    assert race.second_waited, "the second upload never overlapped the first one"
    assert isinstance(first, photo_services.PhotoReceipt) and first.created, race.results
    assert isinstance(second, photo_services.PhotoReceipt) and not second.created, race.results
    assert Photo.objects.count() == 1 and second.photo.pk == first.photo.pk
    # The second upload left no file behind.
    assert Photo.objects.get().original.storage.listdir("photos/incoming")[1] == [f"{key}.bin"]
