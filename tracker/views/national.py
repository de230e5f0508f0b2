"""Views across systems: the national comparison, roll-ups and trends, peer learning, the board report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from legacy.models import Recommendation

from .. import permissions, selectors
from ..choices import Status
from ..exports import table_response
from ..forms import ComparisonForm, PeriodForm
from ..models import Evidence, IntegratedCareSystem, ProgressRecord
from ..periods import ReportingPeriod

DEMO_WARNING = "DEMONSTRATION DATA: invented for this demonstration, not any integrated care system's real return."
PEER_STATUSES = [Status.GREEN, Status.BLUE]


def _choices(request, form_class=ComparisonForm):
    """The period and filters asked for; invalid ones are shown as errors and fall back to the defaults."""
    form = form_class(request.GET or None)
    choices = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    period = choices.pop("period", None) or ReportingPeriod.current()
    return form, period, {k: v for k, v in choices.items() if v is not None}


def _export_format(request):
    export = request.GET.get("export")
    return export if export in ("csv", "xlsx") else None


@login_required
def comparison(request):
    """All systems × all trackable items for a period: the national team's main view."""
    if not permissions.is_national(request.user):
        raise PermissionDenied("The comparison of all systems is for the national team.")
    form, period, filters = _choices(request)
    matrix = selectors.comparison_matrix(period, **filters)
    form.offer_only(matrix["regions"], matrix["themes_by_publication"])
    export = _export_format(request)
    if export:
        header = ["Region", "ODS code", "System"] + [item.code for item in matrix["items"]]
        header += [f"{item.code} previous" for item in matrix["items"]]
        rows = [
            [region.name, system.ods_code, system.short_name]
            + [Status(cell.status).label if cell else "" for _, cell in cells]
            + [Status(cell.previous_status).label if cell else "" for _, cell in cells]
            for region, systems in matrix["rows"]
            for system, cells in systems
        ]
        title = DEMO_WARNING if matrix["has_demo"] else ""
        return table_response(f"comparison-{period.code}", export, header, rows, title=title)
    return render(
        request,
        "tracker/comparison.html",
        {
            "form": form,
            "matrix": matrix,
            "show_change": request.GET.get("change") == "1",
            "statuses": list(Status),
            "query": request.GET.urlencode(),
            # The banner's own check is a query; a matrix showing demo data already answers it.
            **({"demo_data_shown": True} if matrix["has_demo"] else {}),
        },
    )


@login_required
def rollups(request):
    """Counts by status per recommendation and per region, change since the previous period, trends, stale returns."""
    form, period, filters = _choices(request)
    summary = selectors.comparison(period, **filters)
    recommendation = Recommendation.objects.trackable().filter(code=request.GET.get("trend")).first()
    periods = ReportingPeriod.all_until(period)
    export = _export_format(request)
    if export:
        header = ["Level", "Key", "Name", "Systems"] + [s.label for s in Status] + [f"Change {s.label}" for s in Status]
        rows = [
            [level, row["key"], row["label"], row["systems"]]
            + [row["counts"][s] for s in Status]
            + [row["change"][s] for s in Status]
            for level, group in (
                ("England", [summary["national"]]),
                ("Recommendation", summary["by_recommendation"]),
                ("Region", summary["by_region"]),
            )
            for row in group
        ]
        return table_response(f"rollups-{period.code}", export, header, rows)
    return render(
        request,
        "tracker/rollups.html",
        {
            "form": form,
            "summary": summary,
            "statuses": list(Status),
            "trend": selectors.trend(periods, recommendation),
            "trend_item": recommendation,
            "trackable": Recommendation.objects.trackable(),
            "stale": selectors.stale_returns() if permissions.is_national(request.user) else None,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def peer_learning(request):
    """Every trackable item with how many systems are at green or blue: where to learn from."""
    today = ReportingPeriod.current().end
    active = IntegratedCareSystem.objects.active_on(today)
    items = (
        Recommendation.objects.trackable()
        .select_related("publication", "theme")
        .in_source_order()
        .annotate(
            leaders=Count(
                "progress_records",
                filter=Q(progress_records__status__in=PEER_STATUSES, progress_records__system__in=active),
            )
        )
    )
    return render(request, "tracker/peer_learning.html", {"items": items})


@login_required
def peer_learning_item(request, code):
    """The systems at green or blue on one item, with their summaries and evidence, for every signed-in user."""
    item = get_object_or_404(Recommendation.objects.trackable().select_related("publication", "theme"), code=code)
    active = IntegratedCareSystem.objects.active_on(ReportingPeriod.current().end)
    leaders = (
        ProgressRecord.objects.filter(recommendation=item, status__in=PEER_STATUSES, system__in=active)
        .select_related("system__region", "accountable_owner", "delivery_lead")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.filter(withdrawn_at__isnull=True)))
        .order_by("-status", "system__short_name")
    )
    return render(request, "tracker/peer_learning_item.html", {"item": item, "leaders": leaders})


@login_required
def board_report(request, ods_code):
    """One system's position at the end of a period, for its board: printable, and as CSV or XLSX."""
    system = permissions.get_system_for_user(request.user, ods_code)
    form, period, _ = _choices(request, PeriodForm)
    report = selectors.board_report(system, period)
    export = _export_format(request)
    if export:
        header = [
            "Code",
            "Item",
            "Status",
            "Previous status",
            "Change",
            "Accountable owner",
            "Delivery lead",
            "Target date",
            "Original target date",
            "Overdue",
            "Summary",
            "Evidence items",
            "Latest evidence",
        ]
        rows = [
            [
                row.item.code,
                row.item.title,
                Status(row.status).label,
                Status(row.previous_status).label,
                row.movement,
                str(row.record.accountable_owner or ""),
                str(row.record.delivery_lead or ""),
                row.record.target_date,
                row.record.original_target_date,
                "yes" if row.record.is_overdue else "",
                row.record.summary,
                row.evidence_count,
                "; ".join(e.title for e in row.latest_evidence),
            ]
            for row in report["rows"]
        ]
        return table_response(
            f"board-report-{system.ods_code}-{period.code}",
            export,
            header,
            rows,
            title=DEMO_WARNING if report["has_demo"] else f"{system.name}: {period.label}",
        )
    return render(
        request,
        "tracker/board_report.html",
        {"system": system, "form": form, "report": report, "statuses": list(Status)},
    )
