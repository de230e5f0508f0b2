"""/api/v1/returns/, /api/v1/challenges/ and /api/v1/progress/{id}/confirm/: the names and shapes clients rely on."""

import pytest
from rest_framework.test import APIClient

from tests.factories import backdate, record
from tests.tracker.test_returns import NOW, make_ready, the_return
from tracker import services
from tracker.models import ApiToken

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    if user is not None:
        _, key = ApiToken.issue(user, "tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def return_url(suffix=""):
    return f"/api/v1/returns/{the_return().pk}/{suffix}"


def test_a_return_reads_with_every_documented_field(alice):
    body = api_for(alice).get(return_url()).json()
    assert set(body) == {
        "id",
        "system",
        "period",
        "state",
        "due_on",
        "late",
        "submitted_at",
        "submitted_by",
        "signed_off_at",
        "signed_off_by",
        "sign_off_version",
        "assurance",
        "open_challenges",
        "version",
        "etag",
        "is_demo",
    }
    assert (body["system"], body["period"], body["state"], body["assurance"]) == ("QWO", NOW.code, "open", None)


def test_a_refused_submission_is_409_with_every_blocking_item(alice):
    response = api_for(alice).post(return_url("submit/"))
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("The return cannot be submitted yet")
    assert {"recommendation": "NHSCC-4", "problem": "Not assessed: give it a status."} in body["blocking"]


def test_the_cycle_through_the_api(alice, april, rita, nadia, west_yorkshire):
    make_ready(west_yorkshire, alice)
    editor, approver, reviewer, national = api_for(alice), api_for(april), api_for(rita), api_for(nadia)

    submitted = editor.post(return_url("submit/"))
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert editor.post(return_url("sign-off/")).status_code == 403
    signed = approver.post(return_url("sign-off/"), HTTP_IF_MATCH=submitted.json()["etag"])
    assert signed.status_code == 200
    assert (signed.json()["state"], signed.json()["signed_off_by"], signed.json()["sign_off_version"]) == (
        "signed_off",
        "April Tester",
        1,
    )
    positions = editor.get(return_url("positions/")).json()
    assert len(positions) == 18 and positions[0]["sign_off_version"] == 1

    assert reviewer.post(return_url("assure/"), {"assurance": "limited", "comment": "Thin"}).status_code == 200
    challenge = reviewer.post(
        "/api/v1/challenges/",
        {"quarterly_return": the_return().pk, "recommendation": "NHSCC-4", "text": "Show the minutes"},
        format="json",
    )
    assert challenge.status_code == 201 and challenge.json()["open"] is True
    assert editor.get(return_url()).json()["open_challenges"] == 1
    answered = editor.post(f"/api/v1/challenges/{challenge.json()['id']}/respond/", {"answer": "Attached"})
    assert answered.status_code == 200 and answered.json()["open"] is False

    assert national.post(return_url("reopen/"), {}).status_code == 400
    reopened = national.post(return_url("reopen/"), {"reason": "Recount"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    assert editor.get(return_url("positions/")).status_code == 404
    assert len(editor.get(return_url("positions/"), {"version": 1}).json()) == 18
    kinds = [event["kind"] for event in editor.get(return_url("history/")).json()]
    assert kinds == ["reopened", "answered", "challenged", "assured", "signed_off", "submitted"]


def test_a_stale_if_match_is_412_and_nothing_happens(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    response = api_for(alice).post(return_url("submit/"), HTTP_IF_MATCH='"0-v99"')
    assert response.status_code == 412
    assert response.json()["current"]["state"] == "open" and the_return().state == "open"


@pytest.mark.parametrize(
    ("who", "expected"), [(None, 401), ("charlie", 404), ("ray", 404), ("bob", 403), ("nadia", 403)]
)
def test_who_may_submit(request, alice, west_yorkshire, who, expected):
    make_ready(west_yorkshire, alice)
    user = request.getfixturevalue(who) if who else None
    assert api_for(user).post(return_url("submit/")).status_code == expected
    assert the_return().state == "open"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"system": "QWO"}, {"QWO"}),
        ({"region": "Y63", "period": NOW.code}, {"QF7", "QHM", "QOQ", "QWO"}),
        ({"state": "signed_off"}, set()),
    ],
)
def test_returns_filter_by_system_region_period_and_state(nadia, params, expected):
    rows = api_for(nadia).get("/api/v1/returns/", {**params, "page_size": 500}).json()["results"]
    assert {row["system"] for row in rows} == expected


def test_late_returns_filter(nadia, west_yorkshire):
    from tracker.models import QuarterlyReturn

    QuarterlyReturn.objects.create(system=west_yorkshire, period=NOW.previous.previous.code)
    rows = api_for(nadia).get("/api/v1/returns/", {"late": "true", "system": "QWO"}).json()["results"]
    # Today the previous period's return is past its due date too (30 days after the period ended).
    assert [row["period"] for row in rows] == [NOW.previous.code, NOW.previous.previous.code]
    assert all(row["late"] for row in rows)
    on_time = api_for(nadia).get("/api/v1/returns/", {"late": "false", "system": "QWO"}).json()["results"]
    assert [row["period"] for row in on_time] == [NOW.code]


def test_confirm_needs_if_match_and_writes_a_reconfirmation(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    backdate("QWO", "NHSCC-4", NOW.previous.start)
    current = record("QWO", "NHSCC-4")
    url = f"/api/v1/progress/{current.pk}/confirm/"
    client = api_for(alice)
    assert client.post(url).status_code == 428
    assert client.post(url, HTTP_IF_MATCH='"1-v0"').status_code == 412
    confirmed = client.post(url, {"reason": "Still on track"}, HTTP_IF_MATCH=f'"{current.pk}-v{current.version}"')
    assert confirmed.status_code == 200 and confirmed.json()["version"] == current.version + 1
    assert record("QWO", "NHSCC-4").history.first().kind == "reconfirmed"
    assert services.return_blocking(the_return()) == []


def test_progress_as_at_a_signed_off_period_says_so(alice, april, west_yorkshire):
    make_ready(west_yorkshire, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    rows = api_for(alice).get("/api/v1/progress/", {"system": "QWO", "as_at_period": NOW.code}).json()["results"]
    assert {row["position_source"] for row in rows} == {"signed_off"}
    other = api_for(alice).get("/api/v1/progress/", {"system": "QWO", "as_at_period": NOW.previous.code})
    assert {row["position_source"] for row in other.json()["results"]} == {"history"}
