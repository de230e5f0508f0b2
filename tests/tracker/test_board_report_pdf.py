"""The board report as a PDF: WeasyPrint lays out the page's own print stylesheet on A4; poppler reads it back."""

import os
import shutil
import subprocess

import pytest
from django.urls import reverse

from legacy.models import Recommendation
from tests.factories import update
from tests.tracker.test_returns import NOW, make_ready, the_return
from tracker import services
from tracker.models import IntegratedCareSystem

pytestmark = pytest.mark.django_db


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    why = f"{tool} (Debian's poppler-utils) is not installed, so the PDF cannot be read back"
    if os.environ.get("REQUIRE_PDF_TOOLS") == "1":
        pytest.fail(f"REQUIRE_PDF_TOOLS=1 but {why}")
    pytest.skip(why)


def read_pdf(content: bytes, tmp_path) -> tuple[int, str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    info = subprocess.run([poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run([poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True).stdout
    return pages, " ".join(text.split())


@pytest.fixture
def west_yorkshire_reported(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    update(west_yorkshire, "NHSCC-5", alice, status="red", reason="No lead pharmacist in post since June")


def test_the_board_report_pdf_has_every_item_its_reasons_and_fits_two_a4_pages(
    client, alice, west_yorkshire_reported, tmp_path
):
    client.force_login(alice)
    response = client.get(reverse("tracker:board_report", args=["QWO"]), {"export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="board-report-QWO-{NOW.code}.pdf"'

    pages, text = read_pdf(response.content, tmp_path)

    assert 1 <= pages <= 2
    codes = Recommendation.objects.trackable().values_list("code", flat=True)
    assert [code for code in codes if code not in text] == []
    assert "Why red: No lead pharmacist in post since June" in text
    assert "Not signed off" in text and "Red" in text and "Amber" in text


def test_a_signed_off_periods_pdf_is_the_same_every_time_and_says_who_signed_it_off(
    client, alice, april, west_yorkshire_reported, tmp_path
):
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    client.force_login(alice)
    url = reverse("tracker:board_report", args=["QWO"])

    first = client.get(url, {"export": "pdf", "period": NOW.code}).content
    update(IntegratedCareSystem.objects.get(ods_code="QWO"), "NHSCC-4", alice, status="blue", reason="Done since")
    client.force_login(april)
    second = client.get(url, {"export": "pdf", "period": NOW.code}).content

    assert first == second
    _, text = read_pdf(first, tmp_path)
    assert "Signed off by April Tester" in text


def test_demo_data_is_labelled_in_the_pdf(client, nadia, tmp_path, settings):
    from tracker.demo import create_demo_progress

    create_demo_progress(systems=IntegratedCareSystem.objects.filter(ods_code="QWO"))
    client.force_login(nadia)
    _, text = read_pdf(client.get(reverse("tracker:board_report", args=["QWO"]), {"export": "pdf"}).content, tmp_path)
    assert "Demonstration data" in text
