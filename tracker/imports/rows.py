"""Checking the rows read from an upload, and what they would change: the preview."""

import copy
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError

from ..choices import Status
from ..models import IntegratedCareSystem, Person, ProgressChange, ProgressRecord
from ..services.records import display_value, record_changes_checked
from .reading import ImportRefused, Problem, read_return
from .workbook import HEADERS

# Errors from the services, keyed by field, shown against the column it came from.
FIELD_COLUMNS = {**{f: HEADERS[f] for f in ProgressRecord.TRACKED_FIELDS}, "reason": HEADERS["reason"]}


@dataclass
class ParsedRow:
    """A row that reads cleanly: its record as it is now, the values it gives, its reason and the Version it was
    downloaded at."""

    number: int
    record: ProgressRecord
    changes: dict
    reason: str
    version: int


@dataclass
class ParsedReturn:
    """What an upload says: `raw` (every cell as text, by row, kept to check again on confirm), the rows it could
    read and the problems it found."""

    system: IntegratedCareSystem
    raw: list[dict] = field(default_factory=list)
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


@dataclass
class FieldChange:
    """One field of one record, before → after, as people read it."""

    field: str
    label: str
    before: str
    after: str


@dataclass
class RowChange:
    """What a row changes in its record, and what record_update() will be given for it."""

    row: int
    record: ProgressRecord
    fields: list[FieldChange]
    changes: dict
    reason: str
    version: int

    @property
    def code(self):
        return self.record.recommendation.code


@dataclass
class RowConflict(RowChange):
    """A row changing a record someone changed since the download (`theirs`): its fields are what the row changes
    from what was downloaded."""

    theirs: list[ProgressChange] = field(default_factory=list)


@dataclass
class Preview:
    """What an upload would do: changes to apply, conflicts to resolve first, or problems that refuse it."""

    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


STATUS_WORDS = {
    **{s.label.lower(): s.value for s in Status},
    **{s.value: s.value for s in Status},
}
STATUS_CHOICE_TEXT = "use Red, Amber, Green, Blue or Not applicable"
# No text matches two of these, so their order only decides how soon a date is found: ISO first, as the workbook and
# the API write dates (each format tried in vain raises, which costs more than the parse).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
EMAIL_IN_LABEL = re.compile(r"<([^<>\s]+@[^<>\s]+)>\s*$")


def _date(text: str) -> datetime.date | None:
    for form in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


class _People:
    """Owner cells matched to the ICS's people: by the list's "Name <email>", by email or by name. Only people
    still offered as owners, except whoever the record names now (kept as they are)."""

    def __init__(self, system):
        self.system = system

    @cached_property
    def offered(self) -> list[Person]:
        # Read only when a cell names someone other than the record's owner now: a return kept as downloaded
        # names its owners as they are.
        return [p for p in Person.objects.filter(system=self.system) if not p.is_retired]

    def match(self, text: str, current: Person | None) -> Person:
        found = EMAIL_IN_LABEL.search(text)
        key = (found.group(1) if found else text).strip().lower()
        if current and key in (current.email.lower(), current.name.lower()):
            return current
        offered = self.offered
        by_email = [p for p in offered if p.email.lower() == key]
        if by_email:
            return by_email[0]
        by_name = [p for p in offered if p.name.lower() == key]
        if len(by_name) == 1:
            return by_name[0]
        if by_name:
            raise ValueError(f'more than one person is called "{text}": choose from the list, which adds the email.')
        raise ValueError(
            f'"{text}" is not one of the ICS\'s people: choose from the list, or add them on the People page.'
        )


def return_records(system: IntegratedCareSystem) -> dict[str, ProgressRecord]:
    """The system's records in its return, by item code: one for each row of the workbook it downloads."""
    records = (
        ProgressRecord.objects.filter(system=system, recommendation__trackable=True)
        .select_related("recommendation", "accountable_owner", "delivery_lead")
        .order_by()  # a dict by code: no sort, and no join on the system for it
    )
    for record in records:
        record.system = system  # the one in hand, not a copy read again with each record
    return {record.recommendation.code: record for record in records}


def check_rows(
    raw: list[dict], system: IntegratedCareSystem, records: dict[str, ProgressRecord] | None = None
) -> ParsedReturn:
    """Turn read rows into changes for the system's records (`records`: return_records(system), if already read),
    finding every problem (not only the first)."""
    parsed = ParsedReturn(system=system, raw=raw)
    records = return_records(system) if records is None else records
    people = _People(system)
    seen: dict[str, int] = {}
    for cells in raw:
        number, problems = cells["row"], []

        def problem(column_key, message, number=number, problems=problems):
            problems.append(Problem(message, number, HEADERS[column_key]))

        code = cells["code"].upper()
        record = records.get(code)
        if not code:
            problem("code", "empty: every row needs the code of its item, as downloaded.")
        elif record is None:
            problem("code", f'"{cells["code"]}" is not one of this return\'s items.')
        elif code in seen:
            problem("code", f"{code} is also on row {seen[code]}: give each item one row.")
        else:
            seen[code] = number
        changes = {}
        status = STATUS_WORDS.get(cells["status"].lower())
        if status is None:
            shown = f'"{cells["status"]}" is not a status' if cells["status"] else "empty"
            problem("status", f"{shown}; {STATUS_CHOICE_TEXT}")
        else:
            changes["status"] = status
        for key in ("accountable_owner", "delivery_lead"):
            if not cells[key]:
                changes[key] = None
                continue
            try:
                changes[key] = people.match(cells[key], getattr(record, key) if record else None)
            except ValueError as error:
                problem(key, str(error))
        if cells["target_date"]:
            target = _date(cells["target_date"])
            if target is None:
                problem("target_date", f'"{cells["target_date"]}" is not a date; use a date like 31/03/2027.')
            else:
                changes["target_date"] = target
        else:
            changes["target_date"] = None
        changes["summary"] = cells["summary"]
        if not cells["version"].isdigit() or (record and int(cells["version"]) > record.version):
            problem("version", "not this record's version: keep the Version column as downloaded.")
        parsed.errors += problems
        if not problems:
            parsed.rows.append(ParsedRow(number, record, changes, cells["reason"], int(cells["version"])))
    return parsed


def parse_return(upload, system: IntegratedCareSystem) -> ParsedReturn:
    """Read and check an upload: a ParsedReturn whose `errors` say what is wrong (a file refused outright has one
    error with no row)."""
    records = return_records(system)  # as many as the workbook has rows: the most an upload may have
    try:
        raw = read_return(upload, system, len(records))
    except ImportRefused as refused:
        return ParsedReturn(system=system, errors=refused.problems)
    return check_rows(raw, system, records)


# -- What it would change -------------------------------------------------------------------------------------------


def _shown(record: ProgressRecord) -> dict:
    return {label: display_value(f, getattr(record, f)) for f, label in ProgressRecord.TRACKED_FIELDS.items()}


def _as_downloaded(record: ProgressRecord, theirs: list[ProgressChange]) -> dict:
    """The record's fields as shown at the version downloaded: as it is now, with each later change undone."""
    shown = _shown(record)
    for change in sorted(theirs, key=lambda c: c.record_version, reverse=True):
        for label, (before, _after) in change.changes.items():
            if label in shown:
                shown[label] = before
    return shown


def _conflict(row: ParsedRow, theirs: list[ProgressChange]) -> RowConflict | None:
    """A row whose record changed since the download: a conflict if the row changes anything from what was
    downloaded (a row left as it was is no change, though it no longer matches the record), unless the record
    already says what the row says (the same workbook uploaded again after it was applied)."""
    yours = copy.copy(row.record)
    for f, value in row.changes.items():
        setattr(yours, f, value)
    downloaded, after = _as_downloaded(row.record, theirs), _shown(yours)
    if after == _shown(row.record):
        return None
    fields = [
        FieldChange(f, label, downloaded[label], after[label])
        for f, label in ProgressRecord.TRACKED_FIELDS.items()
        if downloaded[label] != after[label]
    ]
    if not fields:
        return None
    return RowConflict(row.number, row.record, fields, row.changes, row.reason, row.version, theirs)


def import_preview(parsed: ParsedReturn) -> Preview:
    """Each row's changes, field by field, checked by the rules of a single edit; rows whose record was changed by
    someone since the download (its Version) are conflicts, shown beside that change, never overwritten."""
    preview = Preview(errors=list(parsed.errors))
    if preview.errors:
        return preview
    stale = [row for row in parsed.rows if row.version != row.record.version]
    history: dict[int, list[ProgressChange]] = {}
    if stale:
        for change in ProgressChange.objects.filter(record__in=[row.record for row in stale]).order_by("pk"):
            history.setdefault(change.record_id, []).append(change)
    for row in parsed.rows:
        if row in stale:
            theirs = [c for c in history.get(row.record.pk, []) if c.record_version > row.version]
            conflict = _conflict(row, theirs)
            if conflict:
                preview.conflicts.append(conflict)
            continue
        after = copy.copy(row.record)
        try:
            changed = record_changes_checked(after, row.changes, row.reason)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                preview.errors += [Problem(message, row.number, FIELD_COLUMNS.get(key)) for message in messages]
            continue
        if changed:
            before, shown = _shown(row.record), _shown(after)
            fields = [FieldChange(f, ProgressRecord.TRACKED_FIELDS[f], *_pair(f, before, shown)) for f in changed]
            preview.changes.append(RowChange(row.number, row.record, fields, row.changes, row.reason, row.version))
    return preview


def _pair(f, before, after):
    label = ProgressRecord.TRACKED_FIELDS[f]
    return before[label], after[label]
