"""The list documents: PDF text read back with pypdf, XLSX with openpyxl, CSV as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]  # no stubs installed
from pypdf import PdfReader

from fkp import documents, selectors
from fkp.documents import FORUM_COLUMNS, RUN_COLUMNS, ForumSheet, ListRow, ProposalRow
from tests.fkp.conftest import HEAD_NIK, KK_NUMBER


def row(number: int, **changes: object) -> ListRow:
    values: dict[str, object] = {
        "ranked_id": number, "kecamatan": "Setu", "kelurahan": "Babakan", "sls_code": "0001", "sls_name": "RT 001",
        "head_name": f"KEPALA {number}", "address": "JL. MAWAR", "building_no": "001", "family_no": "001",
        "nik": "••••••••••••••••-KQTZ", "kk": "••••••••••••••••-BCDF", "rank": number, "rank_kelurahan": number,
        "desil": 1, "welfare_group": 1,
    }  # fmt: skip
    values.update(changes)
    return ListRow(**values)  # type: ignore[arg-type]


def pdf_text(sheet: ForumSheet, *, part_rows: int = documents.PART_ROWS) -> tuple[int, list[str]]:
    target = io.BytesIO()
    pages = documents.render_pdf(sheet, target, printed_on=dt.date(2023, 5, 2), part_rows=part_rows)
    reader = PdfReader(io.BytesIO(target.getvalue()))
    assert len(reader.pages) == pages
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def sheet(rows: list[ListRow], title: str = "FKP Kelurahan Babakan, forum 1", **extra: object) -> ForumSheet:
    return ForumSheet(
        title=title, kecamatan="Setu", kelurahan="Babakan", sls=[("0001", "RT 001"), ("0002", "RT 002")],
        rows=rows, run_label="Pemeringkatan #7", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_the_pdf_has_header_footer_page_count_rows_and_the_signature_block():
    pages, text = pdf_text(sheet([row(n) for n in range(1, 61)]))
    assert pages >= 2
    for number, page in enumerate(text, start=1):
        assert "FKP Kelurahan Babakan, forum 1" in page
        assert "2 Mei 2023" in page
        assert f"Halaman {number} dari {pages}" in page
    whole = "\n".join(text)
    assert "KEPALA 1\n" in whole or "KEPALA 1 " in whole
    assert "KEPALA 60" in whole and "••••••••••••••••-KQTZ" in whole
    assert "Berita Acara Forum Konsultasi Publik" in text[-1]
    assert "Ketua SLS 0001" in text[-1] and "Ketua SLS 0002" in text[-1]
    assert "Keputusan" in text[0]


def test_a_forum_laid_out_in_parts_reads_as_one_document():
    """Parts of 40 rows: numbering, header and page count run over the whole forum; the identity
    opens it once, the proposals and the berita acara close it once."""
    proposal = ProposalRow(1, "0002", "USULAN SATU", "GG. KENANGA", "anak yatim", "2023-05-01")
    forum = sheet(
        [row(n) for n in range(1, 131)], meeting_date=dt.date(2023, 5, 9), meeting_place="Balai RW 03",
        proposals=[proposal],
    )  # fmt: skip
    pages, text = pdf_text(forum, part_rows=40)
    whole_pages, _whole = pdf_text(forum, part_rows=0)
    assert pages >= whole_pages >= 4  # a part starts a page: at most one more page a part
    assert pages <= whole_pages + 3
    for number, page in enumerate(text, start=1):
        assert "FKP Kelurahan Babakan, forum 1" in page
        assert "Forum 9 Mei 2023" in page and "Dicetak 2 Mei 2023" in page
        assert f"Halaman {number} dari {pages}" in page
        assert "Nama kepala keluarga" in " ".join(page.split())  # the table header on every page
    whole = "\n".join(text)
    numbers = [int(line.split()[0]) for line in whole.splitlines() if line.split()[:1] and line.split()[0].isdigit()
               and "KEPALA" in line]  # fmt: skip
    assert numbers == list(range(1, 131))  # rows numbered on across the parts, none twice, none lost
    assert whole.count("Jumlah keluarga") == 1 and "Balai RW 03" in text[0]
    assert whole.count("Berita Acara Forum Konsultasi Publik") == 1
    assert "Berita Acara Forum Konsultasi Publik" in text[-1]
    assert "pada tanggal 9 Mei 2023 di Balai RW 03" in " ".join(text[-1].split())
    assert whole.count("Usulan keluarga baru (untuk dikunjungi)") == 1 and "USULAN SATU" in whole
    assert whole.index("USULAN SATU") > whole.index("KEPALA 130")


def test_the_stamped_pages_stay_compressed():
    """Merging the header and footer onto a page rewrites its content; it is compressed again (an
    uncompressed page of the list is some 50 KB, a compressed one under 10 KB)."""
    target = io.BytesIO()
    pages = documents.render_pdf(sheet([row(n) for n in range(1, 61)]), target, printed_on=dt.date(2023, 5, 2))
    assert len(target.getvalue()) / pages < 20_000


def test_split_rows_makes_even_parts_and_keeps_every_row():
    rows = [row(n) for n in range(1, 745)]
    parts = documents.split_rows(rows, 250)
    assert [len(p) for p in parts] == [248, 248, 248]
    assert [r for p in parts for r in p] == rows
    assert documents.split_rows(rows, 0) == [rows]
    assert documents.split_rows([], 250) == [[]]


def test_page_header_text_is_a_quoted_css_string():
    assert documents.css_string('Forum "A"\\ <b>\n') == '"Forum \\22 A\\22 \\5c  \\3c b> "'


def test_hostile_names_are_printed_as_text():
    _pages, text = pdf_text(sheet([row(1, head_name='<img src="http://example.invalid/x.png"> <b>BUDI</b>')]))
    flat = "".join("".join(text).split())  # cells wrap: compare without white space
    assert '<imgsrc="http://example.invalid/x.png"><b>BUDI</b>' in flat


def test_the_pdf_fetches_nothing():
    fetcher = documents._no_fetch_fetcher()
    URLFetchingError = documents._weasyprint().urls.URLFetchingError  # noqa: N806 - a class
    for url in ("http://example.invalid/a.css", "file:///etc/passwd", "https://fonts.example/x.woff2"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)


def test_making_a_pdf_leaves_pillow_strict_about_truncated_images():
    """WeasyPrint's import sets PIL's LOAD_TRUNCATED_IMAGES; the photo pipeline relies on it staying off."""
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    pdf_text(sheet([row(1)]))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_xlsx_reads_back_with_title_header_and_typed_cells(tmp_path):
    path = tmp_path / "list.xlsx"
    count = documents.write_xlsx([row(1), row(2, head_name="=HYPERLINK(1)")], RUN_COLUMNS, str(path), title="Judul")
    assert count == 2
    sheet_ = load_workbook(path, read_only=True).active
    lines = list(sheet_.iter_rows(values_only=True))
    assert lines[0][0] == "Judul"
    assert lines[1][:5] == ("Peringkat kota", "Kecamatan", "Kelurahan", "SLS", "Nama kepala keluarga")
    assert lines[2][0] == 1 and lines[2][4] == "KEPALA 1" and lines[2][-1] == "1 Sangat miskin"
    assert lines[3][4] == "=HYPERLINK(1)"  # a string, not a formula


def test_the_csv_has_a_bom_a_header_and_neutralised_formulas():
    text = "".join(documents.csv_chunks([row(1), row(2, head_name="=CMD()", address="+62 jalan")], FORUM_COLUMNS))
    assert text.startswith("\ufeffNo.,SLS,Nama kepala keluarga")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(lines) == 3
    assert lines[2][2] == "'=CMD()" and lines[2][3] == "'+62 jalan"
    assert lines[1][-2:] == ["", ""]  # the forum's decision columns are left empty


@pytest.mark.django_db
def test_a_forum_pdf_from_the_database_shows_masks_never_numbers(world, bps_admin, forums):
    rows = list(selectors.forum_rows(user=bps_admin, forum=forums[0]))
    _pages, text = pdf_text(sheet(rows))
    whole = " ".join(text).replace("\n", " ")
    assert "<script>alert" in whole.replace(" ", "") and "=CMD()" in whole  # the hostile name, as text
    assert HEAD_NIK not in whole and KK_NUMBER not in whole
    assert HEAD_NIK[:6] not in whole.replace("3674", "")  # no run of the number's digits either
    assert "JL. MAWAR NO. 5" in whole


def test_joined_forums_keep_their_own_pages_headers_and_bookmarks(tmp_path):
    parts = []
    for number, rows in ((1, [row(n) for n in range(1, 61)]), (2, [row(61)])):
        path = tmp_path / f"forum{number}.pdf"
        with path.open("wb") as target:
            documents.render_pdf(
                sheet(rows, f"FKP Kelurahan Babakan, forum {number}"), target, printed_on=dt.date(2023, 5, 2)
            )
        parts.append((f"Forum {number}", path))
    first_pages, second_pages = (len(PdfReader(path).pages) for _title, path in parts)
    assert first_pages >= 2
    joined = io.BytesIO()
    assert documents.join_pdfs(parts, joined) == first_pages + second_pages
    reader = PdfReader(io.BytesIO(joined.getvalue()))
    text = [page.extract_text() for page in reader.pages]
    assert len(text) == first_pages + second_pages
    for number, page in enumerate(text[:first_pages], start=1):
        assert "FKP Kelurahan Babakan, forum 1" in page and f"Halaman {number} dari {first_pages}" in page
    for number, page in enumerate(text[first_pages:], start=1):
        assert "FKP Kelurahan Babakan, forum 2" in page and f"Halaman {number} dari {second_pages}" in page
    whole = "\n".join(text)
    assert whole.count("Berita Acara") == 2
    assert "Berita Acara" in text[first_pages - 1] and "Berita Acara" in text[-1]
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        ("Forum 1", 0),
        ("Forum 2", first_pages),
    ]
