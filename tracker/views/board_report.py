"""One system's board report: its position at the end of a period, printable, and as CSV or XLSX."""

from django.shortcuts import render
from django.template.loader import render_to_string

from .. import permissions, selectors
from ..choices import Status
from ..exports import pdf_response, requested_format, table_response
from ..forms import PeriodForm, period_and_filters

HEADER = [
    "period",
    "ods_code",
    "recommendation",
    "title",
    "status",
    "previous_status",
    "movement",
    "accountable_owner",
    "delivery_lead",
    "target_date",
    "original_target_date",
    "overdue",
    "stale",
    "summary",
    "last_reason",
    "evidence_items",
    "latest_evidence",
    "open_challenges",
    "position_source",
    "is_demo",
]


@permissions.role_required
def board_report(request, ods_code):
    system = permissions.get_system_for_user(request.user, ods_code)
    form, period, _ = period_and_filters(request, PeriodForm)
    report = selectors.board_report(system, period)
    export = requested_format(request, pdf=True)
    if export == "pdf":
        # Rendered without the request: nothing of this visit (sign-in, CSRF token) goes into the document, so a
        # signed-off period's PDF is the same bytes whoever makes it, whenever.
        context = {"system": system, "form": form, "report": report, "statuses": list(Status), "as_pdf": True}
        html = render_to_string("tracker/board_report.html", {**context, "demo_data_shown": report["has_demo"]})
        return pdf_response(f"board-report-{system.ods_code}-{period.code}", html)
    if export:
        rows = [
            [
                period.code,
                system.ods_code,
                row.item.code,
                row.item.title,
                row.status,
                row.previous_status,
                row.movement,
                row.accountable_owner,
                row.delivery_lead,
                row.target_date,
                row.original_target_date,
                row.is_overdue,
                row.is_stale,
                row.summary,
                row.last_reason,
                row.evidence_count,
                "; ".join(e.title for e in row.latest_evidence),
                len(row.open_challenges),
                report["position_source"],
                row.is_demo,
            ]
            for row in report["rows"]
        ]
        return table_response(f"board-report-{system.ods_code}-{period.code}", export, HEADER, rows)
    return render(
        request,
        "tracker/board_report.html",
        # The banner's own check is a query; the report already knows whether it shows demo data.
        {
            "system": system,
            "form": form,
            "report": report,
            "statuses": list(Status),
            "demo_data_shown": report["has_demo"],
        },
    )
