"""`Cache-Control: no-store` on every answer that may carry personal data (regsosek/middleware.py)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from households.models import PrelistFamily
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def test_every_api_answer_and_signed_in_page_is_no_store(client, petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    PrelistFamily.objects.create(sls=field["own1"], line_no=1, head_name="BUDI SANTOSO", family=family)
    client.force_login(supervisor)
    urls = [
        "/api/v1/me/",
        "/api/v1/sls/",
        "/api/v1/staff/",
        "/api/v1/families/",
        f"/api/v1/families/{family.pk}/",
        f"/api/v1/families/{family.pk}/history/",
        f"/api/v1/families/{family.pk}/history/?revision=1",
        f"/api/v1/sls/{field['own1'].pk}/prelist/",
        "/api/v1/duplicates/",
        "/api/v1/families/999999/",  # a refusal too
        "/",
        "/tim/",
        f"/sls/{field['own1'].pk}/",
    ]
    for url in urls:
        assert client.get(url)["Cache-Control"] == "no-store", url
    approved = client.post(f"/api/v1/families/{family.pk}/approve/", {}, "application/json")
    assert approved.status_code == 200 and approved["Cache-Control"] == "no-store"
    client.force_login(petugas)
    saved = client.post(
        "/api/v1/families/save/",
        {"client_uuid": str(uuid.uuid4()), "sls": field["own1"].pk, "record": record_for(field["own1"])},
        "application/json",
    )
    assert saved.status_code == 201 and saved["Cache-Control"] == "no-store"


def test_anonymous_api_refusals_are_no_store_too(db):
    anonymous = Client()
    assert anonymous.get("/api/v1/families/")["Cache-Control"] == "no-store"
    assert anonymous.post("/api/v1/sync/push/", {}, "application/json")["Cache-Control"] == "no-store"


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, petugas, db):
    client.force_login(petugas)
    index = client.get("/api/v1/questionnaire/")
    assert index["Cache-Control"] == "no-cache"
    definition = client.get(index.json()["current"]["url"])
    assert definition["Cache-Control"] == "public, max-age=31536000, immutable"
    revalidated = client.get(index.json()["current"]["url"], HTTP_IF_NONE_MATCH=definition["ETag"])
    assert revalidated.status_code == 304 and revalidated["Cache-Control"] == definition["Cache-Control"]
    assert client.get("/app/")["Cache-Control"] == "no-cache"
    # The sign-in page (anonymous) is Django's own never-cache answer.
    assert "no-store" in Client().get("/masuk/")["Cache-Control"]
