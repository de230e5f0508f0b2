"""A whole return from a spreadsheet in a real browser: download the workbook, change three rows in it, upload,
preview, apply, and see the changes in the history."""

import datetime

import openpyxl
import pytest
from playwright.sync_api import expect

from conftest import make_user
from tests.e2e.test_return_cycle import sign_in
from tests.factories import person
from tracker.models import IntegratedCareSystem, ProgressChange

pytestmark = pytest.mark.e2e


def test_an_editor_downloads_the_workbook_changes_three_rows_previews_and_applies_them(page, tmp_path):
    make_user("alice", "editor", "QWO")
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    person(west_yorkshire, name="Sam Okoro", job_title="Head of Quality", email="sam@qwo.example.invalid")

    sign_in(page, "alice")
    page.goto("/systems/QWO/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the return workbook").click()
    workbook_path = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook_path)
    assert workbook_path.suffix == ".xlsx"

    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["Return"]
    column = {cell.value: cell.column for cell in sheet[1]}
    rows = {sheet.cell(row=n, column=column["Code"]).value: n for n in range(2, sheet.max_row + 1)}
    sheet.cell(rows["NHSCC-1"], column["Status"]).value = "Green"
    sheet.cell(rows["NHSCC-1"], column["Reason for the change"]).value = "Clinical leads appointed"
    sheet.cell(rows["NHSCC-4"], column["Delivery lead"]).value = "Sam Okoro <sam@qwo.example.invalid>"
    sheet.cell(rows["KF-L2"], column["Target date"]).value = datetime.datetime(2027, 9, 30)
    sheet.cell(rows["KF-L2"], column["Reason for the change"]).value = "Contract signed in September"
    workbook.save(workbook_path)

    page.goto("/systems/QWO/")
    page.get_by_role("link", name="Import a workbook").click()
    page.get_by_label("Return workbook").set_input_files(workbook_path)
    page.get_by_role("button", name="Upload and preview").click()

    changes = page.locator("#changes")
    expect(changes.locator("caption")).to_have_text("Changes to 3 records")
    expect(changes.locator("tr[data-code='NHSCC-1']")).to_contain_text("Not assessed")
    expect(changes.locator("tr[data-code='NHSCC-1']")).to_contain_text("Clinical leads appointed")
    expect(changes.locator("tr[data-code='NHSCC-4']")).to_contain_text("Sam Okoro, Head of Quality")
    expect(changes.locator("tr[data-code='KF-L2']")).to_contain_text("30 September 2027")
    assert not ProgressChange.objects.exists()  # nothing written before confirming

    page.get_by_role("button", name="Apply 3 changes").click()
    expect(page.get_by_text("3 records updated from the workbook.")).to_be_visible()
    expect(page.get_by_text("Clinical leads appointed")).to_be_visible()
    expect(page.get_by_text("Contract signed in September")).to_be_visible()
    assert ProgressChange.objects.count() == 3
