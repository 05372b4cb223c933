"""The SLS page: VK1 rows with their statuses, families by status, what blocks confirmation (each a
link), and confirm / reopen through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from households import services
from households.models import PrelistFamily, PrelistStatus, SLSConfirmation

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(family, petugas):
    found = PrelistFamily.objects.create(
        sls=family.sls,
        line_no=1,
        head_name="BUDI SANTOSO",
        status=PrelistStatus.FOUND,
        family=family,
        status_by=petugas,
        status_at=timezone.now(),
    )
    pending = PrelistFamily.objects.create(sls=family.sls, line_no=2, head_name="<i>SITI</i>")
    return found, pending


def test_the_page_lists_what_blocks_confirmation_each_as_a_link(client, koseka, family, rows):
    client.force_login(koseka)
    body = client.get(f"/review/sls/{family.sls_id}/").content.decode()
    blocking = body[body.index('class="blocking"') :]
    blocking = blocking[: blocking.index("</ul>")]
    assert 'href="#vk1-2"' in blocking and "&lt;i&gt;SITI&lt;/i&gt;" in blocking
    assert f'href="/review/families/{family.pk}/?sls={family.sls_id}"' in blocking
    assert 'id="vk1-1"' in body and 'id="vk1-2"' in body and "Dikirim: 1" in body
    assert "Konfirmasi SLS lengkap" not in body
    # Confirming anyway is refused by the service, with its message.
    response = client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "confirm"}, follow=True)
    assert "SLS belum lengkap" in response.content.decode()
    assert not SLSConfirmation.objects.exists()


def test_the_koseka_confirms_once_every_row_is_final_and_reopens_with_a_reason(
    client, koseka, supervisor, petugas, family, rows
):
    services.prelist_set_status(user=petugas, row=rows[1], status=PrelistStatus.MOVED)
    services.family_approve(user=supervisor, family=family)
    client.force_login(koseka)
    body = client.get(f"/review/sls/{family.sls_id}/").content.decode()
    assert "Konfirmasi SLS lengkap" in body and 'class="blocking"' not in body
    client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "confirm"})
    assert SLSConfirmation.objects.get().action == "confirm"
    body = client.get(f"/review/sls/{family.sls_id}/").content.decode()
    assert "Buka kembali SLS" in body
    refused = client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "reopen", "comment": ""}, follow=True)
    assert "Tuliskan alasan" in refused.content.decode()
    client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "reopen", "comment": "ada keluarga terlewat"})
    assert SLSConfirmation.objects.latest("id").action == "reopen"


def test_a_pml_reads_the_page_but_cannot_confirm(client, supervisor, petugas, family, rows):
    services.prelist_set_status(user=petugas, row=rows[1], status=PrelistStatus.MOVED)
    services.family_approve(user=supervisor, family=family)
    client.force_login(supervisor)
    body = client.get(f"/review/sls/{family.sls_id}/").content.decode()
    assert 'id="vk1-1"' in body and "Konfirmasi SLS lengkap" not in body
    response = client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "confirm"}, follow=True)
    assert "Hanya Koseka" in response.content.decode()
    assert not SLSConfirmation.objects.exists()


@pytest.mark.parametrize("persona", ["other_koseka", "other_supervisor"])
def test_other_areas_do_not_find_the_sls(client, request, persona, family, rows):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/review/sls/{family.sls_id}/").status_code == 404
    assert client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "confirm"}).status_code == 404


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_are_refused(client, request, persona, family, rows):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/review/sls/{family.sls_id}/").status_code == 403
    assert client.post(f"/review/sls/{family.sls_id}/confirm/", {"action": "confirm"}).status_code == 403


def test_the_page_costs_a_fixed_number_of_queries(client, koseka, family, rows, django_assert_num_queries):
    client.force_login(koseka)
    # session, user, banner, the SLS, the prelist selector's scope check, VK1 rows (families joined),
    # families, the confirmation
    with django_assert_num_queries(8):
        client.get(f"/review/sls/{family.sls_id}/")
