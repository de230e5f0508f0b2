"""Single sign-on with NHS accounts (OpenID Connect; Microsoft Entra ID in production): its rules, in one place.

mozilla-django-oidc runs the protocol: the authorization code flow with PKCE, a state and a nonce, and ID tokens
signed RS256 and checked against the provider's published keys (JWKS). This module decides the rest: where the
provider's endpoints come from (its discovery document, read when first needed and cached), what the ID token must
say (this service as its audience, the provider as its issuer, not expired), which claim is the person's email and
whether its domain is allowed, which user that is (by the NHS account's subject once known, else by email; a first
sign-in makes a user with no role), and where signing out ends. Every refusal is a `SignInRefused`, with a sentence
for the person and a detail for the log.
"""

import logging
import re
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .authentication import MembershipBackend
from .models import SignOnIdentity

logger = logging.getLogger("tracker.sso")

UNAVAILABLE = "The NHS sign-in service could not be reached. Try again in a few minutes."
NOT_VERIFIED = "The answer from the NHS sign-in service could not be verified, so nobody has been signed in."
EXPIRED = "Your sign-in took too long and has expired. Start again from the sign-in page."
WRONG_AUDIENCE = "The NHS sign-in service's answer was meant for another service, not this one."
WRONG_ISSUER = "The answer did not come from the NHS sign-in service this site trusts."
WRONG_ATTEMPT = "This answer does not belong to the sign-in you started here. Start again from the sign-in page."
NO_EMAIL = "Your NHS account did not tell us your email address, so we cannot tell who you are."
UNVERIFIED_EMAIL = "Your NHS account's email address is not verified, so we cannot tell who you are."

# ID tokens' times are the provider's clock: allow a little drift between its clock and ours.
CLOCK_SKEW_SECONDS = 60
DISCOVERY_MAX_AGE_SECONDS = 24 * 60 * 60
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class SignInRefused(Exception):
    """A single sign-on that must not go ahead: `message` is shown to the person, `detail` goes to the log."""

    def __init__(self, message: str, detail: str, status: int = 403):
        super().__init__(detail)
        self.message, self.detail, self.status = message, detail, status


def enabled() -> bool:
    """Single sign-on is on when a client id is configured (settings check the rest at start-up)."""
    return bool(settings.OIDC_RP_CLIENT_ID)


_discovered: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def provider() -> dict:
    """The provider's issuer and endpoints: as configured, or from its discovery document, fetched on first use and
    kept for a day in this process (providers move keys, which are fetched at every sign-in, not endpoints)."""
    url = settings.OIDC_DISCOVERY_URL
    if not url:
        return settings.OIDC_PROVIDER_ENDPOINTS
    with _discovery_lock:
        cached = _discovered.get(url)
    if cached and time.monotonic() - cached[0] < DISCOVERY_MAX_AGE_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused(UNAVAILABLE, f"discovery document {url} unreadable: {error}", status=503) from None
    missing = [key for key in REQUIRED_METADATA if not isinstance(document, dict) or not document.get(key)]
    if missing:
        raise SignInRefused(UNAVAILABLE, f"discovery document {url} lacks {', '.join(missing)}", status=503)
    endpoints = {key: document.get(key) or "" for key in (*REQUIRED_METADATA, "end_session_endpoint")}
    with _discovery_lock:
        _discovered[url] = (time.monotonic(), endpoints)
    return endpoints


def forget_provider() -> None:
    """Drop the cached discovery documents (tests start providers on new ports)."""
    with _discovery_lock:
        _discovered.clear()


def email_of(claims: dict) -> str:
    """The person's email address, lower case. `email` when the provider sends it; Entra ID sends that only for
    accounts with a mailbox (and as an optional claim), so otherwise `preferred_username` or `upn`, which for NHSmail
    and most NHS tenants is the person's sign-in address. A provider that says the address is unverified is refused."""
    if claims.get("email_verified") is False:
        raise SignInRefused(UNVERIFIED_EMAIL, f"email_verified is false for sub {claims.get('sub')!r}")
    for name in ("email", "preferred_username", "upn"):
        value = str(claims.get(name) or "").strip()
        if EMAIL.fullmatch(value):
            return value.lower()
    raise SignInRefused(NO_EMAIL, f"no email, preferred_username or upn claim for sub {claims.get('sub')!r}")


def domain_allowed(email: str) -> bool:
    """An allowed domain admits its subdomains too: nhs.uk admits leedsth.nhs.uk."""
    domain = email.rsplit("@", 1)[1]
    return any(domain == allowed or domain.endswith("." + allowed) for allowed in settings.OIDC_ALLOWED_EMAIL_DOMAINS)


@transaction.atomic
def user_for_claims(claims: dict):
    """The user an ID token names. Found by the NHS account's issuer and subject once they have signed in here, else
    by email address whatever its case, and then bound to that subject. Someone signing in for the first time becomes
    a user with no role and no password: what they may see comes from an invitation, never from signing in."""
    email = email_of(claims)
    if not domain_allowed(email):
        allowed = ", ".join(settings.OIDC_ALLOWED_EMAIL_DOMAINS)
        raise SignInRefused(
            f"{email} is not an address this service accepts: sign in with an NHS account ending in {allowed}.",
            f"email domain not allowed: {email}",
        )
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    identity = SignOnIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity:
        _check_may_sign_in(identity.user, email)
        if identity.user.email.lower() != email:
            _follow_renamed_address(identity.user, email)
        return identity.user
    User = get_user_model()
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise SignInRefused(
            f"More than one account here has the address {email}. Ask the national team to merge them.",
            f"several users have the email {email}",
        )
    if users:
        user = users[0]
        _check_may_sign_in(user, email)
        # The address was handed on: its account here is somebody else's, who signed in with their own NHS account.
        if SignOnIdentity.objects.filter(user=user, issuer=issuer).exists():
            raise SignInRefused(
                f"The account here with the address {email} belongs to another NHS account. Ask the national team.",
                f"user {user.pk} ({email}) is bound to another subject of {issuer}, not {subject}",
            )
    else:
        given, family = str(claims.get("given_name") or ""), str(claims.get("family_name") or "")
        if not (given or family):
            given = str(claims.get("name") or "")
        user = User(username=_free_username(email), email=email, first_name=given[:150], last_name=family[:150])
        user.set_unusable_password()
        user.save()
        logger.info("Single sign-on created user %s (no role until invited)", email)
    SignOnIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    return user


def _check_may_sign_in(user, email: str) -> None:
    if not user.is_active:
        raise SignInRefused("Your account here has been switched off. Ask your ICS approver.", f"inactive user {email}")
    # An email address names a person to the provider, not an administrator here: an account that can change
    # everything signs in with its password, never by whoever controls a mailbox with its address.
    if user.is_superuser or user.is_staff:
        raise SignInRefused(
            "Administrator accounts sign in with their password, not with an NHS account.",
            f"single sign-on refused for an administrator account: {email}",
        )


def _follow_renamed_address(user, email: str) -> None:
    """The NHS account's address changed (a new name, a new organisation): the user's follows it, unless another
    account here has the new one, which only the national team can sort out."""
    if get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise SignInRefused(
            f"Your NHS account's address is now {email}, which another account here has. Ask the national team "
            "to merge them.",
            f"user {user.pk} ({user.email}) signed in as {email}, which another user has",
        )
    logger.info("Single sign-on: user %s's address changed from %s to %s", user.pk, user.email, email)
    user.email = email
    user.save(update_fields=["email"])


def _free_username(email: str) -> str:
    User = get_user_model()
    username, suffix = email[:150], 1
    while User.objects.filter(username=username).exists():
        suffix += 1
        username = f"{email[:140]}-{suffix}"
    return username


def sign_out_url(request) -> str:
    """Where signing out ends. A session that signed in with the provider is sent to its end-session endpoint with
    the ID token, so the NHS account is signed out there too and the provider sends the person back home."""
    home = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not (enabled() and id_token):
        return home
    try:
        endpoint = provider().get("end_session_endpoint")
    except SignInRefused as refusal:
        logger.warning("Signing out of the tracker only: %s", refusal.detail)
        return home
    if not endpoint:
        return home
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(home),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with this module's rules: endpoints read when a sign-in happens, the ID token's
    audience, issuer and expiry checked as well as its signature and nonce, and the user found as user_for_claims
    says."""

    def __init__(self, *args, **kwargs):
        # The library reads every endpoint here, at start-up; ours may come from a discovery document read later.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: password sign-ins never reach the provider.
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        endpoints = provider()
        self.issuer = endpoints["issuer"]
        self.OIDC_OP_TOKEN_ENDPOINT, self.OIDC_OP_JWKS_ENDPOINT = endpoints["token_endpoint"], endpoints["jwks_uri"]
        self.OIDC_RP_CLIENT_ID, self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO, self.OIDC_RP_IDP_SIGN_KEY = settings.OIDC_RP_SIGN_ALGO, None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload):
        try:
            return super().get_token(payload)
        except requests.HTTPError as error:
            raise SignInRefused(NOT_VERIFIED, f"token endpoint refused the code: {error}") from None
        except requests.RequestException as error:
            raise SignInRefused(UNAVAILABLE, f"token endpoint unreachable: {error}", status=503) from None

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInRefused(NOT_VERIFIED, "the token response had no ID token")
        try:
            key = self.retrieve_matching_jwk(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except requests.RequestException as error:
            raise SignInRefused(UNAVAILABLE, f"JWKS unreachable: {error}", status=503) from None
        except jwt.ExpiredSignatureError:
            raise SignInRefused(EXPIRED, "ID token expired") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(WRONG_AUDIENCE, "ID token audience is not our client id") from None
        except jwt.InvalidIssuerError:
            raise SignInRefused(WRONG_ISSUER, f"ID token issuer is not {self.issuer}") from None
        except (jwt.InvalidTokenError, SuspiciousOperation, KeyError) as error:
            raise SignInRefused(NOT_VERIFIED, f"ID token rejected: {type(error).__name__}: {error}") from None
        if not kwargs.get("nonce") or claims.get("nonce") != kwargs["nonce"]:
            raise SignInRefused(WRONG_ATTEMPT, "ID token nonce does not match the session's")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        # The verified ID token says who this is; the userinfo endpoint would add nothing we use.
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        return user_for_claims(payload)

    def get_user(self, user_id):
        return MembershipBackend().get_user(user_id)
