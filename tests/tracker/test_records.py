"""Updating a record: history, reasons, target dates, no lost updates, no partial writes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import backdate, is_untouched, person, record, update
from tracker import services
from tracker.models import ProgressChange, ProgressRecord
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db


def test_an_update_writes_a_history_row_saying_who_what_and_why(alice, west_yorkshire):
    owner = person(west_yorkshire)
    update(west_yorkshire, "NHSCC-4", alice, status="amber", accountable_owner=owner, reason="Peer network launched")

    change = ProgressChange.objects.get()
    assert change.changed_by_name == "Alice Tester"
    assert change.changes["Status"] == ["Not assessed", "Amber"]
    assert change.changes["Accountable owner"] == ["—", "Priya Shah, Director of Primary Care"]
    assert change.reason == "Peer network launched"
    assert change.period == ReportingPeriod.current().code


def test_a_status_change_needs_a_reason_and_without_one_nothing_is_saved(alice, west_yorkshire):
    with pytest.raises(ValidationError) as error:
        update(west_yorkshire, "NHSCC-4", alice, status="green", reason="  ")
    assert "reason" in error.value.message_dict
    assert is_untouched("QWO", "NHSCC-4")


def test_a_summary_alone_can_change_without_a_reason(alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    record = update(west_yorkshire, "NHSCC-4", alice, status="amber", reason="", summary="Network meets monthly")
    assert record.summary == "Network meets monthly"
    assert ProgressChange.objects.count() == 2


def test_saving_with_nothing_changed_writes_no_history(alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    assert ProgressChange.objects.count() == 1


def test_moving_a_target_date_keeps_the_original_and_shows_both(client, alice, west_yorkshire):
    first, moved = datetime.date(2026, 12, 31), datetime.date(2027, 6, 30)
    update(west_yorkshire, "NHSCC-5", alice, target_date=first)
    record = update(west_yorkshire, "NHSCC-5", alice, target_date=moved, reason="Waiting for the new formulary")
    assert (record.original_target_date, record.target_date) == (first, moved)

    client.force_login(alice)
    body = client.get(reverse("tracker:record", args=["QWO", "NHSCC-5"])).content.decode()
    assert "30 June 2027" in body and "Originally 31 December 2026" in body


@pytest.mark.parametrize(
    ("fields", "field_in_error"),
    [
        ({"status": "purple"}, "status"),
        ({"target_date": datetime.date(1999, 1, 1)}, "target_date"),
        ({"target_date": datetime.date(2099, 1, 1)}, "target_date"),
        ({"summary": "x" * 5001}, "summary"),
        ({"reason": "x" * 1001}, "reason"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(alice, west_yorkshire, fields, field_in_error):
    with pytest.raises(ValidationError) as error:
        update(west_yorkshire, "NHSCC-4", alice, **{"status": "amber", **fields})
    assert field_in_error in error.value.message_dict
    assert is_untouched("QWO", "NHSCC-4")


def test_a_save_from_an_old_version_is_refused_and_overwrites_nothing(alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")  # version 1
    update(west_yorkshire, "NHSCC-4", alice, status="green")  # version 2

    with pytest.raises(services.StaleRecordError) as error:
        services.record_update(
            record=record("QWO", "NHSCC-4"),
            changes={"status": "red"},
            expected_version=1,
            user=alice,
            reason="Stale edit",
        )
    assert [c.changes["Status"] for c in error.value.changes_since] == [["Amber", "Green"]]
    current = record("QWO", "NHSCC-4")
    assert (current.status, current.version) == ("green", 2)
    assert ProgressChange.objects.count() == 2


def test_two_people_editing_at_once_the_second_is_told_what_changed(client, alice, west_yorkshire):
    from conftest import make_user

    other_editor = make_user("erin", "editor", "QWO")
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-6"])
    client.force_login(alice)
    alice_form_version = client.get(url).context["form"].initial["version"]
    client.force_login(other_editor)
    erin_form_version = client.get(url).context["form"].initial["version"]

    client.post(url, {"status": "green", "reason": "Model agreed", "version": erin_form_version})
    client.force_login(alice)
    response = client.post(url, {"status": "red", "reason": "Stalled", "version": alice_form_version})

    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this record first" in body
    assert "Erin Tester changed this record while you were editing it" in body
    assert "Not assessed → Green" in body
    assert record("QWO", "NHSCC-6").status == "green"


def test_a_failed_history_write_leaves_no_partial_state(alice, west_yorkshire, monkeypatch):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")

    def history_insert_fails(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "tracker_progresschange"'):
            raise RuntimeError("disk full")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(history_insert_fails), pytest.raises(RuntimeError):
        update(west_yorkshire, "NHSCC-4", alice, status="green", summary="half-written")

    current = record("QWO", "NHSCC-4")
    assert (current.status, current.version, current.summary) == ("amber", 1, "")


def test_history_cannot_be_edited_or_deleted(alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    change = ProgressChange.objects.get()
    change.reason = "rewritten"
    with pytest.raises(TypeError):
        change.save()
    with pytest.raises(TypeError):
        change.delete()
    with pytest.raises(TypeError):
        ProgressChange.objects.update(reason="rewritten")
    with pytest.raises(TypeError):
        ProgressChange.objects.all().delete()
    assert ProgressChange.objects.get().reason == "Quarterly review"


def test_a_user_deleted_later_still_shows_by_name_in_the_history(client, alice, bob, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    alice.delete()
    client.force_login(bob)
    body = client.get(reverse("tracker:system_history", args=["QWO"])).content.decode()
    assert "by Alice Tester" in body


def test_overdue_and_stale_flags(alice, west_yorkshire):
    record = update(west_yorkshire, "NHSCC-4", alice, status="amber", target_date=datetime.date(2025, 1, 31))
    assert record.is_overdue and not record.is_stale
    record = update(west_yorkshire, "NHSCC-4", alice, status="blue", reason="Embedded")
    assert not record.is_overdue

    record = backdate("QWO", "NHSCC-4", ReportingPeriod.current().previous.previous.start)
    assert record.is_stale
    assert ProgressRecord.objects.stale().filter(pk=record.pk).exists()
    fresh = update(west_yorkshire, "NHSCC-5", alice, status="amber")
    assert not ProgressRecord.objects.stale().filter(pk=fresh.pk).exists()
    assert not ProgressRecord.objects.overdue().filter(system=west_yorkshire).exists()


def test_the_position_at_the_end_of_a_past_period_comes_from_history(alice, west_yorkshire):
    record = update(west_yorkshire, "NHSCC-4", alice, status="amber")
    change = ProgressChange.objects.get()
    # Put the first change back into an earlier quarter, as if made then (history rows are never edited in app code).
    earlier = ReportingPeriod.current().previous.previous
    ProgressChange._base_manager.filter(pk=change.pk).update(
        changed_at=timezone.make_aware(datetime.datetime.combine(earlier.start, datetime.time(10))),
        period=earlier.code,
    )
    update(west_yorkshire, "NHSCC-4", alice, status="green", reason="On track")

    def position(period):
        return ProgressRecord.objects.with_status_at_end_of(period).get(pk=record.pk).period_status

    assert position(earlier.previous) == "not_assessed"
    assert position(earlier) == "amber"
    assert position(ReportingPeriod.current()) == "green"


def test_a_record_cannot_be_saved_or_updated_outside_the_services(alice, west_yorkshire):
    from tracker.models.progress import RecordWriteRefused

    current = record("QWO", "NHSCC-4")
    current.status = "blue"
    with pytest.raises(RecordWriteRefused):
        current.save()
    with pytest.raises(RecordWriteRefused):
        ProgressRecord.objects.filter(pk=current.pk).update(status="blue")
    assert is_untouched("QWO", "NHSCC-4")


def test_the_history_check_catches_a_record_changed_without_history(alice, west_yorkshire):
    from conftest import records_without_their_history
    from tracker.models.progress import record_writes

    update(west_yorkshire, "NHSCC-4", alice, status="amber")
    assert records_without_their_history() == []
    with record_writes():  # what a careless bulk update would do
        ProgressRecord.objects.filter(recommendation__code="NHSCC-4", system=west_yorkshire).update(version=2)
    assert records_without_their_history() == [("QWO", "NHSCC-4", 2, 1)]
    with record_writes():
        ProgressRecord.objects.filter(recommendation__code="NHSCC-4", system=west_yorkshire).update(version=1)


# The edit form and history as people see them (trust sweep).


def edit_url(code="NHSCC-4"):
    return reverse("tracker:record_edit", args=["QWO", code])


def test_a_target_date_is_given_as_day_month_and_year(client, alice, west_yorkshire):
    client.force_login(alice)
    data = {"status": "amber", "reason": "Plan agreed", "version": 0}
    client.post(edit_url(), {**data, "target_date_day": "31", "target_date_month": "3", "target_date_year": "2027"})
    assert record("QWO", "NHSCC-4").target_date == datetime.date(2027, 3, 31)


def test_the_edit_form_is_never_kept_by_the_browser_so_back_cannot_bring_an_old_reason(client, alice):
    client.force_login(alice)
    response = client.get(edit_url())
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    reason = body.split('name="reason"')[0].rsplit("<textarea", 1)[1] + body.split('name="reason"')[1].split(">")[0]
    assert 'autocomplete="off"' in reason
    version = body.split('name="version"')[1].split(">")[0]
    assert 'autocomplete="off"' in version


def test_a_summary_over_the_limit_is_refused_saying_by_how_much_and_keeps_what_they_typed(client, alice):
    client.force_login(alice)
    pasted = "y" * 10_000
    response = client.post(edit_url(), {"status": "amber", "reason": "Update", "version": 0, "summary": pasted})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Summary must be 5,000 characters or fewer; you entered 10,000" in body
    assert f">\n{pasted}</textarea>" in body or f">{pasted}</textarea>" in body
    assert " maxlength=" not in body
    assert is_untouched("QWO", "NHSCC-4")


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (reverse("tracker:record_edit", args=["QWO", "NHSCC-4"]), {"version": 0}),
        (reverse("tracker:evidence_add", args=["QWO", "NHSCC-4"]), {"title": ""}),
        (reverse("tracker:people", args=["QWO"]), {"name": ""}),
        (reverse("tracker:api_tokens"), {"name": ""}),
    ],
)
def test_a_form_page_with_errors_says_error_in_its_title_and_its_summary_takes_focus(client, alice, url, data):
    client.force_login(alice)
    assert "<title>Error: " not in client.get(url).content.decode()
    body = client.post(url, data).content.decode()
    assert "<title>Error: " in body
    assert 'class="nhsuk-error-summary" data-module="nhsuk-error-summary"' in body


def test_a_failed_date_links_from_the_summary_to_the_wrong_part(client, alice):
    client.force_login(alice)
    data = {"status": "amber", "reason": "x", "version": 0, "target_date_day": "", "target_date_month": "3"}
    body = client.post(edit_url(), {**data, "target_date_year": "2027"}).content.decode()
    assert '<a href="#id_target_date_day">Target date must include a day</a>' in body


def test_history_shows_dates_as_people_read_them_and_keeps_them_stored_as_they_were(client, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, target_date=datetime.date(2027, 3, 31), reason="Plan agreed")
    update(west_yorkshire, "NHSCC-4", alice, target_date=datetime.date(2027, 10, 9), reason="Delayed")
    client.force_login(alice)
    for url in (reverse("tracker:system_history", args=["QWO"]), reverse("tracker:record", args=["QWO", "NHSCC-4"])):
        body = client.get(url).content.decode()
        assert "<strong>Target date</strong>: 31 March 2027 → 9 October 2027" in body
        assert "2027-03-31" not in body
    assert ProgressChange.objects.latest("pk").changes["Target date"] == ["2027-03-31", "2027-10-09"]


def test_the_systems_filters_are_nhsuk_controls_and_a_bad_filter_says_error_in_the_title(client):
    body = client.get(reverse("tracker:systems")).content.decode()
    assert '<select class="nhsuk-select' in body and '<input class="nhsuk-input' in body
    body = client.get(reverse("tracker:systems"), {"active_on": "soon"}).content.decode()
    assert "<title>Error: Integrated care systems" in body
    assert 'data-module="nhsuk-error-summary"' in body and "nhsuk-input--error" in body
