"""Single sign-on in Chromium: 'Sign in with your NHS account', the provider's own sign-in page (a real provider
process, tests/conftest.py), back on the person's ICS page; signing out ends the provider's session too."""

import copy

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from conftest import make_user
from tests.conftest import running_oidc_provider, use_provider

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser_provider(live_server):
    """A provider with the live server registered as its client (its address is known only once it runs)."""
    with running_oidc_provider(live_server.url) as provider:
        yield provider


@pytest.fixture
def sso_page(browser, live_server, transactional_db, browser_provider, settings):
    call_command("load_reference_data", verbosity=0)
    use_provider(settings, discovery_url=browser_provider.discovery_url)
    # As settings.py does for a configured provider: sign-out's form may end at the provider's end-session page.
    settings.CONTENT_SECURITY_POLICY = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(browser_provider.issuer)
    context = browser.new_context(base_url=live_server.url)
    # Nothing leaves the machine: only the tracker and the provider answer.
    allowed = (live_server.url, browser_provider.issuer)
    context.route(lambda url: not url.startswith(allowed), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in_with_nhs_account(page, email):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your NHS account").click()
    page.locator('input[name="login"]').fill(email)  # the provider's own sign-in form
    page.locator('input[name="password"]').fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def test_an_editor_signs_in_with_their_nhs_account_lands_on_their_ics_and_signs_out_of_both(sso_page, live_server):
    alice = make_user("alice", "editor", "QWO")
    alice.email = "alice.tester@nhs.net"
    alice.save(update_fields=["email"])

    sign_in_with_nhs_account(sso_page, "alice.tester@nhs.net")
    expect(sso_page).to_have_url(f"{live_server.url}/my-work/")  # My work, for their ICS
    expect(sso_page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(sso_page.get_by_role("link", name="NHS West Yorkshire Integrated Care Board")).to_be_visible()
    expect(sso_page.get_by_role("navigation", name="Account")).to_contain_text("Alice Tester")

    sso_page.get_by_role("button", name="Sign out").click()
    sso_page.get_by_role("button", name="Yes, sign me out").click()  # the provider's confirmation
    expect(sso_page).to_have_url(f"{live_server.url}/")
    expect(sso_page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()

    # The provider's session ended too: signing in again asks who you are.
    sso_page.goto("/accounts/login/")
    sso_page.get_by_role("link", name="Sign in with your NHS account").click()
    expect(sso_page.locator('input[name="login"]')).to_be_visible()


def test_someone_not_yet_invited_is_told_to_ask_their_ics_approver(sso_page, live_server):
    sign_in_with_nhs_account(sso_page, "new.starter@nhs.net")
    expect(sso_page).to_have_url(f"{live_server.url}/account/no-access/")
    expect(sso_page.get_by_role("heading", level=1)).to_have_text("Ask your ICS approver")
    expect(sso_page.get_by_text("You are signed in as new.starter@nhs.net")).to_be_visible()


def test_an_address_outside_the_nhs_domains_gets_a_clear_refusal(sso_page):
    sign_in_with_nhs_account(sso_page, "someone@gmail.com")
    expect(sso_page.get_by_role("heading", level=1)).to_have_text("You have not been signed in")
    expect(sso_page.get_by_text("someone@gmail.com is not an address this service accepts")).to_be_visible()
