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


@pytest.fixture
def surrey_position(db):
    """Surrey Heartlands' last position: the whole of it passed to Surrey and Sussex in April 2026."""
    surrey = IntegratedCareSystem.objects.get(ods_code="QXU")
    editor = make_user("sue", "editor", "QXU")
    owner = person(surrey, name="Olu Bright", email="olu@surrey.example.invalid")
    update(surrey, "NHSCC-4", editor, status="green", accountable_owner=owner, summary="Peer network running")
    update(surrey, "NHSCC-8", editor, status="amber")
    return surrey


def test_a_successor_starts_from_a_whole_predecessors_position_in_one_action(client, surrey_position):
    surrey_sussex = IntegratedCareSystem.objects.get(ods_code="S9B9J")
    editor = make_user("sian", "editor", "S9B9J")
    update(surrey_sussex, "NHSCC-8", editor, status="red", reason="Our own assessment")
    client.force_login(editor)

    response = client.post(
        reverse("tracker:start_from_predecessor", args=["S9B9J"]), {"predecessor": surrey_position.pk}, follow=True
    )

    assert "1 record started from Surrey" in response.content.decode()
    copied = ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-4")
    assert (copied.status, copied.summary) == ("green", "Peer network running")
    assert copied.accountable_owner.system == surrey_sussex and copied.accountable_owner.name == "Olu Bright"
    # Its own assessment is never overwritten.
    assert ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-8").status == "red"
    change = ProgressChange.objects.get(record=copied)
    assert change.kind == "copied" and "Started from Surrey Heartlands's position" in change.reason
    # The predecessor's records are untouched and still readable.
    assert ProgressRecord.objects.get(system=surrey_position, recommendation__code="NHSCC-4").status == "green"


def test_a_predecessor_that_covered_part_of_the_area_gives_owners_and_summary_but_no_status(client, frimley_position):
    surrey_sussex = IntegratedCareSystem.objects.get(ods_code="S9B9J")
    client.force_login(make_user("sian", "editor", "S9B9J"))

    client.post(reverse("tracker:start_from_predecessor", args=["S9B9J"]), {"predecessor": frimley_position.pk})

    copied = ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-4")
    assert (copied.status, copied.summary) == ("not_assessed", "Peer network running")
    assert copied.accountable_owner.name == "Olu Bright"
    change = ProgressChange.objects.get(record=copied)
    assert "covered only part of this area" in change.reason and "Status" not in change.changes


def test_a_record_written_after_the_copy_began_is_not_overwritten(surrey_position, monkeypatch):
    """The successor's editor saves NHSCC-4 between the copy's first look and its lock: their edit stands."""
    from tracker.services import records as services

    surrey_sussex = IntegratedCareSystem.objects.get(ods_code="S9B9J")
    editor = make_user("sian", "editor", "S9B9J")
    real_lock = services._locked_record

    def lock_after_a_concurrent_edit(record):
        if record.system_id == surrey_sussex.pk and record.recommendation.code == "NHSCC-4":
            monkeypatch.setattr(services, "_locked_record", real_lock)
            update(surrey_sussex, "NHSCC-4", editor, status="red", reason="Our own view")
        return real_lock(record)

    monkeypatch.setattr(services, "_locked_record", lock_after_a_concurrent_edit)
    copied = services.records_start_from_predecessor(successor=surrey_sussex, predecessor=surrey_position, user=editor)

    mine = ProgressRecord.objects.get(system=surrey_sussex, recommendation__code="NHSCC-4")
    assert (mine.status, mine.version) == ("red", 1)
    assert [c.kind for c in mine.history.all()] == ["updated"]
    assert copied == 1  # NHSCC-8 only


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
