"""Approve and return from the family page: the workflow's services, outcomes as messages."""

from __future__ import annotations

import pytest

from households import services
from households.models import FamilyStatus, ReviewEvent

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_pml_approves(client, supervisor, family):
    client.force_login(supervisor)
    page = client.get(f"/review/families/{family.pk}/").content.decode()
    assert f'action="/review/families/{family.pk}/approve/"' in page
    response = client.post(f"/review/families/{family.pk}/approve/", follow=True)
    assert response.redirect_chain[-1][0] == f"/review/families/{family.pk}/"
    assert _messages(response) == ["Keluarga disetujui."]
    family.refresh_from_db()
    assert family.status == FamilyStatus.APPROVED and family.reviewed_by == supervisor


def test_approving_twice_shows_the_refusal(client, supervisor, family):
    client.force_login(supervisor)
    client.post(f"/review/families/{family.pk}/approve/")
    response = client.post(f"/review/families/{family.pk}/approve/", follow=True)
    assert "Hanya keluarga berstatus dikirim yang dapat disetujui" in _messages(response)[-1]
    assert ReviewEvent.objects.filter(family=family, to_status=FamilyStatus.APPROVED).count() == 1


def test_the_pml_returns_with_a_comment(client, supervisor, family):
    client.force_login(supervisor)
    response = client.post(f"/review/families/{family.pk}/return/", {"comment": "Umur anak ke-2 salah"}, follow=True)
    assert _messages(response) == ["Keluarga dikembalikan ke PPL dengan catatan."]
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED and family.review_comment == "Umur anak ke-2 salah"


def test_a_return_without_a_comment_is_refused_in_indonesian(client, supervisor, family):
    client.force_login(supervisor)
    response = client.post(f"/review/families/{family.pk}/return/", {"comment": "   "}, follow=True)
    assert _messages(response) == ["Tuliskan alasan pengembalian untuk PPL."]
    too_long = client.post(f"/review/families/{family.pk}/return/", {"comment": "x" * 2001}, follow=True)
    assert "terlalu panjang" in _messages(too_long)[0]
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


def test_the_koseka_returns_an_approved_family_but_does_not_approve(client, supervisor, koseka, family):
    client.force_login(koseka)
    page = client.get(f"/review/families/{family.pk}/").content.decode()
    assert "/approve/" not in page and "/return/" not in page  # submitted: the PML's turn
    refused = client.post(f"/review/families/{family.pk}/approve/", follow=True)
    assert _messages(refused) == ["Hanya PML yang dapat menyetujui data keluarga."]
    services.family_approve(user=supervisor, family=family)
    assert "/return/" in client.get(f"/review/families/{family.pk}/").content.decode()
    response = client.post(f"/review/families/{family.pk}/return/", {"comment": "SLS belum lengkap"}, follow=True)
    assert _messages(response) == ["Keluarga dikembalikan ke PPL dengan catatan."]
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED and family.reviewed_by == koseka


def test_the_bps_admin_returns_an_approved_family(client, supervisor, bps_admin, family):
    services.family_approve(user=supervisor, family=family)
    client.force_login(bps_admin)
    client.post(f"/review/families/{family.pk}/return/", {"comment": "Data ganda"})
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED


def test_the_pml_cannot_return_an_approved_family(client, supervisor, family):
    services.family_approve(user=supervisor, family=family)
    client.force_login(supervisor)
    assert "/return/" not in client.get(f"/review/families/{family.pk}/").content.decode()
    response = client.post(f"/review/families/{family.pk}/return/", {"comment": "lagi"}, follow=True)
    assert "tidak dapat dikembalikan" in _messages(response)[0]
    family.refresh_from_db()
    assert family.status == FamilyStatus.APPROVED
