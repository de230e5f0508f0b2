"""Single sign-on with an NHS account: the whole authorization code flow against a real provider process over HTTP
(tests/conftest.py), answers no honest provider gives from a small provider whose tokens these tests sign, and the
settings that turn it on, off, or stop the process."""

import json
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import reverse

from conftest import PASSWORD, make_user
from tests.conftest import CLIENT_ID, use_provider
from tracker.models import SignOnIdentity
from tracker.models.tokens import hash_key

pytestmark = pytest.mark.django_db
User = get_user_model()


def with_email(user, email):
    user.email = email
    user.save(update_fields=["email"])
    return user


def start(client, **params):
    """Opens 'Sign in with your NHS account': the tracker's redirect to the provider."""
    response = client.get(reverse("sso_start"), params)
    assert response.status_code == 302
    return response["Location"]


def provider_answer(client, login, **params):
    """The browser's part, done with requests: the provider's login form, then the redirects until the provider
    sends the browser back to the tracker. Returns that callback address (and the browser, with its cookies)."""
    browser = requests.Session()
    page = browser.get(start(client, **params))
    assert page.status_code == 200 and 'name="login"' in page.text, page.text[:500]
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    answer = browser.post(
        urljoin(page.url, action), data={"prompt": "login", "login": login, "password": "any"}, allow_redirects=False
    )
    while not answer.headers["Location"].startswith("http://testserver/"):
        answer = browser.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False)
    callback = urlsplit(answer.headers["Location"])
    return f"{callback.path}?{callback.query}", browser


def sign_in_at_provider(client, login, **params):
    """Signs in at the provider; Django's test client follows the callback to the page the person lands on."""
    callback, browser = provider_answer(client, login, **params)
    return client.get(callback, follow=True), browser


def signed_in_user(client):
    return client.session.get("_auth_user_id")


# Against the real provider.


def test_an_ics_member_signs_in_with_their_nhs_account_and_lands_on_their_system(client, sso_on, alice):
    with_email(alice, "alice.tester@nhs.net")
    response, _ = sign_in_at_provider(client, "Alice.Tester@NHS.net")  # addresses match whatever their case
    assert response.redirect_chain[-1][0] == "/my-work/"
    assert "West Yorkshire" in response.content.decode()
    assert signed_in_user(client) == str(alice.pk)


def test_a_first_sign_in_makes_a_user_with_no_role_who_is_told_to_ask_their_ics_approver(client, sso_on):
    response, _ = sign_in_at_provider(client, "newcomer@nhs.net")
    assert response.redirect_chain[-1][0] == reverse("tracker:no_access")
    body = response.content.decode()
    assert "Ask your ICS approver" in body and "newcomer@nhs.net" in body
    user = User.objects.get(email="newcomer@nhs.net")
    assert not hasattr(user, "membership") and not user.has_usable_password()
    assert client.get(reverse("tracker:rollups")).status_code == 403


def test_a_safe_next_address_is_where_single_sign_on_ends(client, sso_on, alice):
    with_email(alice, "alice@nhs.net")
    response, _ = sign_in_at_provider(client, "alice@nhs.net", next="/catalogue/")
    assert response.redirect_chain[-1][0] == "/catalogue/"


def test_a_next_address_on_another_site_is_ignored(client, sso_on, alice):
    with_email(alice, "alice@nhs.net")
    response, _ = sign_in_at_provider(client, "alice@nhs.net", next="https://evil.example/")
    assert response.redirect_chain[-1][0] == "/my-work/"


def test_an_address_outside_the_allowed_nhs_domains_is_refused_and_nobody_is_signed_in(client, sso_on, caplog):
    response, _ = sign_in_at_provider(client, "someone@gmail.com")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You have not been signed in" in body and "someone@gmail.com is not an address this service accepts" in body
    assert signed_in_user(client) is None and not User.objects.filter(email="someone@gmail.com").exists()
    assert "email domain not allowed: someone@gmail.com" in caplog.text


def test_a_code_redeemed_without_its_pkce_verifier_is_refused_by_the_provider(client, sso_on, alice):
    with_email(alice, "alice@nhs.net")
    callback, _ = provider_answer(client, "alice@nhs.net")
    session = client.session  # someone who stole the code would not have the verifier this session keeps
    for attempt in session["oidc_states"].values():
        attempt["code_verifier"] = "x" * 64
    session.save()
    response = client.get(callback)
    assert response.status_code == 403 and "could not be verified" in response.content.decode()
    assert signed_in_user(client) is None


def test_the_same_answer_cannot_sign_in_twice(client, sso_on, alice):
    with_email(alice, "alice@nhs.net")
    callback, _ = provider_answer(client, "alice@nhs.net")
    assert client.get(callback).status_code == 302 and signed_in_user(client) == str(alice.pk)
    client.logout()
    replayed = client.get(callback)
    assert (
        replayed.status_code == 400 and "does not belong to the sign-in you started here" in replayed.content.decode()
    )
    assert signed_in_user(client) is None


def test_signing_out_after_single_sign_on_ends_the_provider_session_too(client, sso_on, alice):
    with_email(alice, "alice@nhs.net")
    _, browser = sign_in_at_provider(client, "alice@nhs.net")
    response = client.post(reverse("logout"))
    assert signed_in_user(client) is None
    end_session = response["Location"]
    assert end_session.startswith(f"{sso_on.issuer}/session/end?")
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"] and query["id_token_hint"]
    # The provider asks to confirm, then sends the browser home.
    page = browser.get(end_session)
    form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = browser.post(urljoin(page.url, form.group(1)), data={**fields, "logout": "yes"}, allow_redirects=False)
    while done.headers["Location"].startswith(sso_on.issuer):
        done = browser.get(done.headers["Location"], allow_redirects=False)
    assert done.headers["Location"] == "http://testserver/"
    # The provider forgot the person: the next sign-in asks who they are again.
    assert 'name="login"' in browser.get(start(client)).text


def test_signing_out_after_a_password_sign_in_stays_on_this_site(client, sso_on, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response["Location"] == "/" and signed_in_user(client) is None


# Answers no honest provider gives, signed by these tests with their own key and served over HTTP.


class TokenIssuer:
    """A minimal provider: discovery, JWKS and a token endpoint answering with whatever ID token the test set."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.id_token = ""
        issuer_self = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    base = issuer_self.url
                    self._json(
                        {
                            "issuer": base,
                            "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token",
                            "jwks_uri": f"{base}/jwks",
                        }
                    )
                elif self.path == "/jwks":
                    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(issuer_self.key.public_key()))
                    self._json({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})
                else:
                    self.send_error(404)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._json({"access_token": "a", "token_type": "Bearer", "id_token": issuer_self.id_token})

            def _json(self, data):
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sign(self, claims, key=None, headers=None):
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "k1", **(headers or {})})


@pytest.fixture(scope="module")
def token_issuer():
    issuer = TokenIssuer()
    yield issuer
    issuer.server.shutdown()


@pytest.fixture
def crafted(settings, token_issuer):
    use_provider(settings, discovery_url=f"{token_issuer.url}/.well-known/openid-configuration")
    return token_issuer


def answer_with(client, issuer, make_token):
    """Starts a sign-in, has the provider answer with the token `make_token(claims)` builds, and returns the page."""
    query = parse_qs(urlsplit(start(client)).query)
    now = int(time.time())
    claims = {
        "iss": issuer.url,
        "sub": "s-1",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 600,
        "nonce": query["nonce"][0],
        "email": "alice@nhs.net",
    }
    issuer.id_token = make_token(claims)
    return client.get(reverse("sso_callback"), {"code": "c", "state": query["state"][0]})


def tampered(issuer, claims):
    header, payload, signature = issuer.sign(claims).split(".")
    other = jwt.utils.base64url_encode(json.dumps({**claims, "email": "april@nhs.net"}).encode()).decode()
    return f"{header}.{other}.{signature}"


REFUSALS = {
    "tampered payload": (tampered, "could not be verified"),
    "signed by another key": (
        lambda issuer, claims: issuer.sign(claims, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "could not be verified",
    ),
    "unsigned": (
        lambda issuer, claims: jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"}),
        "could not be verified",
    ),
    "wrong audience": (
        lambda issuer, claims: issuer.sign({**claims, "aud": "another-app"}),
        "meant for another service",
    ),
    "expired": (
        lambda issuer, claims: issuer.sign({**claims, "iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}),
        "has expired",
    ),
    "wrong issuer": (
        lambda issuer, claims: issuer.sign({**claims, "iss": "https://login.example.com"}),
        "did not come from the NHS sign-in service",
    ),
    "wrong nonce": (lambda issuer, claims: issuer.sign({**claims, "nonce": "n"}), "does not belong to the sign-in"),
    "unverified email": (lambda issuer, claims: issuer.sign({**claims, "email_verified": False}), "is not verified"),
    "no email at all": (lambda issuer, claims: issuer.sign({**claims, "email": ""}), "did not tell us your email"),
    "domain not allowed": (
        lambda issuer, claims: issuer.sign({**claims, "email": "alice@nhs.net.evil.example"}),
        "is not an address this service accepts",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_answer_is_refused_with_a_clear_page_and_nobody_signed_in(client, crafted, alice, case, caplog):
    with_email(alice, "alice@nhs.net")
    make_token, says = REFUSALS[case]
    response = answer_with(client, crafted, lambda claims: make_token(crafted, claims))
    body = response.content.decode()
    assert response.status_code == 403
    assert "You have not been signed in" in body and says in body
    assert signed_in_user(client) is None and "oidc_id_token" not in client.session
    assert "Single sign-on refused" in caplog.text


def test_an_administrator_account_is_never_signed_in_by_its_email_address(client, crafted, alice):
    alice.is_superuser = True
    alice.save(update_fields=["is_superuser"])
    with_email(alice, "alice@nhs.net")
    response = answer_with(client, crafted, crafted.sign)
    assert (
        response.status_code == 403
        and "Administrator accounts sign in with their password" in response.content.decode()
    )
    assert signed_in_user(client) is None


def test_the_well_signed_answer_signs_in(client, crafted, alice):
    """The control for the refusals above: the same answer, honestly signed, is accepted."""
    with_email(alice, "alice@nhs.net")
    response = answer_with(client, crafted, crafted.sign)
    assert response.status_code == 302 and signed_in_user(client) == str(alice.pk)


def as_account(issuer, subject, email):
    """An honest answer for the NHS account `subject` whose address is `email`."""
    return lambda claims: issuer.sign({**claims, "sub": subject, "email": email})


def test_a_first_sign_in_binds_the_user_to_their_nhs_account(client, crafted, alice):
    with_email(alice, "alice@nhs.net")
    answer_with(client, crafted, as_account(crafted, "s-alice", "alice@nhs.net"))
    assert signed_in_user(client) == str(alice.pk)
    assert list(SignOnIdentity.objects.values_list("user", "issuer", "subject")) == [(alice.pk, crafted.url, "s-alice")]


def test_a_renamed_address_still_signs_in_its_nhs_account_and_the_user_follows_it(client, crafted, alice):
    with_email(alice, "alice@nhs.net")
    answer_with(client, crafted, as_account(crafted, "s-alice", "alice@nhs.net"))
    client.logout()
    answer_with(client, crafted, as_account(crafted, "s-alice", "alice.smith@nhs.net"))
    assert signed_in_user(client) == str(alice.pk)
    alice.refresh_from_db()
    assert alice.email == "alice.smith@nhs.net" and User.objects.filter(email__iexact="alice@nhs.net").count() == 0


def test_an_address_handed_to_somebody_else_does_not_sign_them_in_as_its_first_owner(client, crafted, alice, caplog):
    with_email(alice, "alice@nhs.net")
    answer_with(client, crafted, as_account(crafted, "s-alice", "alice@nhs.net"))
    client.logout()
    response = answer_with(client, crafted, as_account(crafted, "s-newcomer", "alice@nhs.net"))
    assert response.status_code == 403 and "belongs to another NHS account" in response.content.decode()
    assert signed_in_user(client) is None
    assert SignOnIdentity.objects.filter(subject="s-newcomer").count() == 0
    assert "bound to another subject" in caplog.text


def test_a_renamed_address_that_another_account_has_is_refused_and_changes_nothing(client, crafted, alice, april):
    with_email(alice, "alice@nhs.net")
    with_email(april, "april@nhs.net")
    answer_with(client, crafted, as_account(crafted, "s-alice", "alice@nhs.net"))
    client.logout()
    response = answer_with(client, crafted, as_account(crafted, "s-alice", "april@nhs.net"))
    assert response.status_code == 403 and "which another account here has" in response.content.decode()
    assert signed_in_user(client) is None
    alice.refresh_from_db()
    assert alice.email == "alice@nhs.net"


def test_entra_accounts_without_an_email_claim_are_known_by_their_preferred_username(client, crafted, alice):
    with_email(alice, "alice@nhs.net")
    entra = lambda claims: crafted.sign({**claims, "email": None, "preferred_username": "ALICE@nhs.net"})  # noqa: E731
    answer_with(client, crafted, entra)
    assert signed_in_user(client) == str(alice.pk)


def test_a_subdomain_of_an_allowed_domain_is_allowed(client, crafted):
    answer_with(client, crafted, lambda claims: crafted.sign({**claims, "email": "pat@leedsth.nhs.uk"}))
    assert User.objects.get(pk=signed_in_user(client)).email == "pat@leedsth.nhs.uk"


def test_a_switched_off_account_cannot_sign_in(client, crafted, alice):
    with_email(alice, "alice@nhs.net")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = answer_with(client, crafted, crafted.sign)
    assert response.status_code == 403 and "switched off" in response.content.decode()
    assert signed_in_user(client) is None


def test_an_error_from_the_provider_is_explained(client, crafted, caplog):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(reverse("sso_callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 403
    assert "The NHS sign-in service did not sign you in (access_denied)" in response.content.decode()
    assert state not in client.session["oidc_states"] and "provider answered access_denied" in caplog.text


def test_an_unreachable_provider_is_explained(client, settings):
    use_provider(settings, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration")
    response = client.get(reverse("sso_start"))
    assert response.status_code == 503 and "could not be reached" in response.content.decode()


def test_explicit_endpoints_work_without_a_discovery_document(client, settings, token_issuer, alice):
    with_email(alice, "alice@nhs.net")
    base = token_issuer.url
    endpoints = {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "jwks_uri": f"{base}/jwks",
        "end_session_endpoint": "",
    }
    use_provider(settings, endpoints=endpoints)
    answer_with(client, token_issuer, token_issuer.sign)
    assert signed_in_user(client) == str(alice.pk)
    assert client.post(reverse("logout"))["Location"] == "/"  # no end-session endpoint: this site only


# Turning it on and off.


def test_without_a_client_id_there_is_no_single_sign_on(client):
    assert "Sign in with your NHS account" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback"), {"code": "c", "state": "s"}).status_code == 404


def test_the_sign_in_page_offers_the_nhs_account_first_and_keeps_next(client, crafted):
    body = client.get(reverse("login"), {"next": "/invitations/abc/"}).content.decode()
    assert f'href="{reverse("sso_start")}?next=/invitations/abc/"' in body
    assert 'name="password"' in body  # password sign-in stays for local use


def test_sso_only_removes_password_sign_in_and_reset(client, crafted, settings, alice):
    settings.SSO_ONLY = True
    body = client.get(reverse("login")).content.decode()
    assert "Sign in with your NHS account" in body and 'name="password"' not in body and "Forgotten" not in body
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403 and "Password sign-in is turned off" in response.content.decode()
    assert signed_in_user(client) is None
    assert client.get(reverse("password_reset")).status_code == 404
    assert client.post(reverse("password_reset"), {"email": alice.email}).status_code == 404
    assert client.get("/admin/login/")["Location"].startswith(reverse("login"))
    settings.SSO_ONLY = False
    assert 'name="password"' in client.get("/admin/login/").content.decode()


def test_sso_only_leaves_no_password_way_in_through_an_invitation(client, crafted, settings, april, west_yorkshire):
    from tracker.models import Invitation, Membership
    from tracker.services import teams

    settings.SSO_ONLY = True
    teams.invitation_create(inviter=april, email="erin@example.nhs.uk", role="editor", system=west_yorkshire)
    token = "t" * 43  # as if its mail had left: the link carries this token
    Invitation.objects.filter(email="erin@example.nhs.uk").update(token_hash=hash_key(token))
    page = client.get(reverse("tracker:invitation", args=[token])).content.decode()
    assert "Sign in with your NHS account" in page and 'name="password1"' not in page
    client.post(
        reverse("tracker:invitation", args=[token]),
        {
            "first_name": "Erin",
            "last_name": "Evans",
            "password1": "a-long-new-password",
            "password2": "a-long-new-password",
        },
    )
    assert signed_in_user(client) is None and not Membership.objects.filter(user__email="erin@example.nhs.uk").exists()
    with pytest.raises(teams.TeamRefused, match="password accounts are switched off"):
        teams.invitation_accept_with_password(
            invitation=Invitation.objects.get(), password="a-long-new-password", first_name="E", last_name="E"
        )


def test_password_sign_in_works_while_single_sign_on_is_on(client, crafted, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert signed_in_user(client) == str(alice.pk)


def test_someone_with_a_role_is_sent_on_from_the_ask_your_approver_page(client, alice):
    client.force_login(alice)
    assert client.get(reverse("tracker:no_access"))["Location"] == "/my-work/"
    client.force_login(make_user("nora"))
    assert "Ask your ICS approver" in client.get(reverse("tracker:no_access")).content.decode()


def manage_check(**environment):
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), **environment}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        (
            {"OIDC_CLIENT_ID": "x"},
            "these are missing: OIDC_CLIENT_SECRET, OIDC_ALLOWED_EMAIL_DOMAINS, OIDC_DISCOVERY_URL",
        ),
        (
            {
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
                "OIDC_ALLOWED_EMAIL_DOMAINS": "nhs.net",
                "OIDC_TOKEN_ENDPOINT": "https://login.example.com/token",
            },
            "these are missing: OIDC_ISSUER, OIDC_AUTHORIZATION_ENDPOINT, OIDC_JWKS_URI",
        ),
        ({"OIDC_DISCOVERY_URL": "https://login.example.com/x"}, "OIDC_DISCOVERY_URL set but OIDC_CLIENT_ID is not"),
        ({"SSO_ONLY": "1"}, "SSO_ONLY=1 turns password sign-in off"),
        (
            {
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
                "OIDC_ALLOWED_EMAIL_DOMAINS": "nhs.net",
                "OIDC_DISCOVERY_URL": "http://login.example.com/x",
            },
            "is not an https:// address",
        ),
    ],
)
def test_a_partial_single_sign_on_configuration_stops_the_process_and_says_what_is_wrong(environment, says):
    result = manage_check(**environment)
    assert result.returncode != 0 and says in result.stderr


def test_a_complete_configuration_starts():
    result = manage_check(
        OIDC_CLIENT_ID="x",
        OIDC_CLIENT_SECRET="y",
        OIDC_ALLOWED_EMAIL_DOMAINS="nhs.net, nhs.uk",
        OIDC_DISCOVERY_URL="https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
        SSO_ONLY="1",
    )
    assert result.returncode == 0, result.stderr


def test_sign_out_may_end_at_the_configured_provider_and_nowhere_else():
    """Sign-out is a form whose redirect ends at the provider: the browser allows that only for its origin."""
    root = Path(__file__).resolve().parents[2]
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        "OIDC_CLIENT_ID": "x",
        "OIDC_CLIENT_SECRET": "y",
        "OIDC_ALLOWED_EMAIL_DOMAINS": "nhs.net",
        "OIDC_DISCOVERY_URL": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
    }
    code = "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "[\"'self'\", 'https://login.microsoftonline.com']", result.stderr
