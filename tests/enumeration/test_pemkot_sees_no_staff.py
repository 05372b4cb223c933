"""Pemkot staff see area names and codes only (docs/privacy.md): no PPL, PML or assignment history."""

from __future__ import annotations

import pytest

from enumeration.models import User
from tests.helpers import KEL_A1


@pytest.fixture
def pemkot_client(client, pemkot: User):  # type: ignore[no-untyped-def]
    client.force_login(pemkot)
    return client


def test_the_sls_list_api_names_no_ppl_for_pemkot(pemkot_client, field, petugas):
    rows = pemkot_client.get(f"/api/v1/sls/?kelurahan={KEL_A1}").json()
    assert rows and all(row["ppl"] is None for row in rows)
    assert petugas.username not in str(rows)


def test_the_sls_list_api_still_names_the_ppl_for_their_pml(client, supervisor, field, petugas):
    client.force_login(supervisor)
    rows = client.get(f"/api/v1/sls/?kelurahan={KEL_A1}").json()
    assert petugas.username in {row["ppl"] for row in rows}


def test_a_malformed_kelurahan_filter_is_refused_on_its_field(client, supervisor, field):
    client.force_login(supervisor)
    for bad in ("", "36740", "367407100a", "%D9%A1" * 10):
        refused = client.get(f"/api/v1/sls/?kelurahan={bad}")
        assert refused.status_code == 400 and list(refused.json()["errors"]) == ["kelurahan"], bad
    assert client.get(f"/api/v1/sls/?kelurahan={KEL_A1}").json()


def test_the_sls_page_and_home_show_pemkot_no_staff(pemkot_client, field, petugas, supervisor):
    page = pemkot_client.get(f"/sls/{field['own1'].pk}/")
    assert page.status_code == 200 and field["own1"].full_code in page.content.decode()
    home = pemkot_client.get(f"/?kelurahan={KEL_A1}")
    for text in (page.content.decode(), home.content.decode()):
        assert petugas.username not in text and supervisor.username not in text
        assert "Riwayat penugasan" not in text
