"""A programme manager's quarter, as a new user would do it, in a real browser."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page, legend, day, month, year):
    """The NHS.UK date input: three boxes, day, month and year, in a group named by its legend."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def update_record(page, code, status, reason, target_date=None):
    page.goto("/systems/QWO/")
    page.get_by_role("link", name=code, exact=False).first.click()
    page.get_by_role("link", name="Update this record").click()
    page.get_by_label("Status").select_option(label=status)
    if target_date:
        fill_date(page, "Target date", *target_date)
    page.get_by_label("Accountable owner").select_option(label="Priya Shah, Director of Primary Care")
    page.get_by_label("Reason for the change").fill(reason)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{code} saved.")
    expect(page.locator("#record-status")).to_contain_text(status)


def test_an_editor_does_their_quarterly_update_and_an_outsider_cannot_touch_it(page, tmp_path):
    make_user("alice", "editor", "QWO")
    make_user("charlie", "editor", "QOP")
    sign_in(page, "alice")

    page.goto("/systems/QWO/people/")
    page.get_by_label("Name").fill("Priya Shah")
    page.get_by_label("Job title").fill("Director of Primary Care")
    page.get_by_label("Email").fill("priya.shah@example.nhs.uk")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("cell", name="Priya Shah", exact=True)).to_be_visible()

    update_record(page, "NHSCC-1", "Amber", "Leadership programme started", target_date=("31", "3", "2027"))
    update_record(page, "NHSCC-4", "Green", "Peer network meets monthly")
    update_record(page, "KF-L1", "Blue", "GP engagement embedded in every place")

    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Title").fill("Place engagement report")
    page.get_by_label("Kind").select_option(label="Link")
    fill_date(page, "Date it refers to", "30", "6", "2026")
    page.get_by_label("Link").fill("https://example.nhs.uk/place-engagement")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="Place engagement report", exact=True)).to_be_visible()

    pdf = tmp_path / "board-paper.pdf"
    pdf.write_bytes(PDF)
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Title").fill("Board paper, July")
    page.get_by_label("Kind").select_option(label="Board paper")
    fill_date(page, "Date it refers to", "9", "7", "2026")
    page.get_by_label("Or upload a file").set_input_files(str(pdf))
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_role("link", name="Board paper, July", exact=True)).to_be_visible()

    page.goto("/systems/QWO/")
    expect(page.locator('tr[data-code="KF-L1"]')).to_contain_text("Blue")
    expect(page.locator('tr[data-code="NHSCC-4"]')).to_contain_text("Green")
    page.get_by_role("link", name="History of changes").click()
    expect(page.get_by_text("Why: GP engagement embedded in every place")).to_be_visible()
    expect(page.get_by_text("Board paper, July").first).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(page, "charlie")
    response = page.goto("/systems/QWO/records/NHSCC-1/edit/")
    assert response.status == 404
    page.goto("/systems/QWO/")
    expect(page.get_by_text("Only this system's members and the national team can see its progress.")).to_be_visible()
