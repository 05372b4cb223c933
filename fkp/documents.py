"""The FKP list as documents: CSV, XLSX and PDF writers over an iterator of `ListRow`.

The writers know nothing of the database, scope or audit (fkp/views.py does that); they take rows
already masked (`ListRow` has no field for a full NIK or No. KK) and write them in Indonesian,
the language of the forum and of its berita acara.

- CSV: UTF-8 with a byte order mark, comma-separated (RFC 4180). The BOM makes Excel and
  LibreOffice read names as UTF-8 instead of the Windows code page; programs read it with
  `utf-8-sig`. Cells that a spreadsheet would take as a formula (=, +, -, @) get a leading
  apostrophe, so a hostile name cannot become one.
- XLSX: xlsxwriter in `constant_memory` mode (a row is flushed when the next one starts), strings
  written as strings (no formula, number or URL guessing).
- PDF: WeasyPrint from templates/fkp/list_pdf.html, A4 landscape; it fetches nothing (no network,
  no files): the page carries its styles and the fonts come from the system (DejaVu). A kelurahan's
  PDF is its forums' PDFs, made one at a time, joined with pypdf (`join_pdfs`).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pypdf import PdfWriter

from ranking.models import WelfareGroup

# Welfare groups shown to the forum (domain.md A6), labelled as the ranking app names them.
WELFARE_GROUPS = {group.value: group.label for group in WelfareGroup}

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ListRow:
    """One ranked family as an FKP list shows it: identifiers are masks, never numbers."""

    ranked_id: int
    kecamatan: str
    kelurahan: str
    sls_code: str
    sls_name: str
    head_name: str
    address: str
    building_no: str
    family_no: str
    nik: str
    kk: str
    rank: int
    rank_kelurahan: int
    desil: int
    welfare_group: int
    decision: str = ""  # the newest recorded outcome (its Indonesian label) and reason, when asked for
    reason: str = ""

    @property
    def group_label(self) -> str:
        label = WELFARE_GROUPS.get(self.welfare_group)
        return f"{self.welfare_group} {label}" if label else str(self.welfare_group)


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[ListRow, int], str | int]
    width: int


FORUM_COLUMNS: tuple[Column, ...] = (
    Column(_("No."), lambda row, number: number, 6),
    Column(_("SLS"), lambda row, number: row.sls_code, 9),
    Column(_("Nama kepala keluarga"), lambda row, number: row.head_name, 28),
    Column(_("Alamat"), lambda row, number: row.address, 32),
    Column(_("No. bangunan"), lambda row, number: row.building_no, 8),
    Column(_("No. keluarga"), lambda row, number: row.family_no, 8),
    Column(_("NIK kepala keluarga"), lambda row, number: row.nik, 22),
    Column(_("No. KK"), lambda row, number: row.kk, 22),
    Column(_("Desil"), lambda row, number: row.desil, 6),
    Column(_("Kelompok"), lambda row, number: row.group_label, 16),
    Column(_("Keputusan forum"), lambda row, number: row.decision, 16),
    Column(_("Alasan / catatan"), lambda row, number: row.reason, 28),
)

RUN_COLUMNS: tuple[Column, ...] = (
    Column(_("Peringkat kota"), lambda row, number: row.rank, 9),
    Column(_("Kecamatan"), lambda row, number: row.kecamatan, 16),
    Column(_("Kelurahan"), lambda row, number: row.kelurahan, 18),
    Column(_("SLS"), lambda row, number: row.sls_code, 9),
    Column(_("Nama kepala keluarga"), lambda row, number: row.head_name, 28),
    Column(_("Alamat"), lambda row, number: row.address, 32),
    Column(_("No. bangunan"), lambda row, number: row.building_no, 8),
    Column(_("No. keluarga"), lambda row, number: row.family_no, 8),
    Column(_("NIK kepala keluarga"), lambda row, number: row.nik, 22),
    Column(_("No. KK"), lambda row, number: row.kk, 22),
    Column(_("Peringkat kelurahan"), lambda row, number: row.rank_kelurahan, 9),
    Column(_("Desil"), lambda row, number: row.desil, 6),
    Column(_("Kelompok"), lambda row, number: row.group_label, 16),
)

# A kelurahan's list: the run's columns and what its forums decided (the newest outcome).
KELURAHAN_COLUMNS: tuple[Column, ...] = (*RUN_COLUMNS, *FORUM_COLUMNS[-2:])


def safe_cell(value: str | int) -> str:
    """A CSV cell as text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """A file-like target for csv.writer that hands back the line written."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[ListRow], columns: Sequence[Column], *, chunk_rows: int = 500) -> Iterator[str]:
    """The CSV as text chunks (BOM and header first), for a streaming response."""
    writer = csv.writer(_Line())
    with translation.override("id"):
        header = writer.writerow([str(column.header) for column in columns])
    yield BOM + header
    buffer: list[str] = []
    for number, row in enumerate(rows, start=1):
        buffer.append(writer.writerow([safe_cell(column.value(row, number)) for column in columns]))
        if len(buffer) >= chunk_rows:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def write_xlsx(
    rows: Iterable[ListRow], columns: Sequence[Column], target: str | IO[bytes], *, title: str, sheet: str = "FKP"
) -> int:
    """Write the rows to `target` (a path or a binary file) as one sheet: a title line, the header,
    then one line per row. Returns the number of rows written."""
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(target, options)
    try:
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        header_format = workbook.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True})
        for index, column in enumerate(columns):
            worksheet.set_column(index, index, column.width)
        worksheet.freeze_panes(2, 0)
        worksheet.write_string(0, 0, title, bold)
        with translation.override("id"):
            for index, column in enumerate(columns):
                worksheet.write_string(1, index, str(column.header), header_format)
        count = 0
        for count, row in enumerate(rows, start=1):
            line = count + 1
            for index, column in enumerate(columns):
                value = column.value(row, count)
                if isinstance(value, int):
                    worksheet.write_number(line, index, value)
                else:
                    worksheet.write_string(line, index, value)
    finally:
        workbook.close()
    return count


@dataclass(frozen=True)
class ForumSheet:
    """One forum's page set in a PDF: its heading and its rows (in SLS then rank order)."""

    title: str
    kecamatan: str
    kelurahan: str
    sls: Sequence[tuple[str, str]]  # (code, name) of its SLS
    rows: Sequence[ListRow]
    run_label: str


def _weasyprint() -> Any:
    """The weasyprint package, imported without its one global side effect: at import it sets
    PIL's LOAD_TRUNCATED_IMAGES, which would make the photo pipeline (photos/imaging.py) accept
    truncated photos in any process that has made a PDF (the Celery worker does both)."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint  # type: ignore[import-untyped]  # no type hints
        import weasyprint.urls  # type: ignore[import-untyped]  # no type hints
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


def _no_fetch_fetcher() -> Any:
    urls = _weasyprint().urls
    URLFetcher, URLFetchingError = urls.URLFetcher, urls.URLFetchingError  # noqa: N806 - classes

    class NoFetch(URLFetcher):  # type: ignore[misc,valid-type]  # a class read from the untyped module
        """Refuses every URL: the list needs nothing from outside the page."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise URLFetchingError(f"FKP documents fetch nothing ({url.split(':', 1)[0]}: refused)")

    return NoFetch()


STYLESHEET = Path(__file__).with_name("list_pdf.css")


def render_pdf(
    sheets: Iterable[ForumSheet], target: IO[bytes], *, printed_on: dt.date, synthetic: bool = False
) -> None:
    """Write the forums' lists as one PDF to `target`: each forum starts a page, the page header
    names the forum and the date, the footer says "Halaman x dari y", and each forum ends with the
    berita acara's signature block."""
    weasyprint = _weasyprint()  # imported here: Pango is loaded only when a PDF is made
    CSS, HTML = weasyprint.CSS, weasyprint.HTML  # noqa: N806 - classes

    with translation.override("id"):
        html = render_to_string(
            "fkp/list_pdf.html",
            {"sheets": sheets, "printed_on": printed_on, "columns": FORUM_COLUMNS, "synthetic": synthetic},
        )
    fetcher = _no_fetch_fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(target, stylesheets=[stylesheet])


def join_pdfs(parts: Iterable[tuple[str, Path]], target: IO[bytes]) -> int:
    """Join PDF files, in order, into one written to `target`, with a bookmark per part (its
    title) at the part's first page. The parts keep their own pages, so each forum's header and
    "Halaman x dari y" stay its own. Returns the number of pages written."""

    writer = PdfWriter()
    try:
        for title, path in parts:
            with path.open("rb") as part:
                writer.append(part, outline_item=title, import_outline=False)
        writer.write(target)
        return len(writer.pages)
    finally:
        writer.close()
