import pytest
from django.urls import reverse

from conftest import make_user
from tests.factories import person, update
from tracker.models import IntegratedCareSystem, ProgressChange, ProgressRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def frimley_position(db):
    """Frimley's last position before it was dissolved, recorded by its own editor."""
    frimley = IntegratedCareSystem.objects.get(ods_code="QNQ")
    editor = make_user("fred", "editor", "QNQ")
    owner = person(frimley, name="Olu Bright", email="olu@frimley.example.nhs.uk")
    update(frimley, "NHSCC-4", editor, status="green", accountable_owner=owner, summary="Peer network running")
    update(frimley, "NHSCC-8", editor, status="amber")
    return frimley


def test_a_successor_starts_from_its_predecessors_position_in_one_action(client, frimley_position):
    surrey_sussex = IntegratedCareSystem.objects.get(ods_code="S9B9J")
    editor = make_user("sian", "editor", "S9B9J")
    update(surrey_sussex, "NHSCC-8", editor, status="red", reason="Our own assessment")
    client.force_login(editor)

    response = client.post(
        reverse("tracker:start_from_predecessor", args=["S9B9J"]), {"predecessor": frimley_position.pk}, follow=True
    )

    assert "1 record started from Frimley" in response.content.decode()
    copied = ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-4")
    assert (copied.status, copied.summary) == ("green", "Peer network running")
    assert copied.accountable_owner.system == surrey_sussex and copied.accountable_owner.name == "Olu Bright"
    # Its own assessment is never overwritten.
    assert ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-8").status == "red"
    change = ProgressChange.objects.get(record=copied)
    assert change.kind == "copied" and "Started from Frimley's position" in change.reason
    # The predecessor's records are untouched and still readable.
    assert ProgressRecord.objects.get(system=frimley_position, recommendation__code="NHSCC-4").status == "green"


def test_only_a_real_predecessor_can_be_copied(client, db):
    editor = make_user("sian", "editor", "S9B9J")
    client.force_login(editor)
    not_a_predecessor = IntegratedCareSystem.objects.get(ods_code="QWO")
    client.post(reverse("tracker:start_from_predecessor", args=["S9B9J"]), {"predecessor": not_a_predecessor.pk})
    assert not ProgressChange.objects.filter(kind="copied").exists()


def test_the_successors_page_links_to_its_predecessors_records(client, frimley_position):
    client.force_login(make_user("sian", "viewer", "S9B9J"))
    body = client.get(reverse("tracker:system", args=["S9B9J"])).content.decode()
    assert 'href="/systems/QNQ/"' in body
    frimley_page = client.get(reverse("tracker:system", args=["QNQ"])).content.decode()
    assert "dissolved on 31 March 2026" in frimley_page
    assert "Peer network" not in frimley_page  # the summary is on the record page
    assert client.get(reverse("tracker:record", args=["QNQ", "NHSCC-4"])).status_code == 200
