import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_visitor_follows_a_recommendation_from_the_catalogue_to_its_source_text(page):
    page.goto("/catalogue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue of recommendations and lessons")

    page.get_by_label("Publication").select_option("nhscc-2022")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text("11 items")

    page.get_by_role("link", name="NHSCC-4 Embrace peer learning, mutual support and system learning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Embrace peer learning, mutual support and system learning"
    )
    expect(page.locator("#source-text")).to_contain_text(
        "Embrace peer learning, mutual support and system learning as key drivers of improving quality"
    )
    expect(page.get_by_text("Driving quality improvement").first).to_be_visible()
