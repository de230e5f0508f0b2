"""Every download goes through here: tables as CSV or XLSX, the API's CSV, pages as PDF, evidence files, and the
return workbook (written by tracker.imports, with safe_cell).

No cell of any export can run as a formula in a spreadsheet: text that a spreadsheet would read as one
(starting with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe, the
convention spreadsheets themselves use for "this is text".
"""

import csv
import datetime
import hashlib
import io
import json
import mimetypes

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PDF = "application/pdf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def requested_format(request, *, pdf: bool = False) -> str | None:
    """The export a page was asked for with `?export=`, if it is one we make (PDF only where the page offers it)."""
    export = request.GET.get("export")
    return export if export in FORMATS or (pdf and export == "pdf") else None


def safe_cell(value):
    """A value as a spreadsheet cell: nested values as JSON text, None as empty, and text that a spreadsheet
    would take for a formula neutralised. Numbers, dates and booleans stay what they are."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(header, rows):
    """CSV text line by line, for streaming: the header, then each row, every cell through safe_cell."""
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def _xlsx_cell(value):
    """Excel has no time zones: a moment is written as local time (settings.TIME_ZONE), as the pages show it."""
    value = safe_cell(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _xlsx(sheet_title: str, header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([safe_cell(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guesses from the text
    # Ready to analyse: the header stays in view, every column filters, and each is as wide as its text (within reason).
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        longest = max((len(str(cell.value)) for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(longest + 2, 10), 60)
    body = io.BytesIO()
    workbook.save(body)
    return body.getvalue()


def table_response(filename: str, export_format: str, header: list[str], rows) -> HttpResponse:
    """A download of `rows` under `header`, as CSV or XLSX."""
    if export_format == "xlsx":
        content = _xlsx(filename, header, rows)
    else:
        content = "".join(csv_lines(header, rows)).encode("utf-8")
    return download_response(filename, export_format, content)


def download_response(filename: str, export_format: str, content: bytes) -> HttpResponse:
    """A CSV or XLSX file made elsewhere (the return workbook: tracker.imports), as a download."""
    response = HttpResponse(content, content_type=FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def evidence_file(evidence) -> FileResponse:
    """An uploaded evidence file, always as an attachment, never rendered by the browser.
    (SecurityMiddleware adds X-Content-Type-Options: nosniff.)"""
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name)
    response["Content-Type"] = evidence.content_type or "application/octet-stream"
    return response


PDF_BASE_URL = "https://pdf.invalid/"


def _static_files_fetcher():
    """WeasyPrint fetches a page's stylesheets and images through this: this site's static files, read from disk,
    and nothing from any other address (the NHS.UK web fonts fall back to Arial, as in a locked-down browser)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = PDF_BASE_URL + settings.STATIC_URL.lstrip("/")

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = (
                finders.find(url.removeprefix(static_prefix).split("?")[0]) if url.startswith(static_prefix) else None
            )
            if path is None:
                raise ValueError(f"Not fetched for a PDF: {url}")
            with open(path, "rb") as static_file:
                return URLFetcherResponse(url, static_file.read(), {"Content-Type": mimetypes.guess_type(path)[0]})

    return StaticFilesOnly()


def pdf_response(filename: str, html: str) -> HttpResponse:
    """A page, as its print stylesheet lays it out on A4, as a PDF download (WeasyPrint). The same page makes the
    same bytes: no timestamp or random identifier goes in, so a signed-off period's report is reproducible."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_static_files_fetcher())
    content = document.write_pdf(pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode())
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
