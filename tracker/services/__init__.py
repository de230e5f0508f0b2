"""Writes that touch several rows, each one transaction that also writes its history: pages and the API call these.

records.py: a record (or several at once), its evidence, copying a predecessor's position.
returns.py: the quarterly return's cycle. teams.py: invitations and memberships.
notifications.py: the outbox, its delivery and the reminders. imports.py: a whole return from a spreadsheet.
open_data.py: publishing a signed-off quarter as open data.
"""

from .imports import ImportConflict, return_import
from .notifications import (
    notification_preferences_set,
    notifications_mark_read,
    notify_invitation,
    owner_unsubscribe,
    reminders_send,
)
from .open_data import OpenDataRefused, open_data_publish
from .records import (
    MAX_REASON_LENGTH,
    RecordEdit,
    StaleRecordError,
    evidence_add,
    evidence_withdraw,
    record_changes_checked,
    record_reconfirm,
    record_update,
    records_ensure,
    records_start_from_predecessor,
    records_update,
)
from .returns import (
    Blocker,
    ReturnRefused,
    challenge_answer,
    challenge_raise,
    return_assure,
    return_blocking,
    return_reopen,
    return_sign_off,
    return_submit,
    return_withdraw,
    returns_open,
)

__all__ = [
    "MAX_REASON_LENGTH",
    "Blocker",
    "ImportConflict",
    "OpenDataRefused",
    "ReturnRefused",
    "RecordEdit",
    "StaleRecordError",
    "challenge_answer",
    "challenge_raise",
    "evidence_add",
    "evidence_withdraw",
    "notification_preferences_set",
    "notifications_mark_read",
    "notify_invitation",
    "owner_unsubscribe",
    "open_data_publish",
    "record_reconfirm",
    "record_changes_checked",
    "record_update",
    "records_ensure",
    "records_start_from_predecessor",
    "records_update",
    "reminders_send",
    "return_assure",
    "return_blocking",
    "return_import",
    "return_reopen",
    "return_sign_off",
    "return_submit",
    "return_withdraw",
    "returns_open",
]

# Teams (tracker.services.teams) are imported from their module: `from tracker.services import teams`.
