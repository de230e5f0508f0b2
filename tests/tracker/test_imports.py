"""A whole return from a spreadsheet: the prefilled workbook, the preview, applying it, and every file refused."""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from tests.factories import person, record, update
from tracker import services
from tracker.imports import COLUMNS, SYSTEM_NAME, check_rows, read_return, workbook_for
from tracker.models import ApiToken, IntegratedCareSystem, Person, ProgressChange

pytestmark = pytest.mark.django_db
XLSX = "tracker:return_workbook"
IMPORT = "tracker:return_import"
HEADERS = [c.header for c in COLUMNS]


@pytest.fixture
def return_data(alice, west_yorkshire):
    """West Yorkshire with two people and two items already assessed."""
    priya = person(west_yorkshire, name="Priya Shah", email="priya@qwo.example.invalid")
    person(west_yorkshire, name="Sam Okoro", job_title="Head of Quality", email="sam@qwo.example.invalid")
    update(west_yorkshire, "NHSCC-4", alice, status="amber", accountable_owner=priya, summary="Peer review monthly")
    update(west_yorkshire, "KF-L2", alice, status="red", target_date=datetime.date(2027, 3, 31))
    return west_yorkshire


def download(client, user, export_format="xlsx", ods_code="QWO") -> bytes:
    client.force_login(user)
    response = client.get(reverse(XLSX, args=[ods_code, export_format]))
    assert response.status_code == 200, response.status_code
    return response.content


def edited(content: bytes, changes: dict[str, dict[str, object]]) -> bytes:
    """The workbook with cells changed, as someone editing it in a spreadsheet would: {code: {header: value}}."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Return"]
    column = {cell.value: cell.column for cell in sheet[1]}
    for row in sheet.iter_rows(min_row=2):
        for header, value in changes.get(row[column["Code"] - 1].value, {}).items():
            sheet.cell(row=row[0].row, column=column[header]).value = value  # cell(value=None) would leave it
    body = io.BytesIO()
    workbook.save(body)
    return body.getvalue()


def upload(client, content: bytes, name="return.xlsx", ods_code="QWO"):
    return client.post(reverse(IMPORT, args=[ods_code]), {"file": SimpleUploadedFile(name, content)})


def confirm(client, response, ods_code="QWO"):
    return client.post(reverse(IMPORT, args=[ods_code]), {"token": response.context["token"]})


THREE_ROWS = {
    "NHSCC-1": {"Status": "Green", "Reason for the change": "Clinical leads appointed"},
    "NHSCC-4": {"Delivery lead": "Sam Okoro", "Summary": "Peer review monthly, audited"},
    "KF-L2": {"Target date": datetime.datetime(2027, 9, 30), "Reason for the change": "Waiting for the new contract"},
}


# -- The workbook -----------------------------------------------------------------------------------------------------


def test_the_workbook_has_a_row_per_item_prefilled_with_the_record_as_it_stands(client, alice, return_data):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, alice)))
    sheet = workbook["Return"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    assert len(rows) - 1 == 18
    by_code = {row[1]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert by_code["NHSCC-4"]["Status"] == "Amber"
    assert by_code["NHSCC-4"]["Accountable owner"] == "Priya Shah <priya@qwo.example.invalid>"
    assert by_code["NHSCC-4"]["Summary"] == "Peer review monthly"
    assert by_code["NHSCC-4"]["Version"] == record("QWO", "NHSCC-4").version
    assert by_code["KF-L2"]["Target date"] == datetime.datetime(2027, 3, 31)
    assert by_code["NHSCC-1"]["Status"] == "Not assessed" and by_code["NHSCC-1"]["ICS"] == "QWO"
    assert workbook.defined_names[SYSTEM_NAME].attr_text == '"QWO"'
    assert "Instructions" in workbook.sheetnames and "How to fill in this return" in str(
        [c.value for c in workbook["Instructions"]["A"]]
    )


def test_status_and_owners_are_drop_down_lists_and_the_reference_columns_are_locked(client, alice, return_data):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, alice)))
    sheet = workbook["Return"]
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert lists["D2:D19"] == '"Red,Amber,Green,Blue,Not applicable"'
    assert lists["E2:E19 F2:F19"] == "=Lists!$A$2:$A$3"
    assert [c.value for c in workbook["Lists"]["A"]][1:] == [
        "Priya Shah <priya@qwo.example.invalid>",
        "Sam Okoro <sam@qwo.example.invalid>",
    ]
    assert sheet.protection.sheet
    locked = {header: sheet.cell(row=2, column=i).protection.locked for i, header in enumerate(HEADERS, start=1)}
    assert [h for h, is_locked in locked.items() if is_locked] == ["ICS", "Code", "Title", "Version", "Demo data"]


def test_the_workbook_says_which_records_are_demonstration_data(client, alice, return_data):
    from tracker.models import ProgressRecord
    from tracker.models.progress import record_writes

    with record_writes():  # as the demo generator marks what it invents
        ProgressRecord.objects.filter(system=return_data, recommendation__code="NHSCC-2").update(is_demo=True)
    rows = list(openpyxl.load_workbook(io.BytesIO(download(client, alice)))["Return"].values)
    demo = {row[1]: row[HEADERS.index("Demo data")] for row in rows[1:]}
    assert demo["NHSCC-2"] == "Yes" and demo["NHSCC-1"] == "No"


def test_no_cell_of_the_workbook_is_a_formula_whatever_the_text(client, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber", summary='=HYPERLINK("http://evil.example","x")')
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, alice)))
    cells = [cell for row in workbook["Return"].iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_the_csv_has_the_same_columns_and_rows(client, alice, return_data):
    rows = list(csv.reader(io.StringIO(download(client, alice, "csv").decode())))
    assert rows[0] == HEADERS and len(rows) == 19
    assert dict(zip(HEADERS, next(r for r in rows if r[1] == "KF-L2"), strict=True))["Target date"] == "2027-03-31"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("editor", 200),
        ("viewer", 200),
        ("national", 200),
        ("reviewer", 200),
        ("outsider", 404),
        ("other_reviewer", 404),
    ],
)
def test_the_workbook_is_for_whoever_reads_the_ics(client, personas, rita, ray, who, expected):
    users = {**personas, "reviewer": rita, "other_reviewer": ray}
    client.force_login(users[who])
    assert client.get(reverse(XLSX, args=["QWO", "xlsx"])).status_code == expected
    assert client.get(reverse(XLSX, args=["QWO", "csv"])).status_code == expected


def test_anonymous_users_are_sent_to_sign_in_for_the_workbook_and_the_import(client):
    for url in (reverse(XLSX, args=["QWO", "xlsx"]), reverse(IMPORT, args=["QWO"])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("editor", 200), ("approver", 200), ("viewer", 403), ("national", 403), ("reviewer", 403), ("outsider", 404)],
)
def test_only_the_ics_editors_and_approvers_may_import(client, personas, april, rita, who, expected):
    users = {**personas, "approver": april, "reviewer": rita}
    client.force_login(users[who])
    assert client.get(reverse(IMPORT, args=["QWO"])).status_code == expected
    assert client.post(reverse(IMPORT, args=["QWO"]), {"file": b""}).status_code == expected


def test_the_ics_page_offers_the_workbook_to_readers_and_the_import_to_editors(client, alice, bob):
    client.force_login(alice)
    body = client.get(reverse("tracker:system", args=["QWO"])).content.decode()
    assert "Download the return workbook" in body and "Import a workbook" in body
    client.force_login(bob)
    body = client.get(reverse("tracker:system", args=["QWO"])).content.decode()
    assert "Download the return workbook" in body and "Import a workbook" not in body


# -- Preview and apply ------------------------------------------------------------------------------------------------


def test_an_upload_shows_every_change_field_by_field_and_writes_nothing(client, alice, return_data):
    before = ProgressChange.objects.count()
    response = upload(client, edited(download(client, alice), THREE_ROWS))
    assert response.status_code == 200
    preview = response.context["preview"]
    changes = {(r.code, f.label, f.before, f.after, r.reason) for r in preview.changes for f in r.fields}
    assert changes == {
        ("NHSCC-1", "Status", "Not assessed", "Green", "Clinical leads appointed"),
        ("NHSCC-4", "Delivery lead", "—", "Sam Okoro, Head of Quality", ""),
        ("NHSCC-4", "Summary", "Peer review monthly", "Peer review monthly, audited", ""),
        ("KF-L2", "Target date", "31 March 2027", "30 September 2027", "Waiting for the new contract"),
    }
    assert "Apply 3 changes" in response.content.decode()
    assert ProgressChange.objects.count() == before
    assert record("QWO", "NHSCC-1").status == "not_assessed"


def test_confirming_applies_every_change_with_one_history_row_per_record(client, alice, return_data):
    before = ProgressChange.objects.count()
    response = confirm(client, upload(client, edited(download(client, alice), THREE_ROWS)))
    assert response.status_code == 302 and response["Location"] == reverse("tracker:system_history", args=["QWO"])
    assert ProgressChange.objects.count() == before + 3
    assert record("QWO", "NHSCC-1").status == "green"
    assert record("QWO", "NHSCC-4").delivery_lead.name == "Sam Okoro"
    assert record("QWO", "KF-L2").target_date == datetime.date(2027, 9, 30)
    assert record("QWO", "KF-L2").original_target_date == datetime.date(2027, 3, 31)
    change = ProgressChange.objects.filter(record=record("QWO", "NHSCC-1")).first()
    assert (change.changes, change.reason, change.changed_by) == (
        {"Status": ["Not assessed", "Green"]},
        "Clinical leads appointed",
        alice,
    )
    page = client.get(response["Location"]).content.decode()
    assert "3 records updated from the workbook." in page and "Clinical leads appointed" in page


def test_a_preview_cannot_be_confirmed_twice(client, alice, return_data):
    preview = upload(client, edited(download(client, alice), THREE_ROWS))
    confirm(client, preview)
    count = ProgressChange.objects.count()
    response = confirm(client, preview)
    assert response.status_code == 302 and ProgressChange.objects.count() == count
    assert "no longer current" in client.get(response["Location"]).content.decode()


def test_a_token_from_nowhere_applies_nothing(client, alice, return_data):
    client.force_login(alice)
    count = ProgressChange.objects.count()
    response = client.post(reverse(IMPORT, args=["QWO"]), {"token": "forged"})
    assert response.status_code == 302 and ProgressChange.objects.count() == count


def test_the_workbook_as_downloaded_changes_nothing(client, alice, return_data):
    response = upload(client, download(client, alice))
    assert response.status_code == 200 and "The file changes nothing" in response.content.decode()
    assert "token" not in response.context


def test_the_csv_imports_like_the_workbook(client, alice, return_data):
    rows = list(csv.reader(io.StringIO(download(client, alice, "csv").decode())))
    for row in rows:
        if row[1] == "NHSCC-2":
            row[3], row[8] = "amber", "Started in June"
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    response = confirm(client, upload(client, text.getvalue().encode(), name="return.csv"))
    assert response.status_code == 302 and record("QWO", "NHSCC-2").status == "amber"


def test_owners_match_by_email_or_name_and_empty_cells_clear_them(client, alice, return_data):
    response = upload(
        client,
        edited(
            download(client, alice),
            {
                "NHSCC-4": {"Accountable owner": None, "Delivery lead": "SAM@qwo.example.invalid"},
                "NHSCC-5": {"Accountable owner": "priya shah"},
            },
        ),
    )
    changes = {(r.code, f.label, f.after) for r in response.context["preview"].changes for f in r.fields}
    assert changes == {
        ("NHSCC-4", "Accountable owner", "—"),
        ("NHSCC-4", "Delivery lead", "Sam Okoro, Head of Quality"),
        ("NHSCC-5", "Accountable owner", "Priya Shah, Director of Primary Care"),
    }


def test_a_retired_owner_a_record_still_names_is_kept_but_not_newly_named(client, alice, return_data):
    priya = Person.objects.get(email="priya@qwo.example.invalid")
    priya.retired_on = datetime.date(2026, 1, 1)
    priya.save()
    content = download(client, alice)
    assert upload(client, content).context["preview"].changes == []
    response = upload(client, edited(content, {"NHSCC-5": {"Accountable owner": "Priya Shah"}}))
    assert [str(p) for p in response.context["problems"]] == [
        'Row 6, Accountable owner: "Priya Shah" is not one of the ICS\'s people: choose from the list, '
        "or add them on the People page."
    ]


def test_text_the_export_wrote_safely_comes_back_as_the_same_text(client, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber", summary="=1+1 is not a formula here")
    assert upload(client, download(client, alice)).context["preview"].changes == []


def test_a_status_or_target_change_without_a_reason_is_refused_naming_the_row(client, alice, return_data):
    count = ProgressChange.objects.count()
    response = upload(client, edited(download(client, alice), {"NHSCC-2": {"Status": "Red"}}))
    assert [str(p) for p in response.context["problems"]] == [
        "Row 3, Reason for the change: Say why the status or target date changed: it goes into the history."
    ]
    assert ProgressChange.objects.count() == count


def test_a_bad_status_names_the_row_the_column_and_the_choices(client, alice, return_data):
    response = upload(client, edited(download(client, alice), {"NHSCC-6": {"Status": "Greenish"}}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Greenish&quot; is not a status; use Red, Amber, Green, Blue or Not applicable" in body
    assert [str(p) for p in response.context["problems"]] == [
        'Row 7, Status: "Greenish" is not a status; use Red, Amber, Green, Blue or Not applicable'
    ]


# -- Refused files: each says why and changes nothing ----------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return body.getvalue()


def _with_entry(content: bytes, name: str, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    return _zip({**entries, name: data})


def _csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def _another_ics_workbook():
    return workbook_for(IntegratedCareSystem.objects.get(ods_code="QOP"))


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: old .xls, or an encrypted workbook
REFUSALS = {
    "not a spreadsheet": (
        lambda c: (b"%PDF-1.4 not a workbook", "return.xlsx"),
        "This is not a spreadsheet: upload the return workbook (.xlsx) or its CSV.",
    ),
    "a word document": (
        lambda c: (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "return.xlsx"),
        "This is not an Excel workbook: upload the return workbook (.xlsx) or its CSV.",
    ),
    "a damaged workbook": (
        lambda c: (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not xml"}), "return.xlsx"),
        "The workbook could not be read: upload the return workbook (.xlsx) as downloaded.",
    ),
    "a damaged sheet": (
        lambda c: (_with_entry(c, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c r='A1'"), "return.xlsx"),
        "The workbook could not be read: upload the return workbook (.xlsx) as downloaded.",
    ),
    "macro-enabled by name": (
        lambda c: (c, "return.xlsm"),
        "Macro-enabled workbooks are not accepted: save it as an Excel Workbook (.xlsx) and upload that.",
    ),
    "macro-enabled by content": (
        lambda c: (_with_entry(c, "xl/vbaProject.bin", b"\x00macro"), "return.xlsx"),
        "Macro-enabled workbooks are not accepted: save it as an Excel Workbook (.xlsx) and upload that.",
    ),
    "encrypted": (
        lambda c: (OLE + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le"), "return.xlsx"),
        "The file is encrypted (password-protected): remove the password, save it and upload it again.",
    ),
    "an old xls": (
        lambda c: (OLE + b"\x00" * 504, "return.xls"),
        "This is an Excel 97-2003 (.xls) file: save it as an Excel Workbook (.xlsx) and upload that.",
    ),
    "a zip bomb": (
        lambda c: (_with_entry(c, "xl/media/padding.bin", b"\x00" * (25 * 1024 * 1024)), "return.xlsx"),
        "The workbook unpacks to far more than a return holds: upload the return workbook as downloaded.",
    ),
    "over the size limit": (
        lambda c: (c + b"\x00" * (2 * 1024 * 1024), "return.xlsx"),
        "The file is 2.0\xa0MB; the limit is 2.0\xa0MB.",
    ),
    "another ICS's workbook": (
        lambda c: (_another_ics_workbook(), "return.xlsx"),
        "This is the workbook of Greater Manchester (QOP), not West Yorkshire: download West Yorkshire's workbook.",
    ),
    "a csv of another ICS": (
        lambda c: (_csv([HEADERS, ["QOP", "NHSCC-1", "", "Red", "", "", "", "", "Why", "0"]]), "return.csv"),
        "This is the workbook of Greater Manchester (QOP), not West Yorkshire: download West Yorkshire's workbook.",
    ),
    "a csv that is not text": (
        lambda c: (b"\xff\xfe\x00\x00binary", "return.csv"),
        "The CSV file is not UTF-8 text: save it as CSV UTF-8 and upload it again.",
    ),
    "a column missing": (
        lambda c: (_csv([[h for h in HEADERS if h != "Status"]]), "return.csv"),
        "The file has no Status column: download the return workbook and fill that in.",
    ),
    "more rows than items": (
        lambda c: (
            _csv([HEADERS, *[["QWO", f"NHSCC-{n}", "", "Red", "", "", "", "", "Why", "0"] for n in range(1, 21)]]),
            "return.csv",
        ),
        "The file has 20 rows but the return has 18 items: one row per item, as downloaded.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_file_that_is_not_this_ics_return_workbook_is_refused_saying_why(client, alice, return_data, case):
    make, message = REFUSALS[case]
    content, name = make(download(client, alice))
    count, versions = ProgressChange.objects.count(), sorted(record("QWO", c).version for c in ("NHSCC-4", "KF-L2"))
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [message]
    assert ProgressChange.objects.count() == count
    assert sorted(record("QWO", c).version for c in ("NHSCC-4", "KF-L2")) == versions


ROW_PROBLEMS = {
    "a formula": (
        {"NHSCC-6": {"Summary": "=1+1"}},
        "Row 7, Summary: formulas are not accepted: type the value itself.",
    ),
    "an unknown code": (
        {"NHSCC-6": {"Code": "NHSCC-99"}},
        'Row 7, Code: "NHSCC-99" is not one of this return\'s items.',
    ),
    "a national item's code": (
        {"NHSCC-6": {"Code": "KF-N1"}},
        'Row 7, Code: "KF-N1" is not one of this return\'s items.',
    ),
    "a duplicated code": (
        {"NHSCC-6": {"Code": "NHSCC-1"}},
        "Row 7, Code: NHSCC-1 is also on row 2: give each item one row.",
    ),
    "a date that is not a date": (
        {"NHSCC-6": {"Target date": "next spring", "Reason for the change": "Slipped"}},
        'Row 7, Target date: "next spring" is not a date; use a date like 31/03/2027.',
    ),
    "a date out of range": (
        {"NHSCC-6": {"Target date": "31/03/2099", "Reason for the change": "Slipped"}},
        "Row 7, Target date: Enter a target date between",
    ),
    "an owner who is not the ICS's": (
        {"NHSCC-6": {"Delivery lead": "Olu Adeyemi <olu@qop.example.invalid>"}},
        'Row 7, Delivery lead: "Olu Adeyemi <olu@qop.example.invalid>" is not one of the ICS\'s people',
    ),
    "a version changed by hand": (
        {"NHSCC-6": {"Version": "seven"}},
        "Row 7, Version: not this record's version: keep the Version column as downloaded.",
    ),
    "a summary too long": (
        {"NHSCC-6": {"Summary": "x" * 5001}},
        "Row 7, Summary: Ensure this value has at most 5000 characters (it has 5001).",
    ),
}


@pytest.mark.parametrize("case", ROW_PROBLEMS)
def test_a_bad_cell_refuses_the_whole_file_naming_row_and_column(client, alice, return_data, case):
    person(IntegratedCareSystem.objects.get(ods_code="QOP"), name="Olu Adeyemi", email="olu@qop.example.invalid")
    changes, message = ROW_PROBLEMS[case]
    good = {"NHSCC-1": {"Status": "Green", "Reason for the change": "Leads appointed"}}
    count = ProgressChange.objects.count()
    response = upload(client, edited(download(client, alice), {**good, **changes}))
    problems = [str(p) for p in response.context["problems"]]
    assert len(problems) == 1 and problems[0].startswith(message), problems
    assert ProgressChange.objects.count() == count
    assert record("QWO", "NHSCC-1").status == "not_assessed"
    assert escape(response.context["problems"][0].message) in response.content.decode()


def test_every_problem_in_the_file_is_listed_not_only_the_first(client, alice, return_data):
    response = upload(
        client,
        edited(
            download(client, alice),
            {"NHSCC-2": {"Status": "Purple"}, "NHSCC-3": {"Target date": "soon"}, "KF-L1": {"Code": "X-1"}},
        ),
    )
    assert [(p.row, p.column) for p in response.context["problems"]] == [
        (3, "Status"),
        (4, "Target date"),
        (13, "Code"),
    ]
    assert "The file has 3 problems" in response.content.decode()


# -- Conflicts --------------------------------------------------------------------------------------------------------


def test_a_row_changed_by_someone_since_the_download_is_a_conflict_beside_their_change(client, alice, return_data):
    from conftest import make_user

    content = download(client, alice)
    olga = make_user("olga", "editor", "QWO")
    update(return_data, "NHSCC-4", olga, status="green", reason="Audit passed")
    count = ProgressChange.objects.count()
    response = upload(client, edited(content, {**THREE_ROWS, "NHSCC-4": {"Summary": "Mine"}}))
    assert response.status_code == 409
    [conflict] = response.context["preview"].conflicts
    assert conflict.code == "NHSCC-4" and [(t.changed_by_name, t.reason) for t in conflict.theirs] == [
        ("Olga Tester", "Audit passed")
    ]
    body = response.content.decode()
    assert "changed since you downloaded the workbook" in body and "Olga Tester" in body
    assert "token" not in response.context
    assert ProgressChange.objects.count() == count and record("QWO", "NHSCC-4").summary == "Peer review monthly"


def test_uploading_the_same_workbook_again_after_applying_it_is_no_conflict_and_changes_nothing(
    client, alice, return_data
):
    content = edited(download(client, alice), THREE_ROWS)
    assert confirm(client, upload(client, content)).status_code == 302
    count = ProgressChange.objects.count()
    again = upload(client, content)
    assert again.status_code == 200
    assert again.context["preview"].conflicts == [] and again.context["preview"].changes == []
    assert ProgressChange.objects.count() == count


def test_a_stale_row_that_changes_nothing_is_no_conflict(client, alice, return_data):
    content = download(client, alice)
    update(return_data, "NHSCC-4", alice, status="amber", summary="Peer review monthly")  # no change: no new version
    update(return_data, "NHSCC-5", alice, status="red", reason="Not started")
    response = upload(client, edited(content, {"NHSCC-1": THREE_ROWS["NHSCC-1"]}))
    assert response.status_code == 200 and [r.code for r in response.context["preview"].changes] == ["NHSCC-1"]


def test_a_change_saved_between_preview_and_confirm_is_a_conflict_and_nothing_is_applied(client, alice, return_data):
    preview = upload(client, edited(download(client, alice), THREE_ROWS))
    update(return_data, "KF-L2", alice, status="amber", reason="Moving")
    count = ProgressChange.objects.count()
    response = confirm(client, preview)
    assert response.status_code == 409
    assert [c.code for c in response.context["preview"].conflicts] == ["KF-L2"]
    assert ProgressChange.objects.count() == count and record("QWO", "NHSCC-1").status == "not_assessed"


def test_a_record_saved_after_the_check_is_caught_under_the_lock_and_nothing_is_applied(
    alice, return_data, monkeypatch
):
    """The race the row locks close: the rows were checked, then someone saved first; records_update refuses."""
    from tracker import imports

    raw = read_return(SimpleUploadedFile("r.xlsx", workbook_bytes(return_data, THREE_ROWS)), return_data, 18)
    checked_before = iter([check_rows(raw, return_data)])
    update(return_data, "NHSCC-1", alice, status="red", reason="Someone else")
    monkeypatch.setattr(imports, "check_rows", lambda raw, sys: next(checked_before, None) or check_rows(raw, sys))
    count = ProgressChange.objects.count()
    with pytest.raises(services.ImportConflict) as conflict:
        services.return_import(system=return_data, raw=raw, user=alice)
    assert [c.code for c in conflict.value.preview.conflicts] == ["NHSCC-1"]
    assert ProgressChange.objects.count() == count
    assert record("QWO", "KF-L2").target_date == datetime.date(2027, 3, 31)


def workbook_bytes(system, changes) -> bytes:
    return edited(workbook_for(system), changes)


# -- All or nothing (query counts: test_query_counts.py) --------------------------------------------------------------


def test_records_update_writes_nothing_if_any_record_is_refused(alice, west_yorkshire):
    edits = [
        services.RecordEdit(record("QWO", "NHSCC-1"), {"status": "green"}, 0, "Done"),
        services.RecordEdit(record("QWO", "NHSCC-2"), {"status": "green"}, 0, ""),  # no reason
    ]
    with pytest.raises(Exception, match="Say why"):
        services.records_update(edits=edits, user=alice)
    assert record("QWO", "NHSCC-1").version == 0 and not ProgressChange.objects.exists()


def test_records_update_writes_each_records_own_values_in_one_update(alice, west_yorkshire):
    """Values shared by every record and values that differ land alike, and fields no edit changes are kept."""
    target = datetime.date(2027, 3, 31)
    summary = record("QWO", "NHSCC-1").summary
    edits = [
        services.RecordEdit(record("QWO", "NHSCC-1"), {"status": "green"}, 0, "Done"),
        services.RecordEdit(record("QWO", "NHSCC-2"), {"status": "red", "summary": "Same"}, 0, "Stalled"),
        services.RecordEdit(record("QWO", "NHSCC-3"), {"summary": "Same", "target_date": target}, 0, "Planned"),
    ]
    with CaptureQueriesContext(connection) as queries:
        services.records_update(edits=edits, user=alice)
    assert len([q for q in queries if q["sql"].startswith('UPDATE "tracker_progressrecord"')]) == 1
    written = {
        code: (r.status, r.summary, r.target_date, r.original_target_date, r.version, r.updated_by, r.is_demo)
        for code in ("NHSCC-1", "NHSCC-2", "NHSCC-3")
        for r in [record("QWO", code)]
    }
    assert written == {
        "NHSCC-1": ("green", summary, None, None, 1, alice, False),
        "NHSCC-2": ("red", "Same", None, None, 1, alice, False),
        "NHSCC-3": ("not_assessed", "Same", target, target, 1, alice, False),
    }
    assert record("QWO", "NHSCC-4").version == 0


# -- API --------------------------------------------------------------------------------------------------------------


def api_for(user):
    _, key = ApiToken.issue(user, "imports")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def api_import(api, content, name="return.xlsx", **fields):
    return api.post(
        "/api/v1/progress/import/",
        {"file": SimpleUploadedFile(name, content), "system": "QWO", **fields},
        format="multipart",
    )


def test_the_api_previews_by_default_and_writes_nothing(alice, return_data):
    count = ProgressChange.objects.count()
    response = api_import(api_for(alice), workbook_bytes(return_data, THREE_ROWS))
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["applied"]) == (True, False)
    assert {
        "row": 2,
        "recommendation": "NHSCC-1",
        "field": "status",
        "before": "Not assessed",
        "after": "Green",
        "reason": "Clinical leads appointed",
    } in body["changes"]
    assert len(body["changes"]) == 4 and ProgressChange.objects.count() == count


def test_the_api_applies_atomically_without_dry_run(alice, return_data):
    count = ProgressChange.objects.count()
    response = api_import(api_for(alice), workbook_bytes(return_data, THREE_ROWS), dry_run="false")
    assert response.status_code == 200 and response.json()["applied"] is True
    assert ProgressChange.objects.count() == count + 3 and record("QWO", "NHSCC-1").status == "green"


def test_the_api_refuses_a_bad_file_with_errors_naming_row_and_column(alice, return_data):
    content = workbook_bytes(return_data, {"NHSCC-6": {"Status": "Greenish"}, "NHSCC-1": THREE_ROWS["NHSCC-1"]})
    count = ProgressChange.objects.count()
    response = api_import(api_for(alice), content, dry_run="false")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "row": 7,
                "column": "Status",
                "message": '"Greenish" is not a status; use Red, Amber, Green, Blue or Not applicable',
            }
        ]
    }
    assert ProgressChange.objects.count() == count
    response = api_import(api_for(alice), b"not a workbook", name="return.txt")
    assert response.status_code == 400 and response.json()["errors"][0]["row"] is None


def test_the_api_answers_409_with_the_conflicts(alice, return_data):
    content = workbook_bytes(return_data, THREE_ROWS)
    update(return_data, "NHSCC-1", alice, status="red", reason="Meanwhile")
    count = ProgressChange.objects.count()
    for dry_run in ("true", "false"):
        response = api_import(api_for(alice), content, dry_run=dry_run)
        assert response.status_code == 409
        [conflict] = response.json()["conflicts"]
        assert (conflict["recommendation"], conflict["your_version"], conflict["current_version"]) == ("NHSCC-1", 0, 1)
        assert conflict["their_changes"][0]["reason"] == "Meanwhile"
    assert ProgressChange.objects.count() == count


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("national", 403), ("outsider", 404)])
def test_the_api_import_is_for_the_ics_editors_only(personas, return_data, who, expected):
    count = ProgressChange.objects.count()
    response = api_import(api_for(personas[who]), workbook_bytes(return_data, THREE_ROWS), dry_run="false")
    assert response.status_code == expected
    assert ProgressChange.objects.count() == count


def test_the_api_import_needs_a_signed_in_user_and_a_known_system(alice, return_data):
    content = workbook_bytes(return_data, THREE_ROWS)
    assert api_import(APIClient(), content).status_code in (401, 403)
    response = api_for(alice).post(
        "/api/v1/progress/import/", {"file": SimpleUploadedFile("r.xlsx", content), "system": "XXX"}, format="multipart"
    )
    assert response.status_code == 404
    response = api_for(alice).post("/api/v1/progress/import/", {"system": "QWO"}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": None, "column": None, "message": "file: No file was submitted."}]}
