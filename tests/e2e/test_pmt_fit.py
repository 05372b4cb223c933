"""A BPS admin uploads a survey file in the browser, the real Celery worker (queue `ranking`) fits
the model, the model page shows the draft with its accuracy table, and the admin activates it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from enumeration.models import Role, User
from ranking.models import FitStatus, PMTFit
from ranking.selectors import pmt_model_current
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.ranking.fitfiles import synthetic_rows, to_csv

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def fit_admin(django_db_blocker: Any) -> Iterator[User]:
    with django_db_blocker.unblock():
        yield User.objects.create_user(
            username=f"admin.fit{uuid.uuid4().hex[:6]}", password=PASSWORD, role=Role.BPS_ADMIN, is_staff=True
        )


def test_a_bps_admin_uploads_a_survey_and_activates_the_fitted_model(
    live_stack: LiveStack, browser: Any, fit_admin: User, django_db_blocker: Any
) -> None:
    version = f"uji-e2e-{uuid.uuid4().hex[:6]}"
    context = browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_stack.url}/masuk/?next=/peringkat/model/estimasi/")
    page.fill("#id_username", fit_admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_stack.url}/peringkat/model/estimasi/")
    page.set_input_files(
        "#id_survey", files=[{"name": "survei.csv", "mimeType": "text/csv", "buffer": to_csv(synthetic_rows())}]
    )
    page.fill("#id_version", version)
    page.fill("#id_folds", "5")
    page.get_by_role("button", name="Unggah dan estimasi").click()
    page.wait_for_url(f"{live_stack.url}/peringkat/model/")
    page.get_by_text("masuk antrean").wait_for()

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    with django_db_blocker.unblock():
        while PMTFit.objects.get(version=version).status in (FitStatus.QUEUED, FitStatus.RUNNING):
            assert time.monotonic() < deadline, "the worker did not fit the model"
            time.sleep(0.5)
        fit = PMTFit.objects.select_related("model").get(version=version)
    assert fit.status == FitStatus.FINISHED and fit.model is not None and fit.model.is_draft

    page.reload()
    section = page.locator(f"#model-{fit.model.pk}").locator("xpath=..")
    section.get_by_text("Draf: belum dipakai putaran").wait_for()
    assert section.locator("table.accuracy tbody tr").count() == 5  # training coverage and 10/20/30/40 %
    section.get_by_role("button", name="Aktifkan untuk putaran baru").click()
    page.get_by_text(f"Model {version} kini dipakai putaran baru.").wait_for()
    page.locator(f"#model-{fit.model.pk}").locator("xpath=..").get_by_text("Aktif: dipakai putaran baru").wait_for()
    with django_db_blocker.unblock():
        assert pmt_model_current() == fit.model
    context.close()
