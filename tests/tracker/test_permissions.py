"""Every tracker page and action, tried as anonymous, outsider, viewer, editor and national user."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import person, record
from tracker import services
from tracker.models import Evidence, Person, ProgressChange, ProgressRecord

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def evidence(alice, west_yorkshire):

    return services.evidence_add(
        record=record("QWO", "NHSCC-1"),
        user=alice,
        title="Board paper",
        kind="board_paper",
        refers_to=datetime.date(2026, 5, 1),
        file=SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf"),
    )


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


READ_PAGES = [
    reverse("tracker:record", args=["QWO", "NHSCC-1"]),
    reverse("tracker:system_history", args=["QWO"]),
    reverse("tracker:people", args=["QWO"]),
]
WRITE_PAGES = [
    reverse("tracker:record_edit", args=["QWO", "NHSCC-1"]),
    reverse("tracker:evidence_add", args=["QWO", "NHSCC-1"]),
]


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("national", 200)],
)
def test_reading_a_systems_records(client, personas, url, who, expected):
    response = as_user(client, personas.get(who)).get(url)
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", WRITE_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 200), ("national", 403)],
)
def test_opening_an_edit_form(client, personas, url, who, expected):
    assert as_user(client, personas.get(who)).get(url).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_saving_a_record(client, personas, who, expected):
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-1"])
    data = {"status": "red", "reason": "Not started", "version": 0, "summary": "Tampered"}
    assert as_user(client, personas.get(who)).post(url, data).status_code == expected
    saved = ProgressRecord.objects.filter(system__ods_code="QWO", recommendation__code="NHSCC-1", status="red")
    assert saved.exists() == (who == "editor")


def test_an_editor_cannot_save_another_systems_record_by_tampering_with_the_url(client, charlie):
    client.force_login(charlie)
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-1"])
    assert client.post(url, {"status": "blue", "reason": "x", "version": 0}).status_code == 404
    assert not ProgressChange.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_adding_evidence(client, personas, who, expected):
    url = reverse("tracker:evidence_add", args=["QWO", "NHSCC-2"])
    data = {"title": "Minutes", "kind": "link", "refers_to": "2026-06-01", "url": "https://example.nhs.uk/minutes"}
    assert as_user(client, personas.get(who)).post(url, data).status_code == expected
    assert Evidence.objects.filter(title="Minutes").exists() == (who == "editor")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_withdrawing_evidence(client, personas, evidence, who, expected):
    url = reverse("tracker:evidence_withdraw", args=[evidence.pk])
    assert as_user(client, personas.get(who)).post(url, {"reason": "Superseded"}).status_code == expected
    evidence.refresh_from_db()
    assert evidence.is_withdrawn == (who == "editor")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("national", 200)],
)
def test_downloading_an_uploaded_file(client, personas, evidence, who, expected):
    response = as_user(client, personas.get(who)).get(reverse("tracker:evidence_download", args=[evidence.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_adding_a_person(client, personas, who, expected):
    url = reverse("tracker:people", args=["QWO"])
    data = {"name": "Sam Okafor", "job_title": "Place Lead", "email": "sam@example.nhs.uk"}
    assert as_user(client, personas.get(who)).post(url, data).status_code == expected
    assert Person.objects.filter(name="Sam Okafor").exists() == (who == "editor")


@pytest.mark.parametrize(
    ("who", "shows_progress"),
    [("anonymous", False), ("outsider", False), ("viewer", True), ("editor", True), ("national", True)],
)
def test_the_system_page_shows_progress_only_to_members_and_the_national_team(client, personas, who, shows_progress):
    response = as_user(client, personas.get(who)).get(reverse("tracker:system", args=["QWO"]))
    assert response.status_code == 200  # the register entry itself is public
    assert ("NHSCC-11" in response.content.decode()) == shows_progress


def test_only_editors_see_the_update_button(client, alice, bob):
    url = reverse("tracker:record", args=["QWO", "NHSCC-1"])
    assert "Update this record" in as_user(client, alice).get(url).content.decode()
    client.logout()
    assert "Update this record" not in as_user(client, bob).get(url).content.decode()


def test_national_advice_is_not_a_trackable_record(client, alice):
    client.force_login(alice)
    assert client.get(reverse("tracker:record", args=["QWO", "KF-N1"])).status_code == 404


def test_nobody_edits_a_dissolved_systems_records(client, db):
    from conftest import make_user

    frimley_editor = make_user("dora", "editor", "QNQ")
    client.force_login(frimley_editor)
    assert client.get(reverse("tracker:record", args=["QNQ", "NHSCC-1"])).status_code == 200
    assert client.get(reverse("tracker:record_edit", args=["QNQ", "NHSCC-1"])).status_code == 403


def test_a_successors_members_read_their_predecessors_records(client, db):
    from conftest import make_user

    client.force_login(make_user("sue", "viewer", "S9B9J"))
    assert client.get(reverse("tracker:record", args=["QNQ", "NHSCC-1"])).status_code == 200
    assert client.get(reverse("tracker:record", args=["QWO", "NHSCC-1"])).status_code == 404


def test_people_of_another_system_cannot_be_named_owner(client, alice, west_yorkshire):
    from tracker.models import IntegratedCareSystem

    outsider_person = person(IntegratedCareSystem.objects.get(ods_code="QOP"), name="Gill Other")
    client.force_login(alice)
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-1"])
    response = client.post(url, {"status": "red", "reason": "x", "version": 0, "accountable_owner": outsider_person.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ProgressChange.objects.exists()
