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
  no files): the page carries its styles and the fonts come from the system (DejaVu). A forum is
  laid out in parts of a few hundred rows (`PART_ROWS`) joined with pypdf, its running header and
  "Halaman x dari y" stamped on afterwards over the whole forum; a kelurahan's PDF is its forums'
  PDFs, made one at a time, joined with pypdf (`join_pdfs`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter

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
    forum_number: int | None = None  # the family's forum and its meeting, with the outcomes
    forum_date: str = ""  # ISO date (YYYY-MM-DD), "" when not set
    forum_place: str = ""

    @property
    def group_label(self) -> str:
        label = WELFARE_GROUPS.get(self.welfare_group)
        return f"{self.welfare_group} {label}" if label else str(self.welfare_group)


@dataclass(frozen=True)
class ProposalRow:
    """A family a forum proposes to add (to be visited), as the downloads show it: what the forum's
    secretary typed, with any long run of digits (a NIK or No. KK typed into the text) masked."""

    forum_number: int
    sls_code: str
    head_name: str
    address: str
    note: str
    recorded_on: str  # ISO date


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any, int], str | int]  # (a ListRow or a ProposalRow, its number) -> the cell
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

PROPOSAL_SECTION = _("Usulan keluarga baru (untuk dikunjungi)")


PROPOSAL_COLUMNS: tuple[Column, ...] = (
    Column(_("No."), lambda row, number: number, 6),
    Column(_("Forum"), lambda row, number: row.forum_number, 6),
    Column(_("SLS"), lambda row, number: row.sls_code, 9),
    Column(_("Nama kepala keluarga"), lambda row, number: row.head_name, 28),
    Column(_("Alamat"), lambda row, number: row.address, 32),
    Column(_("Catatan"), lambda row, number: row.note, 32),
    Column(_("Dicatat"), lambda row, number: row.recorded_on, 12),
)

MEETING_COLUMNS: tuple[Column, ...] = (
    Column(_("Tanggal forum"), lambda row, number: row.forum_date, 12),
    Column(_("Tempat forum"), lambda row, number: row.forum_place, 24),
)

# A forum's XLSX and CSV: the printed list's columns with the decisions filled, and the meeting.
FORUM_DOWNLOAD_COLUMNS: tuple[Column, ...] = (*FORUM_COLUMNS, *MEETING_COLUMNS)

# A kelurahan's list: the run's columns, what its forums decided (the newest outcome) and which
# forum met about the family, when and where.
KELURAHAN_COLUMNS: tuple[Column, ...] = (
    *RUN_COLUMNS,
    *FORUM_COLUMNS[-2:],
    Column(_("Forum"), lambda row, number: row.forum_number or "", 6),
    *MEETING_COLUMNS,
)


def safe_cell(value: str | int) -> str:
    """A CSV cell as text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """A file-like target for csv.writer that hands back the line written."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[Any], columns: Sequence[Column], *, chunk_rows: int = 500) -> Iterator[str]:
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
    rows: Iterable[ListRow],
    columns: Sequence[Column],
    target: str | IO[bytes],
    *,
    title: str,
    sheet: str = "FKP",
    proposals: Iterable[ProposalRow] | None = None,
) -> int:
    """Write the rows to `target` (a path or a binary file) as one sheet: a title line, the header,
    then one line per row; with `proposals`, a second sheet "Usulan" of the proposed families
    (withdrawn ones are not given). Returns the number of ranked rows written."""
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    workbook = xlsxwriter.Workbook(target, options)
    try:
        bold = workbook.add_format({"bold": True})
        header_format = workbook.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True})
        count = _write_sheet(workbook.add_worksheet(sheet[:31]), rows, columns, title, bold, header_format)
        if proposals is not None:
            with translation.override("id"):
                heading = f"{title}: {PROPOSAL_SECTION}"
            _write_sheet(workbook.add_worksheet("Usulan"), proposals, PROPOSAL_COLUMNS, heading, bold, header_format)
    finally:
        workbook.close()
    return count


def _write_sheet(
    worksheet: Any,
    rows: Iterable[Any],
    columns: Sequence[Column],
    title: str,
    bold: Any,
    header_format: Any,
) -> int:
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
    meeting_date: dt.date | None = None  # when and where the forum meets, if set
    meeting_place: str = ""
    proposals: Sequence[ProposalRow] = ()  # printed after the list, before the berita acara


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
STAMP_STYLESHEET = Path(__file__).with_name("list_pdf_stamp.css")

# Rows laid out by one WeasyPrint call. WeasyPrint holds a whole document's layout in memory, so a
# forum of ~750 rows in one call peaked at 320 MiB (docs/performance.md); a forum is laid out in
# parts of at most this many rows, each its own small PDF, joined (docs/fkp.md, "PDF").
PART_ROWS = 250


def split_rows(rows: Sequence[ListRow], part_rows: int) -> list[Sequence[ListRow]]:
    """`rows` in consecutive parts of at most `part_rows` (0: one part), of sizes that differ by at
    most one, so no part is a handful of rows on a page of its own. Always at least one part."""
    if part_rows <= 0 or len(rows) <= part_rows:
        return [rows]
    count = math.ceil(len(rows) / part_rows)
    size, extra = divmod(len(rows), count)
    parts, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        parts.append(rows[start:end])
        start = end
    return parts


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for the page header's `content`): backslashes and quotes
    escaped, line breaks and other control characters as spaces, `<` escaped too."""
    escaped = []
    for char in text:
        if char in '\\"<':
            escaped.append(f"\\{ord(char):x} ")
        elif ord(char) < 32 or ord(char) == 127:
            escaped.append(" ")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def render_pdf(
    sheet: ForumSheet,
    target: IO[bytes],
    *,
    printed_on: dt.date,
    synthetic: bool = False,
    part_rows: int = PART_ROWS,
) -> int:
    """Write one forum's list as a PDF to `target`; returns its pages.

    The rows are laid out in parts of at most `part_rows` (`split_rows`), one WeasyPrint call
    each (a part starts a page), so the memory held is one part's layout, never the forum's. The
    first part carries the forum's identity, the last the proposed families ("Usulan keluarga baru")
    and the berita acara signature block; each
    repeats the table header on every page and numbers its rows on from the part before. The
    parts are joined with pypdf, then every page gets the forum's running header (title, printing
    date) and footer ("Halaman x dari y" over the whole forum) from one more WeasyPrint document
    of as many blank pages (`_page_stamp`), merged onto the pages."""
    weasyprint = _weasyprint()  # imported here: Pango is loaded only when a PDF is made
    CSS, HTML = weasyprint.CSS, weasyprint.HTML  # noqa: N806 - classes

    fetcher = _no_fetch_fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    parts = split_rows(list(sheet.rows), part_rows)
    writer = PdfWriter()
    try:
        offset = 0
        for index, rows in enumerate(parts):
            with translation.override("id"):
                html = render_to_string(
                    "fkp/list_pdf.html",
                    {
                        "sheet": sheet,
                        "rows": rows,
                        "offset": offset,
                        "first": index == 0,
                        "last": index == len(parts) - 1,
                        "printed_on": printed_on,
                        "columns": FORUM_COLUMNS,
                        "proposal_columns": PROPOSAL_COLUMNS,
                        "proposal_section": PROPOSAL_SECTION,
                        "synthetic": synthetic,
                    },
                )
            part = io.BytesIO()
            HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(part, stylesheets=[stylesheet])
            del html
            writer.append(part)
            offset += len(rows)
        pages = len(writer.pages)
        stamp = PdfReader(io.BytesIO(_page_stamp(sheet, pages=pages, printed_on=printed_on)))
        for page, overlay in zip(writer.pages, stamp.pages, strict=True):
            page.merge_page(overlay)
            page.compress_content_streams()  # merging leaves the page's content uncompressed (10 x the size)
        writer.write(target)
        return pages
    finally:
        writer.close()


def _page_stamp(sheet: ForumSheet, *, pages: int, printed_on: dt.date) -> bytes:
    """A PDF of `pages` blank pages, the list's page size and margins, carrying only the running
    header and footer: the forum's title, its meeting date (when set) and the printing date,
    "Halaman x dari y". Laid out as one
    document, so the page count is WeasyPrint's own over the whole forum."""
    weasyprint = _weasyprint()
    CSS, HTML = weasyprint.CSS, weasyprint.HTML  # noqa: N806 - classes

    fetcher = _no_fetch_fetcher()
    with translation.override("id"):
        printed = f"{gettext('Dicetak')} {date_format(printed_on, 'j F Y')}"
        if sheet.meeting_date is not None:
            printed = f"{gettext('Forum')} {date_format(sheet.meeting_date, 'j F Y')} · {printed}"
        header = f"@page {{ @top-left {{ content: {css_string(sheet.title)}; }} "
        header += f"@top-right {{ content: {css_string(printed)}; }} }}"
    stylesheets = [
        CSS(string=STAMP_STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher),
        CSS(string=header, url_fetcher=fetcher),
    ]
    html = '<!doctype html><html lang="id"><body>' + '<div class="page"></div>' * pages + "</body></html>"
    stamp = io.BytesIO()
    HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(stamp, stylesheets=stylesheets)
    return stamp.getvalue()


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
