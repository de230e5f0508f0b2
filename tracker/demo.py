"""Synthetic progress for demonstrations and benchmarks. Every row it writes has is_demo=True.

Nothing here is any ICS's real return: pages say so whenever such rows exist.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from legacy.models import Recommendation

from .choices import Assurance, ChangeKind, ReturnEventKind, ReturnState, Status
from .models import (
    AssuranceOpinion,
    Challenge,
    IntegratedCareSystem,
    Person,
    Position,
    ProgressChange,
    ProgressRecord,
    QuarterlyReturn,
    ReturnEvent,
    SignOff,
)
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
    *,
    systems=None,
    periods: list[ReportingPeriod] | None = None,
    changes_per_period: int = 1,
    seed: int = 2026,
    with_returns: bool = False,
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
    today = timezone.localdate()
    records, snapshots = [], {}
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
        active = lifetime[:quiet_from]
        for item in items:
            record = blank_records[(system.pk, item.pk)]
            record.is_demo = True
            history = []

            for period in active:
                for _ in range(changes_per_period):
                    if rng.random() < 0.45:
                        continue
                    before = record.status
                    record.status = rng.choice(NEXT_STATUS[Status(record.status)])
                    if record.target_date is None and record.status != Status.NOT_ASSESSED:
                        record.target_date = record.original_target_date = period.start + datetime.timedelta(
                            days=rng.randrange(180, 900)
                        )
                        record.accountable_owner, record.delivery_lead = rng.sample(people, 2)
                    record.summary = f"Demonstration summary for {item.code}, updated in {period.label}."
                    changes = {"Status": [Status(before).label, Status(record.status).label]}
                    _change(record, history, period, changes, "Demonstration data.", before, rng)
                # Slippage is never silent: a green or amber item about to pass its target has the target moved,
                # with a reason, as an ICS would before its return (by the last active period, past today too).
                horizon = max(period.end, today) if period == active[-1] else period.end
                if record.status in (Status.GREEN, Status.AMBER) and record.target_date <= horizon:
                    moved = horizon + datetime.timedelta(days=rng.randrange(120, 400))
                    changes = {"Target date": [record.target_date.isoformat(), moved.isoformat()]}
                    record.target_date = moved
                    reason = "Demonstration data: target moved after the quarterly review."
                    _change(record, history, period, changes, reason, record.status, rng)
                snapshots[system.pk, item.pk, period.code] = _snapshot(record)
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
    if with_returns:
        create_demo_returns(systems=systems, snapshots=snapshots, rng=rng)
    return len(records)


def _change(record, history, period, changes, reason, status_before, rng):
    """One demo change: the record moves on a version and its history row says how and why."""
    record.version += 1
    moment = _moment_in(period, rng)
    if record.updated_at and moment <= record.updated_at:
        moment = min(record.updated_at + datetime.timedelta(minutes=1), timezone.now())  # history runs forwards
    record.updated_at = moment
    history.append(
        ProgressChange(
            system_id=record.system_id,
            recommendation_id=record.recommendation_id,
            kind=ChangeKind.UPDATED,
            changed_at=record.updated_at,
            period=period.code,
            changed_by_name="Demo data generator",
            status_before=status_before,
            status_after=record.status,
            changes=changes,
            reason=reason,
            record_version=record.version,
            is_demo=True,
        )
    )


def _snapshot(record) -> dict:
    """A record's position as it stands, as a signed-off return freezes it."""
    return Position.frozen_from(record, last_reason="Demonstration data." if record.version else "", evidence=[])


ASSURANCE_COMMENTS = {
    Assurance.SUBSTANTIAL: "Demonstration data: the evidence supports every status.",
    Assurance.REASONABLE: "Demonstration data: the evidence supports most statuses; minor gaps noted.",
    Assurance.LIMITED: "Demonstration data: several greens rest on plans rather than delivery.",
}


def create_demo_returns(*, systems, snapshots: dict, rng: random.Random, year: int = 4) -> int:
    """A year of quarterly returns for demo systems: most past quarters signed off (some late, a few with limited
    assurance and open challenges), the most recent ones sometimes still open or submitted; the current quarter
    open. Every row is labelled demo. Returns how many returns it signed off."""
    current = ReportingPeriod.current()
    past = [period for period in ReportingPeriod.all_until(current.previous)[-year:]]
    items = {item.pk: item for item in Recommendation.objects.trackable()}
    signed = 0
    for system in systems:
        for period in past:
            frozen = [snapshots.get((system.pk, item_id, period.code)) for item_id in items]
            if not all(frozen):
                continue  # the system was quiet or did not exist then: no return made
            honest = all(position["status"] != Status.NOT_ASSESSED for position in frozen)
            quarterly_return, _ = QuarterlyReturn.objects.get_or_create(system=system, period=period.code)
            quarterly_return.is_demo = True
            days_after = rng.choice([5, 12, 20, 26, 29, 33, 41]) if period != current.previous else rng.randrange(3, 25)
            submitted_at = timezone.make_aware(datetime.datetime.combine(period.end, datetime.time(10))) + (
                datetime.timedelta(days=days_after - 2)
            )
            if submitted_at > timezone.now() or not honest or rng.random() < 0.08:
                quarterly_return.save()
                continue  # not yet submitted (or could not be: items still unassessed): open, late once due
            quarterly_return.state = ReturnState.SUBMITTED
            quarterly_return.submitted_at = submitted_at
            quarterly_return.submitted_by_name = "Demo editor"
            quarterly_return.version = 1
            _demo_event(quarterly_return, ReturnEventKind.SUBMITTED, submitted_at, "Demo editor")
            signed_off_at = submitted_at + datetime.timedelta(days=2)
            if signed_off_at > timezone.now() or rng.random() < 0.05:
                quarterly_return.save()
                continue  # submitted, waiting for sign-off
            sign_off = SignOff.objects.create(
                quarterly_return=quarterly_return,
                number=1,
                submitted_at=submitted_at,
                submitted_by_name="Demo editor",
                signed_off_at=signed_off_at,
                signed_off_by_name="Demo approver",
                is_demo=True,
            )
            Position.objects.bulk_create(
                Position(sign_off=sign_off, is_demo=True, **snapshots[system.pk, item_id, period.code])
                for item_id in items
            )
            quarterly_return.state, quarterly_return.sign_off, quarterly_return.version = (
                ReturnState.SIGNED_OFF,
                sign_off,
                2,
            )
            quarterly_return.save()
            _demo_event(quarterly_return, ReturnEventKind.SIGNED_OFF, signed_off_at, "Demo approver", "Version 1")
            signed += 1
            roll = rng.random()
            if roll < 0.6:
                opinion = (
                    Assurance.LIMITED if roll < 0.08 else rng.choice([Assurance.SUBSTANTIAL, Assurance.REASONABLE])
                )
                assured_at = signed_off_at + datetime.timedelta(days=7)
                AssuranceOpinion.objects.create(
                    sign_off=sign_off,
                    opinion=opinion,
                    comment=ASSURANCE_COMMENTS[opinion],
                    given_at=assured_at,
                    given_by_name="Demo reviewer",
                    is_demo=True,
                )
                _demo_event(quarterly_return, ReturnEventKind.ASSURED, assured_at, "Demo reviewer", opinion.label)
                if opinion == Assurance.LIMITED:
                    greens = [p for p in frozen if p["status"] in (Status.GREEN, Status.BLUE)] or frozen
                    challenged = rng.choice(greens)["record"].recommendation_id
                    Challenge.objects.create(
                        quarterly_return=quarterly_return,
                        sign_off=sign_off,
                        recommendation_id=challenged,
                        text="Demonstration data: the evidence listed does not yet support this status.",
                        raised_at=assured_at,
                        raised_by_name="Demo reviewer",
                        is_demo=True,
                    )
                    _demo_event(quarterly_return, ReturnEventKind.CHALLENGED, assured_at, "Demo reviewer")
    # The current quarter's returns (opened empty by load_reference_data) hold these systems' demo records now.
    for system in systems:
        QuarterlyReturn.objects.update_or_create(system=system, period=current.code, defaults={"is_demo": True})
    return signed


def _demo_event(quarterly_return, kind, at, by_name, detail=""):
    ReturnEvent.objects.create(
        quarterly_return=quarterly_return,
        kind=kind,
        at=at,
        by_name=by_name,
        detail=detail,
        return_version=quarterly_return.version,
        is_demo=True,
    )
