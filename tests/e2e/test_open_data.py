"""In a real browser: the national team publishes a quarter from the returns page, and anyone reads it, on a phone
too, under the strict Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tracker.demo import create_demo_progress
from tracker.models import PublishedDataset, QuarterlyReturn
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.e2e


def test_the_national_team_publishes_a_quarter_and_anyone_reads_it(page):
    create_demo_progress(with_returns=True)
    make_user("nadia", "national")
    period = ReportingPeriod.current().previous  # the period the form offers first: the quarter just ended
    assert QuarterlyReturn.objects.filter(period=period.code, sign_off__isnull=False).exists()
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(str(error)))

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nadia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/returns/")
    page.get_by_label("Note (required for a correction)").fill("")
    page.get_by_role("button", name="Publish as open data").click()
    expect(page).to_have_title(re.compile(r"^Error: Quarterly returns"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Confirm that the period may be published")
    assert not PublishedDataset.objects.exists()

    page.get_by_label(re.compile("^I confirm these signed-off returns")).check()
    page.get_by_role("button", name="Publish as open data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Progress signed off for {period.label}")
    expect(page.get_by_text(f"{period.label} published as open data: version 1.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"/open-data/{period.code}/")
    chart = page.get_by_role("img", name=f"Positions by status, {period.label}, England")
    expect(chart).to_be_visible()
    assert page.locator(".app-chart rect").first.bounding_box()["width"] > 0  # SVG attributes, no blocked style
    expect(page.locator(".app-demo-banner")).to_be_visible()  # demo returns: never passed off as real
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client
    response = page.request.get(f"/open-data/{period.code}/progress.csv")
    assert response.ok and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert found == []
