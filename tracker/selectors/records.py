"""Reads for an ICS's own pages and the API's progress rows."""

from itertools import groupby

from django.db.models import Prefetch, QuerySet

from legacy.models import Recommendation

from ..models import (
    IntegratedCareSystem,
    ProgressChange,
    ProgressRecord,
    Succession,
)


def system_progress(system: IntegratedCareSystem):
    """Every trackable item with this system's record (or None), grouped by publication and theme."""
    items = Recommendation.objects.trackable().select_related("publication", "theme").in_source_order()
    records = {
        record.recommendation_id: record
        for record in ProgressRecord.objects.filter(system=system).select_related(
            "accountable_owner", "delivery_lead", "updated_by"
        )
    }
    rows = [(item, records.get(item.pk)) for item in items]
    return [
        (publication, [(theme, list(in_theme)) for theme, in_theme in groupby(in_pub, key=lambda r: r[0].theme)])
        for publication, in_pub in groupby(rows, key=lambda r: r[0].publication)
    ]


def record_evidence(record: ProgressRecord):
    return record.evidence.select_related("added_by", "withdrawn_by")


def system_history(system: IntegratedCareSystem):
    """A system's history, newest first, with what each entry's line shows."""
    return ProgressChange.objects.filter(system=system).select_related("system", "recommendation")


def with_successions(queryset):
    """Systems with their predecessors and successors prefetched, as the register shows them."""
    successions = Succession.objects.select_related("predecessor", "successor")
    return queryset.prefetch_related(
        Prefetch("succeeded_from", queryset=successions), Prefetch("succeeded_by", queryset=successions)
    )


PROGRESS_PERSON_FIELDS = ("name", "job_title", "email")
PROGRESS_ROW_FIELDS = (
    "id",
    "system__ods_code",
    "recommendation__code",
    "status",
    *(f"{role}__{f}" for role in ("accountable_owner", "delivery_lead") for f in ("id", *PROGRESS_PERSON_FIELDS)),
    "target_date",
    "original_target_date",
    "summary",
    "updated_at",
    "version",
    "is_demo",
)


def progress_rows(records: QuerySet) -> QuerySet:
    """Plain dicts from one query, with the period status if annotated: building model instances over four joins
    cost the API's heaviest read several times the query itself."""
    as_at = tuple(name for name in ("period_status", "position_source") if name in records.query.annotations)
    return records.values(*PROGRESS_ROW_FIELDS, *as_at)
