"""The quarterly return: what makes an ICS's position official for a period.

Records live all the time. Once a quarter each ICS submits a return (an editor) and its approver signs it
off; sign-off freezes every item's position (`Position`), which the comparison, roll-ups, board report
and API read for that period from then on. A regional reviewer gives an assurance opinion and may
challenge items; the national team alone reopens a signed-off return, whose frozen positions are kept.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from legacy.models import Recommendation

from ..choices import Assurance, ReturnEventKind, ReturnState, Status
from ..periods import ReportingPeriod
from .progress import AppendOnlyQuerySet, ProgressRecord
from .register import IntegratedCareSystem


def due_on(period: ReportingPeriod) -> datetime.date:
    """A period's return is due this many days (RETURN_DUE_DAYS) after the period ends."""
    return period.end + datetime.timedelta(days=settings.RETURN_DUE_DAYS)


def is_late(period: ReportingPeriod, signed_off_on: datetime.date | None, today: datetime.date) -> bool:
    """Late: not signed off by the due date (still not signed off after it, or signed off after it)."""
    return (signed_off_on or today) > due_on(period)


class QuarterlyReturnQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(system__in=IntegratedCareSystem.objects.for_user(user))

    def signed_off(self):
        return self.filter(state=ReturnState.SIGNED_OFF)

    def late(self, today: datetime.date | None = None):
        """Same rule as QuarterlyReturn.is_late, as a filter: not signed off by the period's due date."""
        today = today or timezone.localdate()
        condition = Q(pk__in=[])
        for period in ReportingPeriod.all_until():
            due_moment = timezone.make_aware(datetime.datetime.combine(due_on(period), datetime.time.max))
            if due_on(period) < today:
                condition |= Q(period=period.code, sign_off__isnull=True)
            condition |= Q(period=period.code, sign_off__signed_off_at__gt=due_moment)
        return self.filter(condition)


class QuarterlyReturn(models.Model):
    """One ICS's return for one reporting period: open → submitted → signed off (→ reopened, by the national team).

    `version` rises with every transition, so that two people acting on a return at once never both succeed.
    """

    system = models.ForeignKey(IntegratedCareSystem, on_delete=models.PROTECT, related_name="returns")
    period = models.CharField(max_length=10, help_text="Reporting period, e.g. 2026-27-Q2.")
    state = models.CharField(max_length=20, choices=ReturnState.choices, default=ReturnState.OPEN)
    version = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    sign_off = models.OneToOneField(
        "SignOff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="in_force_for",
        help_text="The signed-off version in force; empty while open or submitted.",
    )
    is_demo = models.BooleanField(default=False, help_text="Invented demonstration data, not a real return.")

    objects = QuarterlyReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "system__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "period"], name="return_unique_per_system_and_period"),
            models.CheckConstraint(
                condition=Q(state=ReturnState.SIGNED_OFF, sign_off__isnull=False)
                | (~Q(state=ReturnState.SIGNED_OFF) & Q(sign_off__isnull=True)),
                name="return_signed_off_has_its_sign_off",
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="return_period_state")]

    def __str__(self):
        return f"{self.system.ods_code} {self.period} ({self.get_state_display()})"

    @property
    def reporting_period(self) -> ReportingPeriod:
        return ReportingPeriod.from_code(self.period)

    @property
    def due_on(self) -> datetime.date:
        return due_on(self.reporting_period)

    @property
    def is_late(self) -> bool:
        signed_off_on = timezone.localdate(self.sign_off.signed_off_at) if self.sign_off_id else None
        return is_late(self.reporting_period, signed_off_on, timezone.localdate())


class SignOff(models.Model):
    """One signed-off version of a return, with its frozen positions. Never changed: a reopened return keeps
    it, superseded, and the next sign-off is a new version."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="sign_offs")
    number = models.PositiveSmallIntegerField(help_text="1 for the first sign-off, 2 after a reopening, …")
    submitted_at = models.DateTimeField()
    submitted_by_name = models.CharField(max_length=150)
    signed_off_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_by_name = models.CharField(max_length=150)
    is_demo = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["quarterly_return", "number"]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "number"], name="signoff_unique_number_per_return")
        ]

    def __str__(self):
        return f"{self.quarterly_return} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A sign-off is frozen: it cannot be changed once made.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A sign-off is frozen: it cannot be deleted.")


class Position(models.Model):
    """An item's position as it stood when a return was signed off: frozen for ever."""

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="positions")
    record = models.ForeignKey(ProgressRecord, on_delete=models.PROTECT, related_name="positions")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    record_version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    accountable_owner = models.CharField(max_length=200, blank=True, help_text="Name, as it stood.")
    accountable_owner_email = models.EmailField(blank=True)
    delivery_lead = models.CharField(max_length=200, blank=True, help_text="Name, as it stood.")
    target_date = models.DateField(null=True, blank=True)
    original_target_date = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    last_reason = models.TextField(blank=True, help_text="The reason given for the last change.")
    updated_at = models.DateTimeField(null=True, blank=True)
    evidence = models.JSONField(default=list, help_text="The current evidence: title, kind, date, link or file.")
    is_demo = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sign_off", "recommendation_id"]
        constraints = [
            models.UniqueConstraint(fields=["sign_off", "recommendation"], name="position_unique_item_per_signoff")
        ]

    def __str__(self):
        return f"{self.sign_off} {self.recommendation_id}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A signed-off position is frozen: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A signed-off position is frozen: it cannot be deleted.")

    @staticmethod
    def frozen_from(record: ProgressRecord, *, last_reason: str, evidence: list[dict]) -> dict:
        """What signing off freezes of a record as it stands: the one list of it (the service and the demo)."""
        owner, lead = record.accountable_owner, record.delivery_lead
        return {
            "record": record,
            "recommendation_id": record.recommendation_id,
            "record_version": record.version,
            "status": record.status,
            "accountable_owner": owner.name if owner else "",
            "accountable_owner_email": owner.email if owner else "",
            "delivery_lead": lead.name if lead else "",
            "target_date": record.target_date,
            "original_target_date": record.original_target_date,
            "summary": record.summary,
            "last_reason": last_reason,
            "updated_at": record.updated_at,
            "evidence": evidence,
        }


class ReturnEvent(models.Model):
    """The append-only history of a return: every transition, assurance and challenge, who, when and why."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=ReturnEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_name = models.CharField(max_length=150)
    detail = models.TextField(blank=True, help_text="The reason, comment or opinion given.")
    return_version = models.PositiveIntegerField(help_text="The return's version after this event.")
    is_demo = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.quarterly_return} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A return's history is append-only.")
        super().save(*args, **kwargs)


class AssuranceOpinion(models.Model):
    """A regional reviewer's assurance opinion on a signed-off version of a return. The latest one counts."""

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="assurances")
    opinion = models.CharField(max_length=20, choices=Assurance.choices)
    comment = models.TextField(max_length=2000)
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_by_name = models.CharField(max_length=150)
    is_demo = models.BooleanField(default=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-pk"]

    def __str__(self):
        return f"{self.sign_off}: {self.get_opinion_display()}"


class ChallengeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(quarterly_return__system__in=IntegratedCareSystem.objects.for_user(user))

    def open(self):
        return self.filter(answered_at__isnull=True)


class Challenge(models.Model):
    """A reviewer's challenge to one item of a signed-off return ("the evidence does not support green"), and
    the ICS's answer. Open until answered."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="challenges")
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="challenges")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_by_name = models.CharField(max_length=150)
    answer = models.TextField(blank=True, max_length=2000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by_name = models.CharField(max_length=150, blank=True)
    is_demo = models.BooleanField(default=False)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return f"{self.quarterly_return} {self.recommendation_id}: {'answered' if self.answered_at else 'open'}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
