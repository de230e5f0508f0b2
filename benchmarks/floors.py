"""Floor pages: the least work that produces the same output, to measure the real pages against.

Each is one query and no framework beyond Django's request handling, on the same server and data.
"""

from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from tracker.models import IntegratedCareSystem, ProgressRecord
from tracker.periods import ReportingPeriod


def comparison_floor(request):
    """The comparison matrix (statuses now and at the previous period) from one values_list, as a bare table."""
    period = ReportingPeriod.current()
    rows = (
        ProgressRecord.objects.filter(
            system__in=IntegratedCareSystem.objects.active_on(period.end), recommendation__trackable=True
        )
        .with_status_at_end_of(period)
        .with_status_at_end_of(period.previous, name="previous_status")
        .order_by("system__region__name", "system__short_name", "recommendation_id")
        .values_list(
            "system__region__name", "system__short_name", "recommendation__code", "period_status", "previous_status"
        )
    )
    html, current = ["<table>"], None
    for region, system, code, status, previous in rows:
        if system != current:
            html.append(f"</tr><tr><th>{escape(region)}</th><th>{escape(system)}</th>")
            current = system
        html.append(f'<td><a href="/{code}/">{status}</a> {previous}</td>')
    html.append("</tr></table>")
    return HttpResponse("".join(html))


def progress_floor(request):
    """The first 500 progress records as JSON from .values(), as the API's first page of 500."""
    rows = ProgressRecord.objects.order_by("system__ods_code", "recommendation_id").values(
        "id",
        "system__ods_code",
        "recommendation__code",
        "status",
        "target_date",
        "original_target_date",
        "summary",
        "updated_at",
        "version",
        "is_demo",
    )[:500]
    return JsonResponse({"results": list(rows)})
