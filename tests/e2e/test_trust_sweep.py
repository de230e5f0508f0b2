"""The trust sweep, in a real browser: what people see on a phone, after a failed submit, after Back, and on paper."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.factories import update
from tracker.demo import create_demo_progress
from tracker.models import IntegratedCareSystem

pytestmark = pytest.mark.e2e

LONG_WORD = "x" * 5000
LONG_URL = "https://www.example.nhs.uk/board-papers/" + "a-very-long-path-segment/" * 9 + "paper.pdf?version=1"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def sideways(page, path):
    """How wide the page is, beside how wide the screen is, if it scrolls sideways."""
    page.goto(path)
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return f"{path}: {scroll}px in {client}px" if scroll > client else None


@pytest.fixture
def demo_data(transactional_db):
    create_demo_progress()
    make_user("alice", "editor", "QWO")
    make_user("nadia", "national")


def test_no_page_scrolls_sideways_on_a_375_px_phone_not_even_with_a_5000_character_word(page, demo_data):
    alice_user = make_user("dave", "editor", "QWO")
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-1", alice_user, status="red", reason="Not started", summary=LONG_WORD)
    update(west_yorkshire, "NHSCC-2", alice_user, summary=f"The board paper is at {LONG_URL} for anyone to read.")
    assert len(LONG_URL) >= 260
    page.set_viewport_size({"width": 375, "height": 812})

    sign_in(page, "alice")
    too_wide = [
        sideways(page, path)
        for path in [
            "/catalogue/",
            "/systems/",
            "/systems/QWO/",
            "/systems/QWO/records/NHSCC-1/",
            "/systems/QWO/records/NHSCC-2/",
            "/systems/QWO/records/NHSCC-2/edit/",
            "/systems/QWO/records/NHSCC-2/evidence/",
            "/systems/QWO/people/",
            "/systems/QWO/history/",
            "/systems/QWO/report/",
        ]
    ]
    sign_out(page)
    sign_in(page, "nadia")
    too_wide += [sideways(page, path) for path in ["/comparison/", "/comparison/rollups/"]]

    assert [line for line in too_wide if line] == []


def test_a_wide_table_scrolls_inside_its_own_labelled_region_which_a_keyboard_can_reach(page, demo_data):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "alice")
    page.goto("/systems/QWO/")
    region = page.get_by_role("region", name=re.compile("progress against")).first
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")


def test_after_a_failed_save_focus_is_on_the_error_summary_and_the_title_says_error(page, demo_data):
    sign_in(page, "alice")
    page.goto("/systems/QWO/records/NHSCC-4/edit/")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_label("Reason for the change").fill("Moving the target")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_title(re.compile(r"^Error: Update NHSCC-4"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Target date must be a real date")
    # The link goes to the part that is wrong, which is marked; what they typed is still there.
    summary.get_by_role("link", name="Target date must be a real date").click()
    expect(page.get_by_label("Day")).to_be_focused()
    expect(page.get_by_label("Day")).to_have_class(re.compile("nhsuk-input--error"))
    expect(page.get_by_label("Month")).not_to_have_class(re.compile("nhsuk-input--error"))
    expect(page.get_by_label("Year")).to_have_value("2027")


def test_dates_are_three_boxes_not_the_browsers_date_picker(page, demo_data):
    sign_in(page, "alice")
    for path in ("/systems/QWO/records/NHSCC-4/edit/", "/systems/QWO/records/NHSCC-4/evidence/"):
        page.goto(path)
        assert page.locator("input[type=date]").count() == 0
        expect(page.locator(".nhsuk-date-input")).to_be_visible()
        expect(page.get_by_label("Day")).to_have_attribute("inputmode", "numeric")


def test_back_after_saving_does_not_bring_the_old_reason_back(page, demo_data):
    sign_in(page, "alice")
    page.goto("/systems/QWO/records/NHSCC-4/edit/")
    page.get_by_label("Status").select_option(label="Red")
    page.get_by_label("Reason for the change").fill("Funding withdrawn")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("NHSCC-4 saved.")

    page.go_back()
    expect(page.get_by_label("Reason for the change")).to_have_value("")
    expect(page.get_by_label("Status")).to_have_value("red")


def test_pasting_10000_characters_into_a_summary_keeps_them_all_and_says_it_is_too_long(page, demo_data):
    sign_in(page, "alice")
    page.goto("/systems/QWO/records/NHSCC-4/edit/")
    summary = page.get_by_label("Summary")
    summary.fill("y" * 10_000)
    assert len(summary.input_value()) == 10_000
    expect(page.locator(".nhsuk-character-count__status")).to_contain_text("5,000 characters too many")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Summary must be 5,000 characters or fewer; you entered 10,000"
    )
    assert len(page.get_by_label("Summary").input_value()) == 10_000


def test_the_printed_board_report_is_at_most_two_a4_pages_and_gives_the_reasons(page, demo_data):
    sign_in(page, "alice")
    page.goto("/systems/QWO/report/")
    reasons = page.locator(".app-report-reason")
    red_and_amber = page.locator("tr[data-code]").filter(has=page.locator("[data-status=red], [data-status=amber]"))
    assert red_and_amber.count() > 0
    assert reasons.count() == red_and_amber.count()

    page.emulate_media(media="print")
    expect(reasons.first).to_be_visible()
    expect(reasons.first).to_contain_text("Why ")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 1 <= pages <= 2, f"the board report prints on {pages} A4 pages"


@pytest.mark.parametrize("path", ["/catalogue/", "/systems/"])
def test_filters_are_nhsuk_controls_that_stay_in_their_column(page, path):
    page.goto(path)
    controls = page.locator(".app-filter-form select, .app-filter-form input")
    assert controls.count() >= 3
    results = page.get_by_role("status").first.bounding_box()
    for control in controls.all():
        expect(control).to_have_class(re.compile(r"\bnhsuk-(select|input)\b"))
        box = control.bounding_box()
        assert box["x"] + box["width"] <= results["x"], "a filter overlaps the results"
    # Labelled, so they can be found by name.
    expect(page.get_by_label("Region" if path == "/systems/" else "Publication")).to_be_visible()
