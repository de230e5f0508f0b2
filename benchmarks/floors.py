"""Floor pages: the least work that produces the same output, to measure the real pages against.

Each is one plain query and no framework beyond Django's request handling, on the same server and data.
They read everything their page shows (a floor that left out columns would flatter itself), and do
nothing else: no sign-in, no filters, no page furniture. A floor never reads more than its page needs
either: one that repeated the page's own costly subqueries could not expose their cost.
"""

from itertools import groupby
from operator import itemgetter

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.html import escape

from tracker.choices import Status
from tracker.models import ProgressRecord
from tracker.models.progress import is_overdue, is_stale, stale_before
from tracker.periods import ReportingPeriod
from tracker.selectors import PROGRESS_ROW_FIELDS, footprint

WORDS = {status.value: status.label for status in Status}


def comparison_floor(request):
    """What the comparison page shows by default (the current period, no change) from one query with no history
    subquery: each footprint system's current status for every trackable item, its target date, whether it is demo
    data and when it was last updated. Stale and overdue are judged here with the project's own rules, and the
    matrix is written out as a bare table grouped by region."""
    period = ReportingPeriod.current()
    rows = (
        ProgressRecord.objects.filter(system__in=footprint(period), recommendation__trackable=True)
        .order_by("system__region__name", "system__short_name", "recommendation_id")
        .values_list(
            "system__region__name",
            "system__short_name",
            "system__ods_code",
            "recommendation__code",
            "status",
            "target_date",
            "is_demo",
            "updated_at",
        )
    )
    today, cutoff, any_demo = timezone.localdate(), stale_before(period), False
    html = ["<table>"]
    for region, in_region in groupby(rows, key=itemgetter(0)):
        html.append(f"<tr><th>{escape(region)}</th></tr>")
        for (system, ods_code), cells in groupby(in_region, key=itemgetter(1, 2)):
            cells = list(cells)
            # A system's return is stale when every one of its records is, i.e. when even its latest update is.
            last_update = max((cell[7] for cell in cells if cell[7] is not None), default=None)
            stale = " stale" if is_stale(last_update, cutoff) else ""
            html.append(f'<tr><th><a href="/systems/{ods_code}/">{escape(system)}</a>{stale}</th>')
            for *_, code, status, target, is_demo, _ in cells:
                any_demo = any_demo or is_demo
                overdue = " overdue" if is_overdue(target, status, today) else ""
                html.append(f'<td><a href="/systems/{ods_code}/records/{code}/">{WORDS[status]}</a>{overdue}</td>')
            html.append("</tr>")
    html.append("</table>")
    if any_demo:
        html.insert(0, "<p>Includes demonstration data.</p>")
    return HttpResponse("".join(html))


def progress_floor(request):
    """The API's first page of 500: the same rows, from the same .values() columns, as JSON."""
    rows = ProgressRecord.objects.order_by("system__ods_code", "recommendation_id").values(*PROGRESS_ROW_FIELDS)[:500]
    return JsonResponse({"results": list(rows)})
