from itertools import groupby

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .filtersets import IntegratedCareSystemFilterSet
from .models import IntegratedCareSystem, Succession

SUCCESSIONS = Succession.objects.select_related("predecessor", "successor")


def system_list(request):
    """The ICS register by region, with predecessors and successors."""
    systems = IntegratedCareSystem.objects.select_related("region").prefetch_related(
        Prefetch("succeeded_from", queryset=SUCCESSIONS), Prefetch("succeeded_by", queryset=SUCCESSIONS)
    )
    filterset = IntegratedCareSystemFilterSet(request.GET or None, queryset=systems)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else systems
    regions = [(region, list(in_region)) for region, in_region in groupby(results, key=lambda s: s.region)]
    return render(
        request,
        "tracker/system_list.html",
        {"filterset": filterset, "regions": regions, "result_count": sum(len(r[1]) for r in regions)},
    )


def system_detail(request, ods_code):
    system = get_object_or_404(IntegratedCareSystem.objects.select_related("region"), ods_code=ods_code)
    return render(
        request,
        "tracker/system_detail.html",
        {
            "system": system,
            "predecessors": SUCCESSIONS.filter(successor=system),
            "successors": SUCCESSIONS.filter(predecessor=system),
        },
    )
