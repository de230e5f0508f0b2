"""Speed and scale of the heavy pages, measured under gunicorn on PostgreSQL.

    .venv/bin/python benchmarks/run.py            (or: make benchmark)

For each data size (1x, then 10x the history and evidence) it builds a fresh PostgreSQL database
with the real register (42 + 6 ICBs), every trackable item, 16 reporting periods of demo history with
several changes per record per period, evidence on every record, and the demo generator's year of quarterly
returns, most signed off. A third of the current systems are then made real: an editor of each updates every
one of its records once or twice through tracker.services.record_update, so those records are not demo data
and the pages do production work. The signed-off period is the completed quarter with the most returns signed
off at 1x (the 10x database uses the same one); QWO's return for it is signed off again through the services,
so that its frozen positions carry its evidence. The database is then ANALYZEd, as autovacuum would.
It then serves the app with gunicorn (production settings) and times, taking turns request by request:

* the comparison page (current period, no change), against a floor: one plain query of each system's
  current status, target date, is_demo and updated_at, stale and overdue judged in Python by the
  project's own rules, written out as a bare table;
* the comparison page with ?change=1 and for a past period (two quarters back): reported, no goal yet;
* the board report (current period);
* the comparison and QWO's board report for the signed-off period, each against a floor: one plain query of
  the frozen positions of the sign-offs in force (see floors.py for what each reads);
* GET /api/v1/progress/?page_size=500, against a floor: a JsonResponse of .values() of the same rows;
* an import of QWO's whole return (POST /api/v1/progress/import/, as its editor, a CSV in which all 18 rows change
  status and summary with a reason, made untimed before each request from the records as they are): its preview
  (dry_run=true) and its application (dry_run=false), each against a floor: the same CSV read with the csv module
  and the records in one query, then for the apply one update and one insert of history in one transaction;
* two references with no goal, to show what the floors leave out: the site's layout around nothing, signed in
  (session, user, unread count), and an empty API answer to a personal token (token read, throttle);
* the open data of the latest completed quarter with a signed-off return (36 ICSs, April 2026 on), published by
  the national team through the services: /open-data/<period>/progress.csv, fetched anonymously as the public
  does, against a floor: the stored bytes from one query.

It prints each page's median latency, its ratio to its floor and how much slower it is at 10x, each
beside its goal; it exits 1 if any goal is missed. Goals: comparison <= 1.5x its floor, each signed-off page
<= 1.5x its floor, API <= 2x its floor, import preview and apply <= 2x their floors, open-data CSV <= 1.5x its
floor, no page (comparison, board report, the two signed-off pages, API, the two imports, open-data CSV) more
than 1.5x slower at 10x data.
Results also go to benchmarks/results/latest.json. Requests go only to 127.0.0.1.

Environment: BENCHMARK_PG (server URL), BENCHMARK_DB_PREFIX (databases <prefix>_1x and <prefix>_10x,
default "benchmark"), BENCHMARK_PORT (default 8799), BENCHMARK_REQUESTS (timed rounds, default 60).
"""

import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCHMARK_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCHMARK_DB_PREFIX", "benchmark")
PORT = int(os.environ.get("BENCHMARK_PORT", "8799"))
REQUESTS = int(os.environ.get("BENCHMARK_REQUESTS", "60"))
SIZES = {
    "1x": {"changes_per_period": 3, "evidence_per_record": 5},
    "10x": {"changes_per_period": 30, "evidence_per_record": 50},
}
RESULTS = ROOT / "benchmarks" / "results"
# The import is held to the API's goal: an API call whose floor does the same reads and writes without the checks.
GOALS = {"comparison": 1.5, "api": 2.0, "signed_off": 1.5, "import": 2.0, "open_data": 1.5, "scale": 1.5}
BOARD_REPORT_SYSTEM = "QWO"
SCALED_PAGES = (
    "comparison",
    "board_report",
    "comparison_signed",
    "board_report_signed",
    "api",
    "import_preview",
    "import_apply",
    "open_data_csv",
)
# Each page with a floor, and the reference that measures what it pays before its own work (printed, not a goal).
BEYOND_REFERENCE = {
    "comparison": "signed_in_layout",
    "comparison_signed": "signed_in_layout",
    "board_report_signed": "signed_in_layout",
    "api": "token_call",
    "import_preview": "token_call",
    "import_apply": "token_call",
}
if not re.fullmatch(r"[a-z_][a-z0-9_]*", PREFIX):
    sys.exit(f"BENCHMARK_DB_PREFIX must be a lower-case SQL name, not {PREFIX!r}")


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
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def build(database: str, changes_per_period: int, evidence_per_record: int, signed_period: str | None = None) -> dict:
    """Build `database`; `signed_period`: the signed-off period to time (default: chosen as below, at 1x; the 10x
    build is given the same one, so that its pages are compared with the same period's)."""
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
import datetime, json, random
from django.contrib.auth import get_user_model
from django.utils import timezone
from tracker.choices import Role, Status
from tracker.demo import NEXT_STATUS, create_demo_progress
from tracker.models import Evidence, Membership, ProgressChange, ProgressRecord
from tracker.periods import ReportingPeriod
from tracker.selectors import footprint
periods = ReportingPeriod.all_until()[-16:]
create_demo_progress(periods=periods, changes_per_period={changes_per_period}, with_returns=True)
rng = random.Random(7)
kinds = ["board_paper", "document", "link", "metric", "case_study", "other"]
rows = [
    Evidence(record=record, title=f"Demo evidence {{n}}", kind=rng.choice(kinds), url="https://example.invalid/e",
             refers_to=periods[0].start + datetime.timedelta(days=rng.randrange(1000)), added_by_name="Demo",
             is_demo=True)
    for record in ProgressRecord.objects.all() for n in range({evidence_per_record})
]
Evidence.objects.bulk_create(rows, batch_size=5000)
# A third of the current systems (starting with {BOARD_REPORT_SYSTEM}, whose board report is timed) become real: an
# editor of each updates each of its records through the one write path, so is_demo is False from then on.
from tracker import services
current = ReportingPeriod.current()
systems = sorted(footprint(current), key=lambda s: (s.ods_code != "{BOARD_REPORT_SYSTEM}", s.ods_code))[::3]
today = timezone.localdate()
for system in systems:
    editor = get_user_model().objects.create_user(
        username=f"editor.{{system.ods_code.lower()}}", first_name="Real", last_name=f"Editor {{system.ods_code}}"
    )
    Membership.objects.create(user=editor, role=Role.EDITOR, system=system)
    for record in ProgressRecord.objects.filter(system=system, recommendation__trackable=True).order_by("pk"):
        changes = {{
            "status": rng.choice(NEXT_STATUS[Status(record.status)]),
            "summary": f"{{system.short_name}}: position on {{record.recommendation_id}} reviewed by the board.",
        }}
        if record.target_date is None:
            changes["target_date"] = today + datetime.timedelta(days=rng.randrange(-120, 720))
        record = services.record_update(
            record=record, changes=changes, expected_version=record.version, user=editor, reason="Quarterly return."
        )
        if rng.random() < 0.5:
            services.record_update(
                record=record, changes={{"summary": record.summary + " Evidence added."}},
                expected_version=record.version, user=editor,
            )
# The signed-off period timed: of the four completed quarters the demo returns cover, the one with the most
# returns signed off (the later on a tie), unless given. {BOARD_REPORT_SYSTEM}'s return for it is then signed off
# (again) through the real services, as a reopened return is: the demo generator freezes no evidence, a real
# sign-off freezes every record's current evidence, which its board report reads.
from tracker.choices import ReturnState
from tracker.models import Position, QuarterlyReturn
completed = ReportingPeriod.all_until(current.previous)[-4:]
signed_off_in = {{
    period.code: QuarterlyReturn.objects.filter(
        period=period.code, state=ReturnState.SIGNED_OFF, system__in=footprint(period)
    ).count()
    for period in completed
}}
given = {signed_period!r}
signed_period = ReportingPeriod.from_code(given) if given else max(
    completed, key=lambda period: (signed_off_in[period.code], period.end)
)
board_system = systems[0]
assert board_system.ods_code == "{BOARD_REPORT_SYSTEM}" and board_system in footprint(signed_period)
board_editor = get_user_model().objects.get(username=f"editor.{{board_system.ods_code.lower()}}")
approver = get_user_model().objects.create_user(
    username=f"approver.{{board_system.ods_code.lower()}}", first_name="Real", last_name="Approver"
)
Membership.objects.create(user=approver, role=Role.APPROVER, system=board_system)
national = get_user_model().objects.get(username="national")
quarterly_return = QuarterlyReturn.objects.get_or_create(system=board_system, period=signed_period.code)[0]
demo_signed_off = quarterly_return.state == ReturnState.SIGNED_OFF
if demo_signed_off:
    quarterly_return = services.return_reopen(
        quarterly_return=quarterly_return, user=national, reason="Benchmark: signed off again with its evidence."
    )
# Make its records ready for submission, as an editor would: assess what is unassessed, move passed targets,
# give a reason where red or not applicable has none.
for code in dict.fromkeys(blocker.recommendation for blocker in services.return_blocking(quarterly_return)):
    record = ProgressRecord.objects.get(system=board_system, recommendation__code=code)
    changes = {{}}
    if record.status == Status.NOT_ASSESSED:
        changes["status"] = Status.AMBER
    if record.status in (Status.NOT_ASSESSED, Status.GREEN, Status.AMBER) and (
        record.target_date is None or record.target_date < today
    ):
        changes["target_date"] = today + datetime.timedelta(days=rng.randrange(90, 540))
    if changes:
        services.record_update(
            record=record, changes=changes, expected_version=record.version, user=board_editor,
            reason="Reviewed for the return.",
        )
    else:
        services.record_reconfirm(
            record=record, expected_version=record.version, user=board_editor, reason="Reviewed for the return."
        )
if quarterly_return.state == ReturnState.OPEN:  # a demo return may also be waiting for sign-off already
    quarterly_return = services.return_submit(quarterly_return=quarterly_return, user=board_editor)
board_sign_off = services.return_sign_off(quarterly_return=quarterly_return, user=approver)
# The latest completed quarter with a signed-off return (the 36 ICBs of April 2026 on) is published as open data by
# the national team, as from the returns page: its CSV is timed.
open_data_period = next(period for period in reversed(completed) if signed_off_in[period.code])
open_data = services.open_data_publish(period=open_data_period, user=national, note="")
signed_off_in[signed_period.code] = QuarterlyReturn.objects.filter(
    period=signed_period.code, state=ReturnState.SIGNED_OFF, system__in=footprint(signed_period)
).count()
print(json.dumps({{
    "systems_now": footprint(current).count(),
    "real_systems": len(systems),
    "records": ProgressRecord.objects.count(),
    "real_records": ProgressRecord.objects.filter(is_demo=False).count(),
    "history_rows": ProgressChange.objects.count(),
    "real_history_rows": ProgressChange.objects.filter(is_demo=False).count(),
    "evidence_rows": Evidence.objects.count(),
    "past_period": current.previous.previous.code,
    "signed_off_returns": signed_off_in,
    "signed_period": signed_period.code,
    "signed_period_systems": footprint(signed_period).count(),
    "board_report_demo_signed_off": demo_signed_off,
    "board_report_sign_off": board_sign_off.number,
    "board_report_frozen_evidence": sum(len(p.evidence) for p in board_sign_off.positions.all()),
    "positions": Position.objects.count(),
    "open_data_period": open_data_period.code,
    "open_data_systems": open_data.footprint_systems,
    "open_data_rows": bytes(open_data.files.get(name="progress.csv").content).count(b"\\n") - 1,
}}))
"""
    data = json.loads(manage("shell", "-c", script, env=dev_env(database)).splitlines()[-1])
    # Planner statistics, as autovacuum keeps them in production: without them (autovacuum may be off on a test
    # server, and is slow to start on a fresh database) PostgreSQL plans the pages' subqueries blind.
    subprocess.run(["psql", f"{PG}/{database}", "-q", "-c", "ANALYZE"], check=True)
    return data


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
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username="national")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "tracker.authentication.MembershipBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""
    key = manage("shell", "-c", script, env=server_env(database)).split()[-1]
    return f"sessionid={key}"


def request_ms(port: int, url: str, headers: dict, body=None) -> float:
    """One request's latency. `body`: for a POST, a callable making (data, content type) just before it, untimed."""
    data = None
    if body is not None:
        data, content_type = body()
        headers = {**headers, "Content-Type": content_type}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{url}", data=data, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200, (url, response.status)
        response.read()
    return (time.perf_counter() - started) * 1000


STATUS_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue", "not_applicable": "Not applicable"}
IMPORT_HEADER = ["ICS", "Code", "Title", "Status", "Accountable owner", "Delivery lead", "Target date", "Summary"]
IMPORT_HEADER += ["Reason for the change", "Version"]


def import_upload(port: int, token: str, dry_run: bool):
    """A callable making the body of an import of the board report system's whole return, from its records as they
    are (read through the API, untimed): every row changes status (red and amber in turn) and summary, with a
    reason, against the version read, so that each apply changes all 18 records and never conflicts."""
    rounds = iter(range(1_000_000))

    def body():
        url = f"http://127.0.0.1:{port}/api/v1/progress/?system={BOARD_REPORT_SYSTEM}&page_size=500"
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            records = json.load(response)["results"]
        n, text = next(rounds), io.StringIO()
        writer = csv.writer(text)
        writer.writerow(IMPORT_HEADER)
        for r in records:
            owners = [(r[role] or {}).get("email", "") for role in ("accountable_owner", "delivery_lead")]
            status = "Amber" if r["status"] == "red" else "Red"
            summary = f"Benchmark import {n}, {'preview' if dry_run else 'applied'}."
            row = [BOARD_REPORT_SYSTEM, r["recommendation"], "", status, *owners, r["target_date"] or "", summary]
            writer.writerow([*row, "Quarterly return, from the workbook.", r["version"]])
        boundary = f"benchmark{n}x"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="system"\r\n\r\n{BOARD_REPORT_SYSTEM}\r\n',
            f'--{boundary}\r\nContent-Disposition: form-data; name="dry_run"\r\n\r\n{str(dry_run).lower()}\r\n',
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="return.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n{text.getvalue()}\r\n--{boundary}--\r\n",
        ]
        return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"

    return body


def median_ms(pages: dict[tuple[str, str], tuple]) -> dict[tuple[str, str], float]:
    """Each page's median time. The pages of both data sizes take turns, request by request, so that whatever
    else the machine is doing weighs on a page and its floor, and on 1x and 10x, alike; the first rounds only
    warm caches and connections."""
    timings = {key: [] for key in pages}
    for round_ in range(REQUESTS + 3):
        for key, (port, url, headers, *body) in pages.items():
            elapsed = request_ms(port, url, headers, *body)
            if round_ >= 3:
                timings[key].append(elapsed)
    return {key: statistics.median(values) for key, values in timings.items()}


@contextmanager
def serving(database: str, port: int):
    """gunicorn (one sync worker, production settings) serving `database` on 127.0.0.1:`port`."""
    env = server_env(database)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(RESULTS / f"server-{database}.log").open("w"),
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/regions/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def pages(database: str, port: int, data: dict) -> dict[str, tuple[int, str, dict]]:
    """What is timed on one server: each page's URL and credentials."""
    past_period, signed_period, open_period = data["past_period"], data["signed_period"], data["open_data_period"]
    token = manage("create_api_token", "national", "benchmark", env=dev_env(database))
    editor = manage("create_api_token", f"editor.{BOARD_REPORT_SYSTEM.lower()}", "benchmark", env=dev_env(database))
    cookie = {"Cookie": session_cookie(database)}
    api = {"Authorization": f"Token {token}"}
    as_editor = {"Authorization": f"Token {editor}"}
    floor = f"/benchmark-floor/systems/{BOARD_REPORT_SYSTEM}"
    return {
        "comparison": (port, "/comparison/", cookie),
        "comparison_floor": (port, "/benchmark-floor/comparison/", cookie),
        "comparison_change": (port, "/comparison/?change=1", cookie),
        "comparison_past": (port, f"/comparison/?period={past_period}", cookie),
        "board_report": (port, f"/systems/{BOARD_REPORT_SYSTEM}/report/", cookie),
        "comparison_signed": (port, f"/comparison/?period={signed_period}", cookie),
        "comparison_signed_floor": (port, f"/benchmark-floor/comparison/signed-off/?period={signed_period}", cookie),
        "board_report_signed": (port, f"/systems/{BOARD_REPORT_SYSTEM}/report/?period={signed_period}", cookie),
        "board_report_signed_floor": (
            port,
            f"/benchmark-floor/systems/{BOARD_REPORT_SYSTEM}/report/?period={signed_period}",
            cookie,
        ),
        "api": (port, "/api/v1/progress/?page_size=500", api),
        "api_floor": (port, "/benchmark-floor/progress/", api),
        "import_preview": (port, "/api/v1/progress/import/", as_editor, import_upload(port, editor, dry_run=True)),
        "import_preview_floor": (port, f"{floor}/import-preview/", {}, import_upload(port, editor, dry_run=True)),
        "import_apply": (port, "/api/v1/progress/import/", as_editor, import_upload(port, editor, dry_run=False)),
        "import_apply_floor": (port, f"{floor}/import-apply/", {}, import_upload(port, editor, dry_run=False)),
        # References, no goal: what sign-in and the layout, or a token and its throttle, cost on their own.
        "signed_in_layout": (port, "/benchmark-reference/signed-in-layout/", cookie),
        "token_call": (port, "/benchmark-reference/token-call/", as_editor),
        # Public: no cookie, no token.
        "open_data_csv": (port, f"/open-data/{open_period}/progress.csv", {}),
        "open_data_csv_floor": (port, f"/benchmark-floor/open-data/{open_period}/progress.csv", {}),
    }


# (what is checked, its figure, its goal); every goal is an upper bound.
def checks(results: dict) -> list[tuple[str, float, float]]:
    found = []
    for size, result in results.items():
        ms = result["median_ms"]
        found.append(
            (f"{size}: comparison vs its floor", ms["comparison"] / ms["comparison_floor"], GOALS["comparison"])
        )
        found.append((f"{size}: API vs its floor", ms["api"] / ms["api_floor"], GOALS["api"]))
        for page in ("comparison_signed", "board_report_signed"):
            found.append((f"{size}: {page} vs its floor", ms[page] / ms[f"{page}_floor"], GOALS["signed_off"]))
        for page in ("import_preview", "import_apply"):
            found.append((f"{size}: {page} vs its floor", ms[page] / ms[f"{page}_floor"], GOALS["import"]))
        found.append(
            (f"{size}: open-data CSV vs its floor", ms["open_data_csv"] / ms["open_data_csv_floor"], GOALS["open_data"])
        )
    one, ten = results["1x"]["median_ms"], results["10x"]["median_ms"]
    for page in SCALED_PAGES:
        found.append((f"{page} at 10x data vs 1x", ten[page] / one[page], GOALS["scale"]))
    return found


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    results = {}
    for size, shape in SIZES.items():
        database = f"{PREFIX}_{size}"
        print(f"building {database} ({shape}) ...", flush=True)
        started = time.perf_counter()
        signed_period = results["1x"]["data"]["signed_period"] if results else None
        results[size] = {"data": build(database, **shape, signed_period=signed_period)}
        print(f"  {results[size]['data']} in {time.perf_counter() - started:.0f} s", flush=True)
    manage("collectstatic", "--no-input", "-v0", env=server_env(f"{PREFIX}_1x"))  # production serves hashed files
    print(f"timing {REQUESTS} rounds on 127.0.0.1:{PORT} (1x) and :{PORT + 1} (10x) ...", flush=True)
    with ExitStack() as stack:
        timed = {}
        for port, size in enumerate(SIZES, start=PORT):
            database = f"{PREFIX}_{size}"
            stack.enter_context(serving(database, port))
            data = results[size]["data"]
            for page, target in pages(database, port, data).items():
                timed[size, page] = target
        medians = median_ms(timed)
    for size in SIZES:
        results[size]["median_ms"] = {page: ms for (at, page), ms in medians.items() if at == size}
    one, ten = results["1x"]["median_ms"], results["10x"]["median_ms"]
    print(f"\n{'page (median ms)':<27}{'1x':>9}{'10x':>9}{'10x/1x':>9}  goal at 10x")
    for page in one:
        ratio = ten[page] / one[page]
        goal = f"<= {GOALS['scale']} " + ("ok" if ratio <= GOALS["scale"] else "MISSED") if page in SCALED_PAGES else ""
        print(f"{page:<27}{one[page]:>9.1f}{ten[page]:>9.1f}{ratio:>9.2f}  {goal}")
    data = results["1x"]["data"]
    signed = " and ".join(
        f"{results[size]['data']['signed_off_returns'][data['signed_period']]} at {size}" for size in SIZES
    )
    print(f"(comparison_past is {data['past_period']}; it and comparison_change have no goal yet)")
    print(
        "(signed_in_layout and token_call are references, no goal: the least a signed-in page costs (session, user,"
        " the layout around nothing) and the least an API call with a token costs (token, throttle, empty answer))"
    )
    open_data = f"{data['open_data_rows']} rows, {data['open_data_systems']} ICSs"
    print(f"(open_data_csv is {data['open_data_period']}: {open_data})")
    print(
        f"(*_signed is {data['signed_period']}: of its {data['signed_period_systems']} systems' returns {signed} "
        f"are signed off, {BOARD_REPORT_SYSTEM}'s among them)\n"
    )
    found = checks(results)
    for name, figure, goal in found:
        print(f"{name:<42}{figure:>6.2f}x  (goal <= {goal})  {'ok' if figure <= goal else 'MISSED'}")
    missed = [name for name, figure, goal in found if figure > goal]
    print(f"\n{len(missed)} of {len(found)} goals missed" if missed else f"\nall {len(found)} goals met")
    print(
        "\nNot goals: what each page costs beyond its reference (sign-in and layout, or token and throttle), per floor"
    )
    for size, result in results.items():
        ms = result["median_ms"]
        for page, reference in BEYOND_REFERENCE.items():
            beyond = (ms[page] - ms[reference]) / ms[f"{page}_floor"]
            print(f"{size}: {page} beyond {reference}".ljust(42) + f"{beyond:>6.2f}x")
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {
                "results": results,
                "goals": [{"check": n, "figure": round(f, 3), "goal": g, "met": f <= g} for n, f, g in found],
                "all_met": not missed,
            },
            indent=2,
        )
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
