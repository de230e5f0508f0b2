"""The national comparison, roll-ups, peer learning and the board report."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legacy.models import Recommendation
from tests.factories import record, update
from tracker import services
from tracker.demo import create_demo_progress
from tracker.models import IntegratedCareSystem, ProgressRecord
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 403), ("viewer", 403), ("editor", 403), ("national", 200)],
)
def test_only_the_national_team_sees_every_system_side_by_side(client, personas, who, expected):
    assert as_user(client, personas.get(who)).get(reverse("tracker:comparison")).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 200), ("viewer", 200), ("editor", 200), ("national", 200)],
)
def test_every_signed_in_user_sees_roll_ups_and_peer_learning(client, personas, who, expected):
    client = as_user(client, personas.get(who))
    assert client.get(reverse("tracker:rollups")).status_code == expected
    assert client.get(reverse("tracker:peer_learning_item", args=["NHSCC-4"])).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 200), ("editor", 200), ("national", 200)],
)
def test_the_board_report_is_for_the_system_and_the_national_team(client, personas, who, expected):
    assert as_user(client, personas.get(who)).get(reverse("tracker:board_report", args=["QWO"])).status_code == expected


def test_the_matrix_shows_each_status_as_a_word_linking_to_the_record_with_the_change(client, alice, nadia):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-4", alice, status="green")
    response = as_user(client, nadia).get(reverse("tracker:comparison"), {"change": "1", "region": "Y63"})
    body = response.content.decode()
    assert [system.ods_code for _, systems in response.context["matrix"]["rows"] for system, _ in systems] == [
        "QOQ",
        "QHM",
        "QF7",
        "QWO",
    ]
    assert (
        '<a href="/systems/QWO/records/NHSCC-4/"><span class="nhsuk-u-visually-hidden">NHSCC-4: </span>Green</a>'
        in body
    )
    assert "newly assessed" in body
    assert "the 36 ICBs in place on" in body
    stale = {
        system.ods_code: system.is_stale for _, systems in response.context["matrix"]["rows"] for system, _ in systems
    }
    assert stale == {"QOQ": True, "QHM": True, "QF7": True, "QWO": False}
    assert body.count("Stale return</strong>") == 3


def test_a_past_period_compares_the_42_icbs_and_says_so(client, nadia):
    response = as_user(client, nadia).get(reverse("tracker:comparison"), {"period": "2025-26-Q4"})
    assert response.context["matrix"]["system_count"] == 42
    assert "the 42 ICBs in place on 31 March 2026" in response.content.decode()


def test_an_unknown_period_is_an_error_on_the_page_not_a_crash(client, nadia):
    future = ReportingPeriod.current().next.code
    response = as_user(client, nadia).get(reverse("tracker:comparison"), {"period": future})
    assert response.status_code == 200
    assert "Choose a period from 2022-23-Q2 (when ICSs began)" in response.content.decode()


def test_a_region_filter_narrows_the_rows_but_the_page_still_names_the_whole_footprint(client, nadia):
    response = as_user(client, nadia).get(reverse("tracker:comparison"), {"region": "Y63"})
    assert response.context["matrix"]["system_count"] == 4
    assert f"the 36 ICBs in place on {ReportingPeriod.current().end:%-d %B %Y}" in response.content.decode()


def test_a_filter_error_is_announced_with_its_field(client, nadia):
    """Screen readers reach the hint and the error from the field itself (aria-describedby names both)."""
    future = ReportingPeriod.current().next.code
    page = as_user(client, nadia).get(reverse("tracker:comparison"), {"period": future}).content.decode()
    assert 'aria-describedby="id_period_helptext id_period_error"' in page
    assert 'id="id_period_helptext"' in page and 'id="id_period_error"' in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("offered_from_the_matrix", [False, True])
def test_the_filter_selects_render_as_djangos_own_select_would(offered_from_the_matrix):
    from django import forms
    from django.test.html import parse_html

    from tracker.forms import ComparisonForm, PlainSelect
    from tracker.selectors import comparison_matrix

    form = ComparisonForm({"period": "2025-26-Q4", "publication": "kf-2016", "theme": "kf-lessons-for-commissioners"})
    if offered_from_the_matrix:
        matrix = comparison_matrix(ReportingPeriod.current())
        form.offer_only(matrix["regions"], matrix["themes_by_publication"])
    plain = {}
    for name in ("period", "region", "publication", "theme"):
        field = form[name]
        assert isinstance(field.field.widget, PlainSelect)
        plain[name] = str(field)
        field.field.widget.__class__ = forms.Select
        assert parse_html(plain[name]) == parse_html(str(field))
    assert '<option value="kf-2016" selected>The King&#x27;s Fund and Nuffield Trust (2016)' in plain["publication"]
    assert '<option value="2025-26-Q4" selected>' in plain["period"]
    assert ('<optgroup label="The King&#x27;s Fund' in plain["theme"]) == offered_from_the_matrix


def test_the_comparison_offers_only_filters_that_can_match_something(client, nadia):
    response = as_user(client, nadia).get(reverse("tracker:comparison"))
    form = response.context["form"]
    assert [code for code, _ in form.fields["region"].choices][1:] == [
        "Y61", "Y56", "Y60", "Y63", "Y62", "Y59", "Y58"
    ]  # fmt: skip
    assert [slug for slug, _ in form.fields["publication"].choices][1:] == ["nhscc-2022", "kf-2016"]
    themes = {group: [slug for slug, _ in options] for group, options in form.fields["theme"].choices[1:]}
    assert len(themes) == 2 and sum(map(len, themes.values())) == len(
        {item.theme_id for item in Recommendation.objects.trackable()}
    )


def test_the_matrix_exports_one_row_per_system_and_item_with_demo_data_flagged(client, nadia, settings):
    settings.DEBUG = True
    create_demo_progress(systems=IntegratedCareSystem.objects.filter(ods_code="QWO"))
    client = as_user(client, nadia)
    response = client.get(reverse("tracker:comparison"), {"export": "csv", "region": "Y63"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0])[:6] == ["period", "region", "ods_code", "system", "recommendation", "status"]
    assert len(rows) == 4 * 18  # the four systems of North East and Yorkshire × the trackable items
    assert {row["is_demo"] for row in rows if row["ods_code"] == "QWO"} == {"True"}
    assert {row["is_demo"] for row in rows if row["ods_code"] != "QWO"} == {"False"}
    xlsx = client.get(reverse("tracker:comparison"), {"export": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()


def test_roll_ups_count_per_item_and_region_and_trend_over_periods(client, alice, nadia):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-4", alice, status="blue")
    response = as_user(client, nadia).get(reverse("tracker:rollups"), {"trend": "NHSCC-4"})
    summary = response.context["summary"]
    row = next(r for r in summary["by_recommendation"] if r["key"] == "NHSCC-4")
    assert (row["counts"]["blue"], row["systems"]) == (1, 36)
    trend = response.context["trend"]
    assert trend[0][0].code == "2022-23-Q2" and trend[-1][0] == ReportingPeriod.current()
    assert trend[-1][1]["blue"] == 1 and trend[-2][1]["blue"] == 0
    body = response.content.decode()
    assert '<svg class="app-trend"' in body and "Records at each status at the end of each period" in body
    assert "Stale returns" in body  # for the national team


def test_stale_returns_are_for_the_national_team_only(client, bob):
    assert "Stale returns" not in as_user(client, bob).get(reverse("tracker:rollups")).content.decode()


def test_peer_learning_shows_green_and_blue_systems_with_summaries_and_evidence(client, alice, charlie):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-4", alice, status="blue", summary="Monthly peer review across five places")
    evidence = services.evidence_add(
        record=record("QWO", "NHSCC-4"),
        user=alice,
        title="Peer review terms of reference",
        kind="document",
        refers_to=ReportingPeriod.current().start,
        file=SimpleUploadedFile("terms.pdf", PDF),
    )
    client = as_user(client, charlie)  # another system's editor
    body = client.get(reverse("tracker:peer_learning_item", args=["NHSCC-4"])).content.decode()
    assert "West Yorkshire" in body and "Monthly peer review across five places" in body
    assert "Peer review terms of reference" in body
    assert client.get(reverse("tracker:evidence_download", args=[evidence.pk])).status_code == 200
    assert client.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).status_code == 404


def test_the_board_report_gives_position_change_owners_targets_and_a_summary(client, alice):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-4", alice, status="amber", target_date=ReportingPeriod.current().previous.start)
    response = as_user(client, alice).get(reverse("tracker:board_report", args=["QWO"]))
    report = response.context["report"]
    assert len(report["rows"]) == 18
    assert report["counts"]["amber"] == 1 and report["counts"]["not_assessed"] == 17
    assert [row.item.code for row in report["overdue"]] == ["NHSCC-4"]
    body = response.content.decode()
    assert "Progress on the CCG legacy" in body and "newly assessed" in body
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("tracker:board_report", args=["QWO"]), {"export": "csv"}).content.decode())
        )
    )
    assert csv_rows[0][2:7] == ["recommendation", "title", "status", "previous_status", "movement"]
    assert [csv_rows[1 + 3][i] for i in (2, 4, 5, 6)] == ["NHSCC-4", "amber", "not_assessed", "new"]


def test_the_board_report_lists_the_latest_five_pieces_of_evidence_and_counts_the_rest(client, alice):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    nhscc_4 = Recommendation.objects.get(code="NHSCC-4")
    added = [
        services.evidence_add(
            record=ProgressRecord.objects.get(system=west_yorkshire, recommendation=nhscc_4),
            user=alice,
            title=f"Board paper {month}",
            kind="board_paper",
            refers_to=datetime.date(2026, month, 1),
            url="https://example.nhs.uk/paper",
        )
        for month in range(1, 9)
    ]
    services.evidence_withdraw(evidence=added[-1], user=alice, reason="Wrong paper")  # August: not shown, not counted
    response = as_user(client, alice).get(reverse("tracker:board_report", args=["QWO"]))
    row = next(row for row in response.context["report"]["rows"] if row.item.code == "NHSCC-4")
    assert [evidence.title for evidence in row.latest_evidence] == [f"Board paper {m}" for m in (7, 6, 5, 4, 3)]
    assert row.evidence_count == 7
    assert "and 2 earlier" in response.content.decode()


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("tracker:comparison"), {"change": "1"}),
        (reverse("tracker:board_report", args=["QWO"]), {}),
        ("/api/v1/progress/", {"page_size": 500}),
    ],
)
def test_the_heavy_pages_run_a_fixed_number_of_queries_whatever_the_data_size(client, nadia, url, params):
    client = as_user(client, nadia)
    systems = IntegratedCareSystem.objects.filter(region__code="Y63")
    create_demo_progress(systems=systems, changes_per_period=1)
    small = count_queries(client, url, params)
    create_demo_progress(systems=IntegratedCareSystem.objects.exclude(region__code="Y63"), changes_per_period=3)
    large = count_queries(client, url, params)
    assert small == large
    assert large <= 15  # session, user and membership, the demo flag, then the page's own few


def test_the_matrix_never_abbreviates_not_assessed_to_na(client, nadia):
    """NHS readers take N/A for "not applicable": a record nobody has assessed says so in full."""
    body = as_user(client, nadia).get(reverse("tracker:comparison"), {"region": "Y63"}).content.decode()
    assert "N/A" not in body
    assert '<span class="nhsuk-u-visually-hidden">NHSCC-1: </span>Not assessed</a>' in body


def test_the_board_report_shows_why_each_red_and_amber_item_is_so(client, alice):
    west_yorkshire = IntegratedCareSystem.objects.get(ods_code="QWO")
    update(west_yorkshire, "NHSCC-4", alice, status="amber", reason="Waiting for the peer network's funding")
    update(west_yorkshire, "NHSCC-5", alice, status="red", reason="No lead pharmacist in post")
    update(west_yorkshire, "NHSCC-6", alice, status="green", reason="Green light from the board")
    body = as_user(client, alice).get(reverse("tracker:board_report", args=["QWO"])).content.decode()
    assert "<strong>Why amber:</strong> Waiting for the peer network&#x27;s funding" in body
    assert "<strong>Why red:</strong> No lead pharmacist in post" in body
    assert "Green light from the board" not in body


def test_the_roll_ups_never_put_a_count_of_systems_under_the_heading_of_a_count_of_records(client, nadia):
    body = as_user(client, nadia).get(reverse("tracker:rollups")).content.decode()
    regions = body.split('id="rollup-regions"')[1].split("</table>")[0]
    items = body.split('id="rollup-items"')[1].split("</table>")[0]
    assert ">Systems in the region</th>" in regions and ">Records at each status</th>" in regions
    assert "Records at each status, by region" in regions  # the caption says what is counted
    assert ">Systems reporting</th>" in items and ">Systems at each status</th>" in items
    assert "Records at each status, by region</h2>" in body and "Systems at each status, by recommendation</h2>" in body
