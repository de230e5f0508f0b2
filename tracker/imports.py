"""A whole return in a spreadsheet: the prefilled workbook an ICS downloads, and reading it back.

`workbook_for(system)` writes the XLSX (`csv_for` the same columns as CSV). `parse_return(upload, system)` reads
an upload, refusing what is not our workbook, and checks each row; `import_preview(parsed)` says what each row
would change, field by field, and which rows someone else changed since the download (conflicts). Nothing here
writes: `services.return_import` applies a preview through `services.records_update`, the same rules as a single
edit (`services.record_changes_checked`), all or nothing.

Problems name the row and column as the spreadsheet shows them (`Row 7, Status: ...`).
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from legacy.models import Recommendation

from .choices import Status
from .exports import FORMULA_STARTS, csv_lines, safe_cell
from .models import IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from .services.records import display_value, record_changes_checked

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # a full return is a few kilobytes
MAX_UNPACKED_BYTES = 20 * 1024 * 1024  # a zip bomb stops here, before anything is unpacked
MAX_ZIP_ENTRIES = 200
ROW_SLACK = 200  # blank rows read past the items before giving up looking
RETURN_SHEET, LISTS_SHEET, INSTRUCTIONS_SHEET = "Return", "Lists", "Instructions"
SYSTEM_NAME = "TrackerICS"  # a defined name holding the ODS code: the workbook says whose it is
SETTABLE_STATUSES = [Status.RED, Status.AMBER, Status.GREEN, Status.BLUE, Status.NOT_APPLICABLE]
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlsb", ".xlam"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    editable: bool
    width: int


COLUMNS = [
    Column("ics", "ICS", False, 8),
    Column("code", "Code", False, 10),
    Column("title", "Title", False, 50),
    Column("status", "Status", True, 16),
    Column("accountable_owner", "Accountable owner", True, 36),
    Column("delivery_lead", "Delivery lead", True, 36),
    Column("target_date", "Target date", True, 14),
    Column("summary", "Summary", True, 60),
    Column("reason", "Reason for the change", True, 40),
    Column("version", "Version", False, 9),
]
HEADERS = {c.key: c.header for c in COLUMNS}
# Errors from the services, keyed by field, shown against the column it came from.
FIELD_COLUMNS = {**{f: HEADERS[f] for f in ProgressRecord.TRACKED_FIELDS}, "reason": HEADERS["reason"]}


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


@dataclass
class ParsedRow:
    number: int
    record: ProgressRecord
    changes: dict
    reason: str
    version: int


@dataclass
class ParsedReturn:
    """What an upload says: `raw` (every cell as text, by row, kept to check again on confirm), the rows it could
    read and the problems it found."""

    system: IntegratedCareSystem
    raw: list[dict] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class RowChange:
    row: int
    record: ProgressRecord
    fields: list[FieldChange]
    changes: dict
    reason: str
    version: int

    @property
    def code(self):
        return self.record.recommendation.code


@dataclass
class RowConflict(RowChange):
    theirs: list[ProgressChange] = field(default_factory=list)


@dataclass
class Preview:
    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


# -- Writing the workbook --------------------------------------------------------------------------------------------


def owner_label(person: Person | None) -> str:
    return f"{person.name} <{person.email}>" if person else ""


def _return_rows(system: IntegratedCareSystem):
    items = Recommendation.objects.trackable().in_source_order()
    records = {
        r.recommendation_id: r
        for r in ProgressRecord.objects.filter(system=system).select_related("accountable_owner", "delivery_lead")
    }
    for item in items:
        record = records.get(item.pk)
        if record is None:
            continue
        yield {
            "ics": system.ods_code,
            "code": item.code,
            "title": item.title,
            "status": record.get_status_display(),
            "accountable_owner": owner_label(record.accountable_owner),
            "delivery_lead": owner_label(record.delivery_lead),
            "target_date": record.target_date,
            "summary": record.summary,
            "reason": "",
            "version": record.version,
        }


def _offered_people(system) -> list[Person]:
    return list(Person.objects.filter(system=system, retired_on__isnull=True))


INSTRUCTIONS = [
    "How to fill in this return",
    "",
    "1. On the Return sheet, change the Status, Accountable owner, Delivery lead, Target date and Summary of any item.",
    "2. Status: choose Red, Amber, Green, Blue or Not applicable from the list.",
    "3. Owners: choose one of the ICS's people from the list (add people on the ICS's People page first).",
    "4. Target date: a date, for example 31/03/2027. Leave it empty for no target.",
    "5. Reason for the change: needed wherever the status or target date changes. It goes into the history.",
    "6. Do not change the ICS, Code, Title or Version columns: they say which record each row is, as you downloaded "
    "it. If someone changes a record after your download, that row is shown as a conflict and not saved.",
    "7. Do not type formulas: every cell must hold its value.",
    "8. Upload the file on the ICS's Import a workbook page. You see every change before anything is saved.",
]


def workbook_for(system: IntegratedCareSystem) -> bytes:
    """The prefilled return workbook: one row per item, status and owners as drop-down lists, the reference columns
    locked (editable ones unlocked), instructions on a sheet of their own, and the ICS named in the workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = RETURN_SHEET
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = list(_return_rows(system))
    for row in rows:
        sheet.append([safe_cell(row[c.key]) for c in COLUMNS])
        for column, cell in zip(COLUMNS, sheet[sheet.max_row], strict=True):
            if isinstance(cell.value, datetime.date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guesses from the text
            if column.editable:
                cell.protection = Protection(locked=False)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    last = len(rows) + 1
    letter = {c.key: sheet.cell(row=1, column=i).column_letter for i, c in enumerate(COLUMNS, start=1)}

    statuses = DataValidation(
        type="list",
        formula1='"' + ",".join(Status(s).label for s in SETTABLE_STATUSES) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Status",
        error="Choose Red, Amber, Green, Blue or Not applicable.",
    )
    statuses.add(f"{letter['status']}2:{letter['status']}{last}")
    sheet.add_data_validation(statuses)

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.append(["People of " + system.short_name])
    people = _offered_people(system)
    for person in people:
        lists.append([safe_cell(owner_label(person))])
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    if people:
        owners = DataValidation(
            type="list",
            formula1=f"={LISTS_SHEET}!$A$2:$A${len(people) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Owner",
            error="Choose one of the ICS's people from the list.",
        )
        for key in ("accountable_owner", "delivery_lead"):
            owners.add(f"{letter[key]}2:{letter[key]}{last}")
        sheet.add_data_validation(owners)
    date_check = DataValidation(
        type="date", operator="greaterThan", formula1="1", allow_blank=True, error="Enter a date, like 31/03/2027."
    )
    date_check.add(f"{letter['target_date']}2:{letter['target_date']}{last}")
    sheet.add_data_validation(date_check)

    # Locked against slips, not secrets (no password): the server checks every cell again on upload.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.freeze_panes = "D2"

    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    instructions.append([f"{system.name} ({system.ods_code}): quarterly return workbook"])
    instructions["A1"].font = Font(bold=True, size=14)
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions.column_dimensions["A"].width = 120
    instructions.protection.sheet = True

    workbook.defined_names[SYSTEM_NAME] = DefinedName(SYSTEM_NAME, attr_text=f'"{system.ods_code}"')
    body = io.BytesIO()
    workbook.save(body)
    return body.getvalue()


def csv_for(system: IntegratedCareSystem) -> bytes:
    """The same columns as CSV (the ICS column says whose it is)."""
    rows = ([row[c.key] for c in COLUMNS] for row in _return_rows(system))
    return "".join(csv_lines([c.header for c in COLUMNS], rows)).encode("utf-8")


# -- Reading an upload ----------------------------------------------------------------------------------------------


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


def _xlsx_rows(upload, system, max_rows: int):
    """The Return sheet's rows as lists of (value, is_formula), read-only and with formulas as formulas."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user
        _refuse("The workbook could not be read: upload the return workbook (.xlsx) as downloaded.")
    try:
        named = workbook.defined_names.get(SYSTEM_NAME)
        if named is not None and named.attr_text.strip('"') != system.ods_code:
            _refuse(_other_system(named.attr_text.strip('"'), system))
        if RETURN_SHEET not in workbook.sheetnames:
            _refuse(f"The workbook has no {RETURN_SHEET} sheet: download the return workbook and fill that in.")
        sheet = workbook[RETURN_SHEET]
        for row in sheet.iter_rows(min_row=1, max_row=max_rows, max_col=len(COLUMNS) + 10):
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
    missing = [c.header for c in COLUMNS if c.header not in headers]
    if missing:
        _refuse(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
            "download the return workbook and fill that in."
        )
    position = {c.key: headers.index(c.header) for c in COLUMNS}
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


# -- Checking the rows ----------------------------------------------------------------------------------------------

STATUS_WORDS = {
    **{s.label.lower(): s.value for s in Status},
    **{s.value: s.value for s in Status},
}
STATUS_CHOICE_TEXT = "use Red, Amber, Green, Blue or Not applicable"
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d")
EMAIL_IN_LABEL = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


def _date(text: str) -> datetime.date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


class _People:
    """Owner cells matched to the ICS's people: by the list's "Name <email>", by email or by name. Only people
    still offered as owners, except whoever the record names now (kept as they are)."""

    def __init__(self, system):
        self.everyone = list(Person.objects.filter(system=system))

    def match(self, text: str, current: Person | None) -> Person:
        found = EMAIL_IN_LABEL.search(text)
        key = (found.group(1) if found else text).strip().lower()
        if current and key in (current.email.lower(), current.name.lower()):
            return current
        offered = [p for p in self.everyone if not p.is_retired]
        by_email = [p for p in offered if p.email.lower() == key]
        if by_email:
            return by_email[0]
        by_name = [p for p in offered if p.name.lower() == key]
        if len(by_name) == 1:
            return by_name[0]
        if by_name:
            raise ValueError(f'more than one person is called "{text}": choose from the list, which adds the email.')
        raise ValueError(
            f'"{text}" is not one of the ICS\'s people: choose from the list, or add them on the People page.'
        )


def check_rows(raw: list[dict], system: IntegratedCareSystem) -> ParsedReturn:
    """Turn read rows into changes for the system's records, finding every problem (not only the first)."""
    parsed = ParsedReturn(system=system, raw=raw)
    records = {
        r.recommendation.code: r
        for r in ProgressRecord.objects.filter(system=system, recommendation__trackable=True).select_related(
            "system", "recommendation", "accountable_owner", "delivery_lead"
        )
    }
    people = _People(system)
    seen: dict[str, int] = {}
    for cells in raw:
        number, problems = cells["row"], []

        def problem(column_key, message, number=number, problems=problems):
            problems.append(Problem(message, number, HEADERS[column_key]))

        code = cells["code"].upper()
        record = records.get(code)
        if not code:
            problem("code", "empty: every row needs the code of its item, as downloaded.")
        elif record is None:
            problem("code", f'"{cells["code"]}" is not one of this return\'s items.')
        elif code in seen:
            problem("code", f"{code} is also on row {seen[code]}: give each item one row.")
        else:
            seen[code] = number
        changes = {}
        status = STATUS_WORDS.get(cells["status"].lower())
        if status is None:
            shown = f'"{cells["status"]}" is not a status' if cells["status"] else "empty"
            problem("status", f"{shown}; {STATUS_CHOICE_TEXT}")
        else:
            changes["status"] = status
        for key in ("accountable_owner", "delivery_lead"):
            if not cells[key]:
                changes[key] = None
                continue
            try:
                changes[key] = people.match(cells[key], getattr(record, key) if record else None)
            except ValueError as error:
                problem(key, str(error))
        if cells["target_date"]:
            target = _date(cells["target_date"])
            if target is None:
                problem("target_date", f'"{cells["target_date"]}" is not a date; use a date like 31/03/2027.')
            else:
                changes["target_date"] = target
        else:
            changes["target_date"] = None
        changes["summary"] = cells["summary"]
        if not cells["version"].isdigit() or (record and int(cells["version"]) > record.version):
            problem("version", "not this record's version: keep the Version column as downloaded.")
        parsed.errors += problems
        if not problems:
            parsed.rows.append(ParsedRow(number, record, changes, cells["reason"], int(cells["version"])))
    return parsed


def parse_return(upload, system: IntegratedCareSystem) -> ParsedReturn:
    """Read and check an upload: a ParsedReturn whose `errors` say what is wrong (a file refused outright has one
    error with no row)."""
    item_count = Recommendation.objects.trackable().count()
    try:
        raw = read_return(upload, system, item_count)
    except ImportRefused as refused:
        return ParsedReturn(system=system, errors=refused.problems)
    return check_rows(raw, system)


# -- What it would change -------------------------------------------------------------------------------------------


def _shown(record: ProgressRecord) -> dict:
    return {label: display_value(f, getattr(record, f)) for f, label in ProgressRecord.TRACKED_FIELDS.items()}


def _as_downloaded(record: ProgressRecord, theirs: list[ProgressChange]) -> dict:
    """The record's fields as shown at the version downloaded: as it is now, with each later change undone."""
    shown = _shown(record)
    for change in sorted(theirs, key=lambda c: c.record_version, reverse=True):
        for label, (before, _after) in change.changes.items():
            if label in shown:
                shown[label] = before
    return shown


def _conflict(row: ParsedRow, theirs: list[ProgressChange]) -> RowConflict | None:
    """A row whose record changed since the download: a conflict if the row changes anything from what was
    downloaded (a row left as it was is no change, though it no longer matches the record)."""
    yours = copy.copy(row.record)
    for f, value in row.changes.items():
        setattr(yours, f, value)
    downloaded, after = _as_downloaded(row.record, theirs), _shown(yours)
    fields = [
        FieldChange(f, label, downloaded[label], after[label])
        for f, label in ProgressRecord.TRACKED_FIELDS.items()
        if downloaded[label] != after[label]
    ]
    if not fields:
        return None
    return RowConflict(row.number, row.record, fields, row.changes, row.reason, row.version, theirs)


def import_preview(parsed: ParsedReturn) -> Preview:
    """Each row's changes, field by field, checked by the rules of a single edit; rows whose record was changed by
    someone since the download (its Version) are conflicts, shown beside that change, never overwritten."""
    preview = Preview(errors=list(parsed.errors))
    if preview.errors:
        return preview
    stale = [row for row in parsed.rows if row.version != row.record.version]
    history: dict[int, list[ProgressChange]] = {}
    if stale:
        for change in ProgressChange.objects.filter(record__in=[row.record for row in stale]).order_by("pk"):
            history.setdefault(change.record_id, []).append(change)
    for row in parsed.rows:
        if row in stale:
            theirs = [c for c in history.get(row.record.pk, []) if c.record_version > row.version]
            conflict = _conflict(row, theirs)
            if conflict:
                preview.conflicts.append(conflict)
            continue
        after = copy.copy(row.record)
        try:
            changed = record_changes_checked(after, row.changes, row.reason)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                preview.errors += [Problem(message, row.number, FIELD_COLUMNS.get(key)) for message in messages]
            continue
        if changed:
            before, shown = _shown(row.record), _shown(after)
            fields = [FieldChange(f, ProgressRecord.TRACKED_FIELDS[f], *_pair(f, before, shown)) for f in changed]
            preview.changes.append(RowChange(row.number, row.record, fields, row.changes, row.reason, row.version))
    return preview


def _pair(f, before, after):
    label = ProgressRecord.TRACKED_FIELDS[f]
    return before[label], after[label]
