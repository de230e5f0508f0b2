"""Reads across systems: footprints, roll-ups and trends, the comparison matrix, stale returns, peer learning.

Each reads a period's official positions with the one rule for each concept: status as at a period's end
(`with_status_at_end_of`), stale (`stale_before`), overdue (`is_overdue`), demonstration data (`is_demo`).
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from legacy.models import Publication, Recommendation, Theme

from ..choices import PEER_LEARNING_STATUSES, Status
from ..models import (
    IntegratedCareSystem,
    ProgressRecord,
    QuarterlyReturn,
    Region,
)
from ..models.progress import is_overdue, signed_off_positions, stale_before, stale_condition
from ..periods import ReportingPeriod


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
    """(system id, region code, recommendation code, status at the end of `period`, is demo) for each record in
    the footprint."""
    records = ProgressRecord.objects.filter(system__in=footprint(period), recommendation__trackable=True)
    if region:
        records = records.filter(system__region=region)
    if publication:
        records = records.filter(recommendation__publication=publication)
    if theme:
        records = records.filter(recommendation__theme=theme)
    return records.with_status_at_end_of(period).values_list(
        "system_id", "system__region__code", "recommendation__code", "period_status", "is_demo"
    )


def rollups(period: ReportingPeriod, *, region=None, publication=None, theme=None) -> dict:
    """Counts by status per recommendation, per region and nationally, with the change since the previous period.
    Each roll-up says whether it counts demonstration data."""
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
        counts, systems, demo = defaultdict(empty_counts), defaultdict(set), set()
        for system_id, region_code, item_code, status, is_demo in positions_at(at, **filters):
            for key in (item_code, region_code, "england"):
                counts[key][status] += 1
                systems[key].add(system_id)
                if is_demo:
                    demo.add(key)
        return counts, systems, demo

    now, now_systems, now_demo = tally(period)
    was, _, was_demo = tally(period.previous)
    signed_off = set(
        QuarterlyReturn.objects.filter(
            period=period.code, sign_off__isnull=False, system__in=footprint(period)
        ).values_list("system_id", flat=True)
    )

    def rollup(key, label):
        return {
            "key": key,
            "label": label,
            "systems": len(now_systems[key]),
            "counts": now[key],
            "previous_counts": was[key],
            "change": {status: now[key][status] - was[key][status] for status in now[key]},
            "includes_demo": key in now_demo or key in was_demo,
            "signed_off_systems": len(now_systems[key] & signed_off),
        }

    national = rollup("england", "England")
    return {
        "period": period.code,
        "previous_period": period.previous.code,
        "footprint": footprint_label(period),
        "previous_footprint": footprint_label(period.previous),
        "includes_demo": national["includes_demo"],
        "signed_off_systems": len(signed_off),
        "national": national,
        "by_recommendation": [rollup(item.code, item.title) for item in items],
        "by_region": [rollup(r.code, r.name) for r in regions],
    }


# What the matrix and the page's filters show of an item, its publication and its theme (not the item's long text).
ITEM_FIELDS = (
    "pk",
    "code",
    "title",
    "publication_id",
    "publication__slug",
    "publication__title",
    "publication__publisher",
    "publication__published_on",
    "theme_id",
    "theme__slug",
    "theme__title",
    "theme__title_is_paraphrase",
)
STATUS_RANK = {status.value: rank for rank, status in enumerate(Status)}


def movement(now: str, before: str) -> str:
    """How a status moved between two periods: up, down, new (first assessed) or same."""
    if now == before:
        return "same"
    if before == Status.NOT_ASSESSED:
        return "new"
    if Status.NOT_APPLICABLE in (now, before):
        return "changed"
    return "up" if STATUS_RANK[now] > STATUS_RANK[before] else "down"


@dataclass(slots=True)
class MatrixCell:
    """One comparison cell: just what the matrix shows, read without building a model instance."""

    status: str
    previous_status: str | None
    is_overdue: bool
    is_demo: bool

    @property
    def movement(self) -> str:
        return movement(self.status, self.previous_status or self.status)


@dataclass(slots=True, eq=False)  # eq=False: one object per item, hashed as itself
class MatrixItem:
    """One comparison column's item: just what the matrix shows, read without building a model instance."""

    pk: int
    code: str
    title: str
    publication: Publication
    theme: Theme


@dataclass(slots=True)
class MatrixSystem:
    """One comparison row's system: just what the matrix shows, read without building a model instance."""

    pk: int
    ods_code: str
    short_name: str
    region: Region
    url: str
    is_signed_off: bool
    is_stale: bool


def comparison_matrix(
    period: ReportingPeriod, *, region=None, publication=None, theme=None, with_change: bool = False
) -> dict:
    """Systems (by region) × trackable items (by publication and theme), each cell the official status at the end
    of `period` (and, `with_change`, at the end of the one before) and whether it is overdue; which systems' returns
    are stale as at the period's end, and which are signed off. For the current period without change, the records
    are one plain read; for a signed-off period, the signed-off systems' cells are their frozen positions."""
    # Every system and item is read (a few dozen rows) and the filters applied here, so that the page can
    # offer exactly the regions, publications and themes there are, with no query of its own. Both are read as
    # plain values, only the columns shown: systems with whether their return for the period is signed off.
    signed_off_return = QuarterlyReturn.objects.filter(
        system=OuterRef("pk"), period=period.code, sign_off__isnull=False
    )
    system_url = reverse("tracker:system", args=["~ods~"])  # one reverse(): only the ODS code varies
    regions, every_system = {}, []
    for pk, ods_code, short_name, region_id, region_code, region_name, is_signed_off in (
        footprint(period)
        .annotate(is_signed_off=Exists(signed_off_return))
        .order_by("region__name", "short_name")
        .values_list("pk", "ods_code", "short_name", "region_id", "region__code", "region__name", "is_signed_off")
    ):
        if region_id not in regions:
            regions[region_id] = Region(pk=region_id, code=region_code, name=region_name)
        url = system_url.replace("~ods~", ods_code)
        # Signing off confirms every item current; otherwise a return is stale until one of its records is not.
        every_system.append(
            MatrixSystem(pk, ods_code, short_name, regions[region_id], url, is_signed_off, not is_signed_off)
        )
    signed_off = {system.pk for system in every_system if system.is_signed_off}
    # Items likewise, with one instance of each of their few publications and themes (the filters show them).
    publications, themes, every_item = {}, {}, []
    for row in Recommendation.objects.trackable().in_source_order().values_list(*ITEM_FIELDS, named=True):
        if row.publication_id not in publications:
            publications[row.publication_id] = Publication(
                pk=row.publication_id,
                slug=row.publication__slug,
                title=row.publication__title,
                publisher=row.publication__publisher,
                published_on=row.publication__published_on,
            )
        if row.theme_id not in themes:
            themes[row.theme_id] = Theme(
                pk=row.theme_id,
                slug=row.theme__slug,
                publication_id=row.publication_id,
                title=row.theme__title,
                title_is_paraphrase=row.theme__title_is_paraphrase,
            )
        every_item.append(
            MatrixItem(row.pk, row.code, row.title, publications[row.publication_id], themes[row.theme_id])
        )
    systems = [system for system in every_system if region is None or system.region.pk == region.pk]
    items = [item for item in every_item if publication in (None, item.publication) and theme in (None, item.theme)]
    system_ids = [system.pk for system in systems]
    frozen, from_history = (), system_ids
    if signed_off and not with_change:
        # A signed-off system's cells are its frozen positions, one plain read; history only for the others.
        # Every system's: those not shown (a few, or none) are passed over below, cheaper than a filter to compile.
        frozen = signed_off_positions(period).values_list(
            "sign_off__in_force_for__system_id", "recommendation_id", "status", "target_date", "is_demo"
        )
        from_history = [pk for pk in system_ids if pk not in signed_off]  # none: no query
    # Every item's record is read, shown or not: a system's return is stale only if all its records are.
    records = ProgressRecord.objects.filter(system__in=from_history, recommendation__in=[i.pk for i in every_item])
    records = records.order_by()
    records = (
        records.with_status_at_end_of(period, signed_off=bool(signed_off) and with_change)
        .with_last_update_at_end_of(period)
        .annotate(stale=stale_condition(period, "last_update"))
    )
    previous = ("previous_status",) if with_change else ()
    if with_change:
        records = records.with_status_at_end_of(period.previous, name="previous_status")
    records = records.values_list(
        "system_id", "recommendation_id", "period_status", "target_date", "is_demo", "stale", *previous
    )
    # Overdue is judged on the period's last day (today, for the current period), on the target as it stands.
    is_current = period == ReportingPeriod.current()
    judged_on = timezone.localdate() if is_current else period.end
    # Cells by system id, then item id: integer keys, looked up once per cell when the rows are laid out.
    shown, cells, has_demo = {item.pk for item in items}, {pk: {} for pk in system_ids}, False
    for system_id, item_id, status, target, is_demo in frozen:
        if item_id in shown and system_id in cells:
            cells[system_id][item_id] = MatrixCell(status, None, is_overdue(target, status, judged_on), is_demo)
            has_demo = has_demo or is_demo
    by_pk = {system.pk: system for system in systems}
    for system_id, item_id, status, target, is_demo, stale, *was in records:
        if not stale:
            by_pk[system_id].is_stale = False
        if item_id in shown:
            overdue = is_overdue(target, status, judged_on)
            cells[system_id][item_id] = MatrixCell(status, was[0] if was else None, overdue, is_demo)
            has_demo = has_demo or is_demo
    rows = [
        (
            region_,
            [(system, [(item, cells[system.pk].get(item.pk)) for item in items]) for system in in_region],
        )
        for region_, in_region in groupby(systems, key=attrgetter("region"))
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
        "signed_off_count": len([system for system in systems if system.is_signed_off]),
        "is_current": is_current,
        "with_change": with_change,
        "has_demo": has_demo,
        "regions": list(regions.values()),
        "themes_by_publication": [
            (publication_, list(dict.fromkeys(item.theme for item in in_pub)))
            for publication_, in_pub in groupby(every_item, key=lambda i: i.publication)
        ],
    }


def stale_returns(period: ReportingPeriod):
    """The systems of `period`'s footprint whose return is stale as at its end (no update in it or the period
    before, and not signed off), least recently updated first."""
    last_update = Max("history__changed_at", filter=Q(history__changed_at__lt=period.end_moment))
    signed_off = QuarterlyReturn.objects.filter(period=period.code, sign_off__isnull=False).values("system")
    return (
        footprint(period)
        .exclude(pk__in=signed_off)
        .select_related("region")
        .annotate(last_update=last_update)
        .filter(Q(last_update__isnull=True) | Q(last_update__lt=stale_before(period)))
        .order_by(F("last_update").asc(nulls_first=True), "short_name")
    )


def trend(periods: list[ReportingPeriod], recommendation=None) -> list[tuple[ReportingPeriod, dict[str, int]]]:
    """Counts by status at the end of each period, nationally or for one recommendation (one query a period)."""
    series = []
    for period in periods:
        records = ProgressRecord.objects.filter(system__in=footprint(period), recommendation__trackable=True)
        if recommendation:
            records = records.filter(recommendation=recommendation)
        counts = empty_counts()
        for status in records.with_status_at_end_of(period).values_list("period_status", flat=True):
            counts[status] += 1
        series.append((period, counts))
    return series


def peer_leaders(period: ReportingPeriod):
    """The records, in `period`'s footprint, that peer learning points to: officially green or blue for `period`
    (the signed-off position where the return is signed off, else the record as it stands)."""
    return (
        ProgressRecord.objects.filter(system__in=footprint(period))
        .with_status_at_end_of(period)
        .filter(period_status__in=PEER_LEARNING_STATUSES)
    )
