"""The prefilled return workbook: its columns, and writing it as XLSX (or the same columns as CSV)."""

import datetime
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from legacy.models import Recommendation

from ..choices import Status
from ..exports import csv_lines, safe_cell
from ..models import IntegratedCareSystem, Person, ProgressRecord

RETURN_SHEET, LISTS_SHEET, INSTRUCTIONS_SHEET = "Return", "Lists", "Instructions"
SYSTEM_NAME = "TrackerICS"  # a defined name holding the ODS code: the workbook says whose it is
SETTABLE_STATUSES = [Status.RED, Status.AMBER, Status.GREEN, Status.BLUE, Status.NOT_APPLICABLE]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    editable: bool
    width: int
    required: bool = True  # an upload without it is refused; an informative column may be left out


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
    Column("is_demo", "Demo data", False, 11, required=False),
]
HEADERS = {c.key: c.header for c in COLUMNS}


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
            "is_demo": "Yes" if record.is_demo else "No",
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
    "9. Demo data says Yes where the record is invented demonstration data, not a real return; saving a change "
    "makes it real.",
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
