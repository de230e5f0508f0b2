"""Reads that need care, by concern: records.py (an ICS's pages, the API's rows), comparison.py (across systems),
board_report.py, returns.py, open_data.py. Every view and viewset imports them from here."""

from .board_report import EVIDENCE_SHOWN, BoardReportRow, board_report
from .comparison import (
    MatrixCell,
    comparison_matrix,
    empty_counts,
    footprint,
    footprint_label,
    movement,
    peer_leaders,
    positions_at,
    rollups,
    stale_returns,
    trend,
)
from .my_work import MyWork, my_work
from .open_data import published_dataset, published_datasets, published_file, published_summary
from .records import (
    PROGRESS_PERSON_FIELDS,
    PROGRESS_ROW_FIELDS,
    progress_rows,
    record_evidence,
    system_history,
    system_progress,
    with_successions,
)
from .returns import returns_for, returns_grid, returns_on_system_page

__all__ = [
    "EVIDENCE_SHOWN",
    "PROGRESS_PERSON_FIELDS",
    "PROGRESS_ROW_FIELDS",
    "BoardReportRow",
    "MatrixCell",
    "MyWork",
    "board_report",
    "comparison_matrix",
    "empty_counts",
    "footprint",
    "footprint_label",
    "movement",
    "my_work",
    "peer_leaders",
    "positions_at",
    "progress_rows",
    "published_dataset",
    "published_datasets",
    "published_file",
    "published_summary",
    "record_evidence",
    "returns_for",
    "returns_grid",
    "returns_on_system_page",
    "rollups",
    "stale_returns",
    "system_history",
    "system_progress",
    "trend",
    "with_successions",
]
