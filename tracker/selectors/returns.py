"""Reads of quarterly returns: the lists of them, the national grid, the returns an ICS is working on."""

from itertools import groupby

from django.db.models import Count, OuterRef, Q, Subquery

from ..models import (
    AssuranceOpinion,
    IntegratedCareSystem,
    QuarterlyReturn,
)
from ..periods import ReportingPeriod


def returns_for(user):
    """The returns `user` may read, with what a list of them shows: sign-off, latest assurance, open challenges."""
    latest_assurance = AssuranceOpinion.objects.filter(sign_off=OuterRef("sign_off")).order_by("-given_at", "-pk")
    return (
        QuarterlyReturn.objects.for_user(user)
        .select_related("system__region", "sign_off")
        .annotate(
            open_challenges=Count("challenges", filter=Q(challenges__answered_at__isnull=True)),
            assurance=Subquery(latest_assurance.values("opinion")[:1]),
        )
        .order_by("-period", "system__region__name", "system__short_name")
    )


def returns_grid(returns, periods: list[ReportingPeriod]):
    """Systems (by region) × periods, each cell a return or None: the returns page's table."""
    by_key = {(r.system_id, r.period): r for r in returns}
    systems = sorted({r.system for r in by_key.values()}, key=lambda s: (s.region.name, s.short_name))
    return [
        (region, [(system, [by_key.get((system.pk, p.code)) for p in periods]) for system in in_region])
        for region, in_region in groupby(systems, key=lambda s: s.region)
    ]


def returns_on_system_page(system: IntegratedCareSystem) -> list:
    """The returns an ICS is working on: the current period's and, until it is signed off, the one before (due a
    month after its period ends). Each says how many things block its submission."""
    from ..services import return_blocking

    current = ReportingPeriod.current()
    returns = list(
        QuarterlyReturn.objects.filter(system=system, period__in=[current.code, current.previous.code])
        .select_related("system", "sign_off")
        .annotate(open_challenges=Count("challenges", filter=Q(challenges__answered_at__isnull=True)))
        .order_by("-period")
    )
    returns = [r for r in returns if r.period == current.code or r.sign_off_id is None or r.open_challenges]
    for quarterly_return in returns:
        open_ = quarterly_return.state == "open"
        quarterly_return.blocking_count = len(return_blocking(quarterly_return)) if open_ else 0
    return returns
