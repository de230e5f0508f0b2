"""Demonstration data is labelled wherever it shows, and stops being demo once someone really works on it."""

import csv
import io

import pytest
from django.urls import reverse

from tracker.models import IntegratedCareSystem

pytestmark = pytest.mark.django_db


def test_every_roll_up_response_says_whether_it_counts_demo_data(client, nadia):
    from rest_framework.test import APIClient

    from tracker.demo import create_demo_progress
    from tracker.models import ApiToken

    create_demo_progress(systems=IntegratedCareSystem.objects.filter(ods_code="QWO"))
    _, key = ApiToken.issue(nadia, "t")
    body = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/comparison/").json()
    assert body["includes_demo"] is True
    by_region = {row["key"]: row["includes_demo"] for row in body["by_region"]}
    assert by_region["Y63"] is True and by_region["Y56"] is False  # West Yorkshire is in North East and Yorkshire

    client.force_login(nadia)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("tracker:rollups"), {"export": "csv"}).content.decode())))
    assert {row["key"]: row["includes_demo"] for row in rows}["england"] == "True"


def test_a_real_edit_of_a_demo_record_makes_it_real_from_then_on(client, alice):
    from tests.factories import record, update
    from tracker.demo import create_demo_progress

    create_demo_progress(systems=IntegratedCareSystem.objects.filter(ods_code="QWO"))
    assert record("QWO", "NHSCC-4").is_demo
    update(IntegratedCareSystem.objects.get(ods_code="QWO"), "NHSCC-4", alice, status="red", reason="Our real view")

    real = record("QWO", "NHSCC-4")
    assert not real.is_demo
    latest = real.history.first()
    assert (latest.changed_by_name, latest.is_demo) == ("Alice Tester", False)
    assert record("QWO", "NHSCC-5").is_demo  # untouched demo records stay labelled


def test_demo_returns_tell_a_year_that_keeps_the_rules(db):
    """Signed off only where every item was assessed; no green or amber left past its target; every row labelled."""
    from django.utils import timezone

    from tracker.demo import create_demo_progress
    from tracker.models import Position, ProgressRecord, QuarterlyReturn

    create_demo_progress(systems=IntegratedCareSystem.objects.filter(region__code="Y63"), with_returns=True)
    signed = QuarterlyReturn.objects.filter(sign_off__isnull=False)
    assert signed.exists() and not signed.filter(is_demo=False).exists()
    assert not Position.objects.filter(sign_off__in_force_for__in=signed, status="not_assessed").exists()
    lapsed = ProgressRecord.objects.filter(status__in=["green", "amber"], target_date__lt=timezone.localdate())
    assert not lapsed.exists()
    assert QuarterlyReturn.objects.late().exists()  # some returns are late, as in a real year
