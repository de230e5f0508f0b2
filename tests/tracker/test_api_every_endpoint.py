"""Every endpoint in every format: JSON, the browsable API (what a person opening a URL sees) and CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import add_evidence, person, record, update
from tracker.models import ApiToken, Evidence

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LISTS = [
    "/api/v1/sources/",
    "/api/v1/themes/",
    "/api/v1/recommendations/",
    "/api/v1/regions/",
    "/api/v1/systems/",
    "/api/v1/progress/",
    "/api/v1/history/",
    "/api/v1/evidence/",
    "/api/v1/periods/",
    "/api/v1/returns/",
    "/api/v1/challenges/",
    "/api/v1/members/",
    "/api/v1/open-data/",
]


@pytest.fixture
def data(alice, april, rita, nadia, west_yorkshire):
    from tests.tracker.test_returns import make_ready, the_return
    from tracker import services

    make_ready(west_yorkshire, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    services.challenge_raise(
        quarterly_return=the_return(), recommendation=record("QWO", "NHSCC-5").recommendation, user=rita, text="Why?"
    )
    services.open_data_publish(period=the_return().reporting_period, user=nadia, note="")
    owner = person(west_yorkshire, name="Priya Shah", email="priya@example.invalid")
    update(west_yorkshire, "NHSCC-4", alice, status="green", accountable_owner=owner, summary="Peer review, monthly")
    add_evidence(west_yorkshire, "NHSCC-4", alice, title="Terms of reference")
    add_evidence(
        west_yorkshire, "NHSCC-4", alice, title="Minutes", file=SimpleUploadedFile("m.pdf", PDF, "application/pdf")
    )


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def api_for(user):
    _, key = ApiToken.issue(user, "tests")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def details(api):
    """One detail URL per list, from the list itself."""
    urls = []
    for url in LISTS:
        body = api.get(url).json()
        rows = body["results"] if isinstance(body, dict) else body
        key = next((k for k in ("code", "slug", "ods_code", "id") if k in rows[0]), None)
        if url not in ("/api/v1/periods/", "/api/v1/open-data/"):  # listed, with no detail of their own
            urls.append(f"{url}{rows[0][key]}/")
    return urls


@pytest.mark.parametrize("url", LISTS)
def test_every_list_downloads_as_csv_with_the_json_columns_and_rows(data, nadia, url):
    api = api_for(nadia)
    as_json = api.get(url, {"page_size": 500}).json()
    rows = as_json["results"] if isinstance(as_json, dict) else as_json
    response = api.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body_of(response))))
    assert table[0] == list(rows[0])
    assert len(table) - 1 == (as_json["count"] if isinstance(as_json, dict) else len(rows))


def test_the_evidence_csv_has_every_piece_of_evidence_and_no_upload_column(data, nadia):
    response = api_for(nadia).get("/api/v1/evidence/", {"format": "csv"})
    table = list(csv.DictReader(io.StringIO(body_of(response))))
    assert sorted(row["title"] for row in table) == ["Minutes", "Terms of reference"]
    assert "file" not in table[0]
    assert {row["title"]: bool(row["download_url"]) for row in table} == {"Minutes": True, "Terms of reference": False}


@pytest.mark.parametrize("who", ["nadia", "alice", "bob"])
def test_every_endpoint_opens_in_the_browsable_api(data, personas, who):
    user = {"nadia": personas["national"], "alice": personas["editor"], "bob": personas["viewer"]}[who]
    api = api_for(user)
    for url in [
        *LISTS,
        *details(api),
        "/api/v1/comparison/",
        f"/api/v1/progress/{record('QWO', 'NHSCC-4').pk}/history/",
    ]:
        response = api.get(url, {"format": "api"}, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url


def test_a_patch_through_the_browsable_api_saves_and_says_so(data, alice):
    api = api_for(alice)
    target = record("QWO", "NHSCC-5")
    response = api.patch(
        f"/api/v1/progress/{target.pk}/?format=api",
        {"status": "red", "reason": "Stalled"},
        format="json",
        HTTP_IF_MATCH=f'"{target.pk}-v{target.version}"',
    )
    assert response.status_code == 200
    assert record("QWO", "NHSCC-5").status == "red"


def test_a_refused_patch_through_the_browsable_api_says_so_and_saves_nothing(data, bob):
    target = record("QWO", "NHSCC-5")
    response = api_for(bob).patch(
        f"/api/v1/progress/{target.pk}/?format=api",
        {"status": "red", "reason": "Stalled"},
        format="json",
        HTTP_IF_MATCH=f'"{target.pk}-v{target.version}"',
    )
    assert response.status_code == 403
    assert record("QWO", "NHSCC-5").status == target.status


def test_adding_and_withdrawing_evidence_through_the_browsable_api(data, alice):
    api = api_for(alice)
    added = api.post(
        "/api/v1/evidence/?format=api",
        {
            "system": "QWO",
            "recommendation": "NHSCC-6",
            "title": "Strategy",
            "kind": "link",
            "refers_to": "2026-05-01",
            "url": "https://example.invalid/strategy",
        },
        format="json",
    )
    assert added.status_code == 201
    evidence = Evidence.objects.get(title="Strategy")
    withdrawn = api.post(f"/api/v1/evidence/{evidence.pk}/withdraw/?format=api", {"reason": "Old"}, format="json")
    assert withdrawn.status_code == 200
    evidence.refresh_from_db()
    assert evidence.is_withdrawn
