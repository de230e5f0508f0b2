"""Every page and list endpoint runs the same number of queries however much history, evidence and people there
are: a page whose query count grows with its data (an N+1) fails here, at two data sizes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import add_evidence, person, record, update
from tests.tracker.test_imports import workbook_bytes
from tracker import services
from tracker.imports import check_rows, read_return
from tracker.models import ApiToken, IntegratedCareSystem, ProgressRecord
from tracker.periods import ReportingPeriod

pytestmark = pytest.mark.django_db
SYSTEMS = ["QWO", "QOP", "QYG"]
ITEMS = ["NHSCC-1", "NHSCC-4", "KF-L2"]


def grow(editors, rounds: range):
    """Each round: every (system, item) changes status, owner and target, and gains a piece of evidence."""
    statuses = ["red", "amber", "green", "blue"]
    for n in rounds:
        for ods in SYSTEMS:
            system = IntegratedCareSystem.objects.get(ods_code=ods)
            owner = person(system, name=f"Owner {n} {ods}", email=f"owner{n}@{ods.lower()}.example.invalid")
            for code in ITEMS:
                current = record(ods, code)
                status = statuses[(current.version + 1) % 4]
                update(
                    system,
                    code,
                    editors[ods],
                    status=status,
                    accountable_owner=owner,
                    target_date=datetime.date(2027, 1, 1) + datetime.timedelta(days=current.version),
                    reason=f"Round {n}",
                )
                add_evidence(system, code, editors[ods], title=f"Paper {n}")


def return_cycle(editor, challenged: list[str]):
    """West Yorkshire's return made ready, signed off, assured and `challenged` (reopened first if it was signed
    off): it ends signed off either way, so both data sizes take the same paths, with more rows the second time."""
    from conftest import make_user
    from tests.tracker.test_returns import make_ready
    from tracker import services
    from tracker.models import Membership, QuarterlyReturn

    system = IntegratedCareSystem.objects.get(ods_code="QWO")
    approver = Membership.objects.filter(role="approver", system=system).first()
    approver = approver.user if approver else make_user("amy", "approver", "QWO")
    reviewer = Membership.objects.filter(role="reviewer").first()
    reviewer = reviewer.user if reviewer else make_user("rex", "reviewer", region="Y63")
    national = make_user(f"nat{len(challenged)}", "national")
    quarterly_return = QuarterlyReturn.objects.get(system=system, period=ReportingPeriod.current().code)
    if quarterly_return.state == "signed_off":
        services.return_reopen(quarterly_return=quarterly_return, user=national, reason="Recount")
    make_ready(system, editor)
    services.return_submit(quarterly_return=quarterly_return, user=editor)
    services.return_sign_off(quarterly_return=quarterly_return, user=approver)
    services.return_assure(quarterly_return=quarterly_return, user=reviewer, assurance="limited", comment="Thin")
    for code in challenged:
        recommendation = record("QWO", code).recommendation
        services.challenge_raise(
            quarterly_return=quarterly_return, recommendation=recommendation, user=reviewer, text="Show evidence"
        )


def pages():
    record_page = reverse("tracker:record", args=["QWO", "NHSCC-4"])
    return [
        ("national", reverse("home")),
        ("national", reverse("legacy:catalogue")),
        ("national", reverse("legacy:recommendation", args=["NHSCC-4"])),
        ("national", reverse("tracker:systems")),
        ("editor", reverse("tracker:system", args=["QWO"])),
        ("editor", reverse("tracker:system_history", args=["QWO"])),
        ("editor", reverse("tracker:people", args=["QWO"])),
        ("editor", record_page),
        ("editor", reverse("tracker:record_edit", args=["QWO", "NHSCC-4"])),
        ("editor", reverse("tracker:evidence_add", args=["QWO", "NHSCC-4"])),
        ("editor", reverse("tracker:board_report", args=["QWO"])),
        ("editor", reverse("tracker:board_report", args=["QWO"]) + "?export=csv"),
        ("editor", reverse("tracker:peer_learning")),
        ("editor", reverse("tracker:peer_learning_item", args=["NHSCC-4"])),
        ("editor", reverse("tracker:api_tokens")),
        ("national", reverse("tracker:comparison")),
        ("national", reverse("tracker:comparison") + "?change=1"),
        ("national", reverse("tracker:comparison") + "?export=xlsx"),
        ("national", reverse("tracker:rollups")),
        ("national", reverse("tracker:rollups") + "?export=csv"),
        ("national", reverse("tracker:returns")),
        ("national", reverse("tracker:returns") + "?export=csv"),
        ("editor", reverse("tracker:return", args=["QWO", ReportingPeriod.current().code])),
    ]


API_LISTS = [
    "/api/v1/recommendations/",
    "/api/v1/systems/",
    "/api/v1/progress/?page_size=500",
    "/api/v1/progress/?format=csv",
    "/api/v1/history/?page_size=500",
    "/api/v1/history/?format=csv",
    "/api/v1/evidence/?page_size=500",
    "/api/v1/evidence/?format=csv",
    "/api/v1/comparison/",
    "/api/v1/returns/",
    "/api/v1/challenges/",
]


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def test_every_page_and_list_runs_the_same_queries_at_two_data_sizes(client, alice, nadia):
    from conftest import make_user

    editors = {"QWO": alice, "QOP": make_user("olu", "editor", "QOP"), "QYG": make_user("cat", "editor", "QYG")}
    apis = {}
    for who, user in (("editor", alice), ("national", nadia)):
        _, key = ApiToken.issue(user, "counts")
        apis[who] = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    users = {"editor": alice, "national": nadia}

    def measure():
        for api in apis.values():
            api.get("/api/v1/regions/")  # a token records its use once a minute: let that write happen here
        counts = {}
        for who, url in pages():
            client.force_login(users[who])
            counts[url] = count_queries(lambda url=url: client.get(url))
        for url in API_LISTS:
            counts[url] = count_queries(lambda url=url: apis["national"].get(url))
        history = f"/api/v1/progress/{record('QWO', 'NHSCC-4').pk}/history/"
        counts[history] = count_queries(lambda: apis["editor"].get(history))
        return counts

    grow(editors, rounds=range(0, 1))
    return_cycle(editors["QWO"], ["NHSCC-1"])
    small = measure()
    grow(editors, rounds=range(1, 5))
    return_cycle(editors["QWO"], ["NHSCC-4", "NHSCC-5", "KF-L2"])
    large = measure()
    assert {url: n for url, n in large.items() if n != small[url]} == {}


def test_importing_a_full_return_runs_as_many_queries_as_three_rows(alice, west_yorkshire):
    """Applying: one transaction, one lock, one update and one insert of history, however many rows."""

    def all_rows(n):
        return {
            code: {"Status": "Blue", "Reason for the change": f"Round {n}", "Summary": f"Summary {n}"}
            for code in record_codes()
        }

    def measure(changes):
        raw = read_return(SimpleUploadedFile("r.xlsx", workbook_bytes(west_yorkshire, changes)), west_yorkshire, 18)
        with CaptureQueriesContext(connection) as queries:
            applied = services.return_import(system=west_yorkshire, raw=raw, user=alice)
        return len(applied.changes), len(queries)

    three = {code: all_rows(1)[code] for code in ("NHSCC-1", "NHSCC-2", "NHSCC-3")}
    assert measure(three)[0] == 3
    rows, full = measure(all_rows(2))
    assert rows == 18
    assert measure({code: all_rows(3)[code] for code in ("NHSCC-4", "NHSCC-5", "NHSCC-6")}) == (3, full)


def record_codes():
    return ProgressRecord.objects.filter(system__ods_code="QWO").values_list("recommendation__code", flat=True)


def test_checking_an_import_runs_as_many_queries_for_two_rows_as_for_every_row(alice, west_yorkshire):
    raw = read_return(SimpleUploadedFile("r.xlsx", workbook_bytes(west_yorkshire, {})), west_yorkshire, 18)
    with CaptureQueriesContext(connection) as few:
        check_rows(raw[:2], west_yorkshire)
    with CaptureQueriesContext(connection) as every:
        check_rows(raw, west_yorkshire)
    assert len(few) == len(every)
