"""A team that runs itself, in a real browser: an approver invites an editor, who opens the emailed link, sets a
password and edits a record; the approver removes a member, whose very next request finds them signed out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from tracker.models import Membership

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "a-long-unusual-passphrase-41"


def sign_in(page, username, password=PASSWORD):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_approver_invites_an_editor_who_sets_a_password_and_edits_a_record(page):
    make_user("april", "approver", "QWO")

    sign_in(page, "april")
    page.goto("/systems/QWO/")
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter their email address")
    expect(summary).to_contain_text("Choose a role")
    page.get_by_label("Email address").fill("erin@example.nhs.uk")
    page.get_by_role("radio", name="Editor").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent to erin@example.nhs.uk")
    expect(page.locator("#invitations")).to_contain_text("erin@example.nhs.uk")
    expect(page.locator("#team-history")).to_contain_text("Invited")

    [invitation] = mail.outbox
    assert invitation.to == ["erin@example.nhs.uk"]
    link = re.search(r"/invitations/[\w-]+/", invitation.body).group(0)  # the mail's host is SITE_URL

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Join West Yorkshire")).to_contain_text("as editor")
    page.get_by_label("First name").fill("Erin")
    page.get_by_label("Last name").fill("Evans")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("status").first).to_contain_text("You are now an editor of West Yorkshire")

    page.goto("/systems/QWO/records/NHSCC-4/edit/")
    page.get_by_label("Status").select_option(label="Amber")
    page.get_by_label("Reason for the change").fill("Network being set up")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("NHSCC-4 saved.")
    expect(page.locator("#record-status")).to_contain_text("Amber")

    # The link worked once.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("#reason")).to_contain_text("This invitation has already been used.")


def test_a_removed_member_is_signed_out_on_their_very_next_request(page, browser, live_server):
    make_user("april", "approver", "QWO")
    make_user("bob", "viewer", "QWO")
    bobs = browser.new_context(base_url=live_server.url)
    bobs.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    bob_page = bobs.new_page()
    sign_in(bob_page, "bob")
    bob_page.goto("/systems/QWO/records/NHSCC-4/")
    expect(bob_page.get_by_role("heading", level=1)).to_contain_text("NHSCC-4")

    sign_in(page, "april")
    page.goto("/systems/QWO/team/")
    page.get_by_role("link", name="Remove bob@example.invalid").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove Bob Tester from West Yorkshire?")
    page.get_by_role("button", name="Remove from the team").click()
    expect(page.get_by_role("status").first).to_contain_text("bob@example.invalid removed from West Yorkshire")
    expect(page.locator("#members")).not_to_contain_text("bob@example.invalid")
    expect(page.locator("#team-history")).to_contain_text("Removed")

    bob_page.reload()
    expect(bob_page).to_have_url(re.compile(r"/accounts/login/"))
    bobs.close()

    # The last approver is offered no way to remove themselves, and the page says why.
    expect(page.get_by_role("link", name="Remove april@example.invalid")).to_have_count(0)
    expect(page.locator("#members")).to_contain_text("The only approver: invite another")
    # Asked anyway (an old page, a crafted request), the remove page refuses and says why.
    page.goto(f"/systems/QWO/team/{Membership.objects.get(user__username='april').pk}/remove/")
    page.get_by_role("button", name="Remove from the team").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("April Tester is the last approver of West Yorkshire")
