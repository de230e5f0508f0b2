"""Speed and scale of the heavy pages, measured under gunicorn on PostgreSQL.

    .venv/bin/python benchmarks/run.py            (or: make benchmark)

For each data size (1x, then 10x the history and evidence) it builds a fresh PostgreSQL database
with the real register (42 + 6 ICBs), every trackable item, 16 reporting periods of history with
several changes per record per period, and evidence on every record. It then serves the app with
gunicorn (production settings) and times, taking turns request by request:

* the comparison page, against a floor: one query rendering the same matrix from values_list;
* the board report;
* GET /api/v1/progress/?page_size=500, against a floor: a JsonResponse of .values() of the same rows.

It reports each page's median latency, its ratio to its floor, and how much slower it is at 10x.
Goals: comparison <= 1.5x its floor, API <= 2x its floor, 10x data no more than 1.5x slower.
Results also go to benchmarks/results/latest.json. Requests go only to 127.0.0.1.
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCHMARK_PG", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCHMARK_PORT", "8799"))
REQUESTS = int(os.environ.get("BENCHMARK_REQUESTS", "60"))
SIZES = {
    "1x": {"changes_per_period": 3, "evidence_per_record": 5},
    "10x": {"changes_per_period": 30, "evidence_per_record": 50},
}
RESULTS = ROOT / "benchmarks" / "results"
SERVER_LOG = RESULTS / "server.log"
GOALS = {"comparison": 1.5, "api": 2.0, "scale": 1.5}


def django_env(database: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }


def dev_env(database: str) -> dict:
    return {**django_env(database), "DEBUG": "1"}


def manage(*args: str, env: dict) -> str:
    """Run a manage.py command in `env`; returns what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def build(database: str, changes_per_period: int, evidence_per_record: int) -> dict:
    subprocess.run(
        [
            "psql",
            f"{PG}/postgres",
            "-q",
            "-c",
            f"DROP DATABASE IF EXISTS {database}",
            "-c",
            f"CREATE DATABASE {database}",
        ],
        check=True,
    )
    manage("migrate", "--no-input", "-v0", env=dev_env(database))
    manage("load_reference_data", "-v0", env=dev_env(database))
    manage("seed_demo", env=dev_env(database))
    script = f"""
import datetime, random
from tracker.demo import create_demo_progress
from tracker.models import Evidence, ProgressChange, ProgressRecord
from tracker.periods import ReportingPeriod
periods = ReportingPeriod.all_until()[-16:]
create_demo_progress(periods=periods, changes_per_period={changes_per_period})
rng = random.Random(7)
kinds = ["board_paper", "document", "link", "metric", "case_study", "other"]
rows = [
    Evidence(record=record, title=f"Demo evidence {{n}}", kind=rng.choice(kinds), url="https://example.invalid/e",
             refers_to=periods[0].start + datetime.timedelta(days=rng.randrange(1000)), added_by_name="Demo",
             is_demo=True)
    for record in ProgressRecord.objects.all() for n in range({evidence_per_record})
]
Evidence.objects.bulk_create(rows, batch_size=5000)
print(ProgressRecord.objects.count(), ProgressChange.objects.count(), Evidence.objects.count())
"""
    out = manage("shell", "-c", script, env=dev_env(database)).split()[-3:]
    records, changes, evidence = map(int, out)
    return {"records": records, "history_rows": changes, "evidence_rows": evidence}


def server_env(database: str) -> dict:
    return {
        **django_env(database),
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "ROOT_URLCONF": "benchmarks.urls",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(RESULTS / "static"),
    }


def session_cookie(database: str) -> str:
    """A signed-in session for the national demo user, made directly (signed with the server's key)."""
    script = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username="national")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""
    key = manage("shell", "-c", script, env=server_env(database)).split()[-1]
    return f"sessionid={key}"


def request_ms(url: str, headers: dict) -> float:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{url}", headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200, (url, response.status)
        response.read()
    return (time.perf_counter() - started) * 1000


def median_ms(pages: dict[str, tuple[str, dict]]) -> dict[str, float]:
    """Each page's median time. The pages take turns, request by request, so that whatever else the machine
    is doing weighs on a page and its floor alike; the first rounds only warm caches and connections."""
    timings = {name: [] for name in pages}
    for round_ in range(REQUESTS + 3):
        for name, (url, headers) in pages.items():
            elapsed = request_ms(url, headers)
            if round_ >= 3:
                timings[name].append(elapsed)
    return {name: statistics.median(values) for name, values in timings.items()}


def measure(database: str) -> dict:
    env = server_env(database)
    manage("collectstatic", "--no-input", "-v0", env=env)  # production settings serve hashed static files
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "1",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=SERVER_LOG.open("w"),
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/regions/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        token = manage("create_api_token", "national", "benchmark", env=dev_env(database))
        cookie = {"Cookie": session_cookie(database)}
        api = {"Authorization": f"Token {token}"}
        return median_ms(
            {
                "comparison": ("/comparison/", cookie),
                "comparison_floor": ("/benchmark-floor/comparison/", cookie),
                "board_report": ("/systems/QWO/report/", cookie),
                "api": ("/api/v1/progress/?page_size=500", api),
                "api_floor": ("/benchmark-floor/progress/", api),
            }
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    RESULTS.mkdir(exist_ok=True)
    results = {}
    for size, shape in SIZES.items():
        database = f"benchmark_{size}"
        print(f"building {size} data ({shape}) ...", flush=True)
        data = build(database, **shape)
        print(f"  {data}", flush=True)
        results[size] = {"data": data, "median_ms": measure(database)}
    one, ten = results["1x"]["median_ms"], results["10x"]["median_ms"]
    figures = {
        size: {
            "comparison_vs_floor": r["median_ms"]["comparison"] / r["median_ms"]["comparison_floor"],
            "api_vs_floor": r["median_ms"]["api"] / r["median_ms"]["api_floor"],
        }
        for size, r in results.items()
    }
    scale = {page: ten[page] / one[page] for page in ("comparison", "board_report", "api")}
    print(f"\n{'page':<22}{'1x ms':>10}{'10x ms':>10}{'10x/1x':>9}")
    for page in ("comparison", "comparison_floor", "board_report", "api", "api_floor"):
        print(f"{page:<22}{one[page]:>10.1f}{ten[page]:>10.1f}{ten[page] / one[page]:>9.2f}")
    print()
    for size, f in figures.items():
        print(
            f"{size}: comparison {f['comparison_vs_floor']:.2f}x its floor (goal <= {GOALS['comparison']}), "
            f"API {f['api_vs_floor']:.2f}x its floor (goal <= {GOALS['api']})"
        )
    print(
        "10x data vs 1x: "
        + ", ".join(f"{page} {ratio:.2f}x" for page, ratio in scale.items())
        + f" (goal <= {GOALS['scale']})"
    )
    (RESULTS / "latest.json").write_text(json.dumps({"results": results, "ratios": figures, "scale": scale}, indent=2))


if __name__ == "__main__":
    main()
