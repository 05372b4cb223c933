"""Sync conflicts kept for the review desk: the push records the one it answers, a later store from
the phone or a supervisor's action resolves it, and the queue and family page show it."""

from __future__ import annotations

import uuid

import pytest

from geotag.models import Geotag
from households import services
from households.models import Family, FamilyConflict
from tests.fieldapp.test_api_sync import device_client, geotag, item, push
from tests.households.factories import create_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflicted(petugas, field):  # type: ignore[no-untyped-def]
    """A family stored at revision 2, then an edit of revision 1 from the phone: answered conflict."""
    client, _token, device_id = device_client(petugas)
    key = uuid.uuid4()
    assert push(client, item(field["own1"], key))[0]["result"] == "created"
    assert push(client, item(field["own1"], key, base=1, r302=50))[0]["result"] == "updated"
    assert FamilyConflict.objects.count() == 0
    answer = push(client, item(field["own1"], key, base=1, r302=70))[0]
    assert answer["result"] == "conflict" and answer["reason"] == "changed"
    return client, key, device_id


def test_a_push_answered_conflict_records_one_open_conflict(petugas, field, conflicted):
    client, key, device_id = conflicted
    conflict = FamilyConflict.objects.get()
    assert conflict.family == Family.objects.get(client_uuid=key)
    assert (conflict.user, conflict.device_id, conflict.reason) == (petugas, device_id, "changed")
    assert (conflict.base_revision, conflict.server_revision, conflict.resolved_at) == (1, 2, None)
    # The phone retrying the same edit keeps that one record open.
    assert push(client, item(field["own1"], key, base=1, r302=70))[0]["result"] == "conflict"
    assert FamilyConflict.objects.count() == 1
    assert FamilyConflict.objects.get().last_at > conflict.last_at


def test_a_later_accepted_push_resolves_it(field, conflicted):
    client, key, _device = conflicted
    assert push(client, item(field["own1"], key, base=2, r302=70))[0]["result"] == "updated"
    conflict = FamilyConflict.objects.get()
    assert conflict.resolved_at is not None and conflict.resolution == "stored"


def test_the_pml_approving_the_family_resolves_it(supervisor, conflicted):
    _client, key, _device = conflicted
    services.family_approve(user=supervisor, family=Family.objects.get(client_uuid=key))
    assert FamilyConflict.objects.get().resolution == "reviewed"


def test_a_returned_family_edited_on_the_phone_records_a_returned_conflict(petugas, supervisor, field):
    client, _token, _device = device_client(petugas)
    key = uuid.uuid4()
    push(client, item(field["own1"], key))
    services.family_return(user=supervisor, family=Family.objects.get(), comment="cek luas lantai")
    assert push(client, item(field["own1"], key, base=1, r302=55))[0]["result"] == "conflict"
    assert FamilyConflict.objects.get().reason == "returned"


def test_the_queue_flags_counts_and_filters_conflicts(client, supervisor, petugas, field, conflicted):
    _phone, key, _device = conflicted
    family = Family.objects.get(client_uuid=key)
    calm = create_family(petugas, field["own2"])
    client.force_login(supervisor)
    response = client.get("/review/")
    assert response.context["conflict_count"] == 1
    flags = dict((f.pk, labels) for f, labels in response.context["rows"])
    assert "Konflik sinkronisasi: Diubah di server" in flags[family.pk]
    assert not [label for label in flags[calm.pk] if label.startswith("Konflik")]
    filtered = client.get("/review/", {"conflict": "1"})
    assert [f.pk for f, _labels in filtered.context["rows"]] == [family.pk]
    assert family.pk in [f.pk for f, _labels in client.get("/review/", {"flags": "1"}).context["rows"]]
    page = client.get(f"/review/families/{family.pk}/")
    assert "Konflik sinkronisasi: Diubah di server" in page.content.decode()
    assert 'id="conflict"' in page.content.decode()
    services.family_approve(user=supervisor, family=family)
    assert client.get("/review/").context["conflict_count"] == 0
    assert list(client.get("/review/", {"conflict": "1"}).context["rows"]) == []


def _with_geotag(family_item, point):  # type: ignore[no-untyped-def]
    return family_item | {"geotag": point}


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "one_by_one"])
def test_a_new_family_refused_for_another_sls_geotag_is_kept_and_shown_once_it_exists(
    client, supervisor, petugas, field, batch, monkeypatch
):
    from fieldapp import sync

    if not batch:  # the path a refused batch takes again, family by family
        monkeypatch.setattr(sync, "_push_batch", lambda user, items: sync._push_each(user, items))
    phone, _token, device_id = device_client(petugas)
    point = geotag()
    assert push(phone, _with_geotag(item(field["own2"]), point))[0]["result"] == "created"
    stored = Geotag.objects.get(client_uuid=str(point["client_uuid"]))
    key = uuid.uuid4()
    answer = push(phone, _with_geotag(item(field["own1"], key), point))[0]
    assert answer == {
        "client_uuid": str(key),
        "result": "conflict",
        "message": "Geotag ini milik SLS lain.",
        "server": None,
    } | ({} if batch else {"reason": "changed"})
    assert not Family.objects.filter(client_uuid=key).exists()
    kept = FamilyConflict.objects.get()
    assert (kept.family, kept.family_uuid, kept.reason, kept.geotag) == (None, key, "geotag", stored)
    assert (kept.user, kept.device_id, kept.resolved_at) == (petugas, device_id, None)
    # The phone retrying it keeps one record.
    assert push(phone, _with_geotag(item(field["own1"], key), point))[0]["result"] == "conflict"
    assert FamilyConflict.objects.count() == 1 and FamilyConflict.objects.get().last_at > kept.last_at
    # The PPL takes the building's own geotag: the family is stored, and the conflict is its own.
    assert push(phone, _with_geotag(item(field["own1"], key), geotag()))[0]["result"] == "created"
    family = Family.objects.get(client_uuid=key)
    kept.refresh_from_db()
    assert (kept.family, kept.resolved_at) == (family, None)
    client.force_login(supervisor)
    rows = dict((f.pk, labels) for f, labels in client.get("/review/", {"conflict": "1"}).context["rows"])
    assert "Konflik sinkronisasi: Geotag milik SLS lain" in rows[family.pk]
    page = client.get(f"/review/families/{family.pk}/").content.decode()
    assert "geotag yang sudah tersimpan untuk bangunan di SLS lain" in page
    services.family_approve(user=supervisor, family=family)
    kept.refresh_from_db()
    assert kept.resolution == "reviewed"


def test_a_stored_family_sent_with_another_sls_geotag_records_a_geotag_conflict(petugas, field):
    phone, _token, _device = device_client(petugas)
    point = geotag()
    push(phone, _with_geotag(item(field["own2"]), point))
    key = uuid.uuid4()
    assert push(phone, item(field["own1"], key))[0]["result"] == "created"
    answer = push(phone, _with_geotag(item(field["own1"], key, base=1, r302=60), point))[0]
    assert answer["result"] == "conflict" and answer["reason"] == "changed" and answer["server"] is not None
    assert "_geotag_conflict" not in answer
    kept = FamilyConflict.objects.get()
    assert (kept.family, kept.reason, kept.geotag.client_uuid) == (
        Family.objects.get(client_uuid=key),
        "geotag",
        uuid.UUID(point["client_uuid"]),
    )
