"""One system's board report: its frozen positions where the period's return is signed off, else from history."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from legacy.models import Publication, Recommendation, Theme

from ..choices import Assurance, EvidenceKind, PositionSource
from ..models import (
    AssuranceOpinion,
    Challenge,
    Evidence,
    IntegratedCareSystem,
    Position,
    ProgressRecord,
    QuarterlyReturn,
)
from ..models.progress import is_overdue, is_stale, stale_before
from ..periods import ReportingPeriod
from .comparison import empty_counts, movement

EVIDENCE_SHOWN = 5
# What a signed-off report reads of each frozen position (with its item's headings and the status the period before).
FROZEN_ROW_FIELDS = (
    "recommendation_id",
    "recommendation__code",
    "recommendation__title",
    "recommendation__publication_id",
    "recommendation__publication__title",
    "recommendation__theme_id",
    "recommendation__theme__title",
    "status",
    "previous_status",
    "accountable_owner",
    "delivery_lead",
    "target_date",
    "original_target_date",
    "summary",
    "last_reason",
    "evidence",
    "is_demo",
)


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
    # Each item's official status at the end of the period before, read with its position: frozen where that
    # return is signed off, else from history (signed_off=True: looked up per record, rather than one more query first
    # asking whether anything was signed off then).
    previous_status = (
        ProgressRecord.objects.filter(pk=OuterRef("record"))
        .with_status_at_end_of(period.previous, signed_off=True)
        .values("period_status")
    )
    # Plain rows rather than model instances: the positions and their items' headings in one query.
    positions = _report_order(
        Position.objects.filter(sign_off=sign_off).annotate(previous_status=Subquery(previous_status))
    ).values_list(*FROZEN_ROW_FIELDS, named=True)
    publications, themes, rows = {}, {}, []
    for position in positions:
        # The report shows an item's code and title under its publication's and theme's titles; one instance of
        # each publication and theme, so that rows group under them as under the live report's.
        if position.recommendation__publication_id not in publications:
            publications[position.recommendation__publication_id] = Publication(
                id=position.recommendation__publication_id, title=position.recommendation__publication__title
            )
        if position.recommendation__theme_id not in themes:
            themes[position.recommendation__theme_id] = Theme(
                id=position.recommendation__theme_id, title=position.recommendation__theme__title
            )
        item = Recommendation(
            id=position.recommendation_id,
            code=position.recommendation__code,
            title=position.recommendation__title,
            publication=publications[position.recommendation__publication_id],
            theme=themes[position.recommendation__theme_id],
        )
        evidence = sorted(position.evidence, key=itemgetter("refers_to"), reverse=True)
        rows.append(
            BoardReportRow(
                item=item,
                status=position.status,
                previous_status=position.previous_status,
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
    # The return, its sign-off in force and that sign-off's latest assurance opinion in one query; the challenges
    # are read only where there are open ones (rarely).
    latest_opinion = AssuranceOpinion.objects.filter(sign_off=OuterRef("sign_off")).order_by("-given_at", "-pk")
    quarterly_return = (
        QuarterlyReturn.objects.filter(system=system, period=period.code)
        .select_related("sign_off")
        .annotate(
            assurance_opinion=Subquery(latest_opinion.values("opinion")[:1]),
            has_open_challenges=Exists(Challenge.objects.filter(quarterly_return=OuterRef("pk")).open()),
        )
        .order_by()  # one return per system and period: no sort (nor the join Meta.ordering's sort would need)
        .first()
    )
    sign_off = quarterly_return.sign_off if quarterly_return else None
    challenges = defaultdict(list)
    if quarterly_return and quarterly_return.has_open_challenges:
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
    opinion = quarterly_return.assurance_opinion if quarterly_return else None
    counts = empty_counts()
    for row in rows:
        counts[row.status] += 1
    return {
        "period": period,
        "is_current": is_current,
        "quarterly_return": quarterly_return,
        "sign_off": sign_off,
        "assurance": Assurance(opinion) if opinion else None,
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
