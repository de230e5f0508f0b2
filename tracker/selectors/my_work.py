"""My work: what a signed-in user has to do next, read once for the page they land on after signing in."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from ..choices import Role
from ..models import Challenge, Notification, ProgressRecord, QuarterlyReturn
from ..models.register import is_national, membership_of
from ..periods import ReportingPeriod
from .returns import returns_for, returns_on_system_page

TARGETS_AHEAD_DAYS = 30
RECENT_NOTIFICATIONS = 10


@dataclass
class MyWork:
    system: object | None = None
    region: object | None = None
    returns: list = field(default_factory=list)
    owned: list = field(default_factory=list)
    targets_due: list = field(default_factory=list)
    open_challenges: list = field(default_factory=list)
    returns_to_assure: list = field(default_factory=list)
    late_returns: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    today: datetime.date | None = None


def _records(queryset):
    return list(
        queryset.filter(recommendation__trackable=True)
        .select_related("system", "recommendation", "accountable_owner", "delivery_lead")
        .order_by("target_date", "recommendation__code")
    )


def my_work(user) -> MyWork:
    """For an ICS member: their system's returns and deadlines, the items they own, targets due within 30 days or
    passed (ProgressRecord.objects.target_due, the rule reminders use too), open challenges to answer. For a
    reviewer: their region's signed-off returns with no assurance opinion yet and the challenges they raised that
    are still open. For the national team: late returns. Anyone may own items, so "items you own" is read for
    every user, and so are the reminders they have had (the latest few of their notifications)."""
    today = timezone.localdate()
    membership = membership_of(user)
    work = MyWork(today=today)
    work.owned = _records(ProgressRecord.objects.for_user(user).owned_by(user))
    work.notifications = list(
        Notification.objects.for_user(user).only("pk", "subject", "created_at", "read_at")[:RECENT_NOTIFICATIONS]
    )
    if membership is not None and membership.system_id:
        system = work.system = membership.system
        work.returns = returns_on_system_page(system)
        work.targets_due = _records(ProgressRecord.objects.filter(system=system).target_due(today, TARGETS_AHEAD_DAYS))
        work.open_challenges = list(
            Challenge.objects.open()
            .filter(quarterly_return__system=system)
            .select_related("quarterly_return__system", "recommendation")
        )
    elif membership is not None and membership.role == Role.REVIEWER:
        work.region = membership.region
        recent = [ReportingPeriod.current().previous.code, ReportingPeriod.current().previous.previous.code]
        work.returns_to_assure = [
            r for r in returns_for(user).signed_off().filter(period__in=recent) if r.assurance is None
        ]
        work.open_challenges = list(
            Challenge.objects.open().filter(raised_by=user).select_related("quarterly_return__system", "recommendation")
        )
    if is_national(user):
        recent = [ReportingPeriod.current().code, ReportingPeriod.current().previous.code]
        work.late_returns = list(
            QuarterlyReturn.objects.late(today)
            .filter(period__in=recent)
            .select_related("system__region", "sign_off")
            .order_by("period", "system__region__name", "system__short_name")
        )
    return work
