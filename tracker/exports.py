"""Downloads: tables as CSV or XLSX (what the comparison and the board report show), and evidence files."""

import csv
import io

from django.http import FileResponse, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(filename: str, export_format: str, header: list[str], rows, *, title: str = "") -> HttpResponse:
    """A download of `rows` under `header`; `title` (e.g. a demo-data warning) goes first when given."""
    if export_format == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = filename[:31]
        if title:
            sheet.append([title])
            sheet.append([])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        body = io.BytesIO()
        workbook.save(body)
        content = body.getvalue()
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        if title:
            writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        content = text.getvalue().encode("utf-8")
    response = HttpResponse(content, content_type=FORMATS[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def evidence_file(evidence) -> FileResponse:
    """An uploaded evidence file, always as an attachment, never rendered by the browser.
    (SecurityMiddleware adds X-Content-Type-Options: nosniff.)"""
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name)
    response["Content-Type"] = evidence.content_type or "application/octet-stream"
    return response
