"""Pemkot staff download an FKP list in a real browser: sign in, open the run, the kelurahan and the
forum, ask for the PDF (made by the real Celery worker while the page polls with htmx), download it
and the XLSX, and read both back. The database then holds one audit entry per download."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed
from pypdf import PdfReader

from audit.models import AuditAction, AuditEntry
from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from fkp import services as fkp_services
from fkp.models import Forum
from households.models import Family
from ranking.jobs import ranking_run_execute
from ranking.services import ranking_run_start
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.ranking.factories import family_with_floor, floor_model

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010002"
TIMEOUT_MS = 60_000


@pytest.fixture
def fkp_world(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Three ranked families in a new SLS, a finished run, the kelurahan's forums, a Pemkot user."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.get(pk=KELURAHAN)
        admin = User.objects.create_user(username=f"admin.e2e{tag}", password=PASSWORD, role=Role.BPS_ADMIN)
        pemkot = User.objects.create_user(username=f"pemkot.e2e{tag}", password=PASSWORD, role=Role.PEMKOT)
        ppl = User.objects.create_user(username=f"ppl.fkp{tag}", password=PASSWORD, role=Role.PPL)
        sls = SLS.objects.create(kelurahan=kelurahan, code=str(uuid.uuid4().int % 9000 + 1000), name="RT 077")
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        families = [family_with_floor(ppl, sls, floor, building=i + 1) for i, floor in enumerate((40, 20, 30))]
        Family.objects.filter(pk=families[1].pk).update(head_name="<b>KELUARGA</b> UJI")
        floor_model(version=f"uji-e2e-{tag}")
        run = ranking_run_start(user=admin, enqueue=False)
        ranking_run_execute(run.pk)
        run.refresh_from_db()
        forums = fkp_services.forum_group_kelurahan(user=admin, run=run, kelurahan=kelurahan, max_sls=12)
        forum = next(f for f in forums if f.memberships.filter(sls=sls).exists())
        yield {"pemkot": pemkot, "run": run, "forum": forum, "kelurahan": kelurahan}


def test_pemkot_staff_download_a_forum_list_as_pdf_and_xlsx(
    live_stack: LiveStack, browser: Any, fkp_world: dict[str, Any], django_db_blocker: Any
) -> None:
    context = browser.new_context(locale="id-ID", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_stack.url}/masuk/")
    page.fill("#id_username", fkp_world["pemkot"].username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.get_by_role("link", name="Daftar FKP").click()
    run, forum = fkp_world["run"], fkp_world["forum"]
    page.get_by_role("link", name=f"Pemeringkatan #{run.pk}", exact=True).click()
    page.get_by_role("link", name=fkp_world["kelurahan"].name).click()
    page.locator(f"#forum-{forum.pk}").get_by_role("link").first.click()
    # The hostile name is text on the page, not markup.
    assert page.get_by_text("<b>KELUARGA</b> UJI").count() == 1

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Daftar XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    lines = list(book.active.iter_rows(values_only=True))
    assert "<b>KELUARGA</b> UJI" in [line[2] for line in lines[2:]]

    page.get_by_role("button", name="Buat daftar PDF").click()
    page.get_by_role("link", name="Unduh").wait_for()  # htmx polls until the worker has made it
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Unduh").click()
    assert pdf_download.value.suggested_filename == f"fkp-{KELURAHAN}-forum{forum.number}-run{run.pk}.pdf"
    with open(pdf_download.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = reader.pages[0].extract_text()
    assert f"forum {forum.number}" in text and f"Halaman 1 dari {len(reader.pages)}" in text
    context.close()

    with django_db_blocker.unblock():
        exports = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor_id=fkp_world["pemkot"].pk)
        assert sorted(exports.values_list("object_type", flat=True)) == ["fkp_forum_pdf", "fkp_forum_xlsx"]


def test_pemkot_staff_download_one_pdf_of_all_the_kelurahan_forums(
    live_stack: LiveStack, browser: Any, fkp_world: dict[str, Any], django_db_blocker: Any
) -> None:
    run, kelurahan = fkp_world["run"], fkp_world["kelurahan"]
    with django_db_blocker.unblock():
        numbers = list(
            Forum.objects.filter(run=run, kelurahan=kelurahan).order_by("number").values_list("number", flat=True)
        )
    context = browser.new_context(locale="id-ID", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_stack.url}/masuk/")
    page.fill("#id_username", fkp_world["pemkot"].username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.get_by_role("link", name="Daftar FKP").click()
    page.get_by_role("link", name=f"Pemeringkatan #{run.pk}", exact=True).click()
    page.get_by_role("link", name=kelurahan.name).click()

    page.get_by_role("button", name="Buat PDF semua forum kelurahan ini").click()
    page.get_by_role("link", name="Unduh").wait_for()  # htmx polls until the worker has made it
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Unduh").click()
    assert pdf_download.value.suggested_filename == f"fkp-{KELURAHAN}-run{run.pk}.pdf"
    with open(pdf_download.value.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    context.close()
    # Every page names its forum in the header; the forums come in number order, each from its page 1.
    on_pages = []
    for page_text in (p.extract_text() for p in reader.pages):
        found = re.search(r"forum (\d+)", page_text)
        assert found is not None and "Halaman " in page_text
        on_pages.append(int(found.group(1)))
    assert on_pages == sorted(on_pages) and sorted(set(on_pages)) == numbers
    assert [item.title.rsplit(" ", 1)[-1] for item in reader.outline] == [str(n) for n in numbers]

    with django_db_blocker.unblock():
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT, actor_id=fkp_world["pemkot"].pk)
        assert entry.object_type == "fkp_kelurahan_pdf" and entry.kelurahan_code == KELURAHAN
