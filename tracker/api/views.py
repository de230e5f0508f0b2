from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import CSVListMixin
from tracker import permissions, selectors, services
from tracker.exports import evidence_file
from tracker.filtersets import (
    EvidenceFilterSet,
    IntegratedCareSystemFilterSet,
    MembershipFilterSet,
    ProgressChangeFilterSet,
    ProgressRecordFilterSet,
)
from tracker.forms import ComparisonForm
from tracker.models import Evidence, IntegratedCareSystem, Membership, ProgressChange, ProgressRecord, Region
from tracker.periods import ReportingPeriod

from .serializers import (
    EvidenceSerializer,
    EvidenceWithdrawSerializer,
    IntegratedCareSystemSerializer,
    MembershipSerializer,
    ProgressChangeSerializer,
    ProgressRecordSerializer,
    ProgressRecordUpdateSerializer,
    ReconfirmSerializer,
    RegionSerializer,
    ReportingPeriodSerializer,
    RollupsSerializer,
    etag_for,
)

# 400, 401, 403 and 404 are documented for every endpoint by config.api.add_standard_error_responses.
ERROR = inline_serializer("PreconditionError", {"detail": serializers.CharField()})
CONFLICT = inline_serializer(
    "PreconditionFailed", {"detail": serializers.CharField(), "current": ProgressRecordSerializer()}
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The record's ETag, as last read. A stale one gets 412 and changes nothing.",
)
WRITE_RESPONSES = {
    200: ProgressRecordSerializer,
    412: OpenApiResponse(CONFLICT, description="The record changed since you read it; nothing was saved."),
    428: OpenApiResponse(ERROR, description="If-Match is missing."),
}


class RegionViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """The seven NHS England regions (public register data)."""

    permission_classes = [AllowAny]
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"


class IntegratedCareSystemViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """Integrated care systems, looked up by ICB ODS code, with predecessors and successors (public)."""

    permission_classes = [AllowAny]
    serializer_class = IntegratedCareSystemSerializer
    filterset_class = IntegratedCareSystemFilterSet
    lookup_field = "ods_code"
    queryset = selectors.with_successions(IntegratedCareSystem.objects.select_related("region"))


class ProgressRecordViewSet(
    CSVListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """One record per (system, trackable recommendation): status, owners, target dates, flags, version."""

    serializer_class = ProgressRecordSerializer
    filterset_class = ProgressRecordFilterSet
    permission_classes = [permissions.CanEditRecords]
    http_method_names = ["get", "patch", "post", "head", "options"]  # POST only for confirm/

    def get_queryset(self):
        return ProgressRecord.objects.for_user(self.request.user).select_related(
            "system", "recommendation", "accountable_owner", "delivery_lead"
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        period = self.request.query_params.get("as_at_period")
        try:
            context["as_at_period"] = ReportingPeriod.from_code(period) if period else None
        except ValueError:
            context["as_at_period"] = None  # the FilterSet reports the error
        return context

    def get_serializer_class(self):
        # The browsable API's form for PATCH shows what a PATCH takes, not what a record gives.
        return ProgressRecordUpdateSerializer if self.request.method == "PATCH" else self.serializer_class

    def list_rows(self, queryset):
        return selectors.progress_rows(queryset)

    def retrieve(self, request, *args, **kwargs):
        return self._record_response(self.get_object())

    def _record_response(self, record):
        """One record as the list gives it, with its ETag, read afresh from the database."""
        records = self.get_queryset().filter(pk=record.pk)
        context = self.get_serializer_context()
        if context["as_at_period"]:
            records = records.with_status_at_end_of(context["as_at_period"]).with_position_source(
                context["as_at_period"]
            )
        data = ProgressRecordSerializer(selectors.progress_rows(records).get(), context=context).data
        # Plain data: nothing for the browsable API to take for a record instance and check permissions on.
        return Response(dict(data), headers={"ETag": data["etag"]})

    def _write(self, request, write):
        """A write to one record, only against the version the client last read (If-Match): 428 without it, 412 if
        the record has changed since; otherwise `write(record)` through the services, and the record as it now is."""
        record = self.get_object()
        if_match = request.headers.get("If-Match")
        if not if_match:
            return Response(
                {
                    "detail": "Send If-Match with the record's ETag, "
                    "so that you never overwrite a change you have not seen."
                },
                status=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        if if_match.strip() != etag_for(record.pk, record.version):
            return self._precondition_failed(record)
        try:
            record = write(record)
        except services.StaleRecordError as error:
            return self._precondition_failed(error.record)
        return self._record_response(record)

    @extend_schema(request=ProgressRecordUpdateSerializer, parameters=[IF_MATCH], responses=WRITE_RESPONSES)
    def partial_update(self, request, *args, **kwargs):
        """Change a record (editors of its system only). Needs If-Match; status or target changes need a reason."""

        def update(record):
            body = ProgressRecordUpdateSerializer(data=request.data, context={"system": record.system})
            body.is_valid(raise_exception=True)
            changes = dict(body.validated_data)
            reason = changes.pop("reason", "")
            return services.record_update(
                record=record, changes=changes, expected_version=record.version, user=request.user, reason=reason
            )

        return self._write(request, update)

    @extend_schema(request=ReconfirmSerializer, parameters=[IF_MATCH], responses=WRITE_RESPONSES)
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=ReconfirmSerializer)
    def confirm(self, request, *args, **kwargs):
        """Confirm there is no change this period (editors of its system only): a history entry of its own, which the
        quarterly return counts as the item being looked at. Needs If-Match, as a PATCH does."""

        def reconfirm(record):
            body = ReconfirmSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return services.record_reconfirm(
                record=record, expected_version=record.version, user=request.user, **body.validated_data
            )

        return self._write(request, reconfirm)

    def _precondition_failed(self, record):
        current = self._record_response(record)
        current.data = {
            "detail": "The record changed since you read it. Nothing was saved: read it again and reapply your change.",
            "current": current.data,
        }
        current.status_code = status.HTTP_412_PRECONDITION_FAILED
        return current

    @extend_schema(responses={200: ProgressChangeSerializer(many=True)}, filters=False)
    @action(detail=True, filterset_class=None)
    def history(self, request, *args, **kwargs):
        """The record's append-only history, newest first."""
        record = self.get_object()
        changes = record.history.select_related("system", "recommendation")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ProgressChangeSerializer(page, many=True).data)


class ProgressChangeViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """The append-only change log of every record you may see: who, when, before and after, why, which period."""

    serializer_class = ProgressChangeSerializer
    filterset_class = ProgressChangeFilterSet
    permission_classes = [permissions.HasRole]

    def get_queryset(self):
        return ProgressChange.objects.for_user(self.request.user).select_related("system", "recommendation")


class EvidenceViewSet(
    CSVListMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Evidence on records: links and uploaded files. Never deleted: withdrawn, with a reason."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    permission_classes = [permissions.CanEditRecords]

    def get_queryset(self):
        return Evidence.objects.for_user(self.request.user).select_related("record__system", "record__recommendation")

    @extend_schema(responses={201: EvidenceSerializer})
    def create(self, request, *args, **kwargs):
        """Add a link (`url`) or a file (`file`, multipart) to a record of your own system."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        target = data.pop("record")
        system = permissions.get_system_for_user(request.user, target["system"].ods_code, write=True)
        record = ProgressRecord.objects.get(system=system, recommendation=target["recommendation"])
        evidence = services.evidence_add(record=record, user=request.user, **data)
        return Response(self.get_serializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EvidenceWithdrawSerializer,
        responses={200: EvidenceSerializer},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request, *args, **kwargs):
        """Withdraw evidence, with a reason. It stays on record, marked withdrawn."""
        evidence = self.get_object()
        body = EvidenceWithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.evidence_withdraw(
            evidence=evidence, user=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(evidence).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, filterset_class=None)
    def file(self, request, *args, **kwargs):
        """Download the uploaded file, as an attachment."""
        evidence = self.get_object()
        if not evidence.file:
            raise NotFound("This evidence is a link, not a file.")
        return evidence_file(evidence)


@extend_schema(responses={200: ReportingPeriodSerializer(many=True)})
class ReportingPeriodViewSet(viewsets.ViewSet):
    """NHS financial quarters (Q1 = April to June), from 2022-23 Q2, when ICSs began, to the current one."""

    permission_classes = [permissions.HasRole]
    serializer_class = ReportingPeriodSerializer

    def list(self, request, *args, **kwargs):
        current = ReportingPeriod.current()
        rows = [
            {"code": p.code, "label": p.label, "start": p.start, "end": p.end, "is_current": p == current}
            for p in reversed(ReportingPeriod.all_until(current))
        ]
        return Response(ReportingPeriodSerializer(rows, many=True).data)


class RollupsView(APIView):
    """Roll-ups for a period: counts by status per recommendation, per region and nationally, with the change
    from the previous period. Periods before April 2026 cover the 42 ICBs of 2022, later ones the 36."""

    permission_classes = [permissions.HasRole]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="e.g. 2026-27-Q2; default the current period"),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code, e.g. Y56"),
            OpenApiParameter("publication", OpenApiTypes.STR, description="Publication slug"),
            OpenApiParameter("theme", OpenApiTypes.STR, description="Theme slug"),
        ],
        responses={200: RollupsSerializer},
    )
    def get(self, request, *args, **kwargs):
        form = ComparisonForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        choices = form.cleaned_data
        period = choices.pop("period") or ReportingPeriod.current()
        return Response(RollupsSerializer(selectors.rollups(period, **choices)).data)


class MembershipViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """Who has which role: the national team sees every member, an ICS member their own team, a reviewer the
    reviewers of their region. Read-only: teams change on their pages (`/systems/<ods>/team/`)."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    permission_classes = [permissions.HasRole]

    def get_queryset(self):
        return Membership.objects.for_user(self.request.user).select_related("user", "system", "region")
