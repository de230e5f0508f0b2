"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm) under the machine's Node,
run from tests/oidc_provider.mjs as a process of its own and spoken to over HTTP.

`.ci/run` installs it (npm) and sets REQUIRE_OIDC=1, so a provider that cannot start fails CI; elsewhere those tests
skip and say how to install it.
"""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

OIDC_PROVIDER_VERSION = "9.13.3"  # the version .ci/run installs
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID, CLIENT_SECRET = "ics-legacy-tracker", "tests-only-client-secret"


def oidc_provider_module() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = os.environ.get("OIDC_PROVIDER_DIR") or cache / "ics-tracker" / f"oidc-provider-{OIDC_PROVIDER_VERSION}"
    return Path(folder) / "node_modules" / "oidc-provider" / "lib" / "index.js"


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_OIDC") == "1":
        pytest.fail(f"REQUIRE_OIDC=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@contextmanager
def running_oidc_provider(site_url: str):
    """The provider on a free port, with the tracker at `site_url` registered as its client."""
    node, module = shutil.which("node"), oidc_provider_module()
    if node is None or not module.exists():
        _unavailable(
            f"no OpenID Connect provider for the single sign-on tests: install Node and `npm install --prefix "
            f"{module.parents[2]} oidc-provider@{OIDC_PROVIDER_VERSION}` (or set OIDC_PROVIDER_DIR to such a folder)"
        )
    port = free_port()
    environment = {
        **os.environ,
        "OIDC_PROVIDER_MODULE": str(module),
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": f"{site_url}/oidc/callback/",
        "POST_LOGOUT_REDIRECT_URIS": f"{site_url}/",
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    provider = Provider(issuer=f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60  # a busy machine starts Node slowly
        while True:
            if process.poll() is not None:
                _unavailable(f"the OpenID Connect provider exited at start-up: {process.stdout.read()[-2000:]}")
            try:
                if requests.get(provider.discovery_url, timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                _unavailable("the OpenID Connect provider did not answer within a minute")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def oidc_provider():
    """The provider, with Django's test client (http://testserver) as its registered client."""
    with running_oidc_provider("http://testserver") as provider:
        yield provider


def use_provider(settings, *, discovery_url="", endpoints=None, client_id=CLIENT_ID, domains=("nhs.net", "nhs.uk")):
    """Single sign-on on, as the environment would turn it on (config/settings.py), for one test."""
    from tracker import sso

    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = client_id, CLIENT_SECRET
    settings.OIDC_DISCOVERY_URL, settings.OIDC_PROVIDER_ENDPOINTS = discovery_url, endpoints or {}
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = list(domains)
    sso.forget_provider()


@pytest.fixture
def sso_on(settings, oidc_provider):
    use_provider(settings, discovery_url=oidc_provider.discovery_url)
    return oidc_provider
