"""Writes that touch several rows: a record and its history, evidence and its history, copying a position.

Each is one transaction: the record, its history row and anything else it writes land together or not at all.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from legacy.models import Recommendation

from ..choices import ChangeKind, Status
from ..models import Evidence, IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from ..models.progress import record_writes
from ..periods import ReportingPeriod
from ..uploads import validate_upload

MAX_REASON_LENGTH = 1000


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


def _locked_record(record: ProgressRecord) -> ProgressRecord:
    """The record read afresh under a row lock: concurrent writers of one record queue here, so that what the
    caller checks next (its version, whether it was written) is what it writes over."""
    return (
        ProgressRecord.objects.select_for_update(of=("self",))
        .select_related("system", "recommendation", "accountable_owner", "delivery_lead")
        .get(pk=record.pk)
    )


def _mark_written(record, *, user, at, new_version: bool = True) -> None:
    """What every stored change sets on its record. A real change makes the record real: demonstration data stays
    labelled only while nobody has worked on it."""
    if new_version:
        record.version += 1
    record.updated_at, record.updated_by, record.is_demo = at, user, False


def _history_row(record, *, user, at, kind, status_before, changes, reason) -> ProgressChange:
    """The history row of a change just made to `record` (after _mark_written), not yet stored."""
    return ProgressChange(
        record=record,
        system_id=record.system_id,
        recommendation_id=record.recommendation_id,
        kind=kind,
        changed_at=at,
        period=ReportingPeriod.containing(timezone.localdate(at)).code,  # bulk_create skips save(), which sets it
        changed_by=user,
        changed_by_name=actor_name(user),
        status_before=status_before,
        status_after=record.status,
        changes=changes,
        reason=reason,
        record_version=record.version,
    )


def _save_with_history(record, *, user, kind, status_before, changes, reason, new_version) -> ProgressChange:
    """Save a locked record and write its history row: the only way a single record's change is stored
    (records_update stores several the same way, in one statement each)."""
    now = timezone.now()
    _mark_written(record, user=user, at=now, new_version=new_version)
    with record_writes():
        record.save()
    history = _history_row(
        record, user=user, at=now, kind=kind, status_before=status_before, changes=changes, reason=reason
    )
    history.save()
    return history


def shown_changes(before: dict, after: dict, changed: list[str]) -> dict:
    """A change as history keeps it: {field label: [before, after]}, as shown to people."""
    labels = ProgressRecord.TRACKED_FIELDS
    return {labels[f]: [display_value(f, before[f]), display_value(f, after[f])] for f in changed}


def record_changes_checked(record: ProgressRecord, changes: dict, reason: str) -> list[str]:
    """Apply `changes` to `record` in memory and check them as a save does; return the fields that changed (none:
    nothing to save). The one set of rules for an edit, whether saved now (record_update, records_update) or only
    previewed (a spreadsheet import). Raises ValidationError keyed by field.

    A change of status or target date needs a reason. Moving a target keeps the first one set as
    `original_target_date`.
    """
    unknown = set(changes) - set(ProgressRecord.TRACKED_FIELDS)
    if unknown:
        raise ValueError(f"Not tracked fields: {', '.join(sorted(unknown))}")
    before = record.tracked_values()
    for field, value in changes.items():
        setattr(record, field, value.strip() if isinstance(value, str) else value)
    changed = [field for field in ProgressRecord.TRACKED_FIELDS if before[field] != getattr(record, field)]
    if not changed:
        return []
    reason = reason.strip()
    if {"status", "target_date"} & set(changed) and not reason:
        raise ValidationError({"reason": "Say why the status or target date changed: it goes into the history."})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON_LENGTH} characters."})
    if record.target_date and record.original_target_date is None:
        record.original_target_date = before["target_date"] or record.target_date
    # The related rows are in hand (clean() checks the owners are this system's): checking each exists would cost
    # a query per relation per record.
    record.full_clean(
        exclude=["updated_by", "system", "recommendation", "accountable_owner", "delivery_lead"],
        validate_unique=False,
        validate_constraints=False,
    )
    return changed


@transaction.atomic
def record_update(
    *, record: ProgressRecord, changes: dict, expected_version: int, user, reason: str = ""
) -> ProgressRecord:
    """Change tracked fields of a record (`changes`: field → new value, any of ProgressRecord.TRACKED_FIELDS),
    writing a history row; refuse if the record changed since `expected_version`. Pages, the API and imports
    all come here.

    A change of status or target date needs a reason. Moving a target keeps the first one set as
    `original_target_date`. Saving with nothing changed writes nothing. A real edit of demonstration data
    makes the record real from then on.
    """
    record = _locked_record(record)
    if record.version != expected_version:
        raise StaleRecordError(record, list(record.history.filter(record_version__gt=expected_version)))
    before = record.tracked_values()
    changed = record_changes_checked(record, changes, reason)
    if not changed:
        return record
    _save_with_history(
        record,
        user=user,
        kind=ChangeKind.UPDATED,
        status_before=before["status"],
        changes=shown_changes(before, record.tracked_values(), changed),
        reason=reason.strip(),
        new_version=True,
    )
    return record


@dataclass(frozen=True)
class RecordEdit:
    """One record's part of records_update(): what record_update() takes for a single record."""

    record: ProgressRecord
    changes: dict
    expected_version: int
    reason: str = ""


@transaction.atomic
def records_update(*, edits: list[RecordEdit], user) -> list[ProgressRecord]:
    """record_update() for several records at once, all or nothing: the same rules, one history row per record
    changed, in the same few queries however many records (one lock, one update, one insert of history). A whole
    return imported from a spreadsheet is saved here. Raises StaleRecordError for the first record changed since
    its `expected_version`, or ValidationError for the first edit refused; either way nothing is written.
    Returns the records changed."""
    locked = {
        r.pk: r
        for r in ProgressRecord.objects.select_for_update(of=("self",))
        .select_related("system", "recommendation", "accountable_owner", "delivery_lead")
        .filter(pk__in=[edit.record.pk for edit in edits])
        .order_by("pk")  # every writer locks in the same order: no deadlock between two imports
    }
    now = timezone.now()
    changed_records, history, written = [], [], set()
    for edit in edits:
        record = locked[edit.record.pk]
        if record.version != edit.expected_version:
            raise StaleRecordError(record, list(record.history.filter(record_version__gt=edit.expected_version)))
        before = record.tracked_values()
        original_target = record.original_target_date
        changed = record_changes_checked(record, edit.changes, edit.reason)
        if not changed:
            continue
        written.update(changed)
        if record.original_target_date != original_target:
            written.add("original_target_date")
        _mark_written(record, user=user, at=now)
        changed_records.append(record)
        history.append(
            _history_row(
                record,
                user=user,
                at=now,
                kind=ChangeKind.UPDATED,
                status_before=before["status"],
                changes=shown_changes(before, record.tracked_values(), changed),
                reason=edit.reason.strip(),
            )
        )
    if changed_records:
        _update_locked(changed_records, fields=[f for f in RECORD_WRITE_FIELDS if f in written], now=now, user=user)
        ProgressChange.objects.bulk_create(history)
    return changed_records


RECORD_WRITE_FIELDS = (*ProgressRecord.TRACKED_FIELDS, "original_target_date")


def _update_locked(records: list[ProgressRecord], *, fields: list[str], now, user):
    """One UPDATE of locked records, as bulk_update() would write them but cheaper to build: only the `fields` some
    edit changed, each set to a constant where every record gets the same value (a whole return's summary, say) and
    by a CASE on the primary key only where they differ; the version, time, editor and is_demo, as _mark_written set
    them, are the same step for every record. bulk_update() builds a CASE of every record for every field, which
    cost more than the rest of a whole return's import."""
    values = {}
    for name in fields:
        field = ProgressRecord._meta.get_field(name)
        by_pk = {record.pk: getattr(record, field.attname) for record in records}
        if len(set(by_pk.values())) == 1:
            values[field.attname] = Value(next(iter(by_pk.values())), output_field=field)
        else:
            whens = [When(pk=pk, then=Value(value, output_field=field)) for pk, value in by_pk.items()]
            case = Case(*whens, output_field=field)
            values[field.attname] = (
                Cast(case, output_field=field) if connection.features.requires_casted_case_in_updates else case
            )
    with record_writes():
        ProgressRecord.objects.filter(pk__in=[record.pk for record in records]).update(
            **values, version=F("version") + 1, updated_at=now, updated_by=user, is_demo=False
        )


@transaction.atomic
def record_reconfirm(*, record: ProgressRecord, expected_version: int, user, reason: str = "") -> ProgressRecord:
    """Say that nothing changed this period: a history entry of its own, so that the return can show the item was
    looked at. Refused if the record changed since `expected_version`, or was never assessed."""
    record = _locked_record(record)
    if record.version != expected_version:
        raise StaleRecordError(record, list(record.history.filter(record_version__gt=expected_version)))
    if record.status == Status.NOT_ASSESSED:
        raise ValidationError({"status": "Assess this item before confirming it: it has no status to confirm."})
    if len(reason.strip()) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON_LENGTH} characters."})
    _save_with_history(
        record,
        user=user,
        kind=ChangeKind.RECONFIRMED,
        status_before=record.status,
        changes={"Status": [Status(record.status).label, f"{Status(record.status).label}, confirmed unchanged"]},
        reason=reason.strip(),
        new_version=True,
    )
    return record


@transaction.atomic
def evidence_add(
    *,
    record: ProgressRecord,
    user,
    title: str,
    kind: str,
    refers_to: datetime.date,
    description: str = "",
    url: str = "",
    file=None,
) -> Evidence:
    """Add a link or an uploaded file as evidence on a record, with a history row."""
    record = _locked_record(record)
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
    _save_with_history(
        record,
        user=user,
        kind=ChangeKind.EVIDENCE_ADDED,
        status_before=record.status,
        changes={"Evidence": ["—", evidence.title]},
        reason="",
        new_version=False,
    )
    return evidence


@transaction.atomic
def evidence_withdraw(*, evidence: Evidence, user, reason: str) -> Evidence:
    """Withdraw evidence with a reason. It stays on record, marked withdrawn; nothing is deleted."""
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.is_withdrawn:
        raise ValidationError("This evidence was already withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the evidence is withdrawn: it goes into the history."})
    if len(reason.strip()) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {MAX_REASON_LENGTH} characters."})
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = user
    evidence.withdrawn_reason = reason.strip()
    evidence.full_clean(exclude=["record", "added_by", "withdrawn_by"])
    evidence.save()
    record = _locked_record(evidence.record)
    _save_with_history(
        record,
        user=user,
        kind=ChangeKind.EVIDENCE_WITHDRAWN,
        status_before=record.status,
        changes={"Evidence": [evidence.title, "withdrawn"]},
        reason=evidence.withdrawn_reason,
        new_version=False,
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

    Only records the successor has never written are filled, checked under the row lock, so an edit made
    meanwhile is never overwritten. A predecessor that covered only part of the successor's area says nothing
    about the whole of it: its owners, targets and summaries are copied, but every status is left for the
    successor to assess. Each copy writes a history row saying where it came from. Returns how many were copied.
    """
    succession = successor.succeeded_from.filter(predecessor=predecessor).first()
    if succession is None:
        raise ValidationError(f"{predecessor} is not a predecessor of {successor}.")
    copied = 0
    sources = predecessor.records.exclude(status=Status.NOT_ASSESSED).select_related(
        "recommendation", "accountable_owner", "delivery_lead"
    )
    targets = {r.recommendation_id: r for r in ProgressRecord.objects.filter(system=successor, version=0)}
    for source in sources:
        if source.recommendation_id not in targets:
            continue
        record = _locked_record(targets[source.recommendation_id])
        if record.version > 0:
            continue  # written since we looked: the successor's own work wins
        record.accountable_owner = _person_in(successor, source.accountable_owner)
        record.delivery_lead = _person_in(successor, source.delivery_lead)
        record.target_date = source.target_date
        record.original_target_date = source.original_target_date
        record.summary = source.summary
        changes = {"Copied from": ["—", str(predecessor)]}
        if succession.partial:
            reason = (
                f"Started from {predecessor.short_name}'s owners, target and summary. {predecessor.short_name} "
                f"covered only part of this area, so its status ({source.get_status_display()}) was not copied: "
                "assess this item for the whole area."
            )
        else:
            record.status = source.status
            changes["Status"] = ["—", Status(source.status).label]
            reason = f"Started from {predecessor.short_name}'s position ({source.get_status_display()})."
        _save_with_history(
            record,
            user=user,
            kind=ChangeKind.COPIED,
            status_before=Status.NOT_ASSESSED,
            changes=changes,
            reason=reason,
            new_version=True,
        )
        copied += 1
    return copied
