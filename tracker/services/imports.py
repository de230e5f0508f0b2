"""Applying a spreadsheet import: every changed row through records_update, all or nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction

# The module, not its names: tracker.imports reads the services' rules (record_changes_checked) as it loads.
from .. import imports as spreadsheet
from ..models import IntegratedCareSystem
from .records import RecordEdit, StaleRecordError, records_update


class ImportConflict(Exception):
    """Rows whose records someone changed since the workbook was downloaded; nothing was written."""

    def __init__(self, preview: "spreadsheet.Preview"):
        self.preview = preview
        super().__init__(f"{len(preview.conflicts)} rows were changed by someone since the download.")


@transaction.atomic
def return_import(*, system: IntegratedCareSystem, raw: list[dict], user) -> "spreadsheet.Preview":
    """Check the rows read from an upload (`imports.read_return`) against the records as they are now, and apply
    their changes: one history row per changed record, in one transaction. ImportRefused for any problem,
    ImportConflict for any row someone changed since the download (found here, or by records_update under the row
    locks); either way nothing is written. Returns what was applied."""
    preview = spreadsheet.import_preview(spreadsheet.check_rows(raw, system))
    if preview.errors:
        raise spreadsheet.ImportRefused(preview.errors)
    if preview.conflicts:
        raise ImportConflict(preview)
    edits = [RecordEdit(c.record, c.changes, c.version, c.reason) for c in preview.changes]
    try:
        records_update(edits=edits, user=user)
    except StaleRecordError:
        # Saved by someone between our check and the lock: show it as the conflict it is.
        raise ImportConflict(spreadsheet.import_preview(spreadsheet.check_rows(raw, system))) from None
    except ValidationError as error:
        raise spreadsheet.ImportRefused([spreadsheet.Problem(m) for m in error.messages]) from None
    return preview
