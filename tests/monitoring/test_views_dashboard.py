"""The progress dashboard: its numbers equal fresh counts of the database, at every level and for
every role's scope, and change as families are pushed and reviewed."""

from __future__ import annotations

import pytest

from households import services
from households.models import Family, FamilyStatus, PrelistFamily
from monitoring.progress import Counts
from tests.helpers import KEC_A, KEC_B, KEL_A1
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def _fresh(sls_ids: list[int]) -> Counts:
    """The numbers as the database holds them, counted here independently of monitoring/."""
    families = Family.objects.filter(sls_id__in=sls_ids)
    prelist = PrelistFamily.objects.filter(sls_id__in=sls_ids)
    return Counts(
        target=prelist.count(),
        closed=prelist.filter(status__in=["moved", "deceased", "not_found", "duplicate"]).count(),
        collected=families.count(),
        submitted=families.filter(status=FamilyStatus.SUBMITTED).count(),
        approved=families.filter(status=FamilyStatus.APPROVED).count(),
        returned=families.filter(status=FamilyStatus.RETURNED).count(),
        sls=len(sls_ids),
        sls_confirmed=0,
    )


def _numbers(counts: Counts) -> tuple[int, ...]:
    return (counts.target, counts.closed, counts.collected, counts.submitted, counts.approved, counts.returned)


def test_the_kota_page_of_a_bps_admin_counts_every_sls(client, bps_admin, fieldwork):
    client.force_login(bps_admin)
    response = client.get("/pemantauan/")
    assert response.status_code == 200
    total = response.context["progress"].total
    every = [s.pk for s in fieldwork.sls.values()]
    assert _numbers(total) == _numbers(_fresh(every)) == (10, 1, 6, 2, 3, 1)
    assert total.sls == 5 and total.sls_confirmed == 1
    rows = {r.key: r for r in response.context["progress"].rows}
    assert set(rows) == {KEC_A, KEC_B}
    assert _numbers(rows[KEC_B].counts) == _numbers(_fresh([fieldwork.sls["other"].pk]))
    # % done: approved families plus VK1 rows closed without a record, over the VK1 rows.
    assert total.percent_done == pytest.approx(100 * (3 + 1) / 10)


def test_numbers_follow_pushes_and_reviews(client, bps_admin, supervisor, petugas, fieldwork):
    client.force_login(bps_admin)
    url = f"/pemantauan/kelurahan/{KEL_A1}/"
    before = client.get(url).context["progress"].total
    own1 = fieldwork.sls["own1"]
    create_family(petugas, own1, record_for(own1, r109="009"))
    services.family_approve(user=supervisor, family=fieldwork.families["a3"])
    after = client.get(url).context["progress"].total
    assert after.collected == before.collected + 1
    assert after.approved == before.approved + 1
    assert after.submitted == before.submitted  # one more submitted, one approved
    kel_sls = [fieldwork.sls["own1"].pk, fieldwork.sls["team"].pk]
    assert _numbers(after) == _numbers(_fresh(kel_sls))


def test_a_koseka_sees_their_kecamatan_only(client, koseka, fieldwork):
    client.force_login(koseka)
    response = client.get("/pemantauan/")
    assert response.status_code == 200
    rows = response.context["progress"].rows
    assert [r.key for r in rows] == [KEC_A]
    mine = [fieldwork.sls[k].pk for k in ("own1", "own2", "team", "unassigned")]
    assert _numbers(response.context["progress"].total) == _numbers(_fresh(mine))
    assert client.get(f"/pemantauan/kecamatan/{KEC_A}/").status_code == 200
    assert client.get(f"/pemantauan/kecamatan/{KEC_B}/").status_code == 404
    assert client.get(f"/pemantauan/sls/{fieldwork.sls['other'].pk}/").status_code == 404


def test_a_pml_sees_their_team_and_its_ppl(client, supervisor, other_supervisor, petugas, teammate, fieldwork):
    client.force_login(supervisor)
    response = client.get("/pemantauan/?by=ppl")
    team_sls = [fieldwork.sls[k].pk for k in ("own1", "own2", "team")]
    assert _numbers(response.context["progress"].total) == _numbers(_fresh(team_sls))
    rows = {r.key: r for r in response.context["progress"].rows}
    assert set(rows) == {str(petugas.pk), str(teammate.pk)}
    assert rows[str(petugas.pk)].counts.collected == 3
    assert rows[str(teammate.pk)].counts.approved == 2
    page = client.get(f"/pemantauan/ppl/{petugas.pk}/")
    assert page.status_code == 200
    assert {r.key for r in page.context["progress"].rows} == {
        str(fieldwork.sls["own1"].pk),
        str(fieldwork.sls["own2"].pk),
    }
    client.force_login(other_supervisor)
    assert client.get(f"/pemantauan/ppl/{petugas.pk}/").status_code == 404
    assert client.get(f"/pemantauan/kelurahan/{KEL_A1}/").status_code == 404


def test_the_sls_level_shows_confirmation_and_the_ppl(client, koseka, petugas, fieldwork):
    client.force_login(koseka)
    response = client.get(f"/pemantauan/kelurahan/{KEL_A1}/")
    rows = {r.key: r for r in response.context["progress"].rows}
    team = rows[str(fieldwork.sls["team"].pk)]
    assert team.confirmed and team.counts.sls_confirmed == 1
    own1 = rows[str(fieldwork.sls["own1"].pk)]
    assert not own1.confirmed and own1.ppl_id == petugas.pk
    html = response.content.decode()
    assert f'href="/pemantauan/ppl/{petugas.pk}/"' in html
    assert f'href="/pemantauan/sls/{fieldwork.sls["own1"].pk}/"' in html


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_staff_see_none_of_it(client, request, fieldwork, persona):
    client.force_login(request.getfixturevalue(persona))
    urls = [
        "/pemantauan/",
        f"/pemantauan/kecamatan/{KEC_A}/",
        f"/pemantauan/kelurahan/{KEL_A1}/",
        f"/pemantauan/sls/{fieldwork.sls['own1'].pk}/",
        "/pemantauan/daftar/?level=kota&key=&what=collected",
        "/pemantauan/peta/wilayah.json?level=kota&key=&zoom=12",
        "/pemantauan/peta/titik.json?level=kota&key=&zoom=12&bbox=106,-7,107,-6",
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/pemantauan/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_the_dashboard_costs_a_fixed_number_of_queries(client, bps_admin, fieldwork, django_assert_max_num_queries):
    client.force_login(bps_admin)
    client.get("/pemantauan/")  # warm the session and content types
    with django_assert_max_num_queries(14):
        client.get("/pemantauan/")
    own1 = fieldwork.sls["own1"]
    for building in ("011", "012", "013"):
        create_family(fieldwork.families["a1"].created_by, own1, record_for(own1, r109=building))
    with django_assert_max_num_queries(14):
        client.get("/pemantauan/")


def test_hostile_names_are_shown_as_text(client, koseka, fieldwork):
    sls = fieldwork.sls["own1"]
    sls.name = '<script>alert("x")</script>'
    sls.save(update_fields=["name"])
    client.force_login(koseka)
    html = client.get(f"/pemantauan/kelurahan/{KEL_A1}/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_a_long_table_is_paged_and_the_total_counts_every_row(
    client, supervisor, petugas, teammate, fieldwork, monkeypatch
):
    from monitoring import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 1)
    client.force_login(supervisor)
    first = client.get("/pemantauan/?by=ppl")
    second = client.get("/pemantauan/?by=ppl&page=2")
    shown = [r["row"].key for r in first.context["rows"]] + [r["row"].key for r in second.context["rows"]]
    assert sorted(shown) == sorted([str(petugas.pk), str(teammate.pk)])
    assert len(first.context["rows"]) == 1
    assert first.context["progress"].total == second.context["progress"].total
    body = first.content.decode()
    assert 'rel="next"' in body and "by=ppl" in body.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert 'rel="prev"' in second.content.decode()
    # A page past the end shows the last one, as everywhere else.
    assert [r["row"].key for r in client.get("/pemantauan/?by=ppl&page=99").context["rows"]] == shown[1:]
