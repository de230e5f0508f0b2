from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from tracker.filtersets import IntegratedCareSystemFilterSet
from tracker.models import IntegratedCareSystem, Region, Succession

from .serializers import IntegratedCareSystemSerializer, RegionSerializer


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The seven NHS England regions (public register data)."""

    permission_classes = [AllowAny]
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"


class IntegratedCareSystemViewSet(viewsets.ReadOnlyModelViewSet):
    """Integrated care systems, looked up by ICB ODS code, with predecessors and successors (public)."""

    permission_classes = [AllowAny]
    serializer_class = IntegratedCareSystemSerializer
    filterset_class = IntegratedCareSystemFilterSet
    lookup_field = "ods_code"
    queryset = IntegratedCareSystem.objects.select_related("region").prefetch_related(
        Prefetch("succeeded_from", queryset=Succession.objects.select_related("predecessor", "successor")),
        Prefetch("succeeded_by", queryset=Succession.objects.select_related("predecessor", "successor")),
    )
