import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import update
from tracker.models import ApiToken, Evidence, IntegratedCareSystem
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LINK = {
    "system": "QWO",
    "recommendation": "NHSCC-4",
    "title": "Peer network terms",
    "kind": "link",
    "refers_to": "2026-05-01",
    "url": "https://example.nhs.uk/terms",
}


def client_for(user):
    api = APIClient()
    if user is not None:
        _, key = ApiToken.issue(user, "tests")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("outsider", 404), ("viewer", 403), ("national", 403), ("editor", 201)]
)
def test_adding_a_link(personas, who, expected):
    response = client_for(personas.get(who)).post("/api/v1/evidence/", LINK, format="json")
    assert response.status_code == expected
    assert Evidence.objects.filter(title="Peer network terms").exists() == (expected == 201)


def test_uploading_a_file_and_downloading_it(alice, bob):
    data = {**LINK, "url": "", "title": "Board paper", "file": SimpleUploadedFile("paper.pdf", PDF)}
    created = client_for(alice).post("/api/v1/evidence/", data, format="multipart")
    assert created.status_code == 201
    body = created.json()
    assert (body["file_name"], body["content_type"], body["file_size"]) == ("paper.pdf", "application/pdf", len(PDF))
    download = client_for(bob).get(body["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "", "file": SimpleUploadedFile("paper.pdf", b"not a pdf at all")}, "file"),
        ({"url": "", "file": SimpleUploadedFile("run.exe", b"MZ")}, "file"),
        ({"url": ""}, "non_field_errors"),
        ({"kind": "rumour"}, "kind"),
        ({"recommendation": "KF-N1"}, "recommendation"),
        ({"system": "ZZZ"}, "system"),
        ({"system": "QW\x00O"}, "system"),
        ({"refers_to": "2999-01-01"}, "refers_to"),
    ],
)
def test_bad_evidence_is_a_400_and_nothing_is_saved(alice, changes, field):
    response = client_for(alice).post("/api/v1/evidence/", {**LINK, **changes}, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert not Evidence.objects.exists()


def test_withdrawing_evidence_needs_a_reason_and_keeps_it(alice, bob):
    evidence_id = client_for(alice).post("/api/v1/evidence/", LINK, format="json").json()["id"]
    url = f"/api/v1/evidence/{evidence_id}/withdraw/"
    assert client_for(bob).post(url, {"reason": "x"}, format="json").status_code == 403
    assert "reason" in client_for(alice).post(url, {}, format="json").json()
    response = client_for(alice).post(url, {"reason": "Superseded"}, format="json")
    assert response.status_code == 200
    assert (response.json()["withdrawn"], response.json()["withdrawn_reason"]) == (True, "Superseded")
    listed = client_for(bob).get("/api/v1/evidence/", {"withdrawn": "true", "system": "QWO"}).json()
    assert [row["id"] for row in listed["results"]] == [evidence_id]


def test_evidence_filters(alice, nadia):
    api = client_for(alice)
    api.post("/api/v1/evidence/", LINK, format="json")
    api.post(
        "/api/v1/evidence/", {**LINK, "kind": "metric", "refers_to": "2025-01-10", "title": "Old metric"}, format="json"
    )
    national = client_for(nadia)
    assert [r["title"] for r in national.get("/api/v1/evidence/", {"kind": "metric"}).json()["results"]] == [
        "Old metric"
    ]
    after = national.get("/api/v1/evidence/", {"refers_from": "2026-01-01", "recommendation": "NHSCC-4"}).json()
    assert [r["title"] for r in after["results"]] == ["Peer network terms"]


def test_comparison_counts_every_system_in_the_periods_footprint(alice, nadia, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="green")
    data = client_for(nadia).get("/api/v1/comparison/").json()
    current = ReportingPeriod.current()
    assert data["period"] == current.code
    assert data["footprint"] == f"the 36 ICBs in place on {current.end:%-d %B %Y}"
    row = next(r for r in data["by_recommendation"] if r["key"] == "NHSCC-4")
    assert row["systems"] == 36 and sum(row["counts"].values()) == 36
    assert (row["counts"]["green"], row["change"]["green"]) == (1, 1)
    region = next(r for r in data["by_region"] if r["key"] == "Y63")
    assert (region["systems"], region["counts"]["green"]) == (4, 1)
    assert data["national"]["counts"]["not_assessed"] == 36 * 18 - 1


def test_comparison_before_april_2026_covers_the_42_icbs(nadia):
    data = client_for(nadia).get("/api/v1/comparison/", {"period": "2025-26-Q4", "region": "Y59"}).json()
    assert data["footprint"] == "the 42 ICBs in place on 31 March 2026"
    assert [r["key"] for r in data["by_region"]] == ["Y59"]
    assert data["by_region"][0]["systems"] == 6  # the South East before Frimley was split
    assert IntegratedCareSystem.objects.active_on(datetime.date(2026, 4, 1)).filter(region__code="Y59").count() == 4


@pytest.mark.parametrize(("params", "field"), [({"period": "Q2"}, "period"), ({"region": "Y99"}, "region")])
def test_comparison_rejects_bad_parameters(nadia, params, field):
    response = client_for(nadia).get("/api/v1/comparison/", params)
    assert response.status_code == 400 and field in response.json()


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(client, alice):
    client.force_login(alice)
    page = client.post("/account/tokens/", {"name": "Regional dashboard"})
    key = page.context["new_key"]
    assert key in page.content.decode()
    assert key not in client.get("/account/tokens/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/progress/").status_code == 200
    token = ApiToken.objects.get()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/progress/").status_code == 401


def test_nobody_revokes_someone_elses_token(client, alice, bob):
    token, _ = ApiToken.issue(bob, "bob's")
    client.force_login(alice)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active
