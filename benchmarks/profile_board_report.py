"""Where the board report's time goes for a signed-off period, in process, on a database `benchmarks/run.py` built.

    BENCHMARK_DB=benchmark_1x .venv/bin/python benchmarks/profile_board_report.py 2025-26-Q4 [QWO]

With the server's settings (DEBUG off, the benchmark's URLs), signed in as the national demo user, it times the
whole request through Django's handler and its floor, then each phase of the view on its own (form, the
board_report selector and its queries, the page template), lists the queries with their database time, and
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
from tracker.models import IntegratedCareSystem, Position, ProgressRecord, QuarterlyReturn  # noqa: E402
from tracker.models.progress import signed_off_positions  # noqa: E402
from tracker.periods import ReportingPeriod  # noqa: E402
from tracker.views.board_report import board_report  # noqa: E402

PERIOD = sys.argv[1] if len(sys.argv) > 1 else ReportingPeriod.current().previous.code
SYSTEM = sys.argv[2] if len(sys.argv) > 2 else "QWO"
URL = f"/systems/{SYSTEM}/report/?period={PERIOD}"
FLOOR = f"/benchmark-floor/systems/{SYSTEM}/report/?period={PERIOD}"


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

    previous = ProgressRecord.objects.filter(system=system).with_status_at_end_of(period.previous)
    positions = Position.objects.filter(sign_off=sign_off).select_related(
        "recommendation__publication", "recommendation__theme"
    )
    phases = {
        "whole request (handler, middleware, session, view)": page,
        "its floor, the same way": floor,
        "the view alone (no middleware)": view,
        "  period_and_filters (form)": lambda: period_and_filters(request, PeriodForm),
        "  selectors.board_report": lambda: selectors.board_report(system, period),
        "    the return, sign-off and assurances": lambda: (
            QuarterlyReturn.objects.filter(system=system, period=period.code)
            .select_related("sign_off")
            .prefetch_related("sign_off__assurances")
            .first()
        ),
        "    previous period's status (history or frozen)": lambda: list(
            previous.values_list("recommendation_id", "period_status")
        ),
        "      ... is anything signed off then? (exists)": lambda: signed_off_positions(period.previous).exists(),
        "    frozen positions as model instances": lambda: list(positions.all()),
        "    frozen positions as tuples (values_list)": lambda: list(
            positions.values_list("status", "summary", "evidence")
        ),
        "  page template (Django)": template,
    }
    notes = [
        f"page {len(client.get(URL).content):,} bytes, floor {len(client.get(FLOOR).content):,}",
        f"{len(report['rows'])} frozen positions, {sum(len(p.evidence) for p in positions)} evidence entries",
    ]
    profile_report(URL, phases, page, notes)


if __name__ == "__main__":
    main()
