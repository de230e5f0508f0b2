"""A whole return in a spreadsheet: the prefilled workbook an ICS downloads, and reading it back.

`workbook_for(system)` writes the XLSX (`csv_for` the same columns as CSV). `parse_return(upload, system)` reads
an upload, refusing what is not our workbook, and checks each row; `import_preview(parsed)` says what each row
would change, field by field, and which rows someone else changed since the download (conflicts). Nothing here
writes: `services.return_import` applies a preview through `services.records_update`, the same rules as a single
edit (`services.record_changes_checked`), all or nothing.

workbook.py writes it; reading.py refuses what is not one and reads the cells; rows.py checks the rows and
previews their changes. Problems name the row and column as the spreadsheet shows them (`Row 7, Status: ...`).
"""

from .reading import MAX_IMPORT_BYTES, ImportRefused, Problem, read_return
from .rows import ParsedReturn, Preview, RowChange, RowConflict, check_rows, import_preview, parse_return
from .workbook import COLUMNS, SYSTEM_NAME, csv_for, workbook_for

__all__ = [
    "COLUMNS",
    "MAX_IMPORT_BYTES",
    "SYSTEM_NAME",
    "ImportRefused",
    "ParsedReturn",
    "Preview",
    "Problem",
    "RowChange",
    "RowConflict",
    "check_rows",
    "csv_for",
    "import_preview",
    "parse_return",
    "read_return",
    "workbook_for",
]
