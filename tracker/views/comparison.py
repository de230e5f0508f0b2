"""Across systems: the comparison matrix (national team) and the roll-ups and trends (everyone with a role)."""

from django.shortcuts import render

from legacy.models import Recommendation

from .. import permissions, selectors
from ..choices import PositionSource, Status
from ..exports import requested_format, table_response
from ..forms import period_and_filters
from ..periods import ReportingPeriod


@permissions.national_required
def comparison(request):
    """All systems × all trackable items for a period: the national team's main view."""
    form, period, filters = period_and_filters(request)
    export = requested_format(request)
    with_change = bool(export) or request.GET.get("change") == "1"
    matrix = selectors.comparison_matrix(period, with_change=with_change, **filters)
    form.offer_only(matrix["regions"], matrix["themes_by_publication"])
    if export:
        header = [
            "period",
            "region",
            "ods_code",
            "system",
            "recommendation",
            "status",
            "previous_status",
            "overdue",
            "stale_return",
            "position_source",
            "is_demo",
        ]
        rows = [
            [
                period.code,
                region.name,
                system.ods_code,
                system.short_name,
                item.code,
                cell.status,
                cell.previous_status,
                cell.is_overdue,
                system.is_stale,
                PositionSource.SIGNED_OFF if system.is_signed_off else PositionSource.HISTORY,
                cell.is_demo,
            ]
            for region, systems in matrix["rows"]
            for system, cells in systems
            for item, cell in cells
            if cell is not None
        ]
        return table_response(f"comparison-{period.code}", export, header, rows)
    return render(
        request,
        "tracker/comparison.html",
        {
            "form": form,
            "matrix": matrix,
            "show_change": with_change,
            "statuses": list(Status),
            "query": request.GET.urlencode(),
            # The banner's own check is a query; a matrix showing demo data already answers it.
            **({"demo_data_shown": True} if matrix["has_demo"] else {}),
        },
    )


@permissions.role_required
def rollups(request):
    """Counts by status per recommendation and per region, change since the previous period, trends, stale returns."""
    form, period, filters = period_and_filters(request)
    summary = selectors.rollups(period, **filters)
    export = requested_format(request)
    if export:
        header = ["period", "level", "key", "name", "systems"]
        header += [s.value for s in Status] + [f"change_{s.value}" for s in Status]
        header += ["includes_demo", "signed_off_systems"]
        rows = [
            [period.code, level, row["key"], row["label"], row["systems"]]
            + [row["counts"][s] for s in Status]
            + [row["change"][s] for s in Status]
            + [row["includes_demo"], row["signed_off_systems"]]
            for level, group in (
                ("england", [summary["national"]]),
                ("recommendation", summary["by_recommendation"]),
                ("region", summary["by_region"]),
            )
            for row in group
        ]
        return table_response(f"rollups-{period.code}", export, header, rows)
    trend_item = Recommendation.objects.trackable().filter(code=request.GET.get("trend") or "").first()
    return render(
        request,
        "tracker/rollups.html",
        {
            "form": form,
            "summary": summary,
            "statuses": list(Status),
            "trend": selectors.trend(ReportingPeriod.all_until(period), trend_item),
            "trend_item": trend_item,
            "trackable": Recommendation.objects.trackable(),
            "stale": selectors.stale_returns(period) if permissions.is_national(request.user) else None,
            "query": request.GET.urlencode(),
        },
    )
