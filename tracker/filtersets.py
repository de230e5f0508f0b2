"""One FilterSet per model, used by the HTML pages and the API alike."""

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from config.filters import StrictBooleanFilter, UTCDateTimeFilter
from legacy.models import Publication, Recommendation, Theme

from .choices import EvidenceKind, ReturnState, Role, Status
from .forms import PeriodField
from .models import (
    Challenge,
    Evidence,
    IntegratedCareSystem,
    Membership,
    ProgressChange,
    ProgressRecord,
    PublishedDataset,
    QuarterlyReturn,
    Region,
)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}-Q[1-4]$", "example": "2026-27-Q2"})
class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows named by a code rather than a database id."""

    def filter(self, qs, value):
        # No codes given arrives as an empty queryset; asking it whether it is empty would build a query for nothing.
        if isinstance(value, QuerySet) and value.query.is_empty():
            return qs
        return super().filter(qs, value)


def by_code(field_name, queryset, to_field, label):
    """Several rows named by their code (`?system=QWO&system=QOP`); an unknown code is a 400."""
    return CodeFilter(field_name=f"{field_name}__{to_field}", queryset=queryset, to_field_name=to_field, label=label)


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


class ProgressRecordFilterSet(django_filters.FilterSet):
    """Filters for progress records (`/api/v1/progress/`, and the pages that list records)."""

    system = by_code(
        "system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes; repeat for several)"
    )
    region = django_filters.ModelChoiceFilter(
        field_name="system__region", queryset=Region.objects.all(), to_field_name="code", label="Region code"
    )
    recommendation = by_code(
        "recommendation", Recommendation.objects.trackable(), "code", "Recommendation codes (repeat for several)"
    )
    publication = django_filters.ModelChoiceFilter(
        field_name="recommendation__publication", queryset=Publication.objects.all(), to_field_name="slug"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="recommendation__theme", queryset=Theme.objects.all(), to_field_name="slug"
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="filter_status", label="Status (repeat for several)"
    )
    overdue = StrictBooleanFilter(method="filter_overdue", label="Target date passed and not blue")
    stale = StrictBooleanFilter(method="filter_stale", label="No update in this or the previous period")
    updated_since = UTCDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    as_at_period = PeriodFilter(
        method="filter_as_at_period",
        label="Position at the end of this reporting period, e.g. 2026-27-Q2 (Q1 is April to June)",
    )

    class Meta:
        model = ProgressRecord
        fields = [
            "system",
            "region",
            "recommendation",
            "publication",
            "theme",
            "status",
            "overdue",
            "stale",
            "updated_since",
            "as_at_period",
        ]

    def filter_queryset(self, queryset):
        # The period goes first: with it, `status` filters the position at the end of that period.
        period = self.form.cleaned_data.get("as_at_period")
        if period:
            queryset = queryset.with_status_at_end_of(period).with_position_source(period)
        return super().filter_queryset(queryset)

    def filter_as_at_period(self, queryset, name, value):
        return queryset  # applied in filter_queryset

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        field = "period_status" if self.form.cleaned_data.get("as_at_period") else "status"
        return queryset.filter(**{f"{field}__in": value})

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def filter_stale(self, queryset, name, value):
        stale = queryset.stale().values("pk")
        return queryset.filter(pk__in=stale) if value else queryset.exclude(pk__in=stale)


class ProgressChangeFilterSet(django_filters.FilterSet):
    """Filters for the history (`/api/v1/history/` and a record's history)."""

    system = by_code(
        "system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes; repeat for several)"
    )
    recommendation = by_code("recommendation", Recommendation.objects.trackable(), "code", "Recommendation codes")
    period = PeriodFilter(method="filter_period", label="Reporting period, e.g. 2026-27-Q2")
    since = UTCDateTimeFilter(field_name="changed_at", lookup_expr="gte", label="Changed at or after")

    class Meta:
        model = ProgressChange
        fields = ["system", "recommendation", "period", "since", "kind"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.code)


class EvidenceFilterSet(django_filters.FilterSet):
    system = by_code("record__system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes)")
    recommendation = by_code("record__recommendation", Recommendation.objects.trackable(), "code", "Recommendations")
    kind = django_filters.MultipleChoiceFilter(choices=EvidenceKind.choices)
    refers_from = django_filters.DateFilter(
        field_name="refers_to", lookup_expr="gte", label="Refers to a date on or after"
    )
    refers_until = django_filters.DateFilter(
        field_name="refers_to", lookup_expr="lte", label="Refers to a date on or before"
    )
    withdrawn = StrictBooleanFilter(field_name="withdrawn_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Evidence
        fields = ["system", "recommendation", "kind", "refers_from", "refers_until", "withdrawn"]


class QuarterlyReturnFilterSet(django_filters.FilterSet):
    """Filters for returns: the national returns page and `/api/v1/returns/` both use this."""

    system = by_code(
        "system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes; repeat for several)"
    )
    period = PeriodFilter(method="filter_period", label="Reporting period, e.g. 2026-27-Q2")
    region = django_filters.ModelChoiceFilter(
        field_name="system__region",
        queryset=Region.objects.all(),
        to_field_name="code",
        label="Region",
        empty_label="All regions",
    )
    state = django_filters.MultipleChoiceFilter(choices=ReturnState.choices, label="State (repeat for several)")
    late = StrictBooleanFilter(method="filter_late", label="Not signed off by the due date")

    class Meta:
        model = QuarterlyReturn
        fields = ["system", "period", "region", "state", "late"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.code)

    def filter_late(self, queryset, name, value):
        late = queryset.late().values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)


class ChallengeFilterSet(django_filters.FilterSet):
    system = by_code("quarterly_return__system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes)")
    period = PeriodFilter(method="filter_period", label="Reporting period, e.g. 2026-27-Q2")
    recommendation = by_code("recommendation", Recommendation.objects.trackable(), "code", "Recommendations")
    open = StrictBooleanFilter(field_name="answered_at", lookup_expr="isnull", label="Not yet answered")

    class Meta:
        model = Challenge
        fields = ["system", "period", "recommendation", "open"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(quarterly_return__period=value.code)


class MembershipFilterSet(django_filters.FilterSet):
    """Filters for members (`/api/v1/members/`)."""

    system = by_code(
        "system", IntegratedCareSystem.objects.all(), "ods_code", "Systems (ODS codes; repeat for several)"
    )
    region = by_code("region", Region.objects.all(), "code", "Regions of reviewers (codes; repeat for several)")
    role = django_filters.MultipleChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["system", "region", "role"]


class PublishedDatasetFilterSet(django_filters.FilterSet):
    """Filters for published open data (`/api/v1/open-data/`)."""

    period = PeriodFilter(method="filter_period", label="Reporting period, e.g. 2026-27-Q2")
    latest = StrictBooleanFilter(method="filter_latest", label="Only the latest version of each period")

    class Meta:
        model = PublishedDataset
        fields = ["period", "latest"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.code)

    def filter_latest(self, queryset, name, value):
        latest = PublishedDataset.objects.latest_per_period().values("pk")
        return queryset.filter(pk__in=latest) if value else queryset.exclude(pk__in=latest)
