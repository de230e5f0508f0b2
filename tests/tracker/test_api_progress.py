"""/api/v1/progress/ and its history: visibility, filters, PATCH with If-Match, CSV."""

import csv
import datetime
import io

import pytest
from rest_framework.test import APIClient

from tests.factories import person, record, update
from tracker.models import ApiToken, ProgressChange
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    if user is not None:
        _, key = ApiToken.issue(user, "tests")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def progress_url(ods_code="QWO", code="NHSCC-4"):
    return f"/api/v1/progress/{record(ods_code, code).pk}/"


@pytest.mark.parametrize(
    "url", ["/api/v1/progress/", "/api/v1/history/", "/api/v1/evidence/", "/api/v1/periods/", "/api/v1/comparison/"]
)
def test_anonymous_gets_401_on_progress_data(api, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "url", ["/api/v1/sources/", "/api/v1/recommendations/", "/api/v1/regions/", "/api/v1/systems/", "/api/v1/schema/"]
)
def test_anonymous_reads_the_catalogue_register_and_schema(api, url):
    assert api.get(url).status_code == 200


def test_a_revoked_or_unknown_token_is_refused(api, alice):
    token, key = ApiToken.issue(alice, "old laptop")
    token.revoked_at = datetime.datetime.now(datetime.UTC)
    token.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/progress/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/progress/").status_code == 401


@pytest.mark.parametrize(("who", "systems"), [("editor", {"QWO"}), ("viewer", {"QWO"}), ("outsider", {"QOP"})])
def test_each_ics_user_lists_only_their_own_systems_records(api, personas, who, systems):
    data = as_user(api, personas[who]).get("/api/v1/progress/", {"page_size": 500}).json()
    assert data["count"] == 18
    assert {row["system"] for row in data["results"]} == systems


def test_the_national_team_lists_every_record_in_stable_pages_of_at_most_500(api, nadia):
    as_user(api, nadia)
    first = api.get("/api/v1/progress/", {"page_size": 1000}).json()
    assert first["count"] == 48 * 18 and len(first["results"]) == 500
    second = api.get(first["next"]).json()
    assert first["previous"] is None and len(second["results"]) == 48 * 18 - 500
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("who", "expected"), [("outsider", 404), ("viewer", 200), ("editor", 200), ("national", 200)])
def test_reading_one_record(api, personas, who, expected):
    response = as_user(api, personas[who]).get(progress_url())
    assert response.status_code == expected
    if expected == 200:
        assert response["ETag"] == response.json()["etag"]


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("outsider", 404), ("viewer", 403), ("national", 403), ("editor", 200)]
)
def test_patching_a_record(api, personas, who, expected):
    etag = as_user(APIClient(), personas["national"]).get(progress_url()).json()["etag"]
    response = as_user(api, personas.get(who)).patch(
        progress_url(), {"status": "green", "reason": "On track"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == expected
    assert (record("QWO", "NHSCC-4").status == "green") == (expected == 200)


def test_a_patch_without_if_match_is_refused_with_428(api, alice):
    response = as_user(api, alice).patch(progress_url(), {"status": "green", "reason": "x"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert record("QWO", "NHSCC-4").status == "not_assessed"


def test_a_patch_with_a_stale_etag_gets_412_and_changes_nothing(api, alice, west_yorkshire):
    as_user(api, alice)
    stale_etag = api.get(progress_url()).json()["etag"]
    update(west_yorkshire, "NHSCC-4", alice, status="amber")

    response = api.patch(progress_url(), {"status": "red", "reason": "x"}, format="json", HTTP_IF_MATCH=stale_etag)

    assert response.status_code == 412
    assert response.json()["current"]["status"] == "amber"
    assert response["ETag"] != stale_etag
    assert record("QWO", "NHSCC-4").status == "amber"


def test_a_patch_changes_owners_and_target_and_returns_the_new_etag(api, alice, west_yorkshire):
    person(west_yorkshire, name="Priya Shah", email="priya@example.nhs.uk")
    as_user(api, alice)
    etag = api.get(progress_url()).json()["etag"]
    body = {
        "status": "amber",
        "accountable_owner": "priya@example.nhs.uk",
        "target_date": "2027-03-31",
        "reason": "Programme approved",
    }
    response = api.patch(progress_url(), body, format="json", HTTP_IF_MATCH=etag)
    data = response.json()
    assert response.status_code == 200
    assert data["accountable_owner"]["name"] == "Priya Shah"
    assert (data["target_date"], data["original_target_date"], data["version"]) == ("2027-03-31", "2027-03-31", 1)
    assert response["ETag"] == data["etag"] != etag
    assert ProgressChange.objects.get().reason == "Programme approved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "purple", "reason": "x"}, "status"),
        ({"status": "green"}, "reason"),
        ({"target_date": "2099-01-01", "reason": "x"}, "target_date"),
        ({"target_date": "next spring", "reason": "x"}, "target_date"),
        ({"accountable_owner": "nobody@example.nhs.uk"}, "accountable_owner"),
        ({"stauts": "green"}, "stauts"),
        ({"summary": "x" * 5001}, "summary"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(api, alice, body, field):
    as_user(api, alice)
    etag = api.get(progress_url()).json()["etag"]
    response = api.patch(progress_url(), body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert field in response.json()
    assert record("QWO", "NHSCC-4").version == 0 and not ProgressChange.objects.exists()


@pytest.fixture
def some_progress(alice, charlie, west_yorkshire):
    from tracker.models import IntegratedCareSystem

    manchester = IntegratedCareSystem.objects.get(ods_code="QOP")
    update(west_yorkshire, "NHSCC-4", alice, status="green", target_date=datetime.date(2024, 1, 31))
    update(west_yorkshire, "KF-L1", alice, status="blue")
    update(manchester, "NHSCC-4", charlie, status="red")
    return west_yorkshire, manchester


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"system": ["QWO", "QOP"], "status": ["green", "red"]}, {("QWO", "NHSCC-4"), ("QOP", "NHSCC-4")}),
        ({"region": "Y62", "status": "red"}, {("QOP", "NHSCC-4")}),
        ({"recommendation": "KF-L1", "status": "blue"}, {("QWO", "KF-L1")}),
        ({"publication": "kf-2016", "status": ["blue", "green"]}, {("QWO", "KF-L1")}),
        ({"theme": "nhscc-quality-improvement", "status": "green"}, {("QWO", "NHSCC-4")}),
        ({"overdue": "true"}, {("QWO", "NHSCC-4")}),
        ({"system": "QWO", "stale": "false"}, {("QWO", "NHSCC-4"), ("QWO", "KF-L1")}),
        ({"updated_since": "2020-01-01", "system": "QOP"}, {("QOP", "NHSCC-4")}),
    ],
)
def test_each_progress_filter(api, nadia, some_progress, params, expected):
    rows = as_user(api, nadia).get("/api/v1/progress/", {**params, "page_size": 500}).json()["results"]
    assert {(row["system"], row["recommendation"]) for row in rows} == expected


def test_as_at_period_gives_the_position_at_the_end_of_a_past_period(api, nadia, some_progress):
    as_user(api, nadia)
    previous = ReportingPeriod.current().previous.code
    rows = api.get("/api/v1/progress/", {"as_at_period": previous, "system": "QWO", "recommendation": "NHSCC-4"})
    row = rows.json()["results"][0]
    assert (row["status"], row["period_status"], row["as_at_period"]) == ("green", "not_assessed", previous)
    now = api.get("/api/v1/progress/", {"as_at_period": ReportingPeriod.current().code, "status": "green"})
    assert [(r["system"], r["recommendation"]) for r in now.json()["results"]] == [("QWO", "NHSCC-4")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_at_period": "2026-Q5"}, "as_at_period"),
        ({"as_at_period": "%C%s%d"}, "as_at_period"),  # a percent sign in the value once made a 500
        ({"status": "purple"}, "status"),
        ({"system": "ZZZ"}, "system"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, nadia, params, field):
    response = as_user(api, nadia).get("/api/v1/progress/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_history_of_a_record_and_of_everything_visible(api, alice, charlie, some_progress):
    as_user(api, alice)
    record_history = api.get(progress_url() + "history/").json()
    assert [row["status_after"] for row in record_history["results"]] == ["green"]
    everything = api.get("/api/v1/history/").json()
    assert {row["system"] for row in everything["results"]} == {"QWO"}  # not Manchester's
    period = ReportingPeriod.current().code
    filtered = api.get("/api/v1/history/", {"recommendation": "KF-L1", "period": period, "since": "2020-01-01"})
    assert [row["recommendation"] for row in filtered.json()["results"]] == ["KF-L1"]
    assert api.get("/api/v1/history/", {"period": "1999-00-Q1"}).status_code == 400


def test_progress_as_csv_streams_every_matching_row_with_the_same_filters(api, nadia, some_progress):
    response = as_user(api, nadia).get("/api/v1/progress/", {"format": "csv", "region": "Y63"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4 * 18  # the four North East and Yorkshire ICBs, unpaginated
    assert {"system", "recommendation", "status", "overdue", "stale", "etag"} <= set(rows[0])
    assert {r["status"] for r in rows if (r["system"], r["recommendation"]) == ("QWO", "NHSCC-4")} == {"green"}


def test_csv_by_accept_header_too(api, nadia):
    response = as_user(api, nadia).get("/api/v1/recommendations/", HTTP_ACCEPT="text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 31 and rows[0]["code"] == "NHSCC-1"


def test_reporting_periods_run_from_july_2022_to_now(api, bob):
    periods = as_user(api, bob).get("/api/v1/periods/").json()
    assert periods[0]["code"] == ReportingPeriod.current().code and periods[0]["is_current"]
    assert periods[-1] == {
        "code": "2022-23-Q2",
        "label": "Q2 2022/23",
        "start": "2022-07-01",
        "end": "2022-09-30",
        "is_current": False,
    }


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("0607-09-17T12:55:50.97650+16:44", 200),  # odd but valid: PostgreSQL alone would refuse the offset
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC
        ("2026-13-01", 400),
    ],
)
def test_odd_or_impossible_date_times_are_handled_never_a_500(api, nadia, since, expected):
    response = as_user(api, nadia).get("/api/v1/history/", {"since": since})
    assert response.status_code == expected
    if expected == 400:
        assert "since" in response.json()


def test_a_record_reads_as_every_field_the_schema_documents(api, alice, west_yorkshire):
    owner = person(west_yorkshire, name="Priya Shah", email="priya@example.invalid")
    lead = person(west_yorkshire, name="Sam Okafor", job_title="", email="sam@example.invalid")
    saved = update(
        west_yorkshire,
        "NHSCC-5",
        alice,
        status="red",
        accountable_owner=owner,
        delivery_lead=lead,
        target_date=datetime.date(2027, 1, 1),
        summary="Peer review set up with two neighbouring systems.",
    )
    previous = ReportingPeriod.current().previous
    body = as_user(api, alice).get(f"/api/v1/progress/{saved.pk}/", {"as_at_period": previous.code}).json()

    assert body == {
        "id": saved.pk,
        "system": "QWO",
        "recommendation": "NHSCC-5",
        "status": "red",
        "accountable_owner": {"name": "Priya Shah", "job_title": "Director of Primary Care", "email": owner.email},
        "delivery_lead": {"name": "Sam Okafor", "job_title": "", "email": lead.email},
        "target_date": "2027-01-01",
        "original_target_date": "2027-01-01",
        "summary": "Peer review set up with two neighbouring systems.",
        "overdue": False,
        "stale": False,
        "last_updated": body["last_updated"],
        "version": 1,
        "etag": f'"{saved.pk}-v1"',
        "is_demo": False,
        "as_at_period": previous.code,
        "period_status": "not_assessed",
        "position_source": "history",
    }
    assert datetime.datetime.fromisoformat(body["last_updated"]) == saved.updated_at
    schema = as_user(api, alice).get("/api/v1/schema/?format=json").json()
    assert set(schema["components"]["schemas"]["ProgressRecord"]["properties"]) == set(body)
