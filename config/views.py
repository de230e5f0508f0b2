"""Error pages: JSON under /api/, NHS.UK-styled pages elsewhere."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def _error(request, status, message, template):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, template, {"message": message}, status=status)


def not_found(request, exception=None):
    return _error(request, 404, "Not found.", "404.html")


def permission_denied(request, exception=None):
    return _error(request, 403, "You do not have permission to do this.", "403.html")


def server_error(request):
    message = "Something went wrong on our side. It has been logged."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=500)
    # No request context: the page must render even when the database is what failed.
    return HttpResponseServerError(render_to_string("500.html", {"message": message}))
