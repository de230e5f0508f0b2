"""Peer learning ("embrace peer learning", NHSCC-4): who is green or blue on each item, for everyone with a role."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from legacy.models import Recommendation

from .. import permissions, selectors
from ..models import Evidence
from ..periods import ReportingPeriod


@permissions.role_required
def peer_learning(request):
    """Every trackable item with how many systems are at green or blue: where to learn from."""
    leaders = selectors.peer_leaders(ReportingPeriod.current())
    items = (
        Recommendation.objects.trackable()
        .select_related("publication", "theme")
        .in_source_order()
        .annotate(leaders=Count("progress_records", filter=Q(progress_records__in=leaders)))
    )
    return render(request, "tracker/peer_learning.html", {"items": items})


@permissions.role_required
def peer_learning_item(request, code):
    """The systems at green or blue on one item, with their summaries and current evidence."""
    item = get_object_or_404(Recommendation.objects.trackable().select_related("publication", "theme"), code=code)
    current_evidence = Evidence.objects.for_user(request.user).filter(withdrawn_at__isnull=True)
    leaders = (
        selectors.peer_leaders(ReportingPeriod.current())
        .filter(recommendation=item)
        .select_related("system__region", "accountable_owner", "delivery_lead")
        .prefetch_related(Prefetch("evidence", queryset=current_evidence))
        .order_by("-status", "system__short_name")
    )
    return render(request, "tracker/peer_learning_item.html", {"item": item, "leaders": leaders})
