from itertools import groupby

from django.shortcuts import get_object_or_404, render

from .choices import ContextKind
from .filtersets import RecommendationFilterSet
from .models import Publication, Recommendation

# The report's own supporting text first, then its case studies, then what an earlier report said to retain.
OTHER_NOTE_ORDER = {ContextKind.SUPPORTING_TEXT: 0, ContextKind.CASE_STUDY: 1, ContextKind.RETAIN: 2}


def home(request):
    publications = Publication.objects.prefetch_related("themes")
    return render(request, "legacy/home.html", {"publications": publications})


def catalogue(request):
    """Every catalogue item, grouped by publication and theme, narrowed by the shared FilterSet."""
    items = Recommendation.objects.select_related("publication", "theme").in_source_order()
    filterset = RecommendationFilterSet(request.GET or None, queryset=items)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else items
    groups = [
        (publication, [(theme, list(in_theme)) for theme, in_theme in groupby(in_publication, key=lambda i: i.theme)])
        for publication, in_publication in groupby(results, key=lambda i: i.publication)
    ]
    return render(
        request,
        "legacy/catalogue.html",
        {"filterset": filterset, "groups": groups, "result_count": sum(len(t[1]) for g in groups for t in g[1])},
    )


def publication_detail(request, slug):
    publication = get_object_or_404(Publication, slug=slug)
    items = publication.items.select_related("theme").in_source_order()
    themes = [(theme, list(in_theme)) for theme, in_theme in groupby(items, key=lambda i: i.theme)]
    retain_notes = publication.context_notes.prefetch_related("recommendations")
    return render(
        request,
        "legacy/publication_detail.html",
        {"publication": publication, "themes": themes, "notes": retain_notes},
    )


def recommendation_detail(request, code):
    item = get_object_or_404(Recommendation.objects.select_related("publication", "theme"), code=code)
    notes = item.context_notes.select_related("publication").order_by("kind", "order")
    return render(
        request,
        "legacy/recommendation_detail.html",
        {
            "item": item,
            "strategies": [n for n in notes if n.kind == ContextKind.STRATEGY],
            "considerations": [n for n in notes if n.kind == ContextKind.CONSIDERATION],
            "other_notes": sorted(
                (n for n in notes if n.kind not in (ContextKind.STRATEGY, ContextKind.CONSIDERATION)),
                key=lambda n: (OTHER_NOTE_ORDER.get(n.kind, len(OTHER_NOTE_ORDER)), n.order),
            ),
            "cross_references": item.cross_references(),
        },
    )
