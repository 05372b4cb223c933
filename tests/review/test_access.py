"""Every review URL refuses whoever may not use it: PPL and Pemkot (403), supervisors of other
areas (404 for a family they do not see), the signed-out (sent to sign in)."""

from __future__ import annotations

import pytest

from households.models import FamilyStatus

pytestmark = pytest.mark.django_db


def _urls(family_id: int) -> list[tuple[str, str]]:
    return [
        ("get", "/review/"),
        ("get", f"/review/families/{family_id}/"),
        ("post", f"/review/families/{family_id}/approve/"),
        ("post", f"/review/families/{family_id}/return/"),
        ("post", f"/review/families/{family_id}/reveal/"),
    ]


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_are_refused_on_every_review_url(client, family, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _urls(family.pk):
        response = getattr(client, method)(url, {"comment": "x", "reason": "ingin tahu"} if method == "post" else {})
        assert response.status_code == 403, url
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["other_supervisor", "other_koseka"])
def test_supervisors_of_other_areas_do_not_find_the_family(client, family, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _urls(family.pk)[1:]:
        response = getattr(client, method)(
            url, {"comment": "bukan wilayah saya", "reason": "ingin tahu"} if method == "post" else {}
        )
        assert response.status_code == 404, url
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED and family.review_comment == ""
    queue = client.get("/review/")
    assert queue.status_code == 200 and family.head_name not in queue.content.decode()


def test_a_pml_of_another_team_in_the_same_kecamatan_sees_nothing(client, family, koseka):
    from enumeration.models import Role
    from tests.helpers import KEC_A, make_user

    stranger = make_user("pml.lain", Role.PML, supervisor=koseka, kecamatan=KEC_A)
    client.force_login(stranger)
    assert client.get(f"/review/families/{family.pk}/").status_code == 404
    assert client.post(f"/review/families/{family.pk}/approve/").status_code == 404
    assert "BUDI SANTOSO" not in client.get("/review/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, family):
    for method, url in _urls(family.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/masuk/"), url


def test_actions_answer_only_post(client, family, supervisor):
    client.force_login(supervisor)
    assert client.get(f"/review/families/{family.pk}/approve/").status_code == 405
    assert client.get(f"/review/families/{family.pk}/return/").status_code == 405
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


def test_actions_need_the_csrf_token(family, supervisor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    assert client.post(f"/review/families/{family.pk}/approve/").status_code == 403
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["petugas", "pemkot", "koseka", "bps_admin"])
def test_only_a_pml_bulk_approves(client, family, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post("/review/bulk-approve/", {"family": [family.pk], "confirm": "1"})
    assert response.status_code == 403
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED
