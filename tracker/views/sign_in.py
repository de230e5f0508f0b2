"""Signing in and out: the password form (for local use; SSO_ONLY turns it off), single sign-on with an NHS account
(the rules are tracker/sso.py), and the page for someone signed in who has no role yet."""

import functools
import logging

from django.conf import settings
from django.contrib import admin, auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .. import sso
from ..forms import SignInForm
from ..models.register import has_role

logger = logging.getLogger("tracker.sso")

PASSWORD_SIGN_IN_OFF = "Password sign-in is turned off here: sign in with your NHS account."


def password_sign_in_only(view):
    """For the password pages (reset, change): gone when SSO_ONLY is on."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.SSO_ONLY:
            raise Http404(PASSWORD_SIGN_IN_OFF)
        return view(request, *args, **kwargs)

    return wrapped


class SignInView(auth_views.LoginView):
    """The sign-in page: 'Sign in with your NHS account' when single sign-on is on, the password form unless
    SSO_ONLY. Failed password sign-ins are throttled by django-axes."""

    authentication_form = SignInForm

    def post(self, request, *args, **kwargs):
        if settings.SSO_ONLY:
            raise PermissionDenied(PASSWORD_SIGN_IN_OFF)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, sso_enabled=sso.enabled(), password_sign_in=not settings.SSO_ONLY)


def admin_sign_in(request):
    """The admin's own password form, replaced by the sign-in page when SSO_ONLY is on."""
    if settings.SSO_ONLY:
        return redirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next', reverse('admin:index'))})}")
    return admin.site.login(request)


def refused(request, refusal: sso.SignInRefused):
    logger.warning("Single sign-on refused: %s", refusal.detail)
    return render(request, "tracker/people/sign_in_refused.html", {"message": refusal.message}, status=refusal.status)


class SingleSignOnStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge. A safe `?next=` (this site
    only) is where the person lands afterwards, so an invitation page can send people through sign-in and back."""

    def __init__(self, **kwargs):
        # Skip the library's __init__, which reads the endpoints at start-up: ours may come from discovery.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if not sso.enabled():
            raise Http404("Single sign-on is not set up here.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.provider()["authorization_endpoint"]
        except sso.SignInRefused as refusal:
            return refused(request, refusal)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. Anything but a verified sign-in ends on a page saying why, with
    nobody signed in, and is logged."""

    def get(self, request):
        if not sso.enabled():
            raise Http404("Single sign-on is not set up here.")
        try:
            return self._sign_in(request)
        except sso.SignInRefused as refusal:
            request.session.pop("oidc_id_token", None)  # kept by the backend before the refusal
            return refused(request, refusal)

    def _sign_in(self, request):
        if request.GET.get("error"):
            error = request.GET["error"][:100]
            states = request.session.get("oidc_states", {})
            if request.GET.get("state") in states:
                del states[request.GET["state"]]
                request.session.modified = True
            detail = f"provider answered {error}: {request.GET.get('error_description', '')[:300]}"
            raise sso.SignInRefused(f"The NHS sign-in service did not sign you in ({error}).", detail)
        state, code = request.GET.get("state"), request.GET.get("code")
        states = request.session.get("oidc_states")
        if not (state and code and isinstance(states, dict) and state in states):
            raise sso.SignInRefused(sso.WRONG_ATTEMPT, "callback state missing or not in this session", status=400)
        # Each state is used once: a replayed answer finds nothing.
        attempt = states.pop(state)
        request.session.modified = True
        request.session.save()
        self.user = auth.authenticate(request, nonce=attempt.get("nonce"), code_verifier=attempt.get("code_verifier"))
        if self.user is None:
            raise sso.SignInRefused(sso.NOT_VERIFIED, "no user from the single sign-on backend")
        return self.login_success()


# Both talk to the provider over the network: no database transaction is held open meanwhile (a first sign-in's new
# user is saved in its own, tracker.sso.user_for_claims).
sso_start = transaction.non_atomic_requests(SingleSignOnStart.as_view())
sso_callback = transaction.non_atomic_requests(SingleSignOnCallback.as_view())


@require_POST
def sign_out(request):
    """Ends the session here and, when it began with single sign-on, at the provider too."""
    destination = sso.sign_out_url(request)  # before logout(), which empties the session holding the ID token
    auth.logout(request)
    return redirect(destination)


@login_required
def no_access(request):
    """'Ask your ICS approver': signed in, but with no role yet, so nothing private to see."""
    if has_role(request.user):
        return redirect("tracker:my_work")
    return render(request, "tracker/people/no_access.html")
