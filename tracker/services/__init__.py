"""Writes that touch several rows, each one transaction that also writes its history: pages and the API call these.

records.py: a record, its evidence, copying a predecessor's position. returns.py: the quarterly return's cycle.
open_data.py: publishing a signed-off quarter as open data.
"""

from .open_data import OpenDataRefused, open_data_publish
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
    "OpenDataRefused",
    "ReturnRefused",
    "StaleRecordError",
    "challenge_answer",
    "challenge_raise",
    "evidence_add",
    "evidence_withdraw",
    "open_data_publish",
    "record_reconfirm",
    "record_update",
    "records_ensure",
    "records_start_from_predecessor",
    "return_assure",
    "return_blocking",
    "return_reopen",
    "return_sign_off",
    "return_submit",
    "return_withdraw",
    "returns_open",
]
