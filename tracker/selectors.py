"""Reads that need care: the rows an ICS page shows, in few queries."""

from collections import defaultdict
from itertools import groupby

from django.db.models import Prefetch, QuerySet

from legacy.models import Recommendation

from .choices import Status
from .models import IntegratedCareSystem, ProgressRecord, Region, Succession
from .periods import ReportingPeriod


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


def empty_counts() -> dict[str, int]:
    return {status.value: 0 for status in Status}


def footprint(period: ReportingPeriod) -> tuple[QuerySet, str]:
    """The ICBs a period's figures cover, and a sentence saying which (42 before April 2026, 36 after)."""
    systems = IntegratedCareSystem.objects.active_on(period.end)
    return systems, f"the {systems.count()} ICBs in place on {period.end:%-d %B %Y}"


def positions_at(period: ReportingPeriod, *, region=None, publication=None, theme=None):
    """(system id, region code, recommendation code, status at the end of `period`) for each record in the footprint."""
    systems, _ = footprint(period)
    records = ProgressRecord.objects.filter(system__in=systems, recommendation__trackable=True)
    if region:
        records = records.filter(system__region=region)
    if publication:
        records = records.filter(recommendation__publication=publication)
    if theme:
        records = records.filter(recommendation__theme=theme)
    return records.with_status_at_end_of(period).values_list(
        "system_id", "system__region__code", "recommendation__code", "period_status"
    )


def comparison(period: ReportingPeriod, *, region=None, publication=None, theme=None) -> dict:
    """Counts by status per recommendation, per region and nationally, with the change since the previous period."""
    filters = {"region": region, "publication": publication, "theme": theme}
    items = Recommendation.objects.trackable().in_source_order()
    if publication:
        items = items.filter(publication=publication)
    if theme:
        items = items.filter(theme=theme)
    items = list(items)
    regions = Region.objects.all() if region is None else Region.objects.filter(pk=region.pk)

    def tally(at: ReportingPeriod):
        # Keys: recommendation codes, region codes and "england", which never collide.
        counts, systems = defaultdict(empty_counts), defaultdict(set)
        for system_id, region_code, item_code, status in positions_at(at, **filters):
            for key in (item_code, region_code, "england"):
                counts[key][status] += 1
                systems[key].add(system_id)
        return counts, systems

    now, now_systems = tally(period)
    was, _ = tally(period.previous)

    def rollup(key, label):
        return {
            "key": key,
            "label": label,
            "systems": len(now_systems[key]),
            "counts": now[key],
            "previous_counts": was[key],
            "change": {status: now[key][status] - was[key][status] for status in now[key]},
        }

    _, label = footprint(period)
    _, previous_label = footprint(period.previous)
    return {
        "period": period.code,
        "previous_period": period.previous.code,
        "footprint": label,
        "previous_footprint": previous_label,
        "national": rollup("england", "England"),
        "by_recommendation": [rollup(item.code, item.title) for item in items],
        "by_region": [rollup(r.code, r.name) for r in regions],
    }
