"""Reads that need care: an ICS's page, the comparison matrix, the roll-ups, the board report, the API's rows.

Each reads a period's positions with the one rule for each concept: status as at a period's end
(`with_status_at_end_of`), stale (`stale_before`), overdue (`is_overdue`), demonstration data (`is_demo`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from legacy.models import Recommendation

from .choices import PEER_LEARNING_STATUSES, EvidenceKind, PositionSource, Status
from .models import (
    Evidence,
    IntegratedCareSystem,
    ProgressChange,
    ProgressRecord,
    QuarterlyReturn,
    Region,
    Succession,
)
from .models.progress import is_overdue, is_stale, signed_off_positions, stale_before, stale_condition
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


def system_history(system: IntegratedCareSystem):
    """A system's history, newest first, with what each entry's line shows."""
    return ProgressChange.objects.filter(system=system).select_related("system", "recommendation")


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

    def rollup(key, label):
        return {
            "key": key,
            "label": label,
            "systems": len(now_systems[key]),
            "counts": now[key],
            "previous_counts": was[key],
            "change": {status: now[key][status] - was[key][status] for status in now[key]},
            "includes_demo": key in now_demo or key in was_demo,
        }

    national = rollup("england", "England")
    return {
        "period": period.code,
        "previous_period": period.previous.code,
        "footprint": footprint_label(period),
        "previous_footprint": footprint_label(period.previous),
        "includes_demo": national["includes_demo"],
        "signed_off_systems": QuarterlyReturn.objects.filter(
            period=period.code, sign_off__isnull=False, system__in=footprint(period)
        ).count(),
        "national": national,
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
    if Status.NOT_APPLICABLE in (now, before):
        return "changed"
    return "up" if STATUS_RANK[now] > STATUS_RANK[before] else "down"


@dataclass
class MatrixCell:
    """One comparison cell: just what the matrix shows, read without building a model instance."""

    status: str
    previous_status: str | None
    is_overdue: bool
    is_demo: bool

    @property
    def movement(self) -> str:
        return movement(self.status, self.previous_status or self.status)


def comparison_matrix(
    period: ReportingPeriod, *, region=None, publication=None, theme=None, with_change: bool = False
) -> dict:
    """Systems (by region) × trackable items (by publication and theme), each cell the official status at the end
    of `period` (and, `with_change`, at the end of the one before) and whether it is overdue; which systems' returns
    are stale as at the period's end, and which are signed off. For the current period without change, the records
    are one plain read."""
    # Every system and item is read (a few dozen rows) and the filters applied here, so that the page can
    # offer exactly the regions, publications and themes there are, with no query of its own.
    every_system = list(
        footprint(period)
        .select_related("region")
        .only("ods_code", "short_name", "region__code", "region__name")
        .order_by("region__name", "short_name")
    )
    every_item = list(Recommendation.objects.trackable().select_related("publication", "theme").in_source_order())
    systems = [system for system in every_system if region is None or system.region_id == region.pk]
    items = [item for item in every_item if publication in (None, item.publication) and theme in (None, item.theme)]
    signed_off = set(
        QuarterlyReturn.objects.filter(period=period.code, sign_off__isnull=False).values_list("system_id", flat=True)
    )
    system_ids, item_ids = [s.pk for s in systems], [i.pk for i in every_item]
    # Every item's record is read, shown or not: a system's return is stale only if all its records are.
    records = ProgressRecord.objects.filter(system__in=system_ids, recommendation__in=item_ids).order_by()
    frozen = []
    if signed_off and not with_change:
        # A signed-off system's cells are its frozen positions, one plain read; history only for the others.
        records = records.exclude(system__in=signed_off)
        frozen = signed_off_positions(period).filter(sign_off__quarterly_return__system__in=system_ids)
        frozen = frozen.values_list(
            "sign_off__quarterly_return__system_id", "recommendation_id", "status", "target_date", "is_demo"
        )
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
    shown, updated_lately, cells = {item.pk for item in items}, set(signed_off), {}
    for system_id, item_id, status, target, is_demo in frozen:
        if item_id in shown:
            cells[system_id, item_id] = MatrixCell(status, None, is_overdue(target, status, judged_on), is_demo)
    for system_id, item_id, status, target, is_demo, stale, *was in records:
        if not stale:
            updated_lately.add(system_id)
        if item_id in shown:
            overdue = is_overdue(target, status, judged_on)
            cells[system_id, item_id] = MatrixCell(status, was[0] if was else None, overdue, is_demo)
    # One reverse() for all the rows: the ODS code is the only part of a system's URL that varies.
    system_url = reverse("tracker:system", args=["~ods~"])
    for system in systems:
        system.is_stale = system.pk not in updated_lately
        system.is_signed_off = system.pk in signed_off
        system.url = system_url.replace("~ods~", system.ods_code)
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
        "signed_off_count": len([system for system in systems if system.is_signed_off]),
        "is_current": is_current,
        "with_change": with_change,
        "has_demo": any(cell.is_demo for cell in cells.values()),
        "regions": list(dict.fromkeys(system.region for system in every_system)),
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


EVIDENCE_SHOWN = 5


@dataclass
class BoardReportRow:
    """One item of a board report: its position at the period's end (frozen, where the return is signed off),
    the status before, and its latest evidence."""

    item: Recommendation
    status: str
    previous_status: str
    accountable_owner: str
    delivery_lead: str
    target_date: object
    original_target_date: object
    summary: str
    last_reason: str
    is_overdue: bool
    is_stale: bool
    is_demo: bool
    latest_evidence: list
    evidence_count: int
    open_challenges: list

    @property
    def movement(self) -> str:
        return movement(self.status, self.previous_status)

    @property
    def target_moved(self) -> bool:
        return bool(self.original_target_date and self.original_target_date != self.target_date)

    @property
    def earlier_evidence_count(self) -> int:
        return self.evidence_count - len(self.latest_evidence)


@dataclass
class EvidenceLine:
    """A piece of evidence as a report lists it, live or frozen at sign-off."""

    title: str
    kind: str
    refers_to: datetime.date

    def get_kind_display(self) -> str:
        return EvidenceKind(self.kind).label


def _report_order(queryset, prefix: str = "recommendation__"):
    return queryset.order_by(f"-{prefix}publication__published_on", f"{prefix}theme__order", f"{prefix}order")


def _live_rows(system, period, judged_on, cutoff, challenges) -> list[BoardReportRow]:
    # The latest few pieces of evidence and a count: a board paper, not an archive. Only those few are read,
    # however much evidence a record has gathered.
    current_evidence = Evidence.objects.filter(withdrawn_at__isnull=True)
    latest = current_evidence.only("id", "record_id", "title", "kind", "refers_to").order_by("-refers_to", "-pk")
    evidence_count = (
        current_evidence.filter(record=OuterRef("pk")).order_by().values("record").annotate(n=Count("*")).values("n")
    )
    records = _report_order(
        ProgressRecord.objects.filter(system=system, recommendation__trackable=True)
        .select_related("recommendation__publication", "recommendation__theme", "accountable_owner", "delivery_lead")
        .prefetch_related(Prefetch("evidence", queryset=latest[:EVIDENCE_SHOWN], to_attr="latest_evidence"))
        .with_status_at_end_of(period)
        .with_status_at_end_of(period.previous, name="previous_status")
        .with_last_update_at_end_of(period)
        .with_last_reason(before=period.end_moment)
        .annotate(evidence_count=Coalesce(Subquery(evidence_count), 0))
    )
    return [
        BoardReportRow(
            item=record.recommendation,
            status=record.period_status,
            previous_status=record.previous_status,
            accountable_owner=record.accountable_owner.name if record.accountable_owner else "",
            delivery_lead=record.delivery_lead.name if record.delivery_lead else "",
            target_date=record.target_date,
            original_target_date=record.original_target_date,
            summary=record.summary,
            last_reason=record.last_reason,
            is_overdue=is_overdue(record.target_date, record.period_status, judged_on),
            is_stale=is_stale(record.last_update, cutoff),
            is_demo=record.is_demo,
            latest_evidence=record.latest_evidence,
            evidence_count=record.evidence_count,
            open_challenges=challenges.get(record.recommendation_id, []),
        )
        for record in records
    ]


def _frozen_rows(sign_off, period, judged_on, challenges) -> list[BoardReportRow]:
    from .models import Position

    previous = dict(
        ProgressRecord.objects.filter(system=sign_off.quarterly_return.system_id)
        .with_status_at_end_of(period.previous)
        .values_list("recommendation_id", "period_status")
    )
    positions = _report_order(
        Position.objects.filter(sign_off=sign_off).select_related(
            "recommendation__publication", "recommendation__theme"
        )
    )
    rows = []
    for position in positions:
        evidence = sorted(position.evidence, key=lambda e: e["refers_to"], reverse=True)
        rows.append(
            BoardReportRow(
                item=position.recommendation,
                status=position.status,
                previous_status=previous.get(position.recommendation_id, Status.NOT_ASSESSED),
                accountable_owner=position.accountable_owner,
                delivery_lead=position.delivery_lead,
                target_date=position.target_date,
                original_target_date=position.original_target_date,
                summary=position.summary,
                last_reason=position.last_reason,
                is_overdue=is_overdue(position.target_date, position.status, judged_on),
                is_stale=False,  # signed off: every item was confirmed current for the period
                is_demo=position.is_demo,
                latest_evidence=[
                    EvidenceLine(e["title"], e["kind"], datetime.date.fromisoformat(e["refers_to"]))
                    for e in evidence[:EVIDENCE_SHOWN]
                ],
                evidence_count=len(evidence),
                open_challenges=challenges.get(position.recommendation_id, []),
            )
        )
    return rows


def board_report(system: IntegratedCareSystem, period: ReportingPeriod) -> dict:
    """Every trackable item of one system at the end of `period`: the signed-off return's frozen positions where
    there is one (reproducible exactly, whatever changed since), else the position from history. With the change
    since the period before, owners, targets, summary, the reason for the last change, the latest evidence and open
    challenges; counts by status and the overdue items."""
    from .models import Challenge, QuarterlyReturn

    quarterly_return = (
        QuarterlyReturn.objects.filter(system=system, period=period.code)
        .select_related("sign_off")
        .prefetch_related("sign_off__assurances")
        .first()
    )
    sign_off = quarterly_return.sign_off if quarterly_return else None
    challenges = defaultdict(list)
    if quarterly_return:
        for challenge in (
            Challenge.objects.filter(quarterly_return=quarterly_return).open().select_related("recommendation")
        ):
            challenges[challenge.recommendation_id].append(challenge)
    is_current = period == ReportingPeriod.current()
    judged_on, cutoff = (timezone.localdate() if is_current else period.end), stale_before(period)
    if sign_off:
        rows = _frozen_rows(sign_off, period, judged_on, challenges)
    else:
        rows = _live_rows(system, period, judged_on, cutoff, challenges)
    counts = empty_counts()
    for row in rows:
        counts[row.status] += 1
    assurances = list(sign_off.assurances.all()) if sign_off else []
    return {
        "period": period,
        "is_current": is_current,
        "quarterly_return": quarterly_return,
        "sign_off": sign_off,
        "assurance": assurances[0] if assurances else None,
        "position_source": PositionSource.SIGNED_OFF if sign_off else PositionSource.HISTORY,
        "rows": rows,
        "groups": [
            (publication, [(theme, list(in_theme)) for theme, in_theme in groupby(in_pub, key=lambda r: r.item.theme)])
            for publication, in_pub in groupby(rows, key=lambda r: r.item.publication)
        ],
        "counts": counts,
        "overdue": [row for row in rows if row.is_overdue],
        "open_challenges": [c for row in rows for c in row.open_challenges],
        "is_stale": all(row.is_stale for row in rows),
        "has_demo": any(row.is_demo for row in rows),
    }


# What the API gives for a progress record, and what it reads to give it: one plain row per record.
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


def returns_for(user):
    """The returns `user` may read, with what a list of them shows: sign-off, latest assurance, open challenges."""
    from .models import AssuranceOpinion

    latest_assurance = AssuranceOpinion.objects.filter(sign_off=OuterRef("sign_off")).order_by("-given_at", "-pk")
    return (
        QuarterlyReturn.objects.for_user(user)
        .select_related("system__region", "sign_off")
        .annotate(
            open_challenges=Count("challenges", filter=Q(challenges__answered_at__isnull=True)),
            assurance=Subquery(latest_assurance.values("opinion")[:1]),
        )
        .order_by("-period", "system__region__name", "system__short_name")
    )


def returns_grid(returns, periods: list[ReportingPeriod]):
    """Systems (by region) × periods, each cell a return or None: the returns page's table."""
    by_key = {(r.system_id, r.period): r for r in returns}
    systems = sorted({r.system for r in by_key.values()}, key=lambda s: (s.region.name, s.short_name))
    return [
        (region, [(system, [by_key.get((system.pk, p.code)) for p in periods]) for system in in_region])
        for region, in_region in groupby(systems, key=lambda s: s.region)
    ]


def returns_on_system_page(system: IntegratedCareSystem) -> list:
    """The returns an ICS is working on: the current period's and, until it is signed off, the one before (due a
    month after its period ends). Each says how many things block its submission."""
    from .services import return_blocking

    current = ReportingPeriod.current()
    returns = list(
        QuarterlyReturn.objects.filter(system=system, period__in=[current.code, current.previous.code])
        .select_related("system", "sign_off")
        .annotate(open_challenges=Count("challenges", filter=Q(challenges__answered_at__isnull=True)))
        .order_by("-period")
    )
    returns = [r for r in returns if r.period == current.code or r.sign_off_id is None or r.open_challenges]
    for quarterly_return in returns:
        open_ = quarterly_return.state == "open"
        quarterly_return.blocking_count = len(return_blocking(quarterly_return)) if open_ else 0
    return returns
