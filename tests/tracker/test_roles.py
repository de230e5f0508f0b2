"""A role is what opens private data: signed in without one (never given, or removed) means public pages only."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import make_user
from tests.factories import add_evidence, person, update
from tracker.models import ApiToken, Membership

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def peer_evidence(charlie):
    """Greater Manchester is green on NHSCC-4, with a board paper (a file) behind it: peer-learning material."""
    from tracker.models import IntegratedCareSystem

    manchester = IntegratedCareSystem.objects.get(ods_code="QOP")
    owner = person(manchester, name="Gill Owens", email="gill@example.invalid")
    update(manchester, "NHSCC-4", charlie, status="green", accountable_owner=owner, reason="Network live")
    return add_evidence(
        manchester, "NHSCC-4", charlie, file=SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    )


PRIVATE_PAGES = [
    reverse("tracker:rollups"),
    reverse("tracker:peer_learning"),
    reverse("tracker:peer_learning_item", args=["NHSCC-4"]),
]
PRIVATE_ENDPOINTS = ["/api/v1/comparison/", "/api/v1/progress/", "/api/v1/history/", "/api/v1/evidence/"]


@pytest.mark.parametrize("url", PRIVATE_PAGES)
def test_a_signed_in_user_with_no_role_is_refused_private_pages_and_told_why(client, url, peer_evidence):
    client.force_login(make_user("nora"))
    response = client.get(url)
    assert response.status_code == 403
    assert "have no role in the tracker" in response.content.decode()
    assert "gill@example.invalid" not in response.content.decode()


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_a_token_of_a_user_with_no_role_reads_nothing_private(url, peer_evidence):
    _, key = ApiToken.issue(make_user("nora"), "dashboard")
    response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(url)
    assert response.status_code == 403
    assert "no role" in response.json()["detail"]


def test_a_user_with_no_role_still_reads_the_public_catalogue_and_register(client):
    client.force_login(make_user("nora"))
    assert client.get(reverse("legacy:catalogue")).status_code == 200
    assert client.get(reverse("tracker:system", args=["QWO"])).status_code == 200


def test_removing_a_membership_ends_session_and_token_reads_at_once(client, peer_evidence):
    reader = make_user("rita", "viewer", "QWO")
    client.force_login(reader)
    _, key = ApiToken.issue(reader, "dashboard")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    download = reverse("tracker:evidence_download", args=[peer_evidence.pk])
    assert client.get(reverse("tracker:peer_learning_item", args=["NHSCC-4"])).status_code == 200
    assert client.get(download).status_code == 200
    assert api.get("/api/v1/comparison/").status_code == 200
    assert api.get(f"/api/v1/evidence/{peer_evidence.pk}/file/").status_code == 200

    Membership.objects.filter(user=reader).delete()

    assert client.get(reverse("tracker:peer_learning_item", args=["NHSCC-4"])).status_code == 403
    assert client.get(reverse("tracker:record", args=["QWO", "NHSCC-1"])).status_code == 403
    assert client.get(download).status_code == 403
    assert api.get("/api/v1/comparison/").status_code == 403
    assert api.get(f"/api/v1/evidence/{peer_evidence.pk}/file/").status_code == 403


@pytest.mark.parametrize(("status", "visible"), [("green", True), ("blue", True), ("amber", False), ("red", False)])
def test_another_systems_evidence_is_visible_by_page_and_api_alike_only_behind_green_or_blue(
    client, alice, charlie, status, visible
):
    """One rule for evidence: alice (West Yorkshire) sees Greater Manchester's evidence only as peer learning."""
    from tracker.models import IntegratedCareSystem

    manchester = IntegratedCareSystem.objects.get(ods_code="QOP")
    update(manchester, "NHSCC-6", charlie, status=status, reason="Review")
    evidence = add_evidence(
        manchester, "NHSCC-6", charlie, file=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf")
    )
    client.force_login(alice)
    _, key = ApiToken.issue(alice, "t")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    expected = 200 if visible else 404

    assert client.get(reverse("tracker:evidence_download", args=[evidence.pk])).status_code == expected
    assert api.get(f"/api/v1/evidence/{evidence.pk}/").status_code == expected
    assert api.get(f"/api/v1/evidence/{evidence.pk}/file/").status_code == expected
    listed = [row["id"] for row in api.get("/api/v1/evidence/", {"system": "QOP"}).json()["results"]]
    assert (evidence.pk in listed) == visible


def test_withdrawn_peer_evidence_is_no_longer_shown_to_other_systems(client, alice, charlie, peer_evidence):
    from tracker import services

    services.evidence_withdraw(evidence=peer_evidence, user=charlie, reason="Superseded")
    client.force_login(alice)
    assert client.get(reverse("tracker:evidence_download", args=[peer_evidence.pk])).status_code == 404
    client.force_login(charlie)
    assert client.get(reverse("tracker:evidence_download", args=[peer_evidence.pk])).status_code == 200


def test_evidence_on_a_dated_refers_to_is_kept(peer_evidence):
    assert peer_evidence.refers_to == datetime.date(2026, 5, 1)
