"""The trust sweep: request limits, sign-in throttling, malformed input, headers, database outage, refusals."""

import html
import io
import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from config import views as config_views
from config.network import client_ip
from config.throttling import TokenRateThrottle
from conftest import PASSWORD
from tracker.models import ApiToken
from tracker.uploads import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
RECORD_EDIT = "/systems/QWO/records/NHSCC-4/edit/"
EVIDENCE_ADD = "/systems/QWO/records/NHSCC-4/evidence/"


# --- 2. Request bodies are refused before they are read ---------------------------------------------------------


class CountingInput(io.RawIOBase):
    """A request body that remembers how much of it was read, and is as long as asked."""

    def __init__(self, length, byte=b"a"):
        self.length, self.byte, self.bytes_read = length, byte, 0

    def read(self, size=-1):
        size = self.length - self.bytes_read if size is None or size < 0 else min(size, self.length - self.bytes_read)
        self.bytes_read += size
        return self.byte * size

    def readline(self, size=-1):
        return self.read(size)


def post_declaring(client, path, length, **extra):
    body = CountingInput(length)
    environ = {"wsgi.input": body, "CONTENT_LENGTH": str(length), **extra}
    response = client.generic("POST", path, CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy", **environ)
    return response, body


def test_a_200_mb_sign_in_post_is_refused_with_413_unread(client):
    response, body = post_declaring(client, reverse("login"), 200 * MB)
    assert response.status_code == 413 and body.bytes_read == 0
    body = response.content.decode()
    assert "The request is too large" in body and "nhsuk-header" in body and "Evidence files" not in body


def test_a_200_mb_post_to_a_login_protected_page_is_refused_unread(client):
    response, body = post_declaring(client, RECORD_EDIT, 200 * MB)
    assert response.status_code == 413 and body.bytes_read == 0


def test_an_editors_200_mb_evidence_upload_is_refused_before_the_10_mb_check_reads_it(client, alice):
    client.force_login(alice)
    response, body = post_declaring(client, EVIDENCE_ADD, 200 * MB)
    assert response.status_code == 413 and body.bytes_read == 0
    assert "10 MB" in response.content.decode()


def test_an_oversized_api_upload_is_a_413_in_json(client, alice):
    client.force_login(alice)
    response, body = post_declaring(client, "/api/v1/evidence/", 200 * MB)
    assert response.status_code == 413 and body.bytes_read == 0
    assert response.json() == {"detail": "The request is too large: the most this address accepts is 11 MB."}


def test_upload_pages_accept_more_than_other_pages(client, alice):
    client.force_login(alice)
    # 2 MB: too much for a form, fine for an evidence upload (which then says what is wrong with the file).
    assert post_declaring(client, RECORD_EDIT, 2 * MB)[0].status_code == 413
    paper = SimpleUploadedFile("paper.pdf", b"%PDF-1.7\n" + b"0" * (2 * MB))
    response = client.post(
        EVIDENCE_ADD, {"title": "Big paper", "kind": "board_paper", "refers_to": "2026-05-14", "file": paper}
    )
    assert response.status_code == 302
    assert settings.MAX_UPLOAD_REQUEST_BYTES > MAX_UPLOAD_BYTES > settings.MAX_REQUEST_BYTES


def test_the_limits_come_from_settings(client, settings):
    settings.MAX_REQUEST_BYTES = 100
    response = client.post(reverse("login"), {"username": "x" * 200, "password": "y"})
    assert response.status_code == 413


class CountingBody(io.BytesIO):
    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def chunked_post(client, path, body: bytes):
    """What gunicorn hands Django for `Transfer-Encoding: chunked`: no Content-Length, a stream that ends."""
    stream = CountingBody(body)
    environ = {"wsgi.input": stream, "CONTENT_LENGTH": "", "wsgi.input_terminated": True}
    response = client.generic("POST", path, CONTENT_TYPE="application/x-www-form-urlencoded", **environ)
    return response, stream


def test_a_chunked_body_past_the_limit_is_a_413_never_a_500(client, alice):
    body = b"username=alice&password=" + b"x" * (3 * MB)
    response, stream = chunked_post(client, reverse("login"), body)
    assert response.status_code == 413
    assert stream.bytes_read <= settings.MAX_REQUEST_BYTES + 1


def test_a_small_chunked_body_is_read_as_usual(client, alice):
    response, _ = chunked_post(client, reverse("login"), f"username=alice&password={PASSWORD}".encode())
    assert response.status_code == 302


# --- 5. Sign-in throttling: django-axes, in the database, keyed on username and address --------------------------


def sign_in(client, password, ip="10.0.0.1", username="alice"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_only_five_wrong_passwords_are_checked_then_the_username_pauses_from_that_address(client, alice):
    statuses = [sign_in(client, "wrong").status_code for _ in range(8)]
    assert statuses == [200, 200, 200, 200, 429, 429, 429, 429]  # the fifth failure pauses
    page = sign_in(client, PASSWORD)
    assert page.status_code == 429 and page["Retry-After"] == "900"
    assert (
        "Too many failed sign-in attempts for this username from this device. Wait 15 minutes" in page.content.decode()
    )
    # The count is in the database, so every gunicorn worker and app server sees the same one.
    assert AccessAttempt.objects.get(username="alice", ip_address="10.0.0.1").failures_since_start == 9


def test_an_attacker_cannot_lock_a_real_user_out(alice):
    attacker, alice_browser = Client(), Client()
    for _ in range(10):
        sign_in(attacker, "guess", ip="203.0.113.9")
    assert sign_in(alice_browser, PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_right_password_works_again_after_the_pause(client, alice):
    for _ in range(5):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert sign_in(client, PASSWORD).status_code == 302


def test_the_sign_in_form_keeps_the_nhsuk_style(client):
    body = client.get(reverse("login")).content.decode()
    assert 'class="nhsuk-input"' in body and "Forgotten your password?" in body


def test_the_membership_backend_still_signs_people_in_after_axes():
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "tracker.authentication.MembershipBackend",
        "tracker.sso.SingleSignOnBackend",
    ]


def test_the_client_address_behind_a_trusted_proxy_is_the_one_the_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "10.1.1.1"  # no proxy configured: the header is the client's claim
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"  # what our proxy appended; the client's own entry is ignored


def test_the_cache_is_shared_by_every_process_through_the_database():
    assert settings.CACHES["default"]["BACKEND"] == "config.cache.DatabaseCache"
    assert isinstance(caches["default"], DatabaseCache)  # Django's, reads and culling included
    cache.set("shared", "yes")
    assert cache.get("shared") == "yes"


def test_the_cache_rewrites_a_key_it_holds_with_one_statement_and_adds_a_new_one_as_django_does():
    with CaptureQueriesContext(connection) as added:
        cache.set("count", [1.0])
    assert any(q["sql"].startswith("SELECT COUNT(*)") for q in added)  # a new key: culled first, as always
    with CaptureQueriesContext(connection) as rewritten:
        cache.set("count", [1.0, 2.0], timeout=60)
    assert [q["sql"].split()[0] for q in rewritten] == ["UPDATE"]
    assert cache.get("count") == [1.0, 2.0]
    cache.set("count", [3.0], timeout=0)  # expired at once, as Django's set() does it
    assert cache.get("count") is None
    assert cache.add("count", "again") and cache.get("count") == "again"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="UNLOGGED is PostgreSQL's")
def test_on_postgresql_the_cache_table_skips_the_write_ahead_log():
    """Its counts may be lost in a crash; a request whose only write is its throttle count commits without a flush."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s", [settings.CACHES["default"]["LOCATION"]]
        )
        assert cursor.fetchone() == ("u",)
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'axes_accessattempt'")
        assert cursor.fetchone() == ("p",)  # sign-in lockouts stay durable


def test_migrate_alone_creates_the_cache_table_and_every_process_shares_the_api_throttle(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DEBUG": "1"}
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True)

    def in_a_process(code):
        result = subprocess.run(
            [*run, "shell", "-c", code], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, text=True
        )
        return result.stdout.strip().splitlines()[-1]

    assert in_a_process("from django.core.cache import cache; cache.set('k', 42); print(cache.get('k'))") == "42"
    # Two processes (two gunicorn workers) count one token's requests together: 3 a minute, so the fourth waits.
    requests = (
        "from types import SimpleNamespace; from config.throttling import TokenRateThrottle; "
        "from tracker.models import ApiToken; TokenRateThrottle.THROTTLE_RATES = {'token': '3/minute'}; "
        "request = SimpleNamespace(auth=ApiToken(pk=7)); "
        "print([TokenRateThrottle().allow_request(request, None) for _ in range(2)])"
    )
    assert in_a_process(requests) == "[True, True]"
    assert in_a_process(requests) == "[True, False]"


@pytest.fixture
def three_requests_a_minute(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})


def test_api_token_requests_are_throttled_per_token(alice, three_requests_a_minute):
    _, key = ApiToken.issue(alice, "script")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    statuses = [api.get("/api/v1/progress/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/api/v1/progress/")
    assert "Retry-After" in refused and "throttled" in refused.json()["detail"]
    session = APIClient()
    session.force_login(alice)
    assert [session.get("/api/v1/progress/").status_code for _ in range(4)] == [200] * 4


def test_two_throttles_count_one_tokens_requests_together(alice, three_requests_a_minute):
    """Each request makes its own throttle: the count is the cache's, never the instance's or the process's."""
    token, _ = ApiToken.issue(alice, "script")
    request = SimpleNamespace(auth=token)
    assert [TokenRateThrottle().allow_request(request, None) for _ in range(4)] == [True, True, True, False]


# --- 6. Malformed input: NUL characters are a 400 or 404, never a 500 -------------------------------------------

NUL_ADDRESSES = [
    "/systems/QWO%00/",
    "/systems/QWO%00/history/",
    "/systems/QWO%00/report/",
    "/systems/QWO/records/NHSCC-4%00/",
    "/catalogue/X%00/",
    "/peer-learning/NHSCC-4%00/",
    "/api/v1/systems/QWO%00/",
    "/api/v1/recommendations/NHSCC-1%00/",
    "/evidence/%00/download/",
]
NUL_PARAMETERS = [
    "/comparison/rollups/?trend=%00",
    "/comparison/?region=%00",
    "/comparison/?period=%00",
    "/catalogue/?q=%00",
    "/systems/?region=%00",
    "/systems/QWO/?status=%00",
    "/api/v1/progress/?system=%00",
    "/api/v1/progress/?as_at_period=%00",
    "/api/v1/systems/?region=%00",
    "/api/v1/recommendations/?q=%00",
    "/api/v1/history/?since=%00",
    "/catalogue/?%00=1",
]


@pytest.mark.parametrize("who", ["anonymous", "national"])
@pytest.mark.parametrize("url", NUL_ADDRESSES)
def test_a_nul_in_the_address_is_a_404(client, nadia, who, url):
    if who == "national":
        client.force_login(nadia)
    response = client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "national"])
@pytest.mark.parametrize("url", NUL_PARAMETERS)
def test_a_nul_in_a_parameter_is_a_400(client, nadia, who, url):
    if who == "national":
        client.force_login(nadia)
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json() == {"detail": "The address or its parameters are not valid."}
    else:
        assert "The address is not valid" in response.content.decode()


def test_a_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/catalogue/").status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"username": "ali\x00ce", "password": PASSWORD},
        {"username": "alice", "password": "x\x00"},
    ],
)
def test_a_nul_in_a_sign_in_form_is_an_ordinary_form_error(client, alice, data):
    assert client.post(reverse("login"), data).status_code == 200


def test_a_nul_in_an_edit_form_is_an_ordinary_form_error(client, alice):
    client.force_login(alice)
    response = client.post(RECORD_EDIT, {"status": "red\x00", "summary": "a\x00b", "version": "0", "reason": "x"})
    assert response.status_code == 200


# --- 7. Headers: Content-Security-Policy everywhere, no-store on private responses, strict settings ---------------

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_template_has_an_inline_script_style_or_event_handler():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 20
    for path in templates:
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
            assert not pattern.search(text), f"{path}: {pattern.search(text).group(0)}"


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)


PAGES = {
    # url: who
    "/": None,
    "/catalogue/": None,
    "/catalogue/NHSCC-1/": None,
    "/systems/": None,
    "/systems/QWO/": "alice",
    "/systems/QWO/records/NHSCC-4/": "alice",
    "/systems/QWO/records/NHSCC-4/edit/": "alice",
    "/systems/QWO/report/": "alice",
    "/comparison/": "nadia",
    "/comparison/rollups/": "nadia",
    "/peer-learning/": "alice",
    "/account/tokens/": "alice",
    "/systems/QWO/team/": "alice",
    "/teams/": "nadia",
    "/accounts/login/": None,
    "/accounts/password_reset/": None,
    "/api/v1/docs/": None,
    "/api/v1/recommendations/": None,
    "/api/v1/progress/": "alice",
    "/admin/login/": None,
    "/admin/": "root",
    "/admin/auth/user/": "root",
    "/comparison/?as=viewer": "bob",  # 403
    "/systems/NOPE/": None,  # 404
}


@pytest.mark.parametrize(("url", "who"), PAGES.items())
def test_every_page_type_has_a_strict_content_security_policy(client, personas, superuser, url, who):
    users = {"alice": personas["editor"], "bob": personas["viewer"], "nadia": personas["national"], "root": superuser}
    if who:
        client.force_login(users[who])
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)
        assert not re.search(r"\sstyle\s*=", body), url


def test_the_error_pages_have_the_policy_too(client, alice):
    assert "Content-Security-Policy" in post_declaring(client, reverse("login"), 200 * MB)[0]
    assert "Content-Security-Policy" in client.get("/systems/QWO%00/")


def test_the_rollup_bars_need_no_inline_style_and_keep_their_words(client, nadia):
    client.force_login(nadia)
    body = client.get("/comparison/rollups/").content.decode()
    assert '<span class="app-bar"><svg' in body and 'viewBox="0 0 100 1"' in body
    assert re.search(r'<span class="nhsuk-u-visually-hidden">Not assessed: \d+\. </span>', body)


def test_swagger_ui_starts_from_a_file_not_an_inline_script(client):
    body = client.get("/api/v1/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?script=)"', body)
    assert script, body
    assert "SwaggerUIBundle" in client.get(script.group(1)).content.decode()


@pytest.mark.parametrize(
    "url",
    ["/systems/QWO/", "/account/tokens/", "/systems/QWO/report/?format=csv", "/api/v1/progress/", "/catalogue/"],
)
def test_whatever_a_signed_in_user_sees_is_never_stored_by_a_cache(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_token_requests_are_never_stored_by_a_cache(alice):
    _, key = ApiToken.issue(alice, "dashboard")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert "no-store" in api.get("/api/v1/progress/?format=csv")["Cache-Control"]
    assert "no-store" in api.get("/api/v1/recommendations/")["Cache-Control"]


def test_public_pages_and_static_files_stay_cacheable(client, alice, settings):
    for url in ["/catalogue/", "/catalogue/NHSCC-1/", "/api/v1/recommendations/"]:
        assert "no-store" not in client.get(url).get("Cache-Control", "")
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    browser = Client()
    browser.force_login(alice)
    static = browser.get("/static/tracker/tracker.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


def settings_of(env, code):
    base = {"PATH": "/usr/bin:/bin", "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
         f"from django.conf import settings; {code}"],
        cwd=settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True,
    )  # fmt: skip


def test_a_typo_in_a_yes_no_setting_stops_the_process():
    result = settings_of({"DEBUG": "flase"}, "print(settings.DEBUG)")
    assert result.returncode != 0 and "DEBUG='flase' is not a yes/no value" in result.stderr
    assert settings_of({"DEBUG": "off"}, "print(settings.DEBUG)").returncode != 0  # off: SECRET_KEY then needed
    assert settings_of({"DEBUG": "Yes"}, "print(settings.DEBUG)").stdout.strip() == "True"


def test_the_proxy_https_header_is_trusted_only_when_asked():
    code = "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert settings_of({}, code).stdout.strip() == "None"
    trusted = settings_of({"TRUST_X_FORWARDED_PROTO": "1"}, code)
    assert trusted.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_forged_forwarded_proto_does_not_make_a_request_secure(rf):
    assert not rf.get("/", HTTP_X_FORWARDED_PROTO="https").is_secure()


# --- 9. Database outage: 503 with Retry-After, logged once per interval -------------------------------------------


@pytest.fixture
def outage(monkeypatch):
    """Every new use of the database connection fails, as when PostgreSQL is stopped."""
    config_views._outage.update(logged_at=None, unlogged=0)

    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    yield
    config_views._outage.update(logged_at=None, unlogged=0)


def test_a_page_during_an_outage_is_a_plain_503_that_touches_no_database(client, outage):
    response = client.get("/catalogue/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Sorry, the service is unavailable" in body and "nhsuk-header" in body
    assert "Demonstration data" not in body


def test_a_signed_in_page_during_an_outage_is_a_503(client, alice, outage):
    client.cookies["sessionid"] = "s" * 32  # the session itself cannot be read
    response = client.get("/systems/QWO/")
    assert response.status_code == 503


def test_the_api_during_an_outage_is_a_503_in_json(client, outage):
    response = client.get("/api/v1/recommendations/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["detail"].startswith("The service is unavailable")


def test_an_outage_is_logged_once_per_interval_not_once_per_request(client, outage, caplog, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(config_views, "monotonic", lambda: clock[0])
    with caplog.at_level(logging.INFO):
        for url in ["/catalogue/", "/api/v1/recommendations/"] * 10:
            assert client.get(url).status_code == 503
        clock[0] += settings.DATABASE_OUTAGE_LOG_SECONDS
        client.get("/catalogue/")
    outage_lines = [r.getMessage() for r in caplog.records if r.name == "config.database"]
    assert len(outage_lines) == 2
    assert "Connection refused" in outage_lines[0] and "19 more failures since the last report" in outage_lines[1]
    assert not [r for r in caplog.records if r.name == "django.request" or r.exc_info]


def test_an_outage_met_outside_a_view_is_still_a_503_logged_once(rf, outage):
    """A middleware (the session's, saving) can meet the outage too: Django then asks handler500, inside the except."""
    request = rf.get("/systems/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = config_views.server_error(request)
    assert response.status_code == 503 and response._has_been_logged


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_real_postgresql_outage_under_gunicorn_is_503s_and_one_log_line(tmp_path):
    """The app served as in production, its DATABASE_URL pointing at a port nobody listens on."""
    import urllib.error
    import urllib.request

    port, closed = free_port(), free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": "outage-test-secret-key-long-and-random-enough-for-django-2026",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed}/none",
    }
    env["STATIC_ROOT"] = str(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        statuses = []
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/catalogue/", timeout=5)
            except urllib.error.HTTPError as error:
                statuses.append((error.code, error.headers["Retry-After"]))
                break
            except OSError:
                time.sleep(0.1)
        for url in ["/catalogue/", "/systems/", "/api/v1/recommendations/", "/api/v1/systems/QWO/"] * 5:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=5)
            except urllib.error.HTTPError as error:
                statuses.append((error.code, error.headers["Retry-After"]))
    finally:
        server.terminate()
        server.wait(10)
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert statuses == [(503, "30")] * 21, output
    assert output.count("Database unavailable, answering 503") == 1, output
    assert "Traceback" not in output


# --- 27. Refusals give their true reason -----------------------------------------------------------------------


def test_an_ics_user_opening_the_comparison_is_told_it_is_for_the_national_team(client, alice):
    client.force_login(alice)
    response = client.get(reverse("tracker:comparison"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "This page is for the national team." in body
    assert "read this page's records but not change them" not in body


def test_a_viewer_trying_to_edit_is_told_they_can_only_read(client, bob):
    client.force_login(bob)
    response = client.get(RECORD_EDIT)
    assert response.status_code == 403
    assert "You can read this system's records but not change them." in html.unescape(response.content.decode())


def test_an_outsiders_404_is_our_page_even_with_debug_on(client, charlie, settings):
    settings.DEBUG = True  # as under `make run`
    client.force_login(charlie)
    response = client.get("/systems/QWO/records/NHSCC-4/")
    body = response.content.decode()
    assert response.status_code == 404 and "nhsuk-header" in body
    assert "No such integrated care system, or you do not have access to it." in body
    assert "URLconf" not in body and "urlpatterns" not in body.lower()


def test_django_s_own_404_messages_are_not_shown(client):
    body = client.get("/catalogue/NOPE-99/").content.decode()
    assert "Page not found" in body and "matches the given query" not in body


def test_api_refusals_stay_json(client, alice, charlie):
    client.force_login(charlie)
    assert client.get("/api/v1/systems/NOPE/").json()["detail"]
    assert client.get("/api/v1/nothing-here/").json() == {"detail": "Not found."}


def test_a_stale_form_is_told_why_it_was_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(RECORD_EDIT, {"status": "red"})
    assert response.status_code == 403
    assert "The form had expired or did not come from this site" in response.content.decode()
