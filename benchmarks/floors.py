"""Floor pages: the least work that produces the same output, to measure the real pages against.

Each is one plain query and no framework beyond Django's request handling, on the same server and data.
They read everything their page shows (a floor that left out columns would flatter itself), and do
nothing else: no sign-in, no filters, no page furniture. A floor never reads more than its page needs
either: one that repeated the page's own costly subqueries could not expose their cost.
"""

import csv
import io
from datetime import date
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView

from tracker.choices import REPORTED_REASON_STATUSES, ChangeKind, EvidenceKind, Status
from tracker.models import Position, ProgressChange, ProgressRecord, PublishedFile
from tracker.models.progress import is_overdue, is_stale, record_writes, stale_before
from tracker.periods import ReportingPeriod
from tracker.selectors import PROGRESS_ROW_FIELDS, footprint

WORDS = {status.value: status.label for status in Status}
KINDS = {kind.value: kind.label for kind in EvidenceKind}
EVIDENCE_SHOWN = 5  # as the board report: the latest few pieces of evidence and a count


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
    return HttpResponse(_matrix_table(rows, judged_on=timezone.localdate(), cutoff=stale_before(period)))


def comparison_signed_off_floor(request):
    """The comparison for a past period whose returns are signed off (`?period=`), from one query of the frozen
    positions: for each footprint system whose return for the period is signed off, the status, target date,
    is_demo and last update of every trackable item as the sign-off in force froze them. Systems without a
    signed-off return get nothing here (the page reads their position from history; with most returns signed
    off, that is a few rows). Overdue is judged on the period's last day and stale on the frozen last update,
    by the project's own rules; the same bare table as the comparison floor."""
    period = ReportingPeriod.from_code(request.GET["period"])
    system = "sign_off__in_force_for__system__"
    rows = (
        Position.objects.filter(
            sign_off__in_force_for__period=period.code,
            **{f"{system}in": footprint(period)},
            recommendation__trackable=True,
        )
        .order_by(f"{system}region__name", f"{system}short_name", "recommendation_id")
        .values_list(
            f"{system}region__name",
            f"{system}short_name",
            f"{system}ods_code",
            "recommendation__code",
            "status",
            "target_date",
            "is_demo",
            "updated_at",
        )
    )
    return HttpResponse(_matrix_table(rows, judged_on=period.end, cutoff=stale_before(period)))


def _matrix_table(rows, *, judged_on, cutoff) -> str:
    """(region, system, ODS code, item code, status, target, is_demo, updated_at) rows as a bare table."""
    any_demo = False
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
                overdue = " overdue" if is_overdue(target, status, judged_on) else ""
                html.append(f'<td><a href="/systems/{ods_code}/records/{code}/">{WORDS[status]}</a>{overdue}</td>')
            html.append("</tr>")
    html.append("</table>")
    if any_demo:
        html.insert(0, "<p>Includes demonstration data.</p>")
    return "".join(html)


def board_report_signed_off_floor(request, ods_code):
    """A system's board report for a period its return is signed off for (`?period=`), from one query of the frozen
    positions of the sign-off in force: each item's code, title, publication and theme, status, owners' names,
    target and original target, summary, last reason, last update, is_demo and evidence JSON, in report order.
    Counts by status, overdue (on the period's last day), stale, the reason where red, amber or not applicable,
    and the latest few pieces of evidence with a count of the rest are worked out here; a bare table. Not read:
    the status at the end of the period before (the page's "was"), the sign-off's assurance and open challenges."""
    period = ReportingPeriod.from_code(request.GET["period"])
    rows = (
        Position.objects.filter(
            sign_off__in_force_for__period=period.code, sign_off__in_force_for__system__ods_code=ods_code
        )
        .order_by("-recommendation__publication__published_on", "recommendation__theme__order", "recommendation__order")
        .values_list(
            "recommendation__publication__title",
            "recommendation__theme__title",
            "recommendation__code",
            "recommendation__title",
            "status",
            "accountable_owner",
            "delivery_lead",
            "target_date",
            "original_target_date",
            "summary",
            "last_reason",
            "evidence",
            "updated_at",
            "is_demo",
        )
    )
    counts, overdue, body = dict.fromkeys(WORDS, 0), [], []
    cutoff, all_stale, any_demo = stale_before(period), True, False
    for publication, in_publication in groupby(rows, key=itemgetter(0)):
        body.append(f"<h2>{escape(publication)}</h2><table>")
        for theme, in_theme in groupby(in_publication, key=itemgetter(1)):
            body.append(f"<tr><th colspan=5>{escape(theme)}</th></tr>")
            for (
                _,
                _,
                code,
                title,
                status,
                owner,
                lead,
                target,
                original,
                summary,
                reason,
                evidence,
                updated,
                demo,
            ) in in_theme:
                counts[status] += 1
                late = is_overdue(target, status, period.end)
                if late:
                    overdue.append(f"{code} (target {target:%-d %B %Y})")
                all_stale = all_stale and is_stale(updated, cutoff)
                any_demo = any_demo or demo
                cells = [
                    f"<tr><th>{code} {escape(title)}</th><td>{WORDS[status]}</td>",
                    f"<td>{escape(owner or '—')}{f'<br>{escape(lead)} (delivery)' if lead else ''}</td>",
                    f"<td>{f'{target:%-d %B %Y}' if target else '—'}",
                    f"<br>originally {original:%-d %B %Y}" if original and original != target else "",
                    "<br>Overdue" if late else "",
                    f"</td><td>{escape(summary or '—')}",
                ]
                if status in REPORTED_REASON_STATUSES:
                    cells.append(f"<p>Why: {escape(reason or 'no reason recorded')}</p>")
                latest = sorted(evidence, key=itemgetter("refers_to"), reverse=True)[:EVIDENCE_SHOWN]
                if latest:
                    cells.append("<ul>")
                    for e in latest:
                        on = date.fromisoformat(e["refers_to"])
                        cells.append(f"<li>{escape(e['title'])} ({KINDS[e['kind']]}, {on:%-d %B %Y})</li>")
                    cells.append("</ul>")
                    if len(evidence) > len(latest):
                        cells.append(f"<p>and {len(evidence) - len(latest)} earlier</p>")
                body.extend(cells)
                body.append("</td></tr>")
        body.append("</table>")
    head = ["<table><tr>", *(f"<td>{WORDS[s]}: {n}</td>" for s, n in counts.items()), f"<td>Overdue: {len(overdue)}"]
    head.append("</td></tr></table>")
    if overdue:
        head.append(f"<p>Overdue: {', '.join(overdue)}.</p>")
    if all_stale:
        head.append("<p>Stale.</p>")
    if any_demo:
        head.insert(0, "<p>Includes demonstration data.</p>")
    return HttpResponse("".join(head + body))


def progress_floor(request):
    """The API's first page of 500: the same rows, from the same .values() columns, as JSON."""
    rows = ProgressRecord.objects.order_by("system__ods_code", "recommendation_id").values(*PROGRESS_ROW_FIELDS)[:500]
    return JsonResponse({"results": list(rows)})


# The import floors read the same CSV the timed import sends (tracker.imports' columns) and change what it changes:
# status and summary (the benchmark's rows change nothing else), checked against each record's version.
IMPORT_FIELDS = ("status", "summary")
STATUS_OF = {label: value for value, label in WORDS.items()}


def _import_rows(request, ods_code: str):
    """The upload's rows by item code, and the system's records (one query) with what each row changes."""
    text = request.FILES["file"].read().decode("utf-8-sig")
    rows = {row["Code"]: row for row in csv.DictReader(io.StringIO(text))}
    records = ProgressRecord.objects.filter(system__ods_code=ods_code, recommendation__code__in=rows).values(
        "pk", "system_id", "recommendation_id", "recommendation__code", "status", "summary", "version"
    )
    changed = []
    for record in records:
        row = rows[record["recommendation__code"]]
        after = {"status": STATUS_OF[row["Status"]], "summary": row["Summary"]}
        fields = [f for f in IMPORT_FIELDS if record[f] != after[f]]
        if fields and int(row["Version"]) == record["version"]:
            changed.append((record, after, fields, row["Reason for the change"]))
    return changed


@csrf_exempt
def import_preview_floor(request, ods_code):
    """An import's preview: the upload read as CSV, the system's records in one query, each change as JSON."""
    changes = [
        {"recommendation": r["recommendation__code"], "field": f, "before": r[f], "after": after[f], "reason": why}
        for r, after, fields, why in _import_rows(request, ods_code)
        for f in fields
    ]
    return JsonResponse({"changes": changes})


@csrf_exempt
def import_apply_floor(request, ods_code):
    """An import applied: the same reading, then in one transaction one update of the changed records and one insert
    of their history rows (no lock, no checks beyond the version, no per-field validation)."""
    now = timezone.now()
    period = ReportingPeriod.containing(timezone.localdate(now)).code
    with transaction.atomic(), record_writes():
        changed = _import_rows(request, ods_code)
        records = [
            ProgressRecord(pk=r["pk"], version=r["version"] + 1, updated_at=now, is_demo=False, **after)
            for r, after, _, _ in changed
        ]
        ProgressRecord.objects.bulk_update(records, ["status", "summary", "version", "updated_at", "is_demo"])
        ProgressChange.objects.bulk_create(
            ProgressChange(
                record_id=r["pk"],
                system_id=r["system_id"],
                recommendation_id=r["recommendation_id"],
                kind=ChangeKind.UPDATED,
                changed_at=now,
                period=period,
                changed_by_name="Benchmark floor",
                status_before=r["status"],
                status_after=after["status"],
                changes={f: [r[f], after[f]] for f in fields},
                reason=why,
                record_version=r["version"] + 1,
            )
            for r, after, fields, why in changed
        )
    return JsonResponse({"applied": len(changed)})


def open_data_csv_floor(request, period):
    """A published period's latest progress.csv: its stored bytes, from one query, as they are. The page also
    answers If-None-Match from the checksum before reading the bytes, and adds the cache headers."""
    content = (
        PublishedFile.objects.filter(dataset__period=period, name="progress.csv")
        .order_by("-dataset__version")
        .values_list("content", flat=True)[:1]
        .get()
    )
    return HttpResponse(bytes(content), content_type="text/csv; charset=utf-8")


# Not floors but references, reported beside them without a goal: what any page or API call costs before it does
# its own work. They show how much of a floor's margin sign-in and the page layout take by themselves.


def signed_in_layout(request):
    """The least a signed-in page costs: the session and user read, and the site's layout (header with the unread
    count, navigation, footer) around nothing. The demo banner is shown without its query, as pages showing demo
    data do."""
    assert request.user.is_authenticated
    return render(request, "base.html", {"demo_data_shown": True})


class TokenCall(APIView):
    """The least an API call with a personal token costs: the token read and the per-token throttle, as every
    API view has them, and an empty answer."""

    def get(self, request):
        assert request.auth is not None
        return Response({})
