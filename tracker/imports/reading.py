"""Reading an upload: refusing what is not a return workbook, and every data row's cells as text."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.template.defaultfilters import filesizeformat
from openpyxl import load_workbook

from ..exports import FORMULA_STARTS
from ..models import IntegratedCareSystem
from .workbook import COLUMNS, RETURN_SHEET, SYSTEM_NAME

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # a full return is a few kilobytes
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # a zip bomb stops here, before anything is unpacked
MAX_ZIP_ENTRIES = 200
ROW_SLACK = 200  # blank rows read past the items before giving up looking
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlsb", ".xlam"}


@dataclass(frozen=True)
class Problem:
    """Why a file or one of its cells was refused. `row` is the spreadsheet's row number (the header is row 1)."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self):
        where = ", ".join(p for p in (f"Row {self.row}" if self.row else "", self.column or "") if p)
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _cell_text(value) -> str:
    """A cell's value as the text the checks read: dates as ISO, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Our own exports write text that looks like a formula with a leading apostrophe: read it back as the text.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _refuse(message: str):
    raise ImportRefused([Problem(message)])


def _check_file(upload) -> str:
    """ "xlsx" or "csv", or ImportRefused saying why the file is not one we read."""
    if upload.size > MAX_IMPORT_BYTES:
        _refuse(f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(MAX_IMPORT_BYTES)}.")
    if upload.size == 0:
        _refuse("The file is empty.")
    extension = PurePath(upload.name or "").suffix.lower()
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension in MACRO_EXTENSIONS:
        _refuse("Macro-enabled workbooks are not accepted: save it as an Excel Workbook (.xlsx) and upload that.")
    if head == OLE_HEADER:
        # Excel wraps a password-protected workbook in an OLE compound file, as it does the old .xls format.
        if "EncryptionInfo".encode("utf-16-le") in upload.read():
            _refuse("The file is encrypted (password-protected): remove the password, save it and upload it again.")
        _refuse("This is an Excel 97-2003 (.xls) file: save it as an Excel Workbook (.xlsx) and upload that.")
    if head.startswith(b"PK\x03\x04"):
        _check_archive(upload)
        return "xlsx"
    if extension == ".csv":
        return "csv"
    _refuse("This is not a spreadsheet: upload the return workbook (.xlsx) or its CSV.")


def _check_archive(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        _refuse("This is not a spreadsheet: upload the return workbook (.xlsx) or its CSV.")
    finally:
        upload.seek(0)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        _refuse("This is not an Excel workbook: upload the return workbook (.xlsx) or its CSV.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        _refuse("Macro-enabled workbooks are not accepted: save it as an Excel Workbook (.xlsx) and upload that.")
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        _refuse("The workbook unpacks to far more than a return holds: upload the return workbook as downloaded.")


UNREADABLE = "The workbook could not be read: upload the return workbook (.xlsx) as downloaded."


def _xlsx_rows(upload, system, max_rows: int):
    """The Return sheet's rows as lists of (value, is_formula), read-only and with formulas as formulas."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        _refuse(UNREADABLE)
    try:
        named = workbook.defined_names.get(SYSTEM_NAME)
        if named is not None and named.attr_text.strip('"') != system.ods_code:
            _refuse(_other_system(named.attr_text.strip('"'), system))
        if RETURN_SHEET not in workbook.sheetnames:
            _refuse(f"The workbook has no {RETURN_SHEET} sheet: download the return workbook and fill that in.")
        rows = workbook[RETURN_SHEET].iter_rows(min_row=1, max_row=max_rows, max_col=len(COLUMNS) + 10)
        while True:
            try:
                row = next(rows, None)
            except Exception:  # a damaged sheet fails as it is read, row by row
                _refuse(UNREADABLE)
            if row is None:
                return
            yield [(cell.value, getattr(cell, "data_type", None) == "f") for cell in row]
    finally:
        workbook.close()


def _csv_rows(upload, max_rows: int):
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse("The CSV file is not UTF-8 text: save it as CSV UTF-8 and upload it again.")
    finally:
        upload.seek(0)
    if "\x00" in text:
        _refuse("This is not a spreadsheet: upload the return workbook (.xlsx) or its CSV.")
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > max_rows:
                break
            yield [(value, False) for value in row[: len(COLUMNS) + 10]]
    except csv.Error:
        _refuse("The CSV file could not be read: upload the return's CSV as downloaded.")


def _other_system(ods_code: str, system) -> str:
    other = IntegratedCareSystem.objects.filter(ods_code=ods_code).first()
    whose = f"{other.short_name} ({ods_code})" if other else ods_code
    return f"This is the workbook of {whose}, not {system.short_name}: download {system.short_name}'s workbook."


def read_return(upload, system: IntegratedCareSystem, item_count: int) -> list[dict]:
    """Every non-blank data row of the upload as {"row": number, column key: text}; ImportRefused for a file we do
    not read, a missing column, a formula, another ICS's rows, or more rows than items."""
    kind = _check_file(upload)
    max_rows = 1 + item_count + ROW_SLACK
    rows = _xlsx_rows(upload, system, max_rows) if kind == "xlsx" else _csv_rows(upload, max_rows)
    header = next(rows, None)
    if not header:
        _refuse("The file has no header row: download the return workbook and fill that in.")
    headers = [_cell_text(value) for value, _ in header]
    missing = [c.header for c in COLUMNS if c.required and c.header not in headers]
    if missing:
        _refuse(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
            "download the return workbook and fill that in."
        )
    position = {c.key: headers.index(c.header) for c in COLUMNS if c.header in headers}
    raw, problems = [], []
    for number, row in enumerate(rows, start=2):
        for index, (value, is_formula) in enumerate(row):
            if is_formula or (isinstance(value, str) and value.startswith("=")):
                column = headers[index] if index < len(headers) and headers[index] else f"Column {index + 1}"
                problems.append(Problem("formulas are not accepted: type the value itself.", number, column))
        cells = {key: _cell_text(row[index][0]) if index < len(row) else "" for key, index in position.items()}
        if any(cells.values()):
            raw.append({"row": number, **cells})
    if problems:
        raise ImportRefused(problems)
    others = sorted({r["ics"] for r in raw if r["ics"] and r["ics"] != system.ods_code})
    if others:
        _refuse(_other_system(others[0], system))
    if len(raw) > item_count:
        _refuse(f"The file has {len(raw)} rows but the return has {item_count} items: one row per item, as downloaded.")
    return raw
