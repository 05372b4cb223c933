"""A BPS admin starts a ranking run in the browser and watches its progress reach the summary: the
real web server, the real Celery worker on queue `ranking`, htmx polling the progress fragment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from households.models import Family, FamilyStatus
from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.models import RankedFamily, RankingRun, RunStatus
from ranking.services import pmt_model_import
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.e2e

KELURAHAN = "3674060001"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def ranking_setup(django_db_blocker: Any) -> Iterator[User]:
    """The shipped PMT model, six approved families in a fresh SLS, and a BPS admin."""
    import json

    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        pmt_model_import(data=json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8")))
        kelurahan = Kelurahan.objects.get(pk=KELURAHAN)
        ppl = User.objects.create_user(
            username=f"ppl.rank{tag}", password=PASSWORD, role=Role.PPL, kecamatan_id=kelurahan.kecamatan_id
        )
        sls = SLS.objects.create(kelurahan=kelurahan, code=str(uuid.uuid4().int % 9000 + 1000), name="RT 077")
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        for i, floor in enumerate([24, 36, 48, 60, 90, 150]):
            family = create_family(ppl, sls, record_for(sls, r302=floor, r109=f"{i + 1:03d}"))
            Family.objects.filter(pk=family.pk).update(status=FamilyStatus.APPROVED)
        admin = User.objects.create_user(
            username=f"admin.rank{tag}", password=PASSWORD, role=Role.BPS_ADMIN, is_staff=True
        )
        yield admin


def test_a_bps_admin_starts_a_run_and_sees_it_reach_the_summary(
    live_stack: LiveStack, browser: Any, ranking_setup: User, django_db_blocker: Any
) -> None:
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_stack.url}/masuk/?next=/peringkat/")
    page.fill("#id_username", ranking_setup.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/peringkat/")
    page.get_by_role("link", name="Peringkat").wait_for()  # the nav link of roles that see runs
    assert page.is_checked("input[name=statuses][value=approved]")
    page.get_by_role("button", name="Mulai pemeringkatan").click()
    page.wait_for_url(f"{live_stack.url}/peringkat/*/")
    # htmx polls the progress fragment and reloads the page when the worker has finished
    page.locator("#summary-kecamatan").wait_for()
    assert page.locator("[data-run-status]").get_attribute("data-run-status") == "finished"
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with django_db_blocker.unblock():
        run = RankingRun.objects.get(pk=run_id)
        approved = Family.objects.filter(status=FamilyStatus.APPROVED).count()
        assert run.status == RunStatus.FINISHED and run.created_by == ranking_setup
        assert RankedFamily.objects.filter(run=run).count() + run.counts["unranked"] == approved
    total = page.locator("#summary-kecamatan tfoot tr td").all_inner_texts()
    assert sum(int(n) for n in total[:10]) == run.counts["ranked"]
    page.get_by_role("button", name="Tetapkan sebagai final").click()
    page.get_by_text("Putaran ditetapkan sebagai final.").wait_for()
    context.close()
