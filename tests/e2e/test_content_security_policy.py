"""In a real browser, the strict Content-Security-Policy blocks nothing our pages, Swagger UI or the admin need."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def violations(page):
    """Every CSP violation or script error the browser reports (the test aborts requests that leave the machine, such
    as the NHS web fonts: those failures are not violations)."""
    found = []
    page.on("console", lambda message: "Content Security Policy" in message.text and found.append(message.text))
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def sign_in(page, username, path="/accounts/login/", button="Sign in"):
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_our_pages_run_their_scripts_under_the_policy(page, violations):
    make_user("nadia", "national")
    page.goto("/catalogue/")
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    sign_in(page, "nadia")
    page.goto("/comparison/rollups/")
    bar = page.locator(".app-bar svg rect").first
    expect(bar).to_be_visible()
    assert bar.bounding_box()["width"] > 0  # the widths come from SVG attributes, not a blocked style
    assert violations == []


def test_swagger_ui_renders_under_the_policy(page, violations):
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert violations == []


def test_the_admin_works_under_the_policy(page, violations):
    get_user_model().objects.create_superuser("root", "root@example.nhs.uk", PASSWORD)
    sign_in(page, "root", "/admin/login/", button="Log in")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/auth/user/")
    page.get_by_role("link", name="root").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change user")
    page.goto("/admin/auth/user/add/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add user")
    assert violations == []
