"""/api/v1/returns/ and /api/v1/challenges/: the quarterly return's cycle, by the same services as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.api import CSVListMixin
from legacy.models import Recommendation
from tracker import permissions, selectors, services
from tracker.choices import Assurance
from tracker.filtersets import ChallengeFilterSet, QuarterlyReturnFilterSet
from tracker.models import Challenge, Position, QuarterlyReturn, ReturnEvent, SignOff

from .serializers import StrictFieldsMixin, etag_for


class QuarterlyReturnSerializer(serializers.ModelSerializer):
    system = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)
    due_on = serializers.DateField(read_only=True, help_text="RETURN_DUE_DAYS after the period ends.")
    late = serializers.BooleanField(source="is_late", read_only=True, help_text="Not signed off by the due date.")
    submitted_by = serializers.CharField(source="submitted_by_name", read_only=True)
    signed_off_at = serializers.DateTimeField(source="sign_off.signed_off_at", read_only=True, allow_null=True)
    signed_off_by = serializers.CharField(source="sign_off.signed_off_by_name", read_only=True, allow_null=True)
    sign_off_version = serializers.IntegerField(
        source="sign_off.number", read_only=True, allow_null=True, help_text="Which signed-off version is in force."
    )
    assurance = serializers.SerializerMethodField(help_text="The region's latest assurance opinion, if any.")
    open_challenges = serializers.IntegerField(read_only=True)
    etag = serializers.SerializerMethodField(help_text="Send as If-Match with a transition to act on this version.")

    class Meta:
        model = QuarterlyReturn
        fields = [
            "id",
            "system",
            "period",
            "state",
            "due_on",
            "late",
            "submitted_at",
            "submitted_by",
            "signed_off_at",
            "signed_off_by",
            "sign_off_version",
            "assurance",
            "open_challenges",
            "version",
            "etag",
            "is_demo",
        ]

    def get_etag(self, quarterly_return) -> str:
        return etag_for(quarterly_return.pk, quarterly_return.version)

    @extend_schema_field(serializers.ChoiceField(choices=Assurance.choices, allow_null=True))
    def get_assurance(self, quarterly_return):
        return quarterly_return.assurance


class PositionSerializer(serializers.ModelSerializer):
    recommendation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sign_off_version = serializers.IntegerField(source="sign_off.number", read_only=True)
    evidence = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Position
        fields = [
            "recommendation",
            "sign_off_version",
            "status",
            "accountable_owner",
            "delivery_lead",
            "target_date",
            "original_target_date",
            "summary",
            "last_reason",
            "updated_at",
            "record_version",
            "evidence",
            "is_demo",
        ]


class ReturnEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by_name", read_only=True)

    class Meta:
        model = ReturnEvent
        fields = ["kind", "at", "by", "detail", "return_version"]


class ReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class AssureSerializer(StrictFieldsMixin, serializers.Serializer):
    assurance = serializers.ChoiceField(choices=Assurance.choices)
    comment = serializers.CharField(max_length=2000)


class EmptySerializer(StrictFieldsMixin, serializers.Serializer):
    pass


REFUSED = inline_serializer(
    "TransitionRefused",
    {
        "detail": serializers.CharField(),
        "blocking": inline_serializer(
            "BlockingItem", {"recommendation": serializers.CharField(), "problem": serializers.CharField()}, many=True
        ),
    },
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The return's ETag as last read: if it has changed since, nothing is done (412).",
)
TRANSITION_RESPONSES = {
    200: QuarterlyReturnSerializer,
    409: OpenApiResponse(REFUSED, description="The rules refuse it now: `blocking` lists what stands in the way."),
    412: OpenApiResponse(description="The return changed since you read it; nothing was done."),
}


class QuarterlyReturnViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """Each ICS's quarterly return per period: open → submitted → signed off. Reads follow the system's visibility;
    each transition is checked against the role (403) and the rules (409, with what blocks it)."""

    serializer_class = QuarterlyReturnSerializer
    filterset_class = QuarterlyReturnFilterSet
    permission_classes = [permissions.HasRole]

    def get_queryset(self):
        return selectors.returns_for(self.request.user)

    def _expected_version(self, quarterly_return) -> int | None:
        if_match = self.request.headers.get("If-Match")
        if not if_match:
            return None
        if if_match.strip() != etag_for(quarterly_return.pk, quarterly_return.version):
            raise _PreconditionFailed()
        return quarterly_return.version

    def _transition(self, service, **kwargs):
        quarterly_return = self.get_object()
        try:
            service(quarterly_return=quarterly_return, user=self.request.user, **kwargs)
            failed = False
        except _PreconditionFailed:
            failed = True
        fresh = self.get_queryset().get(pk=quarterly_return.pk)
        data = dict(QuarterlyReturnSerializer(fresh, context=self.get_serializer_context()).data)
        if failed:
            detail = "The return changed since you read it. Nothing was done: read it again and decide once more."
            return Response({"detail": detail, "current": data}, status=status.HTTP_412_PRECONDITION_FAILED)
        return Response(data, headers={"ETag": data["etag"]})

    def _versioned(self, service):
        def call(*, quarterly_return, user, **kwargs):
            return service(
                quarterly_return=quarterly_return,
                user=user,
                expected_version=self._expected_version(quarterly_return),
                **kwargs,
            )

        return call

    @extend_schema(request=None, parameters=[IF_MATCH], responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=EmptySerializer)
    def submit(self, request, *args, **kwargs):
        """Submit the return for sign-off (an editor or approver of the ICS). Every item must be assessed and updated
        or reconfirmed this period, no green or amber item past its target, every red and not applicable explained."""
        return self._transition(self._versioned(services.return_submit))

    @extend_schema(request=None, parameters=[IF_MATCH], responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=EmptySerializer)
    def withdraw(self, request, *args, **kwargs):
        """Take a submitted return back to open, before sign-off (an editor or approver of the ICS)."""
        return self._transition(self._versioned(services.return_withdraw))

    @extend_schema(request=None, parameters=[IF_MATCH], responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], url_path="sign-off", filterset_class=None, serializer_class=EmptySerializer)
    def sign_off(self, request, *args, **kwargs):
        """Sign off a submitted return (an approver of the ICS who did not submit it), freezing every position."""
        return self._transition(self._versioned(services.return_sign_off))

    @extend_schema(request=ReasonSerializer, parameters=[IF_MATCH], responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=ReasonSerializer)
    def reopen(self, request, *args, **kwargs):
        """Reopen a signed-off return (the national team only, with a reason); the signed-off version is kept."""
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(self._versioned(services.return_reopen), reason=body.validated_data["reason"])

    @extend_schema(request=AssureSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=AssureSerializer)
    def assure(self, request, *args, **kwargs):
        """Give the region's assurance opinion on a signed-off return (a reviewer of its region)."""
        body = AssureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(services.return_assure, **body.validated_data)

    @extend_schema(
        parameters=[OpenApiParameter("version", OpenApiTypes.INT, description="A superseded signed-off version")],
        responses={200: PositionSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, filterset_class=None, pagination_class=None, serializer_class=PositionSerializer)
    def positions(self, request, *args, **kwargs):
        """The frozen positions, one per trackable item, of the signed-off version in force (or `?version=N`)."""
        quarterly_return = self.get_object()
        version = request.query_params.get("version")
        sign_offs = SignOff.objects.filter(quarterly_return=quarterly_return)
        if version is None:
            sign_off = quarterly_return.sign_off
        elif version.isdigit():
            sign_off = sign_offs.filter(number=int(version)).first()
        else:
            raise serializers.ValidationError({"version": "Give a whole number, e.g. 1."})
        if sign_off is None:
            raise NotFound("This return has no such signed-off version.")
        positions = sign_off.positions.select_related("recommendation", "sign_off").order_by("recommendation__code")
        return Response(PositionSerializer(positions, many=True).data)

    @extend_schema(responses={200: ReturnEventSerializer(many=True)}, filters=False)
    @action(detail=True, filterset_class=None, pagination_class=None, serializer_class=ReturnEventSerializer)
    def history(self, request, *args, **kwargs):
        """Every transition, assurance and challenge of the return, newest first: who, when, why."""
        return Response(ReturnEventSerializer(self.get_object().events.all(), many=True).data)


class _PreconditionFailed(Exception):
    pass


class ChallengeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    quarterly_return = serializers.PrimaryKeyRelatedField(
        queryset=QuarterlyReturn.objects.all(), help_text="The id of the signed-off return challenged."
    )
    system = serializers.CharField(source="quarterly_return.system.ods_code", read_only=True)
    period = serializers.CharField(source="quarterly_return.period", read_only=True)
    recommendation = serializers.SlugRelatedField(slug_field="code", queryset=Recommendation.objects.trackable())
    raised_by = serializers.CharField(source="raised_by_name", read_only=True)
    answered_by = serializers.CharField(source="answered_by_name", read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "id",
            "quarterly_return",
            "system",
            "period",
            "recommendation",
            "text",
            "raised_at",
            "raised_by",
            "answer",
            "answered_at",
            "answered_by",
            "open",
            "is_demo",
        ]
        read_only_fields = ["answer", "raised_at", "answered_at", "is_demo"]


class AnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=2000)


class ChallengeViewSet(CSVListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A regional reviewer's challenges to items of signed-off returns, and the ICS's answers."""

    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilterSet
    permission_classes = [permissions.HasRole]

    def get_queryset(self):
        return Challenge.objects.for_user(self.request.user).select_related(
            "quarterly_return__system", "recommendation"
        )

    def create(self, request, *args, **kwargs):
        """Challenge an item of a signed-off return (a reviewer of its region)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visible = QuarterlyReturn.objects.for_user(request.user)
        quarterly_return = get_object_or_404(visible, pk=data["quarterly_return"].pk)
        challenge = services.challenge_raise(
            quarterly_return=quarterly_return,
            recommendation=data["recommendation"],
            user=request.user,
            text=data["text"],
        )
        return Response(self.get_serializer(challenge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={200: ChallengeSerializer, 409: REFUSED})
    @action(detail=True, methods=["post"], filterset_class=None, serializer_class=AnswerSerializer)
    def respond(self, request, *args, **kwargs):
        """Answer a challenge (an editor or approver of the ICS)."""
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        challenge = services.challenge_answer(
            challenge=self.get_object(), user=request.user, answer=body.validated_data["answer"]
        )
        return Response(ChallengeSerializer(challenge, context=self.get_serializer_context()).data)
