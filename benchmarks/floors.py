"""Floor pages: the least work that produces the same output, to measure the real pages against.

Each is one query and no framework beyond Django's request handling, on the same server and data.
They read everything their page shows (a floor that left out columns would flatter itself), and
do nothing else: no sign-in, no filters, no page furniture.
"""

from itertools import groupby
from operator import itemgetter

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape

from tracker.api.serializers import ProgressRecordSerializer
from tracker.models import IntegratedCareSystem, ProgressRecord
from tracker.models.progress import is_overdue, is_stale, stale_before
from tracker.periods import ReportingPeriod


def comparison_floor(request):
    """The comparison matrix from one values_list: each system's statuses now and at the end of the previous
    period, overdue items and stale returns, as a bare table grouped by region."""
    period = ReportingPeriod.current()
    rows = (
        ProgressRecord.objects.filter(
            system__in=IntegratedCareSystem.objects.active_on(period.end), recommendation__trackable=True
        )
        .with_status_at_end_of(period)
        .with_status_at_end_of(period.previous, name="previous_status")
        .order_by("system__region__name", "system__short_name", "recommendation_id")
        .values_list(
            "system__region__name",
            "system__short_name",
            "system__ods_code",
            "recommendation__code",
            "period_status",
            "previous_status",
            "target_date",
            "status",
            "updated_at",
        )
    )
    today, cutoff = timezone.localdate(), stale_before()
    html = ["<table>"]
    for region, in_region in groupby(rows, key=itemgetter(0)):
        html.append(f"<tr><th>{escape(region)}</th></tr>")
        for (system, ods_code), cells in groupby(in_region, key=itemgetter(1, 2)):
            cells = list(cells)
            stale = " stale" if is_stale(max_updated_at(cells), cutoff) else ""
            html.append(f"<tr><th>{escape(system)}{stale}</th>")
            for *_, code, status, previous, target, now, _ in cells:
                overdue = " overdue" if is_overdue(target, now, today) else ""
                html.append(f'<td><a href="/systems/{ods_code}/records/{code}/">{status}</a> {previous}{overdue}</td>')
            html.append("</tr>")
    html.append("</table>")
    return HttpResponse("".join(html))


def max_updated_at(cells):
    """A system's last update: the latest of its records' (a system is stale if even that is old)."""
    return max((cell[-1] for cell in cells if cell[-1] is not None), default=None)


def progress_floor(request):
    """The API's first page of 500: the same rows, from the same .values() columns, as JSON."""
    rows = ProgressRecord.objects.order_by("system__ods_code", "recommendation_id").values(
        *ProgressRecordSerializer.ROW_FIELDS
    )[:500]
    return JsonResponse({"results": list(rows)})
