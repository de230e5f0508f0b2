"""What every API endpoint shares: CSV output and error handling."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from rest_framework import renderers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.exports import csv_lines
from tracker.services import ReturnRefused


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv` or `Accept: text/csv`. Lists stream through CSVListMixin; this renders anything else."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        rows = [row if isinstance(row, dict) else {"value": row} for row in rows]
        header = list(rows[0]) if rows else []
        return "".join(csv_lines(header, ([row.get(c) for c in header] for row in rows))).encode(self.charset)


class CSVListMixin:
    """Lists answer `?format=csv` with every matching row (no pagination), streamed, with the same filters.

    The columns are the JSON field names, in the same order; nested values are JSON in one cell.
    """

    csv_chunk_size = 2000

    def list_rows(self, queryset):
        """What a list hands its serializer: model instances, unless a view reads plain rows for speed."""
        return queryset

    def list(self, request, *args, **kwargs):
        rows = self.list_rows(self.filter_queryset(self.get_queryset()))
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return self._csv_response(rows)
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(self.get_serializer(rows, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _csv_response(self, rows):
        serializer = self.get_serializer()
        # What the JSON gives: a write-only field (an upload) is never in a response.
        header = [name for name, field in serializer.fields.items() if not field.write_only]

        def data():
            for row in rows.iterator(chunk_size=self.csv_chunk_size):
                representation = serializer.to_representation(row)
                yield [representation[column] for column in header]

        response = StreamingHttpResponse(csv_lines(header, data()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response


def exception_handler(exc, context):
    """DRF's handler, plus model and service validation errors as 400s naming their fields. Errors are always JSON."""
    request = context.get("request")
    if request is not None:
        request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
    if isinstance(exc, ReturnRefused):
        blocking = [blocker.as_dict() for blocker in exc.blocking]
        return Response({"detail": exc.detail, "blocking": blocking}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        exc = PermissionDenied(str(exc))  # the service's own reason, not DRF's generic one
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        exc = ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k: v for k, v in errors.items()}
        )
    return drf_exception_handler(exc, context)


PUBLIC_PATHS = tuple(
    f"/api/v1/{name}/" for name in ("sources", "themes", "recommendations", "regions", "systems", "schema", "docs")
)


def add_standard_error_responses(result, generator, request, public):
    """drf-spectacular hook: document the errors every endpoint can give, so the schema tells the whole truth."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    schemas["FieldErrors"] = {
        "type": "object",
        "description": "Messages per field (`non_field_errors` for the request as a whole).",
        "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
    }

    def add(responses, code, description, schema):
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        responses.setdefault(code, {"description": description, "content": content})

    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            add(
                responses,
                "404",
                "Not found: no such object, one you may not see, a page past the end, or an unknown format.",
                "Error",
            )
            if method in ("post", "put", "patch") or operation.get("parameters"):
                add(responses, "400", "Bad input: a message for each field in error.", "FieldErrors")
            if not path.startswith(PUBLIC_PATHS):
                add(responses, "401", "Not signed in: send `Authorization: Token <key>` or use a session.", "Error")
            if method in ("post", "put", "patch", "delete"):
                add(responses, "403", "You may read this system's records but not change them.", "Error")
    return result
