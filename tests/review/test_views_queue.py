"""The review queue: scope per role, filters, sort, search, paging, counts, fixed queries."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from households import services
from households.models import Family, FamilyStatus
from review import selectors
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r'<a href="/review/families/\d+/(?:\?[^"]*)?">([^<]*)</a>', table)


def test_the_pml_sees_the_teams_families(client, supervisor, families, other_family):
    client.force_login(supervisor)
    response = client.get("/review/")
    assert response.status_code == 200
    assert sorted(_names(response)) == ["ANI", "BUDI", "CICI"]


def test_the_koseka_sees_the_kecamatan_and_the_bps_admin_everything(client, koseka, bps_admin, families, other_family):
    client.force_login(koseka)
    assert sorted(_names(client.get("/review/"))) == ["ANI", "BUDI", "CICI"]
    client.force_login(bps_admin)
    assert sorted(_names(client.get("/review/"))) == ["ANI", "BUDI", "CICI", "DEDI LAIN"]


def test_the_queue_counts_each_status_and_filters_by_it(client, supervisor, families):
    services.family_approve(user=supervisor, family=families[0])
    services.family_return(user=supervisor, family=families[1], comment="cek umur")
    client.force_login(supervisor)
    response = client.get("/review/")
    counts = {code: n for code, _label, n in response.context["counts"]}
    assert counts == {"submitted": 1, "returned": 1, "approved": 1}
    assert _names(client.get("/review/", {"status": "returned"})) == ["BUDI"]
    assert _names(client.get("/review/", {"status": "approved"})) == ["ANI"]
    # An unknown status is ignored, not an error.
    assert len(_names(client.get("/review/", {"status": "draft"}))) == 3


def test_filters_by_sls_ppl_and_warnings(client, supervisor, teammate, field, families):
    client.force_login(supervisor)
    assert _names(client.get("/review/", {"sls": field["team"].pk})) == ["CICI"]
    assert _names(client.get("/review/", {"ppl": teammate.pk})) == ["CICI"]
    assert _names(client.get("/review/", {"warnings": "1"})) == []
    Family.objects.filter(pk=families[1].pk).update(
        warnings=[{"variable": "r302", "number": "302", "member_index": None, "message": "Luas lantai besar"}]
    )
    assert _names(client.get("/review/", {"warnings": "1"})) == ["BUDI"]
    # Malformed numbers are ignored.
    assert len(_names(client.get("/review/", {"sls": "x", "ppl": "1e3"}))) == 3


def test_search_by_head_name_or_building_number(client, supervisor, families):
    client.force_login(supervisor)
    assert _names(client.get("/review/", {"q": "ud"})) == ["BUDI"]
    assert _names(client.get("/review/", {"q": "3"})) == ["CICI"]
    assert _names(client.get("/review/", {"q": "003"})) == ["CICI"]
    assert _names(client.get("/review/", {"q": "tidak ada"})) == []


def test_sorts(client, supervisor, families):
    Family.objects.filter(pk=families[2].pk).update(
        warnings=[{"variable": "r302", "number": "302", "member_index": None, "message": "x"}] * 2
    )
    Family.objects.filter(pk=families[0].pk).update(submitted_at=timezone.now() - timezone.timedelta(days=2))
    client.force_login(supervisor)
    assert _names(client.get("/review/", {"sort": "head"})) == ["ANI", "BUDI", "CICI"]
    assert _names(client.get("/review/", {"sort": "-warnings"}))[0] == "CICI"
    assert _names(client.get("/review/", {"sort": "since"}))[0] == "ANI"
    assert _names(client.get("/review/", {"sort": "-since"}))[-1] == "ANI"
    assert len(_names(client.get("/review/", {"sort": "; drop table"}))) == 3


def test_pages_hold_a_fixed_number_of_rows(client, supervisor, petugas, field, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for name in ("A1", "A2", "A3"):
        create_family(petugas, field["own1"], record_for(field["own1"], r108=name))
    client.force_login(supervisor)
    first = client.get("/review/", {"sort": "head"})
    assert _names(first) == ["A1", "A2"] and 'rel="next"' in first.content.decode()
    second = client.get("/review/", {"sort": "head", "page": 2})
    assert _names(second) == ["A3"] and 'rel="prev"' in second.content.decode()
    assert _names(client.get("/review/", {"sort": "head", "page": "zz"})) == ["A1", "A2"]


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_the_queue_costs_a_fixed_number_of_queries(client, request, persona, petugas, field, django_assert_num_queries):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    create_family(petugas, field["own1"])
    # session, user, synthetic banner, status and conflict counts, page rows, SLS options, PPL options
    with django_assert_num_queries(7):
        client.get("/review/")
    for i in range(5):
        create_family(petugas, field["own2"], record_for(field["own2"], r108=f"KELUARGA {i}"))
    with django_assert_num_queries(7):
        response = client.get("/review/", {"warnings": "", "q": "KELUARGA", "sort": "ppl"})
    assert len(_names(response)) == 5


def test_the_queue_shows_text_not_markup(client, supervisor, petugas, field):
    create_family(petugas, field["own1"], record_for(field["own1"], r108="<script>alert(1)</script>"))
    client.force_login(supervisor)
    body = client.get("/review/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_supervisors_land_on_a_link_to_the_queue(client, supervisor, petugas):
    client.force_login(supervisor)
    assert 'href="/review/"' in client.get("/").content.decode()
    client.force_login(petugas)
    assert 'href="/review/"' not in client.get("/").content.decode()


def test_approved_families_stay_in_the_queue_with_their_review_time(client, supervisor, family):
    services.family_approve(user=supervisor, family=family)
    client.force_login(supervisor)
    row = client.get("/review/", {"status": FamilyStatus.APPROVED}).context["page_obj"].object_list[0]
    family.refresh_from_db()
    assert row.since == family.reviewed_at
