from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from config.api import CSVListMixin
from legacy.filtersets import RecommendationFilterSet, ThemeFilterSet
from legacy.models import Publication, Recommendation, Theme

from .serializers import (
    PublicationSerializer,
    RecommendationDetailSerializer,
    RecommendationSerializer,
    ThemeSerializer,
)


class CatalogueViewSet(CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue is public reference data: anyone may read it."""

    permission_classes = [AllowAny]


class PublicationViewSet(CatalogueViewSet):
    """Publications whose advice the catalogue quotes."""

    queryset = Publication.objects.all()
    serializer_class = PublicationSerializer
    lookup_field = "slug"


class ThemeViewSet(CatalogueViewSet):
    """Themes, as each publication groups its items."""

    queryset = Theme.objects.select_related("publication")
    serializer_class = ThemeSerializer
    lookup_field = "slug"
    filterset_class = ThemeFilterSet


class RecommendationViewSet(CatalogueViewSet):
    """Catalogue items (recommendations and lessons), looked up by their stable code."""

    queryset = Recommendation.objects.select_related("publication", "theme").in_source_order()
    filterset_class = RecommendationFilterSet
    lookup_field = "code"

    def get_serializer_class(self):
        return RecommendationDetailSerializer if self.action == "retrieve" else RecommendationSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("context_notes__publication")
        return queryset
