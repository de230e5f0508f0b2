"""Every download goes through here: tables as CSV or XLSX, the API's CSV, and evidence files.

No cell of any export can run as a formula in a spreadsheet: text that a spreadsheet would read as one
(starting with =, +, -, @, a tab or a carriage return) is written with a leading apostrophe, the
convention spreadsheets themselves use for "this is text".
"""

import csv
import datetime
import io
import json

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def requested_format(request) -> str | None:
    """The export a page was asked for with `?export=`, if it is one we make."""
    export = request.GET.get("export")
    return export if export in FORMATS else None


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


def _xlsx(sheet_title: str, header, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([safe_cell(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guesses from the text
    body = io.BytesIO()
    workbook.save(body)
    return body.getvalue()


def table_response(filename: str, export_format: str, header: list[str], rows) -> HttpResponse:
    """A download of `rows` under `header`, as CSV or XLSX."""
    if export_format == "xlsx":
        content = _xlsx(filename, header, rows)
    else:
        content = "".join(csv_lines(header, rows)).encode("utf-8")
    response = HttpResponse(content, content_type=FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def evidence_file(evidence) -> FileResponse:
    """An uploaded evidence file, always as an attachment, never rendered by the browser.
    (SecurityMiddleware adds X-Content-Type-Options: nosniff.)"""
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name)
    response["Content-Type"] = evidence.content_type or "application/octet-stream"
    return response
