"""A quarterly return's whole cycle in a real browser: reconfirm and submit, sign off, assure and challenge,
answer, reopen."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tests.factories import backdate
from tests.tracker.test_returns import NOW, make_ready
from tracker.models import IntegratedCareSystem

pytestmark = pytest.mark.e2e
RETURN = f"/systems/QWO/returns/{NOW.code}/"


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_return_goes_from_open_to_signed_off_assured_challenged_answered_and_reopened(page):
    alice = make_user("alice", "editor", "QWO")
    make_user("april", "approver", "QWO")
    make_user("rita", "reviewer", region="Y63")
    make_user("nadia", "national")
    make_ready(IntegratedCareSystem.objects.get(ods_code="QWO"), alice)
    backdate("QWO", "NHSCC-4", NOW.previous.start)  # looked at last quarter, not this one

    sign_in(page, "alice")
    page.goto("/systems/QWO/")
    page.locator("#returns").get_by_role("link", name=NOW.label).click()
    expect(page.locator("#blocking")).to_contain_text("NHSCC-4")
    page.locator("#blocking").get_by_role("link", name="NHSCC-4").click()
    page.get_by_role("button", name="Confirm no change this period").click()
    expect(page.get_by_role("status").first).to_contain_text("confirmed, no change this period")
    page.goto(RETURN)
    expect(page.get_by_text("the return can be submitted")).to_be_visible()
    page.get_by_role("button", name="Submit the return for sign-off").click()
    expect(page.locator("#return-state")).to_contain_text("Submitted")
    expect(page.get_by_role("button", name="Sign off the return")).to_have_count(0)  # never the submitter's

    sign_in(page, "april")
    page.goto(RETURN)
    page.get_by_role("button", name="Sign off the return").click()
    expect(page.locator("#return-state")).to_contain_text("Signed off")
    expect(page.get_by_role("heading", name="Signed-off positions")).to_be_visible()

    sign_in(page, "rita")
    page.goto(RETURN)
    page.get_by_role("radio", name="Limited").check()
    page.get_by_label("What the opinion rests on").fill("Greens rest on plans, not delivery")
    page.get_by_role("button", name="Record the opinion").click()
    expect(page.get_by_text("Limited assurance recorded.")).to_be_visible()
    page.get_by_label("Item").select_option(value="NHSCC-4")
    page.get_by_label("Your challenge").fill("The evidence does not support amber")
    page.get_by_role("button", name="Challenge the item").click()
    expect(page.get_by_text("NHSCC-4 challenged")).to_be_visible()

    sign_in(page, "alice")
    page.goto("/systems/QWO/")
    expect(page.locator("#returns")).to_contain_text("1 open challenge")
    page.goto(RETURN)
    page.get_by_label("Your answer").fill("The June board minutes are attached")
    page.get_by_role("button", name="Answer the challenge").click()
    expect(page.get_by_text("Answer: The June board minutes are attached")).to_be_visible()

    sign_in(page, "nadia")
    page.goto(RETURN)
    page.get_by_role("button", name="Reopen the return").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the reason for reopening the return.")
    page.get_by_label("Why reopen this return?").fill("The region found an error in NHSCC-4")
    page.get_by_role("button", name="Reopen the return").click()
    expect(page.locator("#return-state")).to_contain_text("Open")
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", name="Signed-off positions (version 1, superseded)")).to_be_visible()
