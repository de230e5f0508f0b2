"""Small builders for tracker rows, going through the services as the app does."""

import datetime

from django.utils import timezone

from tracker import services
from tracker.models import IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from tracker.models.progress import record_writes
from tracker.periods import ReportingPeriod


def person(system: IntegratedCareSystem, name="Priya Shah", job_title="Director of Primary Care", email=None):
    email = email or f"{name.split()[0].lower()}@{system.ods_code.lower()}.example.invalid"
    return Person.objects.create(system=system, name=name, job_title=job_title, email=email)


def update(system, code, user, *, status="amber", reason="Quarterly review", **fields):
    """Update a record as an editor would, from whatever version it is at now."""
    current = record(system.ods_code, code)
    return services.record_update(
        record=current,
        changes={"status": status, **fields},
        expected_version=current.version,
        user=user,
        reason=reason,
    )


def record(ods_code: str, code: str) -> ProgressRecord:
    return ProgressRecord.objects.get(system__ods_code=ods_code, recommendation__code=code)


def is_untouched(ods_code: str, code: str) -> bool:
    """Still as loaded: not assessed, never written, no history."""
    current = record(ods_code, code)
    return (current.status, current.version, current.history.exists()) == ("not_assessed", 0, False)


def add_evidence(system, code, user, **fields):
    """Add evidence to a record as an editor would (a link, unless `file` is given)."""
    values = {"title": "Board paper", "kind": "board_paper", "refers_to": datetime.date(2026, 5, 1)}
    values.update(fields)
    if "file" not in values:
        values.setdefault("url", "https://example.invalid/board-paper")
    return services.evidence_add(record=record(system.ods_code, code), user=user, **values)


def backdate(ods_code: str, code: str, day: datetime.date):
    """Move a record's whole history back to `day`, as if every change had been made then. Time travel for tests:
    the record and its history move together, so the record still matches its last history row."""
    current = record(ods_code, code)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    ProgressChange._base_manager.filter(record=current).update(
        changed_at=moment, period=ReportingPeriod.containing(day).code
    )
    with record_writes():
        ProgressRecord.objects.filter(pk=current.pk).update(updated_at=moment)
    return record(ods_code, code)
