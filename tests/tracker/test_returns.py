"""The quarterly return: submit, sign off, freeze, assure, challenge, answer, reopen; every rule and every role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from conftest import make_user
from legacy.models import Recommendation
from tests.factories import backdate, person, record, update
from tracker import services
from tracker.models import Challenge, Person, Position, ProgressChange, ProgressRecord, QuarterlyReturn
from tracker.models.progress import record_writes
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db
NOW = ReportingPeriod.current()
FUTURE = datetime.date.today() + datetime.timedelta(days=200)


def trackable_codes():
    return list(Recommendation.objects.trackable().in_source_order().values_list("code", flat=True))


def make_ready(system, user):
    """Every item assessed this period, amber with a target ahead: a return that may be submitted."""
    owner = Person.objects.filter(system=system, email=f"priya@{system.ods_code.lower()}.example.invalid").first()
    owner = owner or person(system, name="Priya Shah", email=f"priya@{system.ods_code.lower()}.example.invalid")
    for code in trackable_codes():
        update(system, code, user, status="amber", target_date=FUTURE, accountable_owner=owner, reason="Review")


def the_return(ods_code="QWO", period=NOW) -> QuarterlyReturn:
    return QuarterlyReturn.objects.get(system__ods_code=ods_code, period=period.code)


@pytest.fixture
def ready(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    return the_return()


@pytest.fixture
def signed_off(ready, alice, april):
    services.return_submit(quarterly_return=ready, user=alice)
    services.return_sign_off(quarterly_return=ready, user=april)
    return the_return()


def test_every_system_has_a_return_open_for_the_current_period(db):
    assert QuarterlyReturn.objects.filter(period=NOW.code, state="open").count() == 36


def test_a_return_that_is_not_ready_is_refused_with_every_blocking_item(alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="green", target_date=FUTURE)

    with pytest.raises(services.ReturnRefused) as refused:
        services.return_submit(quarterly_return=the_return(), user=alice)

    blocked = {blocker.recommendation for blocker in refused.value.blocking}
    assert blocked == set(trackable_codes()) - {"NHSCC-4"}
    assert all("Not assessed" in b.problem for b in refused.value.blocking)
    assert the_return().state == "open"


def test_an_item_not_touched_this_period_blocks_until_reconfirmed(ready, alice):
    backdate("QWO", "NHSCC-4", NOW.previous.start)
    blocking = services.return_blocking(ready)
    assert [(b.recommendation, b.problem[:40]) for b in blocking] == [
        ("NHSCC-4", f"Not updated since {NOW.label} began ({NOW.start:%-d %B %Y})"[:40])
    ]

    current = record("QWO", "NHSCC-4")
    services.record_reconfirm(record=current, expected_version=current.version, user=alice)

    assert services.return_blocking(ready) == []
    assert record("QWO", "NHSCC-4").history.first().kind == "reconfirmed"


def test_reconfirming_needs_the_current_version_and_an_assessed_item(ready, alice, west_yorkshire):
    current = record("QWO", "NHSCC-4")
    with pytest.raises(services.StaleRecordError):
        services.record_reconfirm(record=current, expected_version=current.version - 1, user=alice)
    update(west_yorkshire, "NHSCC-5", alice, status="not_assessed", reason="Start again")
    with pytest.raises(Exception, match="Assess this item"):
        services.record_reconfirm(record=record("QWO", "NHSCC-5"), expected_version=2, user=alice)


def test_green_or_amber_past_its_target_blocks_until_the_target_moves_with_a_reason(ready, alice, west_yorkshire):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    update(west_yorkshire, "NHSCC-6", alice, status="green", target_date=yesterday, reason="Slipped")
    [blocker] = services.return_blocking(ready)
    assert blocker.recommendation == "NHSCC-6" and "target date" in blocker.problem

    update(west_yorkshire, "NHSCC-6", alice, status="green", target_date=FUTURE, reason="New plan agreed")
    assert services.return_blocking(ready) == []
    assert record("QWO", "NHSCC-6").original_target_date == FUTURE  # the first target set is kept


def test_a_red_or_not_applicable_item_needs_a_reason_on_record(ready, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-7", alice, status="not_applicable", reason="No commissioning support unit here")
    assert services.return_blocking(ready) == []
    # An item made red without a reason (as imported data might be) blocks.
    current = record("QWO", "NHSCC-8")
    with record_writes():
        ProgressRecord.objects.filter(pk=current.pk).update(status="red", version=current.version + 1)
    ProgressChange.objects.create(
        record=current,
        system_id=current.system_id,
        recommendation_id=current.recommendation_id,
        kind="updated",
        changed_by_name="Import",
        status_before="amber",
        status_after="red",
        record_version=current.version + 1,
    )
    ProgressChange._base_manager.filter(record=current).update(reason="")
    [blocker] = services.return_blocking(ready)
    assert (blocker.recommendation, blocker.problem) == ("NHSCC-8", "Red with no reason on record: say why.")


def test_submit_then_sign_off_by_another_approver_freezes_every_position(ready, alice, april, west_yorkshire):
    services.return_submit(quarterly_return=ready, user=alice)
    sign_off = services.return_sign_off(quarterly_return=the_return(), user=april)

    signed = the_return()
    assert (signed.state, signed.sign_off, signed.submitted_by_name) == ("signed_off", sign_off, "Alice Tester")
    positions = Position.objects.filter(sign_off=sign_off)
    assert positions.count() == len(trackable_codes())
    frozen = positions.get(recommendation__code="NHSCC-4")
    assert (frozen.status, frozen.accountable_owner, frozen.target_date, frozen.last_reason) == (
        "amber",
        "Priya Shah",
        FUTURE,
        "Review",
    )
    # Records live on; the frozen position does not move.
    update(west_yorkshire, "NHSCC-4", alice, status="blue", reason="Done")
    frozen.refresh_from_db()
    assert frozen.status == "amber"
    assert [e.kind for e in signed.events.order_by("at", "pk")] == ["submitted", "signed_off"]


def test_a_frozen_position_can_never_change(signed_off):
    position = Position.objects.filter(sign_off=signed_off.sign_off).first()
    position.status = "blue"
    with pytest.raises(TypeError):
        position.save()
    with pytest.raises(TypeError):
        position.delete()
    with pytest.raises(TypeError):
        Position.objects.filter(pk=position.pk).update(status="blue")
    with pytest.raises(TypeError):
        signed_off.sign_off.delete()


@pytest.mark.parametrize(
    ("who", "action", "refused"),
    [
        ("bob", "submit", PermissionDenied),  # a viewer does nothing
        ("nadia", "submit", PermissionDenied),  # the national team writes nothing of an ICS's
        ("rita", "submit", PermissionDenied),  # nor does the region's reviewer
        ("alice", "sign_off", PermissionDenied),  # an editor never signs off
        ("nadia", "sign_off", PermissionDenied),
        ("rita", "sign_off", PermissionDenied),
    ],
)
def test_each_role_may_do_only_its_part(request, ready, alice, april, who, action, refused):
    user = request.getfixturevalue(who)
    if action == "sign_off":
        services.return_submit(quarterly_return=ready, user=alice)
    service = {"submit": services.return_submit, "sign_off": services.return_sign_off}[action]
    state = the_return().state
    with pytest.raises(refused):
        service(quarterly_return=the_return(), user=user)
    assert the_return().state == state


def test_nobody_signs_off_their_own_submission(ready, april):
    services.return_submit(quarterly_return=ready, user=april)
    with pytest.raises(PermissionDenied, match="another approver"):
        services.return_sign_off(quarterly_return=the_return(), user=april)
    assert the_return().state == "submitted"


def test_a_submitted_return_can_be_withdrawn_and_records_stay_editable(ready, alice, west_yorkshire):
    services.return_submit(quarterly_return=ready, user=alice)
    update(west_yorkshire, "NHSCC-4", alice, status="green", reason="Better than thought")  # records never lock
    services.return_withdraw(quarterly_return=the_return(), user=alice)
    assert the_return().state == "open" and the_return().submitted_at is None


def test_sign_off_rechecks_the_rules_records_that_changed_since_submission_refuse_it(
    ready, alice, april, west_yorkshire
):
    services.return_submit(quarterly_return=ready, user=alice)
    update(west_yorkshire, "NHSCC-4", alice, status="not_assessed", reason="Not sure now")
    with pytest.raises(services.ReturnRefused) as refused:
        services.return_sign_off(quarterly_return=the_return(), user=april)
    assert [b.recommendation for b in refused.value.blocking] == ["NHSCC-4"]
    assert the_return().state == "submitted" and not Position.objects.exists()


def test_the_regions_reviewer_assures_and_challenges_and_the_ics_answers(signed_off, rita, alice, ray):
    services.return_assure(quarterly_return=signed_off, user=rita, assurance="limited", comment="Thin evidence")
    nhscc_4 = Recommendation.objects.get(code="NHSCC-4")
    challenge = services.challenge_raise(
        quarterly_return=signed_off, recommendation=nhscc_4, user=rita, text="The evidence does not support amber"
    )
    with pytest.raises(PermissionDenied):  # another region's reviewer
        services.return_assure(quarterly_return=signed_off, user=ray, assurance="substantial", comment="x")
    with pytest.raises(PermissionDenied):  # the reviewer writes none of the ICS's answers
        services.challenge_answer(challenge=challenge, user=rita, answer="x")

    services.challenge_answer(challenge=challenge, user=alice, answer="Minutes of the June board attached")

    challenge.refresh_from_db()
    assert not challenge.is_open and challenge.answered_by_name == "Alice Tester"
    kinds = [e.kind for e in the_return().events.order_by("at", "pk")]
    assert kinds == ["submitted", "signed_off", "assured", "challenged", "answered"]
    with pytest.raises(services.ReturnRefused):
        services.challenge_answer(challenge=challenge, user=alice, answer="again")


def test_only_the_national_team_reopens_and_the_signed_off_version_is_kept(
    signed_off, nadia, april, alice, west_yorkshire
):
    with pytest.raises(PermissionDenied):
        services.return_reopen(quarterly_return=signed_off, user=april, reason="Mistake")
    with pytest.raises(Exception, match="reason"):
        services.return_reopen(quarterly_return=signed_off, user=nadia, reason=" ")

    services.return_reopen(quarterly_return=signed_off, user=nadia, reason="Region found an error in NHSCC-4")
    reopened = the_return()
    assert (reopened.state, reopened.sign_off) == ("open", None)
    first = signed_off.sign_off
    assert first.positions.count() == len(trackable_codes())  # kept, superseded

    update(west_yorkshire, "NHSCC-4", alice, status="red", reason="Corrected")
    services.return_submit(quarterly_return=reopened, user=alice)
    second = services.return_sign_off(quarterly_return=the_return(), user=april)
    assert second.number == 2
    assert first.positions.get(recommendation__code="NHSCC-4").status == "amber"
    assert second.positions.get(recommendation__code="NHSCC-4").status == "red"


def test_a_return_is_late_when_not_signed_off_by_its_due_date(settings, ready, alice, april):
    settings.RETURN_DUE_DAYS = 30
    past = QuarterlyReturn.objects.create(system=ready.system, period=NOW.previous.previous.code)
    assert past.due_on == NOW.previous.previous.end + datetime.timedelta(days=30)
    assert past.is_late and QuarterlyReturn.objects.late().filter(pk=past.pk).exists()
    assert not ready.is_late and not QuarterlyReturn.objects.late().filter(pk=ready.pk).exists()


def test_the_official_figures_for_a_signed_off_period_are_its_frozen_positions(client, signed_off, nadia, alice):
    update(signed_off.system, "NHSCC-4", alice, status="blue", reason="Done since")
    client.force_login(nadia)

    matrix = client.get(reverse("tracker:comparison")).context["matrix"]
    west_yorkshire = next(s for _, systems in matrix["rows"] for s, _ in systems if s.ods_code == "QWO")
    cells = next(cells for _, systems in matrix["rows"] for s, cells in systems if s.ods_code == "QWO")
    assert west_yorkshire.is_signed_off
    assert {item.code: cell for item, cell in cells}["NHSCC-4"].status == "amber"

    report = client.get(reverse("tracker:board_report", args=["QWO"])).context["report"]
    assert report["position_source"] == "signed_off" and report["sign_off"] == signed_off.sign_off
    assert next(row for row in report["rows"] if row.item.code == "NHSCC-4").status == "amber"

    rollups = client.get(reverse("tracker:rollups")).context["summary"]
    nhscc_4 = next(row for row in rollups["by_recommendation"] if row["key"] == "NHSCC-4")
    assert (nhscc_4["counts"]["amber"], nhscc_4["counts"]["blue"]) == (1, 0)


def test_the_signed_off_board_report_gives_the_latest_assurance_open_challenges_and_the_frozen_evidence(
    client, ready, alice, april, rita
):
    services.evidence_add(
        record=record("QWO", "NHSCC-4"),
        user=alice,
        title="Board minutes",
        kind="board_paper",
        refers_to=datetime.date(2024, 10, 9),
        url="https://example.nhs.uk/minutes",
    )
    services.return_submit(quarterly_return=ready, user=alice)
    services.return_sign_off(quarterly_return=ready, user=april)
    signed_off = the_return()
    services.return_assure(quarterly_return=signed_off, user=rita, assurance="limited", comment="Thin evidence")
    services.return_assure(quarterly_return=signed_off, user=rita, assurance="reasonable", comment="Minutes seen")
    nhscc_4 = Recommendation.objects.get(code="NHSCC-4")
    services.challenge_raise(quarterly_return=signed_off, recommendation=nhscc_4, user=rita, text="Show the vote")
    services.evidence_add(
        record=record("QWO", "NHSCC-4"),
        user=alice,
        title="Added after sign-off",
        kind="board_paper",
        refers_to=datetime.date(2024, 11, 1),
        url="https://example.nhs.uk/later",
    )
    client.force_login(alice)

    body = client.get(reverse("tracker:board_report", args=["QWO"])).content.decode()

    assert "Regional assurance: <strong>Reasonable</strong>." in body  # the latest opinion
    assert "<strong>Open challenges from the region:</strong> NHSCC-4." in body
    assert "<strong>Challenged by the region:</strong> Show the vote</p>" in body
    assert "<li>Board minutes (Board paper, 9 October 2024)</li>" in body and "Added after sign-off" not in body
    assert '<span class="nhsuk-body-s">was Not assessed</span>' in body  # the status at the end of the period before


def test_a_system_page_shows_its_return_what_blocks_it_and_the_deadline(client, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="amber", target_date=FUTURE)
    client.force_login(alice)
    body = client.get(reverse("tracker:system", args=["QWO"])).content.decode()
    assert "Quarterly returns" in body and f"Due {the_return().due_on:%-d %B %Y}" in body
    assert "17 things to put right before it can be submitted" in body


def test_the_return_page_refuses_a_submission_listing_each_item(client, alice, west_yorkshire):
    client.force_login(alice)
    url = reverse("tracker:return_action", args=["QWO", NOW.code, "submit"])
    response = client.post(url)
    assert response.status_code == 409
    body = response.content.decode()
    assert "The return cannot be submitted yet: 18 items need attention." in body
    assert "NHSCC-11</a>: Not assessed: give it a status." in body
    assert the_return().state == "open"


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("outsider", 404), ("ray", 404), ("viewer", 200), ("rita", 200)]
)
def test_who_reads_a_return_page(client, personas, ray, rita, who, expected):
    users = {**personas, "ray": ray, "rita": rita}
    if users.get(who):
        client.force_login(users[who])
    assert client.get(reverse("tracker:return", args=["QWO", NOW.code])).status_code == expected


def test_the_whole_cycle_through_the_pages(client, ready, alice, april, rita, nadia):
    def act(user, action, data=None):
        client.force_login(user)
        return client.post(reverse("tracker:return_action", args=["QWO", NOW.code, action]), data or {})

    assert act(alice, "submit").status_code == 302
    assert act(alice, "sign-off").status_code == 403
    assert act(april, "sign-off").status_code == 302
    assert act(rita, "assure", {"assurance": "reasonable", "comment": "Evidence holds"}).status_code == 302
    assert act(rita, "challenge", {"recommendation": "NHSCC-4", "text": "Show the minutes"}).status_code == 302
    challenge = Challenge.objects.get()
    client.force_login(alice)
    assert client.get(reverse("tracker:board_report", args=["QWO"])).context["report"]["open_challenges"] == [challenge]
    client.post(reverse("tracker:challenge_answer", args=[challenge.pk]), {"answer": "Attached"})
    assert act(nadia, "reopen", {"reason": ""}).status_code == 400
    assert act(nadia, "reopen", {"reason": "Recount"}).status_code == 302
    assert the_return().state == "open"
    page = client.get(reverse("tracker:return", args=["QWO", NOW.code]) + "?version=1").content.decode()
    assert "Signed-off positions (version 1, superseded)" in page


def test_the_national_returns_page_and_its_export(client, signed_off, nadia, rita, alice):
    client.force_login(nadia)
    response = client.get(reverse("tracker:returns"), {"region": "Y63"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "West Yorkshire" in body and "Signed off" in body
    rows = client.get(reverse("tracker:returns"), {"export": "csv", "system": "QWO"}).content.decode().splitlines()
    assert rows[0].startswith("period,ods_code,system,region,state,due_on,late")
    assert any(line.startswith(f"{NOW.code},QWO,") and ",signed_off," in line for line in rows[1:])
    client.force_login(alice)
    assert client.get(reverse("tracker:returns")).status_code == 403
    client.force_login(rita)
    regions = {
        system.region.code
        for _, systems in client.get(reverse("tracker:returns")).context["grid"]
        for system, _ in systems
    }
    assert regions == {"Y63"}


def test_an_editor_confirms_no_change_from_the_record_page(client, ready, alice):
    backdate("QWO", "NHSCC-4", NOW.previous.start)
    current = record("QWO", "NHSCC-4")
    client.force_login(alice)
    client.post(reverse("tracker:record_confirm", args=["QWO", "NHSCC-4"]), {"version": current.version})
    assert record("QWO", "NHSCC-4").history.first().kind == "reconfirmed"
    stale_form = client.post(reverse("tracker:record_confirm", args=["QWO", "NHSCC-4"]), {"version": current.version})
    assert stale_form.status_code == 302
    assert record("QWO", "NHSCC-4").history.filter(kind="reconfirmed").count() == 1


def test_a_reviewer_reads_their_regions_systems_and_no_other(client, rita):
    make_user("sam", "editor", "QOP")
    client.force_login(rita)
    assert client.get(reverse("tracker:record", args=["QWO", "NHSCC-1"])).status_code == 200
    assert client.get(reverse("tracker:record", args=["QOP", "NHSCC-1"])).status_code == 404
    assert client.get(reverse("tracker:record_edit", args=["QWO", "NHSCC-1"])).status_code == 403


def test_not_applicable_is_counted_apart_and_never_in_the_proportions(client, alice, nadia, west_yorkshire):
    update(west_yorkshire, "NHSCC-7", alice, status="not_applicable", reason="No support unit in this system")
    update(west_yorkshire, "NHSCC-8", alice, status="green", target_date=FUTURE, reason="On track")
    client.force_login(nadia)
    response = client.get(reverse("tracker:rollups"))
    nhscc_7 = next(r for r in response.context["summary"]["by_recommendation"] if r["key"] == "NHSCC-7")
    assert nhscc_7["counts"]["not_applicable"] == 1
    body = response.content.decode()
    assert "Not applicable: 1 (not in the bar)" in body
    assert 'class="app-bar__segment--white"' not in body
    page = client.get(reverse("tracker:record", args=["QWO", "NHSCC-7"])).content.decode()
    assert ">Not applicable</strong>" in page


def test_an_empty_answer_to_a_challenge_is_an_error_at_the_top_of_the_page(client, signed_off, rita, alice):
    challenge = services.challenge_raise(
        quarterly_return=signed_off, recommendation=record("QWO", "NHSCC-4").recommendation, user=rita, text="Why?"
    )
    client.force_login(alice)
    response = client.post(reverse("tracker:challenge_answer", args=[challenge.pk]), {"answer": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error:" in body and "Enter your answer to the challenge on NHSCC-4." in body
    challenge.refresh_from_db()
    assert challenge.is_open
