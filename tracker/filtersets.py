import django_filters
from django.db.models import Q

from .models import IntegratedCareSystem, Region


class IntegratedCareSystemFilterSet(django_filters.FilterSet):
    """Filters for the ICS register: the systems page and `/api/v1/systems/` both use this."""

    q = django_filters.CharFilter(method="search", label="Name or ODS code")
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", empty_label="All regions"
    )
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on (YYYY-MM-DD)")

    class Meta:
        model = IntegratedCareSystem
        fields = ["q", "region", "active_on"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(ods_code__iexact=value))

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)
