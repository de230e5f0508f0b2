"""POST /api/v1/progress/import/: a whole return from a spreadsheet, by the same reading, checks and service as the
import page."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker import imports, permissions, services

from .serializers import StrictFieldsMixin


class ImportRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(help_text="The return workbook (.xlsx) or its CSV, as downloaded and filled in.")
    system = serializers.CharField(help_text="ODS code of the system whose return it is, e.g. QWO.")
    dry_run = serializers.BooleanField(
        default=True, help_text="true (the default): only say what would change. false: apply it, all or nothing."
    )


FIELD_CHANGE = {
    "row": serializers.IntegerField(help_text="The spreadsheet's row number (the header is row 1)."),
    "recommendation": serializers.CharField(help_text="Code of the item, e.g. NHSCC-4."),
    "field": serializers.CharField(help_text="The record's field: status, accountable_owner, ..."),
    "before": serializers.CharField(),
    "after": serializers.CharField(),
    "reason": serializers.CharField(),
}
# One component for a field's change, in the preview and in each conflict alike.
CHANGES = inline_serializer("ImportChange", FIELD_CHANGE, many=True)
PREVIEW = inline_serializer(
    "ImportPreview",
    {
        "system": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "applied": serializers.BooleanField(help_text="Whether the changes were saved."),
        "changes": CHANGES,
    },
)
PROBLEMS = inline_serializer(
    "ImportErrors",
    {
        "detail": serializers.CharField(
            required=False,
            help_text="Only when the request itself was malformed (say, a NUL byte in a parameter): no file was read.",
        ),
        "errors": inline_serializer(
            "ImportError",
            {
                "row": serializers.IntegerField(allow_null=True, help_text="None: the file as a whole."),
                "column": serializers.CharField(allow_null=True),
                "message": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)
CONFLICTS = inline_serializer(
    "ImportConflicts",
    {
        "detail": serializers.CharField(),
        "conflicts": inline_serializer(
            "ImportConflict",
            {
                "row": serializers.IntegerField(),
                "recommendation": serializers.CharField(),
                "your_version": serializers.IntegerField(),
                "current_version": serializers.IntegerField(),
                "changes": CHANGES,
                "their_changes": inline_serializer(
                    "ImportTheirChange",
                    {
                        "changed_at": serializers.DateTimeField(),
                        "changed_by": serializers.CharField(),
                        "changes": serializers.DictField(help_text="{field label: [before, after]}"),
                        "reason": serializers.CharField(),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
    },
)


def _changes(row) -> list[dict]:
    return [
        {
            "row": row.row,
            "recommendation": row.code,
            "field": change.field,
            "before": change.before,
            "after": change.after,
            "reason": row.reason,
        }
        for change in row.fields
    ]


def _conflicts(preview) -> Response:
    conflicts = [
        {
            "row": conflict.row,
            "recommendation": conflict.code,
            "your_version": conflict.version,
            "current_version": conflict.record.version,
            "changes": _changes(conflict),
            "their_changes": [
                {
                    "changed_at": theirs.changed_at,
                    "changed_by": theirs.changed_by_name,
                    "changes": theirs.changes,
                    "reason": theirs.reason,
                }
                for theirs in conflict.theirs
            ],
        }
        for conflict in preview.conflicts
    ]
    detail = "Someone changed these records since the workbook was downloaded. Nothing was saved."
    return Response({"detail": detail, "conflicts": conflicts}, status=status.HTTP_409_CONFLICT)


def _errors(problems) -> Response:
    return Response({"errors": [p.as_dict() for p in problems]}, status=status.HTTP_400_BAD_REQUEST)


class ReturnImportView(APIView):
    """Import a whole return from the prefilled workbook (editors and approvers of the system only). With `dry_run`
    (the default) nothing is written: the answer lists every change, field by field. With `dry_run=false` the
    changes are applied in one transaction, each record with its history row. Any problem refuses the whole file
    (400, each error naming the row and column); a row whose record someone changed since the download is a
    conflict (409), never overwritten."""

    permission_classes = [permissions.HasRole]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: PREVIEW,
            400: OpenApiResponse(PROBLEMS, description="The file was refused; nothing was changed."),
            409: OpenApiResponse(CONFLICTS, description="Rows changed by someone since the download."),
        },
    )
    def post(self, request, *args, **kwargs):
        body = ImportRequestSerializer(data=request.data)
        if not body.is_valid():  # 400 says `errors` whatever is wrong, the request or the file
            return _errors(
                imports.Problem(f"{name}: {message}") for name, messages in body.errors.items() for message in messages
            )
        system = permissions.get_system_for_user(request.user, body.validated_data["system"], write=True)
        parsed = imports.parse_return(body.validated_data["file"], system)
        dry_run = body.validated_data["dry_run"]
        if parsed.errors:
            return _errors(parsed.errors)
        try:
            if dry_run:
                preview = imports.import_preview(parsed)
                if preview.errors:
                    return _errors(preview.errors)
                if preview.conflicts:
                    return _conflicts(preview)
            else:
                preview = services.return_import(system=system, raw=parsed.raw, user=request.user)
        except imports.ImportRefused as refused:
            return _errors(refused.problems)
        except services.ImportConflict as conflict:
            return _conflicts(conflict.preview)
        changes = [change for row in preview.changes for change in _changes(row)]
        return Response({"system": system.ods_code, "dry_run": dry_run, "applied": not dry_run, "changes": changes})
