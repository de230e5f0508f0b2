"""Writes that touch several rows: a record and its history, evidence and its history, copying a position.

Each is one transaction: the record, its history row and anything else it writes land together or not at all.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from legacy.models import Recommendation

from .choices import ChangeKind, Status
from .models import Evidence, IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from .uploads import validate_upload

MAX_REASON_LENGTH = 1000
TRACKED_FIELDS = {
    "status": "Status",
    "accountable_owner": "Accountable owner",
    "delivery_lead": "Delivery lead",
    "target_date": "Target date",
    "summary": "Summary",
}


class StaleRecordError(Exception):
    """Someone saved the record after this edit began; nothing was written."""

    def __init__(self, record: ProgressRecord, changes_since: list[ProgressChange]):
        self.record = record
        self.changes_since = changes_since
        who = ", ".join(sorted({c.changed_by_name for c in changes_since})) or "someone else"
        super().__init__(
            f"{who} changed this record while you were editing it. Your changes were not saved: "
            "review the record as it is now and make your changes again."
        )


def display_value(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if field == "status":
        return Status(value).label
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def actor_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "system"


@transaction.atomic
def records_ensure() -> int:
    """Give every system a 'not assessed' record for every trackable item it lacks; returns how many it made.

    Records exist from the start so that lists, comparisons and the API always cover every
    (system, item) pair, and so that every edit is an update with a version to check.
    """
    existing = set(ProgressRecord.objects.values_list("system_id", "recommendation_id"))
    items = list(Recommendation.objects.trackable().values_list("pk", flat=True))
    missing = [
        ProgressRecord(system_id=system_id, recommendation_id=item_id)
        for system_id in IntegratedCareSystem.objects.values_list("pk", flat=True)
        for item_id in items
        if (system_id, item_id) not in existing
    ]
    ProgressRecord.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def _locked_record(system: IntegratedCareSystem, recommendation: Recommendation) -> ProgressRecord:
    # Row lock: concurrent writers of one record queue here, so the version check below is reliable.
    return ProgressRecord.objects.select_for_update().get(system=system, recommendation=recommendation)


def _write_history(record, *, kind, user, status_before, changes, reason, when=None) -> ProgressChange:
    return ProgressChange.objects.create(
        record=record,
        system_id=record.system_id,
        recommendation_id=record.recommendation_id,
        kind=kind,
        changed_at=when or timezone.now(),
        changed_by=user,
        changed_by_name=actor_name(user),
        status_before=status_before,
        status_after=record.status,
        changes=changes,
        reason=reason,
        record_version=record.version,
        is_demo=record.is_demo,
    )


@transaction.atomic
def record_update(
    *,
    system: IntegratedCareSystem,
    recommendation: Recommendation,
    user,
    expected_version: int,
    status: str,
    accountable_owner: Person | None,
    delivery_lead: Person | None,
    target_date: datetime.date | None,
    summary: str,
    reason: str = "",
) -> ProgressRecord:
    """Update an ICS's record for one item, writing a history row; refuse if it changed since `expected_version`.

    A change of status or target date needs a reason. Moving a target keeps the first one set as
    `original_target_date`. Saving with nothing changed writes nothing.
    """
    record = _locked_record(system, recommendation)
    if record.version != expected_version:
        raise StaleRecordError(record, list(record.history.filter(record_version__gt=expected_version)))

    before = {field: getattr(record, field) for field in TRACKED_FIELDS}
    status_before = record.status
    record.status = status
    record.accountable_owner = accountable_owner
    record.delivery_lead = delivery_lead
    record.target_date = target_date
    record.summary = summary.strip()
    after = {field: getattr(record, field) for field in TRACKED_FIELDS}
    changed = [field for field in TRACKED_FIELDS if before[field] != after[field]]
    if not changed:
        return record
    if {"status", "target_date"} & set(changed) and not reason.strip():
        raise ValidationError({"reason": "Say why the status or target date changed: it goes into the history."})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON_LENGTH} characters."})
    if target_date and record.original_target_date is None:
        record.original_target_date = before["target_date"] or target_date
    record.full_clean(exclude=["updated_by"], validate_unique=False, validate_constraints=False)

    record.version += 1
    record.updated_at = timezone.now()
    record.updated_by = user
    record.save()
    changes = {TRACKED_FIELDS[f]: [display_value(f, before[f]), display_value(f, after[f])] for f in changed}
    _write_history(
        record, kind=ChangeKind.UPDATED, user=user, status_before=status_before, changes=changes, reason=reason.strip()
    )
    return record


@transaction.atomic
def evidence_add(
    *,
    system: IntegratedCareSystem,
    recommendation: Recommendation,
    user,
    title: str,
    kind: str,
    refers_to: datetime.date,
    description: str = "",
    url: str = "",
    file=None,
) -> Evidence:
    """Add a link or an uploaded file as evidence on a record, with a history row."""
    record = _locked_record(system, recommendation)
    evidence = Evidence(
        record=record,
        title=title.strip(),
        kind=kind,
        refers_to=refers_to,
        description=description.strip(),
        url=url,
        added_by=user,
        added_by_name=actor_name(user),
    )
    if file is not None:
        try:
            evidence.content_type = validate_upload(file)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        evidence.file = file
        evidence.file_name = file.name[:200]
        evidence.file_size = file.size
    evidence.full_clean(exclude=["record", "added_by", "withdrawn_by"])
    evidence.save()
    record.updated_at = timezone.now()
    record.save(update_fields=["updated_at"])
    _write_history(
        record,
        kind=ChangeKind.EVIDENCE_ADDED,
        user=user,
        status_before=record.status,
        changes={"Evidence": ["—", evidence.title]},
        reason="",
    )
    return evidence


@transaction.atomic
def evidence_withdraw(*, evidence: Evidence, user, reason: str) -> Evidence:
    """Withdraw evidence with a reason. It stays on record, marked withdrawn; nothing is deleted."""
    evidence = Evidence.objects.select_for_update().select_related("record").get(pk=evidence.pk)
    if evidence.is_withdrawn:
        raise ValidationError("This evidence was already withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the evidence is withdrawn: it goes into the history."})
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = user
    evidence.withdrawn_reason = reason.strip()
    evidence.full_clean(exclude=["record", "added_by", "withdrawn_by"])
    evidence.save()
    _write_history(
        evidence.record,
        kind=ChangeKind.EVIDENCE_WITHDRAWN,
        user=user,
        status_before=evidence.record.status,
        changes={"Evidence": [evidence.title, "withdrawn"]},
        reason=evidence.withdrawn_reason,
    )
    return evidence


def _person_in(system: IntegratedCareSystem, person: Person | None) -> Person | None:
    if person is None:
        return None
    copy, _ = Person.objects.get_or_create(
        system=system, email=person.email, defaults={"name": person.name, "job_title": person.job_title}
    )
    return copy


@transaction.atomic
def records_start_from_predecessor(*, successor: IntegratedCareSystem, predecessor: IntegratedCareSystem, user) -> int:
    """Start a successor ICB's records from a predecessor's position: statuses, owners, targets and summaries.

    Only items the successor has not yet written are copied, so its own work is never overwritten.
    Each copy writes a history row saying where it came from. Returns how many records were copied.
    """
    if not successor.succeeded_from.filter(predecessor=predecessor).exists():
        raise ValidationError(f"{predecessor} is not a predecessor of {successor}.")
    written = set(
        ProgressRecord.objects.filter(system=successor, version__gt=0).values_list("recommendation_id", flat=True)
    )
    copied = 0
    sources = predecessor.records.exclude(status=Status.NOT_ASSESSED).select_related(
        "recommendation", "accountable_owner", "delivery_lead"
    )
    for source in sources:
        if source.recommendation_id in written:
            continue
        record = _locked_record(successor, source.recommendation)
        record.status = source.status
        record.accountable_owner = _person_in(successor, source.accountable_owner)
        record.delivery_lead = _person_in(successor, source.delivery_lead)
        record.target_date = source.target_date
        record.original_target_date = source.original_target_date
        record.summary = source.summary
        record.version += 1
        record.updated_at = timezone.now()
        record.updated_by = user
        record.save()
        _write_history(
            record,
            kind=ChangeKind.COPIED,
            user=user,
            status_before=Status.NOT_ASSESSED,
            changes={"Status": ["—", Status(source.status).label], "Copied from": ["—", str(predecessor)]},
            reason=f"Started from {predecessor.short_name}'s position ({source.get_status_display()}).",
        )
        copied += 1
    return copied
