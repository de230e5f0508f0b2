"""Where the comparison page's time goes, in process, on a database `benchmarks/run.py` built.

    BENCHMARK_DB=benchmark_1x .venv/bin/python benchmarks/profile_comparison.py [/comparison/?change=1]
    BENCHMARK_DB=benchmark_10x .venv/bin/python benchmarks/profile_comparison.py "/comparison/?period=2025-26-Q4"

With the server's settings (DEBUG off, the benchmark's URLs), signed in as the national demo user, it times
the whole request through Django's handler and its floor (for a past period, the signed-off floor), then each
phase of the view on its own (form, matrix selector, form choices, page template with the matrix body, the
matrix body alone), lists the queries with their database time, and prints a cProfile of the request. Medians
of many runs; no server, no HTTP.
"""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCHMARK_PG", "postgres://postgres@127.0.0.1:5432")
os.environ.update(
    {
        "DATABASE_URL": f"{PG}/{os.environ.get('BENCHMARK_DB', 'benchmark_1x')}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "ROOT_URLCONF": "benchmarks.urls",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(ROOT / "benchmarks" / "results" / "static"),  # collected by run.py
    }
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from legacy.models import Recommendation  # noqa: E402
from tracker import selectors  # noqa: E402
from tracker.choices import Status  # noqa: E402
from tracker.forms import period_and_filters  # noqa: E402
from tracker.models import ProgressRecord  # noqa: E402
from tracker.templatetags.tracker_tags import comparison_body  # noqa: E402
from tracker.views.comparison import comparison  # noqa: E402

RUNS = int(os.environ.get("BENCHMARK_REQUESTS", "60"))
URL = sys.argv[1] if len(sys.argv) > 1 else "/comparison/"
# A past period's floor reads the frozen positions of its signed-off returns (run.py's comparison_signed_floor).
FLOOR = (
    f"/benchmark-floor/comparison/signed-off/?period={URL.split('period=')[1].split('&')[0]}"
    if "period=" in URL
    else "/benchmark-floor/comparison/"
)


def medians_ms(functions: dict, runs: int = RUNS) -> dict[str, tuple[float, float]]:
    """Each function's median wall-clock and CPU time (this process only: not the database server's, and not time
    spent waiting for a core on a busy machine). They take turns, run by run, so that load from elsewhere weighs
    on all alike; each runs in a transaction, as ATOMIC_REQUESTS wraps a view."""
    timings = {name: ([], []) for name in functions}
    for round_ in range(runs + 2):  # the first rounds warm caches, compiled templates and prepared statements
        for name, function in functions.items():
            with transaction.atomic():
                wall, cpu = time.perf_counter(), time.process_time()
                function()
                wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
            if round_ >= 2:
                timings[name][0].append(wall)
                timings[name][1].append(cpu)
    return {name: (statistics.median(walls), statistics.median(cpus)) for name, (walls, cpus) in timings.items()}


def timed_queries(page) -> None:
    """Run `page` once and list its statements with their database time."""
    timed = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
        page()
    print(
        f"\n{len(queries.captured_queries)} queries with BEGIN and COMMIT; statements timed (sent, executed, rows not"
    )
    print(f"yet fetched), {sum(ms for ms, _ in timed):.2f} ms in all:")
    for ms, sql in timed:
        print(f"  {ms:>7.2f} ms  {sql[:140]}")


def report(url: str, phases: dict, page, notes: list[str]) -> None:
    """Print each phase's median, what the page costs in queries, and a cProfile of the whole page."""
    print(f"{url} on {connection.settings_dict['NAME']}: medians of {RUNS} runs, taking turns")
    print(f"  {'':<55}{'wall ms':>9}{'CPU ms':>9}")
    for name, (wall, cpu) in medians_ms(phases).items():
        print(f"  {name:<55}{wall:>9.2f}{cpu:>9.2f}")
    for note in notes:
        print(f"  {note}")

    timed_queries(page)

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(RUNS):
        page()
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main():
    user = get_user_model().objects.get(username="national")
    client = Client()
    client.force_login(user)
    request = RequestFactory().get(URL)
    request.user = user
    with_change = request.GET.get("change") == "1"

    def page():
        assert client.get(URL).status_code == 200

    def floor():
        assert client.get(FLOOR).status_code == 200

    form, period, filters = period_and_filters(request)
    matrix = selectors.comparison_matrix(period, with_change=with_change, **filters)

    def template():
        form.offer_only(matrix["regions"], matrix["themes_by_publication"])
        context = {
            "form": form,
            "matrix": matrix,
            "show_change": with_change,
            "statuses": list(Status),
            "query": request.GET.urlencode(),
            "demo_data_shown": matrix["has_demo"],
        }
        return render(request, "tracker/comparison.html", context)

    every_item = list(Recommendation.objects.trackable().values_list("pk", flat=True))
    records = (
        ProgressRecord.objects.filter(
            system__in=list(selectors.footprint(period).values_list("pk", flat=True)), recommendation__in=every_item
        )
        .with_status_at_end_of(period)
        .with_last_update_at_end_of(period)
        .values_list("system_id", "recommendation_id", "period_status", "target_date", "is_demo", "last_update")
    )

    def records_query():
        list(records.all())

    def view():
        assert comparison(request).status_code == 200

    phases = {
        "whole request (handler, middleware, session, view)": page,
        "its floor, the same way": floor,
        "the view alone (no middleware)": view,
        "  period_and_filters (form)": lambda: period_and_filters(request),
        "  selectors.comparison_matrix": lambda: selectors.comparison_matrix(
            period, with_change=with_change, **filters
        ),
        "  form.offer_only": lambda: form.offer_only(matrix["regions"], matrix["themes_by_publication"]),
        "  page template, matrix body included": template,
        "    matrix body alone (Jinja2)": lambda: comparison_body(matrix, with_change),
        "  its records query alone (without ?change=1)": records_query,
    }
    page_size, floor_size = len(client.get(URL).content), len(client.get(FLOOR).content)
    report(URL, phases, page, [f"page {page_size:,} bytes, floor {floor_size:,}"])


if __name__ == "__main__":
    main()
