"""The ranking pages: who may open and act on each, and what they show."""

from __future__ import annotations

import pytest

from audit.models import AuditAction, AuditEntry
from ranking.models import RankingRun, RunStatus
from tests.helpers import KEC_A, KEC_B
from tests.ranking.factories import floor_model, run_now

pytestmark = pytest.mark.django_db

PERSONAS = ["petugas", "supervisor", "koseka", "other_koseka", "bps_admin", "pemkot", "anonymous"]
# persona -> expected status of (read pages, admin actions)
EXPECTED = {
    "petugas": (403, 403),
    "supervisor": (403, 403),
    "koseka": (200, 403),
    "other_koseka": (200, 403),
    "bps_admin": (200, 302),
    "pemkot": (200, 403),
}


@pytest.fixture
def finished(population, bps_admin) -> RankingRun:
    floor_model()
    return run_now(bps_admin)


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_and_action_by_role(client, request, finished, persona):
    _login(client, request, persona)
    reads = ["/peringkat/", f"/peringkat/{finished.pk}/", f"/peringkat/{finished.pk}/progres/", "/peringkat/model/"]
    for url in reads:
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/masuk/"), url
        else:
            assert response.status_code == EXPECTED[persona][0], url
    # actions: finalise (done), cancel (a finished run: refused with a message), start (queues a second run)
    posts = [f"/peringkat/{finished.pk}/final/", f"/peringkat/{finished.pk}/batalkan/"]
    for url in posts:
        response = client.post(url)
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/masuk/"), url
        else:
            assert response.status_code == EXPECTED[persona][1], url
    response = client.post("/peringkat/mulai/", {"statuses": ["approved"]})
    if persona == "anonymous":
        assert response["Location"].startswith("/masuk/")
    else:
        assert response.status_code == EXPECTED[persona][1]
    finished.refresh_from_db()
    assert finished.is_final == (persona == "bps_admin")
    assert RankingRun.objects.count() == (2 if persona == "bps_admin" else 1)


def test_an_unknown_run_is_404(client, bps_admin):
    client.force_login(bps_admin)
    assert client.get("/peringkat/999/").status_code == 404
    assert client.post("/peringkat/999/batalkan/").status_code == 404


def test_nav_link_only_for_roles_that_may_see_runs(client, request, population):
    for persona, shown in [("petugas", False), ("supervisor", False), ("koseka", True), ("pemkot", True)]:
        client.force_login(request.getfixturevalue(persona))
        assert ('href="/peringkat/"' in client.get("/").content.decode()) is shown, persona


def test_the_run_page_shows_the_summary_unranked_families_and_no_personal_data(client, finished, bps_admin, population):
    client.force_login(bps_admin)
    page = client.get(f"/peringkat/{finished.pk}/").content.decode()
    assert 'id="summary-kecamatan"' in page
    assert "12 keluarga diperingkat, 2 tanpa peringkat." in page
    assert f"#{population['headless'].pk}" in page and "no_head" in page
    assert "r302" in page  # the missing answer's variable
    for family in population["families"]:
        assert family.head_name not in page
    assert "Tetapkan sebagai final" in page


def test_a_koseka_sees_only_their_kecamatan(client, finished, koseka, other_koseka, population):
    client.force_login(koseka)
    page = client.get(f"/peringkat/{finished.pk}/").content.decode()
    # kecamatan A: 8 ranked (own1, own2, team), the 2 unrankable; B's 4 families are not counted
    assert "8 keluarga diperingkat, 2 tanpa peringkat." in page
    assert KEC_A in page and KEC_B not in page
    assert "Tetapkan sebagai final" not in page
    client.force_login(other_koseka)
    page = client.get(f"/peringkat/{finished.pk}/").content.decode()
    assert "4 keluarga diperingkat, 0 tanpa peringkat." in page
    assert f"#{population['headless'].pk}" not in page


def test_start_cancel_and_finalise_through_the_pages_are_audited(
    client, bps_admin, population, django_capture_on_commit_callbacks
):
    floor_model()
    client.force_login(bps_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/peringkat/mulai/", {"statuses": ["approved", "submitted"]})
    run = RankingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/peringkat/{run.pk}/"
    assert len(callbacks) == 1  # the task is enqueued on commit
    assert run.parameters["statuses"] == ["approved", "submitted"]
    # a second start while one is queued is refused with a message
    client.post("/peringkat/mulai/", {"statuses": ["approved"]})
    assert RankingRun.objects.count() == 1
    page = client.get(f"/peringkat/{run.pk}/").content.decode()
    assert 'hx-get="/peringkat/' in page and "Batalkan putaran" in page
    client.post(f"/peringkat/{run.pk}/batalkan/")
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    events = list(
        AuditEntry.objects.filter(action=AuditAction.RANKING_RUN).order_by("id").values_list("detail", flat=True)
    )
    assert events == ["event=started", "event=cancelled"]


def test_the_progress_fragment_polls_while_active_and_refreshes_when_done(client, bps_admin, population):
    floor_model()
    client.force_login(bps_admin)
    from ranking.services import ranking_run_start

    run = ranking_run_start(user=bps_admin)
    fragment = client.get(f"/peringkat/{run.pk}/progres/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in fragment.content.decode() and "HX-Refresh" not in fragment
    from ranking.jobs import ranking_run_execute

    ranking_run_execute(run.pk)
    fragment = client.get(f"/peringkat/{run.pk}/progres/", headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true" and "hx-trigger" not in fragment.content.decode()


def test_the_model_page_shows_the_accuracy_report_and_its_label(client, pemkot):
    from django.core.management import call_command

    call_command("load_pmt_model", verbosity=0)
    client.force_login(pemkot)
    page = client.get("/peringkat/model/").content.decode()
    assert "Diestimasi dari data Alatas dkk. 2012, bukan bobot resmi BPS" in page
    assert "0,482" in page  # cross-validated R2
    for label in ("10 % termiskin", "20 % termiskin", "30 % termiskin", "40 % termiskin", "Cakupan pelatihan"):
        assert label in page
    assert "0,344" in page  # exclusion at training coverage
