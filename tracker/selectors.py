"""Reads that need care: the rows an ICS page shows, in few queries."""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from legacy.models import Recommendation

from .choices import Status
from .models import Evidence, IntegratedCareSystem, ProgressRecord, Region, Succession
from .models.progress import is_overdue, stale_condition
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


def footprint(period: ReportingPeriod) -> QuerySet:
    """The ICBs a period's figures cover: the 42 of 2022 before April 2026, the 36 after."""
    return IntegratedCareSystem.objects.active_on(period.end)


def footprint_label(period: ReportingPeriod, count: int | None = None) -> str:
    """Which ICBs a period's figures cover, as a sentence. Pass `count` if the systems are already at hand."""
    count = footprint(period).count() if count is None else count
    return f"the {count} ICBs in place on {period.end:%-d %B %Y}"


def positions_at(period: ReportingPeriod, *, region=None, publication=None, theme=None):
    """(system id, region code, recommendation code, status at the end of `period`) for each record in the footprint."""
    systems = footprint(period)
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

    return {
        "period": period.code,
        "previous_period": period.previous.code,
        "footprint": footprint_label(period),
        "previous_footprint": footprint_label(period.previous),
        "national": rollup("england", "England"),
        "by_recommendation": [rollup(item.code, item.title) for item in items],
        "by_region": [rollup(r.code, r.name) for r in regions],
    }


STATUS_RANK = {status.value: rank for rank, status in enumerate(Status)}


def movement(now: str, before: str) -> str:
    """How a status moved between two periods: up, down, new (first assessed) or same."""
    if now == before:
        return "same"
    if before == Status.NOT_ASSESSED:
        return "new"
    return "up" if STATUS_RANK[now] > STATUS_RANK[before] else "down"


@dataclass
class MatrixCell:
    """One comparison cell: just what the matrix shows, read without building a model instance."""

    status: str
    previous_status: str
    is_overdue: bool
    is_demo: bool

    @property
    def movement(self) -> str:
        return movement(self.status, self.previous_status)


@dataclass
class Cell:
    record: ProgressRecord
    status: str
    previous_status: str
    latest_evidence: list | None = None
    evidence_count: int = 0

    @property
    def movement(self) -> str:
        return movement(self.status, self.previous_status)

    @property
    def item(self):
        return self.record.recommendation

    @property
    def earlier_evidence_count(self) -> int:
        return self.evidence_count - len(self.latest_evidence or [])


def comparison_matrix(period: ReportingPeriod, *, region=None, publication=None, theme=None) -> dict:
    """Systems (by region) × trackable items (by publication and theme), each cell the status at the end of
    `period` and at the end of the one before. Three queries, whatever the amount of history."""
    # Every system and item is read (a few dozen rows) and the filters applied here, so that the page can
    # offer exactly the regions, publications and themes there are, with no query of its own.
    every_system = list(footprint(period).select_related("region").order_by("region__name", "short_name"))
    every_item = list(Recommendation.objects.trackable().select_related("publication", "theme").in_source_order())
    systems = [system for system in every_system if region is None or system.region_id == region.pk]
    items = [item for item in every_item if publication in (None, item.publication) and theme in (None, item.theme)]
    # Every item's record is read, shown or not: a system's return is stale only if all its records are.
    records = (
        ProgressRecord.objects.filter(system__in=[s.pk for s in systems], recommendation__in=[i.pk for i in every_item])
        .with_status_at_end_of(period)
        .with_status_at_end_of(period.previous, name="previous_status")
        .annotate(stale=ExpressionWrapper(stale_condition(), output_field=BooleanField()))
        .values_list(
            "system_id",
            "recommendation_id",
            "period_status",
            "previous_status",
            "target_date",
            "status",
            "is_demo",
            "stale",
        )
    )
    today, shown, updated_lately = timezone.localdate(), {item.pk for item in items}, set()
    cells = {}
    for system_id, item_id, status, previous, target, current, is_demo, stale in records:
        if not stale:
            updated_lately.add(system_id)
        if item_id in shown:
            cells[system_id, item_id] = MatrixCell(status, previous, is_overdue(target, current, today), is_demo)
    for system in systems:
        system.is_stale = system.pk not in updated_lately
    rows = [
        (region_, [(system, [(item, cells.get((system.pk, item.pk))) for item in items]) for system in in_region])
        for region_, in_region in groupby(systems, key=lambda s: s.region)
    ]
    column_groups = [
        (publication_, [(theme_, len(list(in_theme))) for theme_, in_theme in groupby(in_pub, key=lambda i: i.theme)])
        for publication_, in_pub in groupby(items, key=lambda i: i.publication)
    ]
    return {
        "period": period,
        "footprint": footprint_label(period, count=len(every_system)),
        "items": items,
        "column_groups": column_groups,
        "rows": rows,
        "system_count": len(systems),
        "is_current": period == ReportingPeriod.current(),
        "has_demo": any(cell.is_demo for cell in cells.values()),
        "regions": list(dict.fromkeys(system.region for system in every_system)),
        "themes_by_publication": [
            (publication_, list(dict.fromkeys(item.theme for item in in_pub)))
            for publication_, in_pub in groupby(every_item, key=lambda i: i.publication)
        ],
    }


def stale_returns(period: ReportingPeriod | None = None):
    """Systems in the current footprint with no update in `period` (default: the current one), oldest first."""
    period = period or ReportingPeriod.current()
    systems = footprint(period)
    return (
        systems.select_related("region")
        .annotate(last_update=Max("records__updated_at"))
        .filter(Q(last_update__isnull=True) | Q(last_update__date__lt=period.start))
        .order_by(F("last_update").asc(nulls_first=True), "short_name")
    )


def trend(periods: list[ReportingPeriod], recommendation=None) -> list[tuple[ReportingPeriod, dict[str, int]]]:
    """Counts by status at the end of each period, nationally or for one recommendation (one query a period)."""
    series = []
    for period in periods:
        systems = footprint(period)
        records = ProgressRecord.objects.filter(system__in=systems, recommendation__trackable=True)
        if recommendation:
            records = records.filter(recommendation=recommendation)
        counts = empty_counts()
        for status in records.with_status_at_end_of(period).values_list("period_status", flat=True):
            counts[status] += 1
        series.append((period, counts))
    return series


EVIDENCE_SHOWN = 5


def board_report(system: IntegratedCareSystem, period: ReportingPeriod) -> dict:
    """Every trackable item of one system at the end of `period`, with the change since the period before,
    owners, targets, summary and latest evidence; counts by status and the overdue items. Two queries."""
    # The latest few pieces of evidence and a count: a board paper, not an archive. Only those few are read,
    # however much evidence a record has gathered.
    current_evidence = Evidence.objects.filter(withdrawn_at__isnull=True)
    latest = current_evidence.only("id", "record_id", "title", "kind", "refers_to").order_by("-refers_to", "-pk")
    evidence_count = (
        current_evidence.filter(record=OuterRef("pk")).order_by().values("record").annotate(n=Count("*")).values("n")
    )
    records = (
        ProgressRecord.objects.filter(system=system, recommendation__trackable=True)
        .select_related("recommendation__publication", "recommendation__theme", "accountable_owner", "delivery_lead")
        .prefetch_related(Prefetch("evidence", queryset=latest[:EVIDENCE_SHOWN], to_attr="latest_evidence"))
        .with_status_at_end_of(period)
        .with_status_at_end_of(period.previous, name="previous_status")
        .annotate(evidence_count=Coalesce(Subquery(evidence_count), 0))
        .order_by("-recommendation__publication__published_on", "recommendation__theme__order", "recommendation__order")
    )
    rows = [
        Cell(record, record.period_status, record.previous_status, record.latest_evidence, record.evidence_count)
        for record in records
    ]
    counts = empty_counts()
    for row in rows:
        counts[row.status] += 1
    return {
        "period": period,
        "is_current": period == ReportingPeriod.current(),
        "rows": rows,
        "groups": [
            (publication, [(theme, list(in_theme)) for theme, in_theme in groupby(in_pub, key=lambda r: r.item.theme)])
            for publication, in_pub in groupby(rows, key=lambda r: r.item.publication)
        ],
        "counts": counts,
        "overdue": [row for row in rows if row.record.is_overdue],
        "has_demo": any(row.record.is_demo for row in rows),
    }
