"""Downloads are safe to open in a spreadsheet: no cell of any export is ever a formula."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import add_evidence, person, update
from tracker.exports import safe_cell
from tracker.models import ApiToken

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def hostile_record(alice, west_yorkshire):
    owner = person(west_yorkshire, name="@SUM(1+1)", job_title="+cmd|' /C calc'!A0", email="owner@example.invalid")
    update(west_yorkshire, "NHSCC-4", alice, status="red", accountable_owner=owner, summary=HOSTILE, reason="-2+3")
    add_evidence(west_yorkshire, "NHSCC-4", alice, title="\t=1+1", url="https://example.invalid/x")


def cells_of_csv(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet would run. A plain negative number, written from a number, is just a number."""
    return text.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"-\d+(\.\d+)?", text)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+441234", "'+441234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Peer review", "Peer review"),
        (-5, -5),
        (None, ""),
    ],
)
def test_text_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert safe_cell(value) == written


PAGE_EXPORTS = [
    ("tracker:board_report", ["QWO"]),
    ("tracker:comparison", []),
    ("tracker:rollups", []),
]


@pytest.mark.parametrize(("name", "args"), PAGE_EXPORTS)
def test_no_page_export_has_a_formula_cell_in_xlsx_or_csv(client, hostile_record, nadia, name, args):
    client.force_login(nadia)
    xlsx = client.get(reverse(name, args=args), {"export": "xlsx"})
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    as_csv = cells_of_csv(client.get(reverse(name, args=args), {"export": "csv"}).content.decode())
    assert not [cell for cell in as_csv if is_formula_like(cell)]
    if name == "tracker:board_report":
        assert "'" + HOSTILE in values and "'" + HOSTILE in as_csv


@pytest.mark.parametrize("url", ["/api/v1/progress/", "/api/v1/history/", "/api/v1/evidence/"])
def test_no_api_csv_has_a_cell_a_spreadsheet_would_run(hostile_record, nadia, url):
    _, key = ApiToken.issue(nadia, "t")
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(url, {"format": "csv", "system": "QWO"})
    text = b"".join(response.streaming_content).decode()
    cells = cells_of_csv(text)
    assert not [cell for cell in cells if is_formula_like(cell)]
    assert any(cell.startswith("'") for cell in cells)  # the hostile value is there, neutralised


def test_xlsx_exports_are_ready_to_analyse_header_frozen_filtered_dates_as_dates(client, alice, nadia, west_yorkshire):
    import datetime

    update(west_yorkshire, "NHSCC-4", alice, status="amber", target_date=datetime.date(2027, 3, 31))
    client.force_login(nadia)
    response = client.get(reverse("tracker:board_report", args=["QWO"]), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert all(name == name.lower() and " " not in name for name in header)  # snake_case columns, no banner row
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("recommendation")].value == "NHSCC-4")
    target = row[header.index("target_date")].value
    assert isinstance(target, datetime.datetime) and target.date() == datetime.date(2027, 3, 31)
    assert sheet.column_dimensions["D"].width >= len("title") + 2


def test_the_returns_export_is_one_row_per_system_and_period_with_its_source_and_dates_excel_reads(
    client, alice, april, nadia, west_yorkshire
):
    import datetime

    from tests.tracker.test_returns import NOW, make_ready, the_return
    from tracker import services

    make_ready(west_yorkshire, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    client.force_login(nadia)
    response = client.get(reverse("tracker:returns"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert {"position_source", "is_demo"} <= set(header)
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len({(row["ods_code"], row["period"]) for row in rows}) == len(rows)
    qwo = next(row for row in rows if (row["ods_code"], row["period"]) == ("QWO", NOW.code))
    assert qwo["position_source"] == "signed_off" and isinstance(qwo["signed_off_at"], datetime.datetime)
    others = [row["position_source"] for row in rows if row["ods_code"] != "QWO"]
    assert set(others) == {"history"}


def test_the_rollups_export_counts_signed_off_systems_per_row_not_the_national_figure_on_every_row(
    client, alice, april, nadia, west_yorkshire
):
    from tests.tracker.test_returns import make_ready, the_return
    from tracker import services

    make_ready(west_yorkshire, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    client.force_login(nadia)
    text = client.get(reverse("tracker:rollups"), {"export": "csv"}).content.decode()
    rows = {(row["level"], row["key"]): row for row in csv.DictReader(io.StringIO(text))}
    assert rows["england", "england"]["signed_off_systems"] == "1"
    assert rows["region", "Y63"]["signed_off_systems"] == "1"  # West Yorkshire's region
    assert rows["region", "Y56"]["signed_off_systems"] == "0"  # London: none of its systems signed off
    assert all(name == name.lower() and " " not in name for name in next(iter(rows.values())))
