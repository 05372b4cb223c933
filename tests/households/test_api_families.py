from __future__ import annotations

import re
import uuid

import pytest

from households import identifiers
from households.models import Family
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


def test_save_api_creates_retries_and_rejects_per_variable(client, petugas, field):
    client.force_login(petugas)
    body = {"client_uuid": str(uuid.uuid4()), "sls": field["own1"].pk, "record": record_for(field["own1"])}
    created = post(client, "/api/v1/families/save/", body)
    assert created.status_code == 201 and created.json()["result"] == "created"
    again = post(client, "/api/v1/families/save/", body)
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    bad = {**body, "client_uuid": str(uuid.uuid4()), "record": record_for(field["own1"], r302=-1)}
    refused = post(client, "/api/v1/families/save/", bad)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert any(e["variable"] == "r302" and e["number"] == "302" and e["message"] for e in errors)
    assert "3674071503800001" not in refused.content.decode()
    assert Family.objects.count() == 1
    shape = post(client, "/api/v1/families/save/", {"sls": "x"})
    assert shape.status_code == 400 and set(shape.json()["errors"]) >= {"client_uuid", "sls", "record"}


def test_push_to_another_ppls_sls_is_refused(client, petugas, field):
    client.force_login(petugas)
    body = {"client_uuid": str(uuid.uuid4()), "sls": field["team"].pk, "record": record_for(field["team"])}
    assert post(client, "/api/v1/families/save/", body).status_code == 404  # not even visible
    assert not Family.objects.exists()


def test_identifiers_are_masked_for_supervisors_and_full_for_the_ppl(client, petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    head = family.members.get(line_no=1)
    client.force_login(supervisor)
    detail = client.get(f"/api/v1/families/{family.pk}/").json()
    assert detail["identifiers_masked"] is True
    # Bullets and a keyed tag of letters: no digit of the number.
    assert detail["record"]["members"][0]["r403"] == "•" * 16 + "-" + identifiers.tag(head.nik_hash)
    assert detail["record"]["family"]["r114"] == "•" * 16 + "-" + identifiers.tag(family.kk_hash)
    assert re.fullmatch(r"•{16}-[A-Z]{4}", detail["record"]["members"][1]["r403"])
    assert not re.search(r"\d", detail["record"]["members"][0]["r403"] + detail["record"]["family"]["r114"])
    assert "3674071503800001" not in str(detail)
    listing = client.get("/api/v1/families/").json()["results"]
    assert listing[0]["kk"] == detail["record"]["family"]["r114"]
    client.force_login(petugas)
    own = client.get(f"/api/v1/families/{family.pk}/").json()
    assert own["record"]["members"][0]["r403"] == "3674071503800001"


def test_reveal_api_is_audited_and_not_cached(client, petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    client.force_login(supervisor)
    response = post(client, f"/api/v1/families/{family.pk}/reveal/", {"member_line_no": 2, "reason": "cek dukcapil"})
    assert response.status_code == 200 and response.json() == {"kind": "nik", "value": "3674076207830002"}
    assert response["Cache-Control"] == "no-store"
    assert post(client, f"/api/v1/families/{family.pk}/reveal/", {"reason": "x"}).status_code == 400
    # As the schema says (maxLength 255 as sent, a non-space character, no NUL), then trimmed.
    for reason in (" " + "x" * 255, " \u3000", "\ufeff", "cek\x00"):
        refused = post(client, f"/api/v1/families/{family.pk}/reveal/", {"reason": reason})
        assert refused.status_code == 400 and list(refused.json()["errors"]) == ["reason"], repr(reason)
    client.force_login(petugas)
    assert post(client, f"/api/v1/families/{family.pk}/reveal/", {"reason": "saya sendiri"}).status_code == 403


def test_review_through_the_api(client, petugas, supervisor, other_supervisor, field):
    family = create_family(petugas, field["own1"])
    client.force_login(petugas)
    assert post(client, f"/api/v1/families/{family.pk}/approve/", {}).status_code == 403
    client.force_login(other_supervisor)
    assert post(client, f"/api/v1/families/{family.pk}/approve/", {}).status_code == 404
    client.force_login(supervisor)
    returned = post(client, f"/api/v1/families/{family.pk}/return/", {"comment": "foto buram"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert post(client, f"/api/v1/families/{family.pk}/approve/", {}).status_code == 409
    history = client.get(f"/api/v1/families/{family.pk}/history/").json()
    assert [e["to"] for e in history["events"]] == ["submitted", "returned"]
    assert history["revisions"][0]["author"] == petugas.username
    at = client.get(f"/api/v1/families/{family.pk}/history/?revision=1").json()["answers_at"]
    assert at["revision"] == 1 and at["answers"]["family.r302"] == family.data["r302"]
    # Malformed (the schema says an integer from 1): 400 on the parameter; well formed but a revision
    # the family has not reached: 404, as the schema allows any integer from 1.
    for bad in ("0", "x", "²", "-1", "", " 1", "1.0"):
        refused = client.get(f"/api/v1/families/{family.pk}/history/", {"revision": bad})
        assert refused.status_code == 400 and "revision" in refused.json()["errors"], bad
    for beyond in ("2", "99999999999999999999"):
        missing = client.get(f"/api/v1/families/{family.pk}/history/", {"revision": beyond})
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_a_malformed_list_filter_is_refused_on_its_field(client, petugas, supervisor, field):
    create_family(petugas, field["own1"])
    client.force_login(supervisor)
    for query, name in (
        ("sls=", "sls"),
        ("sls=x", "sls"),
        ("sls=1.5", "sls"),
        ("sls=%201", "sls"),
        ("sls=%D9%A1", "sls"),  # an Arabic-Indic one: int() takes it, the schema does not
        ("status=", "status"),
        ("status=unknown", "status"),
    ):
        refused = client.get(f"/api/v1/families/?{query}")
        assert refused.status_code == 400, query
        assert refused.json()["code"] == "invalid" and list(refused.json()["errors"]) == [name], query
    assert len(client.get(f"/api/v1/families/?sls={field['own1'].pk}&status=submitted").json()["results"]) == 1
    assert client.get(f"/api/v1/families/?sls={field['own2'].pk}").json()["results"] == []
    assert client.get("/api/v1/families/?status=approved").json()["results"] == []
    assert client.get("/api/v1/families/?sls=-4").json()["results"] == []
    assert client.get("/api/v1/families/?sls=99999999999999999999").json()["results"] == []


def test_family_list_query_count_is_fixed(client, petugas, supervisor, field, django_assert_num_queries):
    for _ in range(3):
        create_family(petugas, field["own1"], record_for(field["own1"]))
    client.force_login(supervisor)
    with django_assert_num_queries(3):  # session, user, families (with SLS and author joined)
        assert len(client.get("/api/v1/families/").json()["results"]) == 3


def test_the_questionnaire_definition_is_served_cacheable(client, db):
    index = client.get("/api/v1/questionnaire/").json()
    current = index["current"]
    assert current["form"] == "regsosek22k" and current["version"] == "1"
    response = client.get(current["url"])
    assert response.status_code == 200 and response.json()["form"] == "regsosek22k"
    assert "immutable" in response["Cache-Control"]
    assert client.get(current["url"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # Compressed for phones; the weak tag of the compressed answer still revalidates.
    zipped = client.get(current["url"], HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.content) < len(response.content) / 3
    assert client.get(current["url"], HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 304
    assert client.get("/api/v1/questionnaire/regsosek22k/99.json").status_code == 404


def test_anonymous_callers_are_refused(client, db):
    assert client.get("/api/v1/families/").status_code == 401
    assert post(client, "/api/v1/families/save/", {}).status_code == 401


def test_pemkot_staff_see_no_family_records(client, petugas, pemkot, field):
    family = create_family(petugas, field["own1"])
    client.force_login(pemkot)
    listing = client.get("/api/v1/families/")
    assert listing.status_code == 403 and listing.json()["code"] == "not_allowed"
    assert client.get("/api/v1/duplicates/").status_code == 403
    assert client.get(f"/api/v1/families/{family.pk}/").status_code == 404
    assert client.get(f"/api/v1/families/{family.pk}/history/").status_code == 404
    assert client.get(f"/api/v1/sls/{field['own1'].pk}/prelist/").json() == []


def test_sls_confirm_and_reopen_through_the_api(client, petugas, koseka, field):
    sls = field["own1"]
    client.force_login(petugas)
    assert post(client, f"/api/v1/sls/{sls.pk}/confirm/", {}).status_code == 403
    client.force_login(koseka)
    incomplete = post(client, f"/api/v1/sls/{sls.pk}/confirm/", {})
    assert incomplete.status_code == 400 and "prelist" in incomplete.json()["message"]
    from households.imports import prelist_import
    from households.models import PrelistFamily

    prelist_import(
        f"kode_kelurahan,kode_sls,no_urut,nama_kepala_keluarga\n{sls.kelurahan_id},{sls.code},1,ANI\n".encode()
    )
    PrelistFamily.objects.update(status="moved")
    confirmed = post(client, f"/api/v1/sls/{sls.pk}/confirm/", {"comment": "lengkap"})
    assert confirmed.status_code == 200 and confirmed.json()["action"] == "confirm"
    assert post(client, f"/api/v1/sls/{sls.pk}/reopen/", {}).status_code == 400  # a reason is required
    assert post(client, f"/api/v1/sls/{sls.pk}/reopen/", {"comment": "terlewat"}).json()["action"] == "reopen"
