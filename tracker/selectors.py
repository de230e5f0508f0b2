"""Reads that need care: the rows an ICS page shows, in few queries."""

from itertools import groupby

from django.db.models import Prefetch

from legacy.models import Recommendation

from .models import IntegratedCareSystem, ProgressRecord, Succession


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


def with_successions(queryset):
    """Systems with their predecessors and successors prefetched, as the register shows them."""
    successions = Succession.objects.select_related("predecessor", "successor")
    return queryset.prefetch_related(
        Prefetch("succeeded_from", queryset=successions), Prefetch("succeeded_by", queryset=successions)
    )
