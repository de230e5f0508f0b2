"""/api/v1/open-data/: what is published (public), and publishing a signed-off quarter (the national team)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from config.api import CSVListMixin
from tracker import permissions, selectors, services
from tracker.filtersets import PublishedDatasetFilterSet
from tracker.forms import PeriodField
from tracker.models import PublishedDataset
from tracker.services.open_data import FILES, MAX_NOTE_LENGTH

from .serializers import StrictFieldsMixin

FILE_URLS = inline_serializer("OpenDataFiles", {name: serializers.URLField() for name in FILES})


class PublishedDatasetSerializer(serializers.ModelSerializer):
    page_url = serializers.SerializerMethodField(help_text="The version's public page: summary, chart, dictionary.")
    files = serializers.SerializerMethodField(help_text="Each file of this version, at its permanent address.")

    class Meta:
        model = PublishedDataset
        fields = [
            "period",
            "version",
            "published_at",
            "note",
            "signed_off_systems",
            "footprint_systems",
            "is_demo",
            "page_url",
            "files",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_page_url(self, dataset) -> str:
        return self._absolute(reverse("tracker:open_data_version", args=[dataset.period, dataset.version]))

    @extend_schema_field(FILE_URLS)
    def get_files(self, dataset):
        return {
            name: self._absolute(
                reverse("tracker:open_data_version_file", args=[dataset.period, dataset.version, name])
            )
            for name in FILES
        }


class PeriodSerializerField(serializers.CharField):
    """A reporting period code, checked by the same field as the pages' (a real period, not in the future)."""

    def to_internal_value(self, data):
        try:
            return PeriodField().clean(super().to_internal_value(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class PublishSerializer(StrictFieldsMixin, serializers.Serializer):
    period = PeriodSerializerField(help_text="The reporting period to publish, e.g. 2026-27-Q2.")
    note = serializers.CharField(
        max_length=MAX_NOTE_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Published with the version: required for a correction (version 2 on), saying what it corrects.",
    )


class OpenDataViewSet(CSVListMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Published open data: every version of every published period, newest first (public, no sign-in). Each
    version's files never change; a correction is a new version with a note."""

    serializer_class = PublishedDatasetSerializer
    permission_classes = [permissions.CanPublishOpenData]
    filterset_class = PublishedDatasetFilterSet

    def get_queryset(self):
        return selectors.published_datasets()

    def get_serializer_class(self):
        return PublishSerializer if self.action == "create" else PublishedDatasetSerializer

    @extend_schema(
        request=PublishSerializer,
        responses={
            201: PublishedDatasetSerializer,
            409: OpenApiResponse(
                inline_serializer("OpenDataRefused", {"detail": serializers.CharField()}),
                description="No return of the period is signed off: nothing official to publish.",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Publish a period's signed-off returns as open data (the national team only): version 1, or a correction
        (the next version, with a note)."""
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            dataset = services.open_data_publish(
                period=body.validated_data["period"], user=request.user, note=body.validated_data.get("note", "")
            )
        except services.OpenDataRefused as refused:
            return Response({"detail": refused.detail}, status=status.HTTP_409_CONFLICT)
        data = PublishedDatasetSerializer(dataset, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["page_url"]})
