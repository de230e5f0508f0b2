"""Error and refusal pages: JSON under /api/, NHS.UK-styled pages elsewhere, each giving its true reason.

Also the two sign-in related pages that need more than Django's own views: the lockout page (django-axes) and a
password reset that is throttled per address and per email.
"""

import hashlib
import logging
import re
import sys
import threading
from time import monotonic

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from config.forms import PasswordResetForm, SetPasswordForm
from config.network import client_ip

outage_logger = logging.getLogger("config.database")

# Messages Django itself puts in a 404 (get_object_or_404, generic views): they name models, not reasons.
DJANGO_404_MESSAGES = re.compile(r"^No .+ (matches the given query|found matching the query)\.?$")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error(request, status, message, template, **context):
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, template, {"message": message, **context}, status=status)


def _reason(exception, default: str) -> str:
    """The sentence the code that refused gave (`PermissionDenied("...")`), or the default when it gave none."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or not message.strip() or DJANGO_404_MESSAGES.match(message):
        return default
    return message


def bad_request(request, exception=None):
    return _error(request, 400, "The address or its parameters are not valid.", "400.html")


def permission_denied(request, exception=None):
    default = "You do not have permission to see this page or do this."
    return _error(request, 403, _reason(exception, default), "403.html")


def not_found(request, exception=None):
    return _error(request, 404, _reason(exception, "Not found."), "404.html")


def csrf_failure(request, reason=""):
    message = "The form had expired or did not come from this site. Go back, reload the page and try again."
    return _error(request, 403, message, "403.html")


def request_too_large(request, limit):
    size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    message = f"The request is too large: the most this address accepts is {size}."
    return _error(request, 413, message, "413.html", upload=limit == settings.MAX_UPLOAD_REQUEST_BYTES)


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        # A failure outside a view (a middleware reading the session): still an outage, not a bug.
        return database_unavailable(request, error)
    message = "Something went wrong on our side. It has been logged."
    if _is_api(request):
        return JsonResponse({"detail": message}, status=500)
    # No request context: the page must render even when the database is what failed.
    return HttpResponse(render_to_string("500.html", {"message": message}), status=500)


RETRY_AFTER_SECONDS = 30
_outage = {"logged_at": None, "unlogged": 0}
_outage_lock = threading.Lock()


def _log_outage(error):
    """Once per DATABASE_OUTAGE_LOG_SECONDS per process, with how many failures went unlogged since."""
    now = monotonic()
    with _outage_lock:
        logged_at = _outage["logged_at"]
        if logged_at is not None and now - logged_at < settings.DATABASE_OUTAGE_LOG_SECONDS:
            _outage["unlogged"] += 1
            return
        unlogged, _outage["unlogged"], _outage["logged_at"] = _outage["unlogged"], 0, now
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    outage_logger.error(
        "Database unavailable, answering 503: %s (%d more failures since the last report; next report in %ds at most)",
        first_line,
        unlogged,
        settings.DATABASE_OUTAGE_LOG_SECONDS,
    )


def database_unavailable(request, error):
    _log_outage(error)
    message = "The service is unavailable for a moment. Try again in a few minutes; nothing you saved is lost."
    if _is_api(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # Rendered without the request: context processors (the demo banner) would query the database.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # logged above, once per interval; Django would log every request
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username has failed too often from this address."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "registration/locked_out.html", {"minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, refused for an hour after too many requests from one address or for one email.

    The counts live in the shared cache (every process sees them); the same message whether or not the email is known.
    """

    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    WINDOW_SECONDS = 60 * 60

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        counters = [
            (f"password-reset:ip:{client_ip(self.request)}", settings.PASSWORD_RESET_LIMIT_PER_IP),
            (
                f"password-reset:email:{hashlib.sha256(email.encode()).hexdigest()}",
                settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
            ),
        ]
        if any(cache.get(key, 0) >= limit for key, limit in counters):
            form.add_error(
                None,
                "Too many password reset requests from this device or for this email address. "
                "Wait an hour and try again, or ask your ICS's tracker lead.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        for key, _ in counters:
            if not cache.add(key, 1, self.WINDOW_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:  # expired between the two calls
                    cache.set(key, 1, self.WINDOW_SECONDS)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
