"""Returns with comments per answer ({variable, member, comment}): one service for the desk's form and
the API, stored on the return's ReviewEvent, carried to the phone by the pull, the push's answer and
GET /api/v1/families/<id>/ while the family is returned."""

from __future__ import annotations

import pytest

from fieldapp.sync import sync_pull
from households import services
from households.models import FamilyStatus, ReviewEvent
from regsosek.errors import ApplicationError
from tests.households.factories import record_for

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> ejaan nama"


def _return_by_form(client, family, data):
    return client.post(f"/review/families/{family.pk}/return/", data, follow=True)


def test_the_pml_returns_with_notes_on_answers_and_the_page_shows_them_as_text(client, supervisor, family):
    client.force_login(supervisor)
    body = client.get(f"/review/families/{family.pk}/").content.decode()
    assert 'name="note:r303" form="return-form"' in body and 'name="note:r402:2" form="return-form"' in body
    assert "Tandai untuk dikembalikan" in body
    response = _return_by_form(client, family, {"comment": "", "note:r303": "cek luas", "note:r402:2": HOSTILE})
    assert response.status_code == 200
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED
    event = ReviewEvent.objects.filter(family=family).latest("id")
    assert event.notes == [
        {"variable": "r303", "member": None, "comment": "cek luas"},
        {"variable": "r402", "member": 2, "comment": HOSTILE},
    ]
    page = response.content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; ejaan nama" in page
    assert "Anggota 2" in page


def test_a_note_on_an_answer_the_family_lacks_changes_nothing(client, supervisor, family):
    client.force_login(supervisor)
    for bad in ({"note:r999": "x"}, {"note:r402:9": "x"}, {"note:r402": "x"}, {"note:r303:1": "x"}):
        response = _return_by_form(client, family, {"comment": "", **bad})
        assert "tidak ada" in response.content.decode()
    assert "Tuliskan alasan" in _return_by_form(client, family, {"comment": " ", "note:r303": " "}).content.decode()
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED
    assert not ReviewEvent.objects.filter(to_status=FamilyStatus.RETURNED).exists()


def test_the_service_refuses_malformed_notes(supervisor, family):
    for notes in (
        "r303",
        [{"variable": "r303", "member": None, "comment": ""}],
        [{"variable": "r303", "member": None, "comment": "x" * 501}],
        [{"variable": "r303", "member": True, "comment": "x"}],
        [{"variable": "r303", "member": None, "comment": "a"}, {"variable": "r303", "member": None, "comment": "b"}],
        [{"variable": "r303", "member": None, "comment": "x"}] * 101,
    ):
        with pytest.raises(ApplicationError) as refused:
            services.family_return(user=supervisor, family=family, comment="umum", notes=notes)  # type: ignore[arg-type]
        assert refused.value.extra["field"] == "notes"
    family.refresh_from_db()
    assert family.status == FamilyStatus.SUBMITTED


def test_the_api_returns_with_notes_through_the_same_service(client, supervisor, family):
    client.force_login(supervisor)
    url = f"/api/v1/families/{family.pk}/return/"
    bad = client.post(url, {"notes": [{"variable": "r999", "member": None, "comment": "x"}]}, "application/json")
    assert bad.status_code == 400
    # What the schema's pattern and maxLength refuse, the API refuses: only spaces (U+FEFF and
    # U+001C too, which one of Python and ECMAScript counts as a space), a NUL, over 500 as sent.
    for comment in (" \t", "\ufeff", "\x1c", "cek\x00", " " + "x" * 500):
        refused = client.post(
            url, {"notes": [{"variable": "r303", "member": None, "comment": comment}]}, "application/json"
        )
        assert refused.status_code == 400 and "notes" in refused.json()["errors"], repr(comment)
    for variable in ("", " r303", "r303 ", "R303"):
        refused = client.post(
            url, {"notes": [{"variable": variable, "member": None, "comment": "x"}]}, "application/json"
        )
        assert refused.status_code == 400 and "notes" in refused.json()["errors"], repr(variable)
    note = {"variable": "r402", "member": 1, "comment": "nama kepala keluarga beda dengan KK"}
    done = client.post(url, {"notes": [note]}, "application/json")
    assert done.status_code == 200 and done.json()["status"] == "returned"
    detail = client.get(f"/api/v1/families/{family.pk}/").json()
    assert detail["review_notes"] == [note] and detail["return_id"] is not None


def test_the_pull_carries_the_notes_while_the_family_is_returned(supervisor, petugas, family, field):
    pulled = sync_pull(user=petugas, cursor=None)
    assert pulled["families"][0]["review_notes"] == [] and pulled["returned"] == []
    note = {"variable": "r303", "member": None, "comment": "cek luas lantai"}
    services.family_return(user=supervisor, family=family, comment="lihat catatan", notes=[note])
    pulled = sync_pull(user=petugas, cursor=None)
    (item,) = pulled["families"]
    assert item["review_notes"] == [note] and item["review_comment"] == "lihat catatan"
    (returned,) = pulled["returned"]
    assert returned["notes"] == [note] and returned["return_id"] == item["return_id"]
    # The PPL's correction answers the return: submitted again, no notes any more.
    record = record_for(field["own1"], r302=50)
    services.family_save(
        user=petugas,
        sls=field["own1"],
        client_uuid=family.client_uuid,
        record=record,
        base_revision=family.revision,
        answers_return=item["return_id"],
    )
    pulled = sync_pull(user=petugas, cursor=None)
    assert pulled["families"][0]["review_notes"] == [] and pulled["families"][0]["return_id"] is None


def test_a_koseka_returns_an_approved_family_with_a_note(client, supervisor, koseka, family):
    services.family_approve(user=supervisor, family=family)
    client.force_login(koseka)
    response = _return_by_form(client, family, {"comment": "cek ulang", "note:r402:1": "nama tidak sesuai KK"})
    assert "dikembalikan" in response.content.decode()
    family.refresh_from_db()
    assert family.status == FamilyStatus.RETURNED
    assert ReviewEvent.objects.filter(family=family).latest("id").notes == [
        {"variable": "r402", "member": 1, "comment": "nama tidak sesuai KK"}
    ]
