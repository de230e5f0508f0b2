"""Where the board report's time goes for a signed-off period, in process, on a database `benchmarks/run.py` built.

    BENCHMARK_DB=benchmark_1x .venv/bin/python benchmarks/profile_board_report.py 2025-26-Q4 [QWO]

With the server's settings (DEBUG off, the benchmark's URLs), signed in as the national demo user, it times the
whole request through Django's handler, its floor and the signed-in layout around nothing, then each phase of the
view on its own (form, the board_report selector and its frozen rows, the page template and its Jinja2 rows), lists
the queries with their database time, and
prints a cProfile of the request. Medians of many runs; no server, no HTTP. The period is the one the run
printed as `*_signed`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.contrib.auth import get_user_model  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from profile_comparison import report as profile_report  # noqa: E402  (sets up Django first)

from tracker import selectors  # noqa: E402
from tracker.choices import Status  # noqa: E402
from tracker.forms import PeriodForm, period_and_filters  # noqa: E402
from tracker.models import IntegratedCareSystem  # noqa: E402
from tracker.periods import ReportingPeriod  # noqa: E402
from tracker.selectors.board_report import _frozen_rows  # noqa: E402
from tracker.templatetags.tracker_tags import board_report_body  # noqa: E402
from tracker.views.board_report import board_report  # noqa: E402

PERIOD = sys.argv[1] if len(sys.argv) > 1 else ReportingPeriod.current().previous.code
SYSTEM = sys.argv[2] if len(sys.argv) > 2 else "QWO"
URL = f"/systems/{SYSTEM}/report/?period={PERIOD}"
FLOOR = f"/benchmark-floor/systems/{SYSTEM}/report/?period={PERIOD}"
LAYOUT = "/benchmark-reference/signed-in-layout/"


def main():
    user = get_user_model().objects.get(username="national")
    client = Client()
    client.force_login(user)
    request = RequestFactory().get(URL)
    request.user = user
    form, period, _ = period_and_filters(request, PeriodForm)
    system = IntegratedCareSystem.objects.select_related("region").get(ods_code=SYSTEM)
    report = selectors.board_report(system, period)
    assert report["sign_off"], f"{SYSTEM}'s return for {PERIOD} is not signed off"
    sign_off = report["sign_off"]

    def page():
        assert client.get(URL).status_code == 200

    def floor():
        assert client.get(FLOOR).status_code == 200

    def view():
        assert board_report(request, SYSTEM).status_code == 200

    def template():
        context = {"system": system, "form": form, "report": report, "statuses": list(Status)}
        return render(request, "tracker/board_report.html", context)

    phases = {
        "whole request (handler, middleware, session, view)": page,
        "its floor, the same way": floor,
        "the signed-in layout around nothing (reference)": lambda: client.get(LAYOUT),
        "the view alone (no middleware)": view,
        "  period_and_filters (form)": lambda: period_and_filters(request, PeriodForm),
        "  selectors.board_report": lambda: selectors.board_report(system, period),
        "    its frozen rows (positions, headings, status before)": lambda: _frozen_rows(
            sign_off, period, period.end, {}
        ),
        "  page template (Django, rows by Jinja2)": template,
        "    the rows alone (Jinja2)": lambda: board_report_body(report, system),
    }
    notes = [
        f"page {len(client.get(URL).content):,} bytes, floor {len(client.get(FLOOR).content):,}",
        f"{len(report['rows'])} frozen positions, {sum(row.evidence_count for row in report['rows'])} evidence entries",
    ]
    profile_report(URL, phases, page, notes)


if __name__ == "__main__":
    main()
