"""The FKP and Pemkot pages: access for every role, downloads (audited, not cached), htmx saves."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed
from pypdf import PdfReader

from audit.models import AuditAction, AuditEntry
from enumeration.models import Kelurahan
from fkp import documents, selectors, services
from fkp.models import Decision, DocumentStatus, ListDocument, Outcome, ProposedFamily
from tests.fkp.conftest import HEAD_NIK, KK_NUMBER
from tests.helpers import KEL_A1, KEL_B1

pytestmark = pytest.mark.django_db


@pytest.fixture
def b1_forum(world, bps_admin):
    return services.forum_group_kelurahan(
        user=bps_admin, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_B1), max_sls=12
    )[0]


@pytest.fixture
def urls(world, forums, b1_forum, bps_admin):
    forum = forums[0]
    proposal = services.proposal_add(user=bps_admin, forum=forum, sls_id=world.sls["own1"].pk, head_name="Usulan")
    ranked = world.ranked(world.families[0]).pk
    run = world.run.pk
    return {
        "read": [
            reverse("fkp:index"),
            reverse("fkp:run", args=[run]),
            reverse("fkp:run-csv", args=[run]),
            reverse("fkp:kelurahan", args=[run, KEL_A1]),
            reverse("fkp:kelurahan-csv", args=[run, KEL_A1]),
            reverse("fkp:forum", args=[forum.pk]),
            reverse("fkp:forum-csv", args=[forum.pk]),
            reverse("fkp:forum-xlsx", args=[forum.pk]),
        ],
        "other_kecamatan": [
            reverse("fkp:kelurahan", args=[run, KEL_B1]),
            reverse("fkp:kelurahan-csv", args=[run, KEL_B1]),
            reverse("fkp:forum", args=[b1_forum.pk]),
            reverse("fkp:forum-csv", args=[b1_forum.pk]),
            reverse("fkp:forum-xlsx", args=[b1_forum.pk]),
        ],
        "manage": [
            (reverse("fkp:group", args=[run, KEL_A1]), {"max_sls": "12"}),
            (reverse("fkp:move", args=[forum.pk]), {"sls": world.sls["own1"].pk, "to_forum": forums[1].pk}),
            (reverse("fkp:outcome", args=[forum.pk, ranked]), {"decision": "agreed"}),
            (reverse("fkp:proposal-add", args=[forum.pk]), {"sls": world.sls["own1"].pk, "head_name": "X"}),
            (reverse("fkp:proposal-withdraw", args=[forum.pk, proposal.pk]), {}),
            (reverse("fkp:rerank", args=[run]), {}),
        ],
    }


@pytest.mark.parametrize("persona", ["petugas", "supervisor"])
def test_field_staff_get_403_everywhere(client, urls, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in urls["read"] + urls["other_kecamatan"]:
        assert client.get(url).status_code == 403, url
    for url, data in urls["manage"]:
        assert client.post(url, data).status_code == 403, url


def test_anonymous_users_are_sent_to_sign_in(client, urls):
    for url in urls["read"]:
        response = client.get(url)
        assert response.status_code == 302 and "/masuk/" in response["Location"], url


@pytest.mark.parametrize("persona", ["pemkot", "bps_admin"])
def test_kota_roles_read_every_kelurahan(client, urls, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for url in urls["read"] + urls["other_kecamatan"]:
        assert client.get(url).status_code == 200, url


def test_a_koseka_reads_their_kecamatan_only(client, urls, koseka, other_koseka, world, forums):
    client.force_login(koseka)
    for url in urls["read"]:
        assert client.get(url).status_code == 200, url
    for url in urls["other_kecamatan"]:
        assert client.get(url).status_code == 404, url
    run_page = client.get(reverse("fkp:run", args=[world.run.pk])).content.decode()
    assert KEL_A1 in run_page and KEL_B1 not in run_page
    client.force_login(other_koseka)
    assert client.get(reverse("fkp:forum", args=[forums[0].pk])).status_code == 404


@pytest.mark.parametrize("persona", ["pemkot", "koseka"])
def test_readers_cannot_change_anything(client, urls, persona, request):
    client.force_login(request.getfixturevalue(persona))
    before = (Outcome.objects.count(), ProposedFamily.objects.filter(withdrawn_at__isnull=True).count())
    for url, data in urls["manage"]:
        assert client.post(url, data).status_code == 403, url
    assert (Outcome.objects.count(), ProposedFamily.objects.filter(withdrawn_at__isnull=True).count()) == before


def test_the_forum_page_masks_identifiers_escapes_names_and_is_audited(client, pemkot, forums):
    client.force_login(pemkot)
    response = client.get(reverse("fkp:forum", args=[forums[0].pk]))
    page = response.content.decode()
    assert HEAD_NIK not in page and KK_NUMBER not in page and "••••••••••••••••-" in page
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.FAMILY_VIEW, object_type="fkp_forum")
    assert (entry.actor_id, entry.object_id, entry.kelurahan_code) == (pemkot.pk, str(forums[0].pk), KEL_A1)
    assert "rows=3" in entry.detail


def test_downloads_are_audited_private_and_named_by_codes(client, pemkot, world, forums):
    client.force_login(pemkot)
    forum = forums[0]
    response = client.get(reverse("fkp:forum-csv", args=[forum.pk]))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'attachment; filename="fkp-{KEL_A1}-forum1-run{world.run.pk}.csv"'
    assert body.startswith("\ufeff") and body.count("\n") == 4 and HEAD_NIK not in body
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, object_type="fkp_forum_csv")
    assert entry.actor_id == pemkot.pk and entry.detail == f"rows=3 run={world.run.pk} forum={forum.pk}"

    response = client.get(reverse("fkp:forum-xlsx", args=[forum.pk]))
    assert response["Cache-Control"] == "private, no-store"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(book.active.iter_rows(values_only=True))) == 2 + 3
    assert AuditEntry.objects.get(object_type="fkp_forum_xlsx").detail.startswith("rows=3 ")

    response = client.get(reverse("fkp:run-csv", args=[world.run.pk]))
    assert b"".join(response.streaming_content).decode().count("\n") == 1 + 10
    assert AuditEntry.objects.get(object_type="fkp_run_csv").detail == f"rows=10 run={world.run.pk}"


def test_a_koseka_run_csv_holds_their_kecamatan_only(client, koseka, world):
    client.force_login(koseka)
    body = b"".join(client.get(reverse("fkp:run-csv", args=[world.run.pk])).streaming_content).decode()
    assert body.count("\n") == 1 + 8 and "Pondok Aren" not in body


def test_a_forum_pdf_is_made_by_the_task_then_downloaded_and_audited(
    client, pemkot, world, forums, django_capture_on_commit_callbacks
):
    client.force_login(pemkot)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("fkp:forum-pdf", args=[forums[0].pk]))
    document = ListDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fkp:document", args=[document.pk])
    assert len(callbacks) == 1 and document.status == DocumentStatus.QUEUED
    assert client.post(reverse("fkp:forum-pdf", args=[forums[0].pk])).status_code == 302
    assert ListDocument.objects.count() == 1  # asking twice gives the same document
    page = client.get(reverse("fkp:document", args=[document.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in page

    services.document_render(document_id=document.pk)
    services.document_render(document_id=document.pk)  # a second delivery of the task does nothing
    document.refresh_from_db()
    assert (document.status, document.rows) == (DocumentStatus.DONE, 3)
    assert "every 2s" not in client.get(reverse("fkp:document", args=[document.pk])).content.decode()
    response = client.get(reverse("fkp:document-download", args=[document.pk]))
    assert response["Cache-Control"] == "private, no-store" and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert "Halaman 1 dari" in reader.pages[0].extract_text()
    entry = AuditEntry.objects.get(object_type="fkp_forum_pdf")
    assert entry.detail == f"rows=3 run={world.run.pk} forum={forums[0].pk} document={document.pk}"


def test_the_run_xlsx_is_for_kota_roles_and_holds_every_ranked_family(
    client, pemkot, koseka, world, django_capture_on_commit_callbacks
):
    client.force_login(koseka)
    client.post(reverse("fkp:run-xlsx", args=[world.run.pk]))
    assert not ListDocument.objects.exists()
    client.force_login(pemkot)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("fkp:run-xlsx", args=[world.run.pk]))
    assert len(callbacks) == 1
    document = ListDocument.objects.get()
    services.document_render(document_id=document.pk)  # what the task does
    document.refresh_from_db()
    assert (document.status, document.rows) == (DocumentStatus.DONE, 10)
    client.force_login(koseka)
    assert client.get(reverse("fkp:document", args=[document.pk])).status_code == 404
    client.force_login(pemkot)
    response = client.get(reverse("fkp:document-download", args=[document.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == list(range(1, 11))  # by rank in the kota


def test_an_outcome_saved_with_htmx_returns_the_row(client, bps_admin, world, forums):
    client.force_login(bps_admin)
    ranked = world.ranked(world.families[0])
    url = reverse("fkp:outcome", args=[forums[0].pk, ranked.pk])
    response = client.post(url, {"decision": Decision.WELFARE_LOWER, "reason": ""}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and page.lstrip().startswith(f'<tr id="row-{ranked.pk}"')
    assert "Tuliskan alasan forum" in page and 'aria-invalid="true"' in page
    assert not Outcome.objects.exists()
    response = client.post(url, {"decision": Decision.WELFARE_LOWER, "reason": "Sakit"}, HTTP_HX_REQUEST="true")
    assert "Tersimpan" in response.content.decode()
    assert Outcome.objects.get().recorded_by == bps_admin
    # Without script: back to the list, with a message.
    response = client.post(url, {"decision": Decision.AGREED})
    assert response.status_code == 302 and response["Location"].endswith(f"#row-{ranked.pk}")
    assert Outcome.objects.count() == 2


def test_the_rerank_button_starts_a_run_based_on_this_one(client, bps_admin, world, forums):
    client.force_login(bps_admin)
    services.outcome_record(
        user=bps_admin, forum=forums[0], ranked_id=world.ranked(world.families[0]).pk, decision=Decision.DECEASED
    )
    response = client.post(reverse("fkp:rerank", args=[world.run.pk]), follow=True)
    assert "Pemeringkatan ulang #" in response.content.decode()
    assert world.run.reranks.get().parameters["adjustments"][0]["action"] == "exclude"


def test_the_forum_page_reads_a_fixed_number_of_queries(client, pemkot, world, forums, bps_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def decide(family):
        services.outcome_record(
            user=bps_admin, forum=forums[0], ranked_id=world.ranked(family).pk, decision=Decision.AGREED
        )

    client.force_login(pemkot)
    url = reverse("fkp:forum", args=[forums[0].pk])
    decide(world.families[0])
    client.get(url)
    with CaptureQueriesContext(connection) as one_decided:
        client.get(url)
    decide(world.families[1])
    decide(world.families[2])
    services.proposal_add(user=bps_admin, forum=forums[0], sls_id=world.sls["own1"].pk, head_name="Satu")
    services.proposal_add(user=bps_admin, forum=forums[0], sls_id=world.sls["own1"].pk, head_name="Dua")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(one_decided) <= 25


def test_a_kelurahan_pdf_holds_every_forum_in_order_and_is_audited(
    client, pemkot, world, forums, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(pemkot)
    url = reverse("fkp:kelurahan-pdf", args=[world.run.pk, KEL_A1])
    assert 'action="' + url + '"' in client.get(reverse("fkp:kelurahan", args=[world.run.pk, KEL_A1])).content.decode()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
    document = ListDocument.objects.get()
    assert response["Location"] == reverse("fkp:document", args=[document.pk]) and len(callbacks) == 1
    assert (document.kind, document.kelurahan_id, document.forum_id) == ("kelurahan_pdf", KEL_A1, None)
    client.post(url)
    assert ListDocument.objects.count() == 1  # asking twice gives the same document

    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    assert (document.status, document.rows) == (DocumentStatus.DONE, 6)
    assert sorted(p.name for p in (tmp_path / "fkp").iterdir()) == [document.file_name]  # the parts are gone
    page = client.get(reverse("fkp:document", args=[document.pk])).content.decode()
    assert "FKP Kelurahan" in page and "semua forum" in page
    response = client.get(reverse("fkp:document-download", args=[document.pk]))
    assert response["Cache-Control"] == "private, no-store" and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="fkp-{KEL_A1}-run{world.run.pk}.pdf"'
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = [page.extract_text() for page in reader.pages]
    titles = [f"forum {forum.number}" for forum in forums]
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert len(starts) == len(forums) == 3 and starts[0] == 0
    for start, end, title, forum in zip(starts, [*starts[1:], len(text)], titles, forums, strict=True):
        pages = text[start:end]
        for number, page in enumerate(pages, start=1):  # each forum's pages are counted on their own
            assert [t for t in titles if t in page] == [title] and f"Halaman {number} dari {len(pages)}" in page
        assert "Berita Acara" in pages[-1] and "\n".join(pages).count("Berita Acara") == 1
        sls_code = selectors.forum_sls(forum=forum)[0].code
        assert f"Ketua SLS {sls_code}" in pages[-1]
    whole = " ".join(text)
    assert HEAD_NIK not in whole and KK_NUMBER not in whole and "••••••••••••••••-" in whole
    assert [item.title for item in reader.outline] == [selectors.forum_title(forum) for forum in forums]
    entry = AuditEntry.objects.get(object_type="fkp_kelurahan_pdf")
    assert entry.actor_id == pemkot.pk and entry.kelurahan_code == KEL_A1
    assert entry.detail == f"rows=6 run={world.run.pk} kelurahan={KEL_A1} document={document.pk}"


def test_a_kelurahan_pdf_is_in_scope_only_and_dropped_when_its_forums_change(
    client, koseka, other_koseka, bps_admin, world, forums, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(other_koseka)
    assert client.post(reverse("fkp:kelurahan-pdf", args=[world.run.pk, KEL_A1])).status_code == 404
    assert not ListDocument.objects.exists()
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    document = services.document_request_kelurahan_pdf(user=koseka, run=world.run, kelurahan=kelurahan)
    services.document_render(document_id=document.pk)
    assert client.get(reverse("fkp:document", args=[document.pk])).status_code == 404
    assert client.get(reverse("fkp:document-download", args=[document.pk])).status_code == 404
    client.force_login(koseka)
    assert client.get(reverse("fkp:document-download", args=[document.pk])).status_code == 200
    assert not AuditEntry.objects.filter(object_type="fkp_kelurahan_pdf", actor_id=other_koseka.pk).exists()

    path = tmp_path / "fkp" / ListDocument.objects.get(pk=document.pk).file_name
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=12)
    assert not ListDocument.objects.filter(pk=document.pk).exists() and not path.exists()
    # A kelurahan without forums has nothing to print.
    response = client.post(reverse("fkp:kelurahan-pdf", args=[world.run.pk, "3674010002"]), follow=True)
    assert "belum dikelompokkan ke forum" in response.content.decode()
    assert not ListDocument.objects.exists()


def test_the_xlsx_and_csv_carry_the_newest_outcome_and_reason(client, pemkot, bps_admin, world, forums):
    """The forum's and the kelurahan's XLSX and CSV show the newest recorded outcome per family;
    a family without one has empty cells; the PDF keeps its decision columns empty for the pen."""
    forum = forums[0]  # own1: families 0, 1, 2 (buildings 1, 2, 3)
    for index, decision, reason in (
        (0, Decision.WELFARE_LOWER, "Sakit menahun"),
        (0, Decision.DECEASED, ""),  # a correction: the newest counts
        (1, Decision.WELFARE_HIGHER, "=Punya usaha"),
    ):
        ranked_id = world.ranked(world.families[index]).pk
        services.outcome_record(user=bps_admin, forum=forum, ranked_id=ranked_id, decision=decision, reason=reason)
    expected = {1: ("Meninggal", ""), 2: ("Lebih sejahtera dari peringkat", "=Punya usaha"), 3: ("", "")}
    client.force_login(pemkot)

    def by_building(lines, building_column):
        header, body = lines[0], lines[1:]
        at = header.index("Keputusan forum")
        assert header[at : at + 2] == ("Keputusan forum", "Alasan / catatan")
        assert header[-2:] == ("Tanggal forum", "Tempat forum")
        return {int(line[building_column]): tuple(line[at : at + 2]) for line in body}

    def csv_lines(url):
        text = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        return [tuple(line) for line in csv.reader(io.StringIO(text))]

    def xlsx_lines(url):
        book = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)), read_only=True)
        return [tuple("" if v is None else v for v in line) for line in book.active.iter_rows(values_only=True)][1:]

    forum_csv = by_building(csv_lines(reverse("fkp:forum-csv", args=[forum.pk])), 4)
    assert forum_csv == {**expected, 2: (expected[2][0], "'=Punya usaha")}  # a formula start is neutralised
    assert by_building(xlsx_lines(reverse("fkp:forum-xlsx", args=[forum.pk])), 4) == expected

    kelurahan_csv = by_building(csv_lines(reverse("fkp:kelurahan-csv", args=[world.run.pk, KEL_A1])), 6)
    kelurahan_xlsx = by_building(xlsx_lines(reverse("fkp:kelurahan-xlsx", args=[world.run.pk, KEL_A1])), 6)
    assert len(kelurahan_csv) == len(kelurahan_xlsx) == 6
    for building, outcome in expected.items():
        assert kelurahan_xlsx[building] == outcome
    assert kelurahan_csv[2] == forum_csv[2] and kelurahan_csv[1] == expected[1]
    assert {kelurahan_xlsx[b] for b in (4, 5, 10)} == {("", "")}  # families of other forums: nothing recorded
    entry = AuditEntry.objects.get(object_type="fkp_kelurahan_xlsx")
    assert entry.detail == f"rows=6 run={world.run.pk} kelurahan={KEL_A1} proposals=0"
    assert entry.kelurahan_code == KEL_A1

    rows = list(selectors.forum_rows(user=pemkot, forum=forum, with_outcomes=True))
    target = io.BytesIO()
    documents.render_pdf(documents.ForumSheet("Forum", "Setu", "Babakan", [], rows, "Run"), target,
                         printed_on=dt.date(2023, 5, 2))  # fmt: skip
    text = PdfReader(io.BytesIO(target.getvalue())).pages[0].extract_text()
    assert "Keputusan" in text and "Meninggal" not in text and "Punya usaha" not in text


def test_a_kelurahan_pdf_dropped_while_it_is_made_leaves_no_file(
    bps_admin, world, forums, settings, tmp_path, monkeypatch
):
    """Forums regrouped while the worker lays the PDF out: the document row is gone, so is the file."""
    settings.MEDIA_ROOT = tmp_path
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    document = services.document_request_kelurahan_pdf(user=bps_admin, run=world.run, kelurahan=kelurahan)
    write = services._write_forum_pdf

    def write_then_regroup(user, forum, path):
        rows = write(user, forum, path)
        ListDocument.objects.filter(pk=document.pk).delete()  # what _discard_documents does
        return rows

    monkeypatch.setattr(services, "_write_forum_pdf", write_then_regroup)
    services.document_render(document_id=document.pk)
    assert list((tmp_path / "fkp").iterdir()) == []


def test_the_meeting_form_saves_and_refuses_on_the_field_in_indonesian(client, bps_admin, world, forums):
    forum = forums[0]
    client.force_login(bps_admin)
    url = reverse("fkp:meeting", args=[forum.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"meeting_date": "31-02-2023", "meeting_place": "Balai"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"meeting_date": ["Tulis tanggal seperti 31-05-2023."]}
    html = response.content.decode()
    assert 'id="id_meeting_date_error">Tulis tanggal seperti 31-05-2023.</p>' in html
    assert 'aria-invalid="true"' in html  # on the field that was refused
    early = (timezone.localdate(world.run.created_at) - dt.timedelta(days=2)).strftime("%d-%m-%Y")
    response = client.post(url, {"meeting_date": early, "meeting_place": "Balai"})
    assert response.status_code == 400
    assert "sebelum daftarnya dibuat" in response.context["form"].errors["meeting_date"][0]
    response = client.post(url, {"meeting_date": "", "meeting_place": "x" * 201})
    assert response.context["form"].errors == {"meeting_place": ["Tempat forum paling banyak 200 karakter."]}
    forum.refresh_from_db()
    assert forum.meeting_date is None  # nothing half-saved

    today = timezone.localdate()
    response = client.post(url, {"meeting_date": today.isoformat(), "meeting_place": "Balai RW 03"})
    assert response.status_code == 302 and response["Location"] == reverse("fkp:forum", args=[forum.pk])
    assert client.post(reverse("fkp:held", args=[forum.pk])).status_code == 302
    forum.refresh_from_db()
    assert forum.meeting_place == "Balai RW 03" and forum.held_by == bps_admin
    page = client.get(reverse("fkp:forum", args=[forum.pk])).content.decode()
    assert "Balai RW 03" in page and "Sudah dilaksanakan" in page
    assert reverse("fkp:meeting", args=[forum.pk]) not in page  # a held forum's meeting is fixed
    kelurahan_page = client.get(reverse("fkp:kelurahan", args=[world.run.pk, KEL_A1])).content.decode()
    assert "Balai RW 03" in kelurahan_page
    response = client.post(url, {"meeting_date": today.isoformat(), "meeting_place": "Lain"})
    assert response.status_code == 400 and "sudah ditandai selesai" in str(response.context["form"].errors)


def test_the_downloads_carry_the_meeting_and_the_open_proposals_masked(client, pemkot, bps_admin, world, forums):
    forum = forums[0]
    services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=timezone.localdate(), meeting_place="Balai")
    sls = world.sls["own1"].pk
    services.proposal_add(
        user=bps_admin, forum=forum, sls_id=sls, head_name="SITI USULAN", address="GG. KENANGA",
        note=f"NIK {HEAD_NIK[:8]} {HEAD_NIK[8:]} menurut ketua RT",
    )  # fmt: skip
    withdrawn = services.proposal_add(user=bps_admin, forum=forum, sls_id=sls, head_name="SALAH KETIK")
    services.proposal_withdraw(user=bps_admin, proposal=withdrawn)
    client.force_login(pemkot)
    iso = timezone.localdate().isoformat()

    book = load_workbook(io.BytesIO(b"".join(client.get(reverse("fkp:forum-xlsx", args=[forum.pk])).streaming_content)))
    assert book.sheetnames == ["FKP", "Usulan"]
    ranked = list(book["FKP"].iter_rows(values_only=True))
    assert "Balai" in ranked[0][0] and ranked[2][-2:] == (iso, "Balai")
    proposals = list(book["Usulan"].iter_rows(values_only=True))
    assert proposals[1][:6] == ("No.", "Forum", "SLS", "Nama kepala keluarga", "Alamat", "Catatan")
    assert len(proposals) == 3 and proposals[2][1:5] == (1, "0001", "SITI USULAN", "GG. KENANGA")
    assert "•" * 16 in proposals[2][5] and HEAD_NIK[:8] not in proposals[2][5]
    book = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("fkp:kelurahan-xlsx", args=[world.run.pk, KEL_A1])).streaming_content))
    )
    assert [line[3] for line in book["Usulan"].iter_rows(values_only=True)][2:] == ["SITI USULAN"]
    kelurahan_rows = list(book["Peringkat"].iter_rows(values_only=True))
    header = kelurahan_rows[1]
    assert header[-3:] == ("Forum", "Tanggal forum", "Tempat forum")
    assert {line[-3:] for line in kelurahan_rows[2:] if line[3] == "0001"} == {(1, iso, "Balai")}

    for url, name, export in (
        (reverse("fkp:forum-proposals-csv", args=[forum.pk]), f"usulan-{KEL_A1}-forum1-run{world.run.pk}.csv",
         "fkp_forum_proposals_csv"),
        (reverse("fkp:kelurahan-proposals-csv", args=[world.run.pk, KEL_A1]), f"usulan-{KEL_A1}-run{world.run.pk}.csv",
         "fkp_kelurahan_proposals_csv"),
    ):  # fmt: skip
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert len(lines) == 2 and lines[1][3] == "SITI USULAN" and HEAD_NIK[:8] not in lines[1][5]
        assert AuditEntry.objects.get(object_type=export).detail.startswith("rows=1 run=")


def test_a_forum_pdf_prints_the_meeting_and_the_open_proposals_and_is_remade_after_a_change(
    client, pemkot, bps_admin, world, forums, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    forum = forums[0]
    today = timezone.localdate()
    services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=today, meeting_place="Aula Kelurahan")
    sls = world.sls["own1"].pk
    services.proposal_add(user=bps_admin, forum=forum, sls_id=sls, head_name="USULAN PDF", note=f"KK {KK_NUMBER}")
    withdrawn = services.proposal_add(user=bps_admin, forum=forum, sls_id=sls, head_name="DITARIK")
    services.proposal_withdraw(user=bps_admin, proposal=withdrawn)
    client.force_login(pemkot)

    def pdf_text() -> str:
        document = services.document_request_forum_pdf(user=pemkot, forum=forum)
        services.document_render(document_id=document.pk)
        response = client.get(reverse("fkp:document-download", args=[document.pk]))
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)

    date = date_format(today, "j F Y")  # Indonesian: the conftest's language
    text = pdf_text()
    assert f"Forum {date}" in text and f"pada tanggal {date} di Aula Kelurahan" in text
    assert "Usulan keluarga baru (untuk dikunjungi)" in text and "USULAN PDF" in text and "DITARIK" not in text
    assert KK_NUMBER not in text.replace(" ", "") and "••••••••••••••••" in text
    # A new place drops the made PDF: the next one prints it.
    services.forum_meeting_set(user=bps_admin, forum=forum, meeting_date=today, meeting_place="Balai RW 05")
    assert "di Balai RW 05" in pdf_text()
