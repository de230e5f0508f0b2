"""Writes that touch several rows, each one transaction that also writes its history: pages and the API call these.

records.py: a record, its evidence, copying a predecessor's position. returns.py: the quarterly return's cycle.
notifications.py: the outbox, its delivery and the reminders.
"""

from .notifications import (
    notification_preferences_set,
    notifications_mark_read,
    notify_invitation,
    owner_unsubscribe,
    reminders_send,
)
from .records import (
    MAX_REASON_LENGTH,
    StaleRecordError,
    evidence_add,
    evidence_withdraw,
    record_reconfirm,
    record_update,
    records_ensure,
    records_start_from_predecessor,
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
    "ReturnRefused",
    "StaleRecordError",
    "challenge_answer",
    "challenge_raise",
    "evidence_add",
    "evidence_withdraw",
    "notification_preferences_set",
    "notifications_mark_read",
    "notify_invitation",
    "owner_unsubscribe",
    "record_reconfirm",
    "record_update",
    "records_ensure",
    "records_start_from_predecessor",
    "reminders_send",
    "return_assure",
    "return_blocking",
    "return_reopen",
    "return_sign_off",
    "return_submit",
    "return_withdraw",
    "returns_open",
]

# Teams (tracker.services.teams) are imported from their module: `from tracker.services import teams`.
