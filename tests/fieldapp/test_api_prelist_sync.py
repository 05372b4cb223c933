"""VK1 marks from the phone (POST /api/v1/sync/prelist/) and what the pull gives the phone's validator."""

from __future__ import annotations

import uuid

import pytest

from households.imports import prelist_import
from households.models import Family, PrelistFamily, PrelistStatus
from households.questionnaire.definition import load_definition
from households.questionnaire.validate import validate
from tests.fieldapp.test_api_sync import device_client, geotag, item, push
from tests.households.factories import record_for

pytestmark = pytest.mark.django_db


def prelist(sls, *names):  # type: ignore[no-untyped-def]
    rows = "\n".join(f"{sls.kelurahan_id},{sls.code},{sls.sub_code},{i},{n}" for i, n in enumerate(names, 1))
    report = prelist_import(f"kode_kelurahan,kode_sls,kode_sub_sls,no_urut,nama_kepala_keluarga\n{rows}\n".encode())
    assert report.ok, report.errors
    return list(PrelistFamily.objects.filter(sls=sls).order_by("line_no"))


def send(client, *marks):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/sync/prelist/", {"marks": list(marks)}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_marks_found_moved_and_new_are_applied_once_and_repeats_are_harmless(petugas, field):
    sls = field["own1"]
    budi, ani, _ = prelist(sls, "BUDI", "ANI", "SITI")
    client, _t, _d = device_client(petugas)
    found, new = uuid.uuid4(), uuid.uuid4()
    push(client, item(sls, key=found), item(sls, key=new, r108="KELUARGA BARU"))
    marks = [
        {"id": budi.pk, "status": "found", "family": str(found)},
        {"id": ani.pk, "status": "moved", "note": "pindah ke Bogor"},
        {"id": None, "status": "new", "family": str(new), "head_name": "KELUARGA BARU", "address": "Gg. Mawar 3"},
    ]
    first = send(client, *marks)
    assert [r["result"] for r in first] == ["ok", "ok", "ok"]
    assert first[0]["row"]["family"] == str(found) and first[1]["row"]["status"] == "moved"
    assert first[2]["row"]["status"] == "new" and first[2]["row"]["line_no"] == 4
    again = send(client, *marks)
    assert [r["result"] for r in again] == ["ok", "ok", "ok"]
    assert PrelistFamily.objects.filter(sls=sls).count() == 4  # the new family was added once
    budi.refresh_from_db()
    assert budi.status == PrelistStatus.FOUND and budi.family == Family.objects.get(client_uuid=found)


def test_a_mark_naming_a_family_not_yet_pushed_waits_and_bad_marks_do_not_block_others(petugas, field):
    sls = field["own1"]
    (budi, ani) = prelist(sls, "BUDI", "ANI")
    other = prelist(field["other"], "ORANG LAIN")[0]
    client, _t, _d = device_client(petugas)
    results = send(
        client,
        {"id": budi.pk, "status": "found", "family": str(uuid.uuid4())},
        {"id": ani.pk, "status": "terbang"},
        {"id": other.pk, "status": "moved"},
        {"id": ani.pk, "status": "found"},
        "bukan objek",
        {"id": ani.pk, "status": "deceased"},
    )
    assert [r["result"] for r in results] == [
        "family_missing",
        "invalid",
        "forbidden",
        "invalid",
        "invalid",
        "ok",
    ]
    assert all(r.get("message") for r in results[:5])
    other.refresh_from_db()
    assert other.status == PrelistStatus.PENDING


def test_prelist_marks_are_for_the_ppl_only_and_batches_are_bounded(petugas, supervisor, field, client):
    client.force_login(supervisor)
    assert client.post("/api/v1/sync/prelist/", {"marks": []}, content_type="application/json").status_code == 403
    device, _t, _d = device_client(petugas)
    too_many = {"marks": [{"id": 1, "status": "moved"}] * 201}
    assert device.post("/api/v1/sync/prelist/", too_many, content_type="application/json").status_code == 413
    response = device.post("/api/v1/sync/prelist/", {"marks": "x"}, content_type="application/json")
    assert response.status_code == 400 and "marks" in response.json()["errors"]


def test_pull_gives_the_validation_context_and_blok_i_prefill_of_each_sls(petugas, field):
    client, _t, _d = device_client(petugas)
    body = client.get("/api/v1/sync/pull/").json()
    sls = next(s for s in body["sls"] if s["id"] == field["own2"].pk)
    assert sls["context"]["bps_kabkota"] == "3674" and "today" not in sls["context"]
    assert sls["prefill"]["105a"] == "01" and sls["prefill"]["101"] == "36"
    # A record filled from the prefill passes the server's area checks with the phone's context.
    record = record_for(field["own2"])
    definition = load_definition("regsosek22k", "1")
    for number, value in sls["prefill"].items():
        record["family"][f"r{number}"] = value
    assert not [i for i in validate(definition, record, sls["context"]) if i["severity"] == "error"]
    assert push(client, item(field["own2"]))[0]["result"] == "created"


def test_pull_gives_the_geotags_of_the_families_so_a_reinstalled_phone_can_reuse_them(petugas, field):
    client, _t, _d = device_client(petugas)
    first = item(field["own1"])
    first["geotag"] = geotag(building="007", accuracy=12.5)
    assert push(client, first)[0]["result"] == "created"
    body = client.get("/api/v1/sync/pull/").json()
    (stored,) = body["geotags"]
    assert stored["client_uuid"] == first["geotag"]["client_uuid"] and stored["building_no"] == "007"
    assert stored["lat"] == pytest.approx(-6.3445) and stored["lon"] == pytest.approx(106.6528)
    assert stored["accuracy_m"] == 12.5 and stored["sls"] == field["own1"].pk
    assert body["families"][0]["geotag"] == stored["client_uuid"]


def test_marks_with_text_the_database_cannot_store_are_invalid_and_others_apply(petugas, field):
    sls = field["own1"]
    budi, ani, siti = prelist(sls, "BUDI", "ANI", "SITI")
    client, _t, _d = device_client(petugas)
    results = send(
        client,
        {"id": budi.pk, "status": "moved", "note": "pindah\u0000"},
        {"id": ani.pk, "status": "moved", "note": "pindah \ud83d"},  # half an emoji
        {"id": siti.pk, "status": "moved", "note": "pindah ke Depok 🏠"},
        {"id": 10**30, "status": "moved"},
    )
    assert [r["result"] for r in results] == ["invalid", "invalid", "ok", "forbidden"]
    assert "karakter" in results[0]["message"]
    assert PrelistFamily.objects.get(pk=siti.pk).note == "pindah ke Depok 🏠"
    assert PrelistFamily.objects.get(pk=budi.pk).status == PrelistStatus.PENDING
