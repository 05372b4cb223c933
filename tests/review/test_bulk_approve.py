"""Bulk approve: the PML picks families in the queue, a confirmation page lists what will be approved
and what will not (warnings, flags, status), and only the confirmed POST approves, one service call
each."""

from __future__ import annotations

import pytest

from households import services
from households.models import Family, FamilyStatus
from tests.households.factories import create_family
from tests.review.conftest import named
from tests.review.test_views_queue_flags import distinct

pytestmark = pytest.mark.django_db


@pytest.fixture
def picked(petugas, teammate, field, supervisor) -> dict[str, Family]:
    own1, team = field["own1"], field["team"]
    made = {
        "ANI": create_family(petugas, own1, distinct(named(own1, "ANI", "001"), 1)),
        "<b>BUDI</b>": create_family(teammate, team, distinct(named(team, "<b>BUDI</b>", "002"), 2)),
        "WARN": create_family(petugas, own1, distinct(named(own1, "WARN", "003"), 3)),
        "DUP": create_family(petugas, own1, distinct(named(own1, "DUP", "004"), 4)),
        "DONE": create_family(petugas, own1, distinct(named(own1, "DONE", "005"), 5)),
    }
    Family.objects.filter(pk__in=[f.pk for f in made.values()]).update(photo_required=False)
    Family.objects.filter(pk=made["WARN"].pk).update(
        warnings=[{"variable": "r302", "number": "302", "member_index": None, "message": "x"}]
    )
    # DUP's No. KK is also on a family nobody picked.
    unpicked = create_family(petugas, own1, distinct(named(own1, "LAIN", "009"), 9))
    Family.objects.filter(pk=made["DUP"].pk).update(kk_hash=unpicked.kk_hash)
    services.family_approve(user=supervisor, family=made["DONE"])
    return made


def test_the_queue_offers_a_checkbox_per_submitted_family_to_the_pml_only(client, supervisor, koseka, picked):
    client.force_login(supervisor)
    body = client.get("/review/").content.decode()
    assert 'id="bulk-form"' in body
    assert f'name="family" value="{picked["ANI"].pk}" form="bulk-form"' in body
    assert f'value="{picked["DONE"].pk}" form="bulk-form"' not in body
    client.force_login(koseka)
    assert 'id="bulk-form"' not in client.get("/review/").content.decode()


def test_the_confirmation_lists_both_sides_and_approves_nothing(client, supervisor, picked):
    client.force_login(supervisor)
    ids = [f.pk for f in picked.values()]
    response = client.post("/review/bulk-approve/", {"family": ids})
    body = response.content.decode()
    assert response.status_code == 200 and "1 keluarga akan disetujui" in body
    eligible = body[: body.index("Tidak ikut disetujui")]
    assert "ANI" in eligible and "BUDI" not in eligible
    # The teammate's family: its name's markup is a rule warning, and it is shown as text.
    others = body[body.index("Tidak ikut disetujui") :]
    assert "&lt;b&gt;BUDI&lt;/b&gt;" in others and "<b>BUDI" not in body
    assert "WARN" in others and "DUP" in others and "No. KK ganda" in others and "DONE" in others
    assert Family.objects.filter(status=FamilyStatus.APPROVED).count() == 1


def test_confirming_approves_only_the_clean_families(client, supervisor, picked):
    client.force_login(supervisor)
    ids = [f.pk for f in picked.values()]
    response = client.post("/review/bulk-approve/?sort=head", {"family": ids, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == "/review/?sort=head"
    approved = set(Family.objects.filter(status=FamilyStatus.APPROVED).values_list("head_name", flat=True))
    assert approved == {"ANI", "DONE"}
    messages = client.get("/review/").content.decode()
    assert "1 keluarga disetujui" in messages and "4 keluarga tidak disetujui" in messages
    # Again: nothing more to approve, nothing approved twice.
    client.post("/review/bulk-approve/", {"family": ids, "confirm": "1"})
    assert Family.objects.filter(status=FamilyStatus.APPROVED).count() == 2


def test_bulk_approve_ignores_families_out_of_scope_and_refuses_other_roles(
    client, picked, other_supervisor, koseka, petugas, other_family
):
    client.force_login(other_supervisor)
    client.post("/review/bulk-approve/", {"family": [f.pk for f in picked.values()], "confirm": "1"})
    assert Family.objects.filter(status=FamilyStatus.APPROVED).count() == 1
    for persona in (koseka, petugas):
        client.force_login(persona)
        assert client.post("/review/bulk-approve/", {"family": [picked["ANI"].pk], "confirm": "1"}).status_code == 403
    assert client.get("/review/bulk-approve/").status_code in (403, 405)
    picked["ANI"].refresh_from_db()
    assert picked["ANI"].status == FamilyStatus.SUBMITTED
