"""An analyst's export in a real browser, against the real web server and Celery worker: a PML asks
for the families of their team as CSV, the page follows the job (htmx polling) until the download
link appears, and the downloaded file holds exactly the families the database has in their scope,
with masked No. KK."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from households.models import Family
from monitoring.exports import ExportFilters, export_family_qs
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def team(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A PML, their PPL with two SLS and five families (one with a hostile name)."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        # A kelurahan the other browser tests do not use, so the team's scope holds only its own.
        kelurahan = Kelurahan.objects.exclude(pk="3674010001").order_by("bps_code").first()
        assert kelurahan is not None
        code_kel, kec = kelurahan.bps_code, kelurahan.kecamatan_id
        koseka = User.objects.create_user(
            username=f"koseka.ex{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kec
        )
        pml = User.objects.create_user(
            username=f"pml.ex{tag}", password=PASSWORD, role=Role.PML, supervisor=koseka, kecamatan_id=kec
        )
        ppl = User.objects.create_user(
            username=f"ppl.ex{tag}", password=PASSWORD, role=Role.PPL, supervisor=pml, kecamatan_id=kec
        )
        families = []
        for index in range(2):
            code = str(uuid.uuid4().int % 9000 + 1000)
            sls = SLS.objects.select_related("kelurahan").get(
                pk=SLS.objects.create(kelurahan_id=code_kel, code=code, name=f"RT 0{index}").pk
            )
            Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
            for building in range(1, 4 - index):
                record = record_for(sls, r109=f"{building:03d}")
                if building == 1:
                    record["family"]["r108"] = record["members"][0]["r402"] = '"<img src=x onerror=alert(1)>'
                families.append(create_family(ppl, sls, record))
        yield {"pml": pml, "families": families}


def test_a_pml_downloads_the_families_csv_and_its_rows_match_the_database(
    browser: Any, live_stack: LiveStack, team: dict[str, Any], django_db_blocker: Any
) -> None:
    pml = team["pml"]
    context = browser.new_context(accept_downloads=True, locale="id-ID")
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{live_stack.url}/masuk/")
    page.fill("#id_username", pml.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("link", name="Ekspor").click()
    page.select_option("#id_what", "families.csv")
    page.get_by_role("button", name="Buat ekspor").click()
    link = page.get_by_role("link", name="Unduh")
    link.wait_for(timeout=TIMEOUT_MS)  # the row is polled until the worker has written the file
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        link.click()
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    with django_db_blocker.unblock():
        expected = set(export_family_qs(user=pml, filters=ExportFilters()).values_list("pk", flat=True))
        kk_hashes = dict(Family.objects.filter(pk__in=expected).values_list("pk", "kk_hash"))
    assert expected == {f.pk for f in team["families"]} and len(expected) == 5
    assert len(rows) == len(expected)
    assert {int(row["id_keluarga"]) for row in rows} == expected
    assert all(row["r114"].startswith("•") for row in rows if kk_hashes[int(row["id_keluarga"])])
    assert int(link.get_attribute("data-rows") or -1) == len(expected)
    assert dialogs == []  # the hostile name ran nothing
    context.close()
