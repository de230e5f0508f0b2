import django_filters
from django.db.models import Q

from config.filters import StrictBooleanFilter

from .choices import Audience, ItemKind
from .models import Publication, Recommendation, Theme


class RecommendationFilterSet(django_filters.FilterSet):
    """Filters for the catalogue: the catalogue page and `/api/v1/recommendations/` both use this."""

    q = django_filters.CharFilter(method="search", label="Search text")
    publication = django_filters.ModelChoiceFilter(
        queryset=Publication.objects.all(), to_field_name="slug", empty_label="All publications"
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.all(), to_field_name="slug", empty_label="All themes"
    )
    audience = django_filters.ChoiceFilter(choices=Audience.choices, empty_label="All audiences")
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices, empty_label="Recommendations and lessons")
    trackable = StrictBooleanFilter(label="Tracked per ICS")

    class Meta:
        model = Recommendation
        fields = ["q", "publication", "theme", "audience", "kind", "trackable"]

    def search(self, queryset, name, value):
        # Every word must appear somewhere: in the item itself or in its supporting context.
        for term in value.split():
            in_context = Recommendation.objects.filter(context_notes__text__icontains=term).values("pk")
            queryset = queryset.filter(
                Q(code__icontains=term) | Q(title__icontains=term) | Q(text__icontains=term) | Q(pk__in=in_context)
            )
        return queryset


class ThemeFilterSet(django_filters.FilterSet):
    publication = django_filters.ModelChoiceFilter(queryset=Publication.objects.all(), to_field_name="slug")

    class Meta:
        model = Theme
        fields = ["publication"]
