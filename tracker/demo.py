"""Synthetic progress for demonstrations and benchmarks. Every row it writes has is_demo=True.

Nothing here is any ICS's real return: pages say so whenever such rows exist.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from legacy.models import Recommendation

from .choices import ChangeKind, Status
from .models import IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from .models.progress import record_writes
from .periods import ReportingPeriod
from .services import records_ensure

# Mostly forward, sometimes back: how a status tends to move from one quarter to the next.
NEXT_STATUS = {
    Status.NOT_ASSESSED: [Status.RED, Status.AMBER, Status.NOT_ASSESSED],
    Status.RED: [Status.AMBER, Status.AMBER, Status.RED],
    Status.AMBER: [Status.GREEN, Status.GREEN, Status.RED, Status.AMBER],
    Status.GREEN: [Status.BLUE, Status.GREEN, Status.AMBER],
    Status.BLUE: [Status.BLUE, Status.GREEN],
}


def _moment_in(period: ReportingPeriod, rng: random.Random) -> datetime.datetime:
    day = period.start + datetime.timedelta(days=rng.randrange((period.end - period.start).days + 1))
    moment = datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    return min(timezone.make_aware(moment), timezone.now())


@transaction.atomic
def create_demo_progress(
    *, systems=None, periods: list[ReportingPeriod] | None = None, changes_per_period: int = 1, seed: int = 2026
) -> int:
    """Fill in demo progress, with history over `periods`, for `systems`; returns how many records it filled.

    Systems with any record already written are left alone, so running it again changes nothing and
    no real return is ever overwritten (history, being append-only, is never replaced either).
    """
    rng = random.Random(seed)
    systems = (systems if systems is not None else IntegratedCareSystem.objects.all()).exclude(
        pk__in=ProgressRecord.objects.filter(version__gt=0).values("system")
    )
    records_ensure()
    blank_records = {
        (record.system_id, record.recommendation_id): record
        for record in ProgressRecord.objects.filter(system__in=systems)
    }
    periods = periods or ReportingPeriod.all_until()
    items = list(Recommendation.objects.trackable())
    records = []
    for system in systems:
        people = [
            Person.objects.get_or_create(
                system=system,
                email=f"demo.person{n}@{system.ods_code.lower()}.example.invalid",
                defaults={"name": f"Demo Person {n}", "job_title": title},
            )[0]
            for n, title in enumerate(["Chief Medical Officer", "Director of Strategy", "Place Lead"], 1)
        ]
        lifetime = [
            p
            for p in periods
            if p.end >= system.established_on and (not system.dissolved_on or p.start <= system.dissolved_on)
        ]
        # A few systems stop updating, so that stale returns show.
        quiet_from = len(lifetime) - 2 if rng.random() < 0.15 else len(lifetime)
        for item in items:
            record = blank_records[(system.pk, item.pk)]
            record.is_demo = True
            history = []
            for period in lifetime[:quiet_from]:
                for _ in range(changes_per_period):
                    if rng.random() < 0.45:
                        continue
                    before = record.status
                    record.status = rng.choice(NEXT_STATUS[Status(record.status)])
                    record.version += 1
                    record.updated_at = _moment_in(period, rng)
                    if record.target_date is None and record.status != Status.NOT_ASSESSED:
                        record.target_date = record.original_target_date = period.start + datetime.timedelta(
                            days=rng.randrange(180, 900)
                        )
                        record.accountable_owner, record.delivery_lead = rng.sample(people, 2)
                    record.summary = f"Demonstration summary for {item.code}, updated in {period.label}."
                    history.append(
                        ProgressChange(
                            system=system,
                            recommendation=item,
                            kind=ChangeKind.UPDATED,
                            changed_at=record.updated_at,
                            period=period.code,
                            changed_by_name="Demo data generator",
                            status_before=before,
                            status_after=record.status,
                            changes={"Status": [Status(before).label, Status(record.status).label]},
                            reason="Demonstration data.",
                            record_version=record.version,
                            is_demo=True,
                        )
                    )
            records.append((record, history))
    fields = [
        "status",
        "version",
        "updated_at",
        "target_date",
        "original_target_date",
        "accountable_owner",
        "delivery_lead",
        "summary",
        "is_demo",
    ]
    # Demo records and their history are written together here, as the services would write them.
    with record_writes():
        ProgressRecord.objects.bulk_update([record for record, _ in records], fields, batch_size=1000)
    all_history = []
    for record, history in records:
        for change in history:
            change.record = record
            all_history.append(change)
    ProgressChange.objects.bulk_create(all_history, batch_size=2000)
    return len(records)
