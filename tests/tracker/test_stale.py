"""One rule for "stale": no update in the period or the one before, as at the period's end. Every view agrees."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import backdate, update
from tracker.models import ApiToken, IntegratedCareSystem
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db
NOW = ReportingPeriod.current()


@pytest.fixture
def updates(db):
    """West Yorkshire updated now; Greater Manchester last in the previous period (not yet stale); Cheshire and
    Merseyside two periods ago (stale now, fresh as at that period's end); everyone else never."""
    from conftest import make_user

    for ods, when in (("QWO", None), ("QOP", NOW.previous), ("QYG", NOW.previous.previous)):
        system = IntegratedCareSystem.objects.get(ods_code=ods)
        update(system, "NHSCC-4", make_user(f"editor-{ods.lower()}", "editor", ods), status="amber")
        if when:
            backdate(ods, "NHSCC-4", when.start)


def stale_in_matrix(client, period):
    matrix = client.get(reverse("tracker:comparison"), {"period": period.code}).context["matrix"]
    return {system.ods_code for _, systems in matrix["rows"] for system, _ in systems if system.is_stale}


def stale_in_rollups(client, period):
    return {
        system.ods_code for system in client.get(reverse("tracker:rollups"), {"period": period.code}).context["stale"]
    }


def stale_in_board_report(client, period, ods_codes):
    return {
        ods
        for ods in ods_codes
        if client.get(reverse("tracker:board_report", args=[ods]), {"period": period.code}).context["report"][
            "is_stale"
        ]
    }


@pytest.mark.parametrize(
    ("period", "fresh"), [(NOW, {"QWO", "QOP"}), (NOW.previous, {"QOP", "QYG"}), (NOW.previous.previous, {"QYG"})]
)
def test_matrix_roll_ups_and_board_report_agree_on_which_returns_are_stale(client, nadia, updates, period, fresh):
    client.force_login(nadia)
    footprint = set(IntegratedCareSystem.objects.active_on(period.end).values_list("ods_code", flat=True))
    expected = footprint - fresh

    assert stale_in_matrix(client, period) == expected
    assert stale_in_rollups(client, period) == expected
    assert stale_in_board_report(client, period, ["QWO", "QOP", "QYG", "QHM"]) == {"QWO", "QOP", "QYG", "QHM"} - fresh


def test_the_api_flags_the_same_records_stale_as_the_pages_for_the_current_period(client, nadia, updates):
    _, key = ApiToken.issue(nadia, "t")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    rows = api.get("/api/v1/progress/", {"recommendation": "NHSCC-4", "page_size": 500}).json()["results"]
    fresh_by_api = {row["system"] for row in rows if not row["stale"]}
    filtered = api.get("/api/v1/progress/", {"recommendation": "NHSCC-4", "stale": "false"}).json()["results"]

    assert fresh_by_api == {row["system"] for row in filtered} == {"QWO", "QOP"}
    client.force_login(nadia)
    assert not {"QWO", "QOP"} & stale_in_matrix(client, NOW)


def test_a_signed_off_return_is_never_stale_and_every_view_agrees(client, nadia, updates):
    """Cheshire and Merseyside (QYG) last updated two periods ago, yet signed off for the previous period: signing
    off confirmed every item current, so no view calls its return stale for that period."""
    from tracker.models import Position, ProgressRecord, QuarterlyReturn, SignOff

    period = NOW.previous
    quarterly_return = QuarterlyReturn.objects.get_or_create(system__ods_code="QYG", period=period.code)[0]
    sign_off = SignOff.objects.create(
        quarterly_return=quarterly_return,
        number=1,
        submitted_at=period.end_moment,
        submitted_by_name="Editor",
        signed_off_by_name="Approver",
    )
    Position.objects.bulk_create(
        Position(sign_off=sign_off, **Position.frozen_from(record, last_reason="Review", evidence=[]))
        for record in ProgressRecord.objects.filter(system__ods_code="QYG", recommendation__trackable=True)
    )
    quarterly_return.state, quarterly_return.sign_off = "signed_off", sign_off
    quarterly_return.save()
    client.force_login(nadia)

    assert "QYG" not in stale_in_matrix(client, period)
    assert "QYG" not in stale_in_rollups(client, period)
    assert stale_in_board_report(client, period, ["QYG"]) == set()
