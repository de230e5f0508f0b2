"""What every request goes through before and after the views: size limits, malformed input, private responses,
and the error pages that must not depend on a view (database outage, 404 under DEBUG)."""

import io
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.cache import patch_cache_control

from config import views

# The only requests that may carry a file: evidence uploads (page and API) and spreadsheet imports.
UPLOAD_PATHS = re.compile(
    r"^/(systems/[^/]+/records/[^/]+/evidence|api/v1/evidence|systems/[^/]+/import|api/v1/progress/import)/$"
)


def request_limit(request) -> int:
    return settings.MAX_UPLOAD_REQUEST_BYTES if UPLOAD_PATHS.match(request.path_info) else settings.MAX_REQUEST_BYTES


class CappedStream(io.RawIOBase):
    """A request body without Content-Length (chunked), cut off past the limit: reading further raises, and the
    middleware answers 413 whatever the reader made of the exception."""

    def __init__(self, stream, limit, request):
        super().__init__()
        self.stream, self.remaining, self.request = stream, limit, request

    def readable(self):
        return True

    def read(self, size=-1):
        want = self.remaining + 1 if size is None or size < 0 else min(size, self.remaining + 1)
        data = self.stream.read(want)
        self.remaining -= len(data)
        if self.remaining < 0:
            self.request.body_too_large = True
            raise RequestDataTooBig("Request body exceeded the limit.")
        return data

    def readline(self, size=-1):
        return self.read(size)  # no parser reads a body by lines; bounded like read() all the same


class RequestSizeLimitMiddleware:
    """Refuses a body over the limit with 413 before anything reads it (CSRF, sign-in, multipart parsing).

    Declared length: checked up front. Chunked (no Content-Length): Django's WSGI request reads nothing of it unless
    the server says the stream ends (gunicorn's wsgi.input_terminated); then it is read through a cap.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = request_limit(request)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.strip():
            try:
                length = int(declared)
            except ValueError:
                return views.bad_request(request, None)
            if length > limit:
                return views.request_too_large(request, limit)
        elif request.META.get("wsgi.input_terminated"):
            request._stream = CappedStream(request.META["wsgi.input"], limit, request)
        response = self.get_response(request)
        if getattr(request, "body_too_large", False):
            return views.request_too_large(request, limit)
        return response


def _has_nul(*values) -> bool:
    return any("\x00" in value for value in values)


class MalformedInputMiddleware:
    """A NUL character cannot be stored or compared by PostgreSQL, so it never reaches a view or a query: in the
    path it is a 404 (no page has such an address), in a parameter or cookie a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.path, request.path_info):
            return views.not_found(request, None)
        parameters = [text for key, values in request.GET.lists() for text in (key, *values)]
        if _has_nul(*parameters, *request.COOKIES.keys(), *request.COOKIES.values()):
            return views.bad_request(request, None)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Nothing a signed-in user or an API token sees is kept by a browser or proxy cache, nor is any download.

    Judged from the request's credentials (session cookie, Authorization header), so it works without the database.
    Public pages seen anonymously stay cacheable; static files never reach here (whitenoise answers first). A
    response marked `public_file` (published open data: the same bytes for everyone) stays public whoever asks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "public_file", False):
            return response
        credentials = settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
        if credentials or response.get("Content-Disposition", "").startswith("attachment"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ErrorPagesMiddleware:
    """A database outage is a 503, never a traceback per request; a 404 raised by our own views is our page even
    with DEBUG on (Django's debug page would list every URL pattern)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return views.database_unavailable(request, exception)
        if isinstance(exception, Http404) and settings.DEBUG:
            return views.not_found(request, exception)
        return None
