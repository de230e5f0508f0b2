"""Each ICS's progress against the catalogue: records, the people who own them, evidence and history."""

import contextvars
import datetime
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone

from legacy.models import Recommendation

from ..choices import PEER_LEARNING_STATUSES, ChangeKind, EvidenceKind, PositionSource, Status
from ..periods import FIRST_PERIOD_START, ReportingPeriod
from .register import IntegratedCareSystem, has_role, is_national


def signed_off_positions(period: ReportingPeriod):
    """The frozen positions of the returns signed off for `period` (the version in force): the official figures."""
    from .returns import Position

    return Position.objects.filter(sign_off__in_force_for__period=period.code).order_by()  # one per record: no sort


def latest_sensible_target(today: datetime.date) -> datetime.date:
    return today.replace(year=today.year + 10)


def is_overdue(target_date, status, today: datetime.date) -> bool:
    """Target date passed and not yet complete and embedded."""
    return bool(target_date and target_date < today and status != Status.BLUE)


def stale_before(period: ReportingPeriod | None = None) -> datetime.datetime:
    """The one rule for "stale": as at the end of `period` (default: the current one), a record is stale if its
    last update before then came before this moment, i.e. it had no update in that period or the one before.
    A system's return is stale when every one of its records is, and it is not signed off for the period (signing
    off confirms every item current)."""
    return (period or ReportingPeriod.current()).previous.start_moment


def is_stale(last_update, before: datetime.datetime) -> bool:
    return last_update is None or last_update < before


# Earlier than any reporting period: "never updated" compares as older than every cutoff.
NEVER_UPDATED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def stale_condition(period: ReportingPeriod | None = None, field: str = "updated_at"):
    """is_stale() as a condition the database can test, on `field` (a record's last update, or an annotation of
    its last update as at a past period's end). `field` is read once, so an annotation's subquery runs once."""
    last_update = models.functions.Coalesce(models.F(field), models.Value(NEVER_UPDATED))
    return LessThan(last_update, models.Value(stale_before(period)))


# Records change only through tracker.services, which writes each change's history row in the same transaction.
_record_writes_allowed = contextvars.ContextVar("record_writes_allowed", default=False)


class RecordWriteRefused(TypeError):
    """A progress record was saved or updated outside the services that write its history."""


@contextmanager
def record_writes():
    """Open the gate for the services (and the demo generator), which write history alongside every change."""
    token = _record_writes_allowed.set(True)
    try:
        yield
    finally:
        _record_writes_allowed.reset(token)


def _refuse_unrecorded_write():
    if not _record_writes_allowed.get():
        raise RecordWriteRefused(
            "Progress records change only through tracker.services, which write the history row for each change."
        )


class Person(models.Model):
    """A named person an ICS records as an owner; kept per ICS and reused across its records."""

    system = models.ForeignKey(IntegratedCareSystem, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, help_text="Their role, for example Director of Primary Care.")
    email = models.EmailField()
    retired_on = models.DateField(
        null=True,
        blank=True,
        help_text="When they stopped being offered as an owner. They stay on the records and history that name them.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="Their account in the tracker, linked by email when a member of this ICS has the same one.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [models.UniqueConstraint(fields=["system", "email"], name="person_unique_email_per_system")]

    def __str__(self):
        return f"{self.name}, {self.job_title}"

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class ProgressRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        if is_national(user):
            return self.all()  # no filter: a join on every system only costs the database time to plan
        return self.filter(system__in=IntegratedCareSystem.objects.for_user(user))

    def update(self, **kwargs):
        _refuse_unrecorded_write()
        return super().update(**kwargs)

    def owned_by(self, user):
        """Records naming `user` as accountable owner or delivery lead: owners are people an ICS records, matched
        to a user account by email."""
        if not user.is_authenticated or not user.email:
            return self.none()
        return self.filter(Q(accountable_owner__email__iexact=user.email) | Q(delivery_lead__email__iexact=user.email))

    def target_due(self, today: datetime.date, within_days: int):
        """Items with something still to deliver (neither complete nor not applicable) whose target date falls
        within `within_days` of `today` or has passed: what My work lists and what owners are reminded of."""
        return self.filter(target_date__lte=today + datetime.timedelta(days=within_days)).exclude(
            status__in=[Status.BLUE, Status.NOT_APPLICABLE]
        )

    def overdue(self, today: datetime.date | None = None):
        """Same rule as ProgressRecord.is_overdue, as a filter."""
        return self.filter(target_date__lt=today or timezone.localdate()).exclude(status=Status.BLUE)

    def stale(self):
        """Same rule as ProgressRecord.is_stale, as a filter."""
        return self.filter(stale_condition())

    def with_last_reason(self, before: datetime.datetime | None = None, name: str = "last_reason"):
        """Annotate `name`: the reason given for the latest change of the record's position (before `before`)."""
        reasons = ProgressChange.objects.filter(
            record=models.OuterRef("pk"), kind__in=[ChangeKind.UPDATED, ChangeKind.COPIED, ChangeKind.RECONFIRMED]
        ).exclude(reason="")
        if before:
            reasons = reasons.filter(changed_at__lt=before)
        latest = reasons.order_by("-changed_at", "-pk").values("reason")[:1]
        reason = models.functions.Coalesce(models.Subquery(latest), models.Value(""), output_field=models.TextField())
        return self.annotate(**{name: reason})

    def with_last_update_at_end_of(self, period: ReportingPeriod, name: str = "last_update"):
        """Annotate `name`: when the record was last updated before the end of `period`. For the current period
        that is `updated_at`; for a past one it comes from the history."""
        if period == ReportingPeriod.current():
            return self.annotate(**{name: models.F("updated_at")})
        last_change = ProgressChange.objects.filter(
            record=models.OuterRef("pk"), changed_at__lt=period.end_moment
        ).order_by("-changed_at", "-pk")
        return self.annotate(**{name: models.Subquery(last_change.values("changed_at")[:1])})

    def with_status_at_end_of(
        self, period: ReportingPeriod, name: str = "period_status", signed_off: bool | None = None
    ):
        """Annotate `name` (default `period_status`): the official status at the end of `period`. Where the system's
        return for the period is signed off, that is the frozen position; elsewhere the status from history (for
        the current period, which has not ended, the record as it stands). `signed_off`: whether any return of the
        period is signed off, if the caller already knows (else one query finds out)."""
        if period == ReportingPeriod.current():
            from_history = models.F("status")
        else:
            last_change = ProgressChange.objects.filter(
                record=models.OuterRef("pk"), changed_at__lt=period.end_moment
            ).order_by("-changed_at", "-pk")
            from_history = models.functions.Coalesce(
                models.Subquery(last_change.values("status_after")[:1]), models.Value(Status.NOT_ASSESSED)
            )
        if not (signed_off if signed_off is not None else signed_off_positions(period).exists()):
            return self.annotate(**{name: from_history})  # nothing signed off: no frozen position to look up per row
        frozen = models.Subquery(signed_off_positions(period).filter(record=models.OuterRef("pk")).values("status")[:1])
        return self.annotate(**{name: models.functions.Coalesce(frozen, from_history)})

    def with_position_source(self, period: ReportingPeriod, name: str = "position_source"):
        """Annotate `name`: "signed_off" where the figures for `period` are a signed-off return's, else "history"."""
        signed_off = models.Exists(signed_off_positions(period).filter(record=models.OuterRef("pk")))
        return self.annotate(
            **{
                name: models.Case(
                    models.When(signed_off, then=models.Value(PositionSource.SIGNED_OFF)),
                    default=models.Value(PositionSource.HISTORY),
                )
            }
        )


class ProgressRecord(models.Model):
    """One ICS's progress against one trackable catalogue item.

    `version` rises with every write; a save names the version it started from, so that two people
    editing at once never silently overwrite each other.
    """

    system = models.ForeignKey(IntegratedCareSystem, on_delete=models.PROTECT, related_name="records")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="progress_records", limit_choices_to={"trackable": True}
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_ASSESSED)
    accountable_owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="records_owned"
    )
    delivery_lead = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="records_led"
    )
    target_date = models.DateField(null=True, blank=True)
    original_target_date = models.DateField(
        null=True, blank=True, help_text="The first target date set; kept when the target moves."
    )
    summary = models.TextField(blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Invented demonstration data, not a real return.")

    objects = ProgressRecordQuerySet.as_manager()

    # What an editor changes, with the label history shows: the one list of them (services, forms, API, imports).
    TRACKED_FIELDS = {
        "status": "Status",
        "accountable_owner": "Accountable owner",
        "delivery_lead": "Delivery lead",
        "target_date": "Target date",
        "summary": "Summary",
    }

    class Meta:
        ordering = ["system__ods_code", "recommendation_id"]
        constraints = [
            models.UniqueConstraint(fields=["system", "recommendation"], name="progressrecord_unique_item_per_system")
        ]

    def __str__(self):
        return f"{self.system.ods_code} {self.recommendation.code}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            _refuse_unrecorded_write()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tracker:record", args=[self.system.ods_code, self.recommendation.code])

    def tracked_values(self) -> dict:
        return {field: getattr(self, field) for field in self.TRACKED_FIELDS}

    def clean(self):
        if self.recommendation_id and not self.recommendation.trackable:
            raise ValidationError({"recommendation": "This item is advice for national bodies; ICSs do not track it."})
        today = timezone.localdate()
        if self.target_date and not (FIRST_PERIOD_START <= self.target_date <= latest_sensible_target(today)):
            raise ValidationError(
                {
                    "target_date": f"Enter a target date between {FIRST_PERIOD_START:%-d %B %Y} "
                    f"and {latest_sensible_target(today):%-d %B %Y}."
                }
            )
        for field in ("accountable_owner", "delivery_lead"):
            person = getattr(self, field)
            if person and person.system_id != self.system_id:
                raise ValidationError({field: "Choose someone from this system's people."})

    @property
    def is_overdue(self) -> bool:
        return is_overdue(self.target_date, self.status, timezone.localdate())

    @property
    def is_stale(self) -> bool:
        return is_stale(self.updated_at, stale_before())

    @property
    def target_moved(self) -> bool:
        return bool(self.original_target_date and self.original_target_date != self.target_date)


class AppendOnlyQuerySet(models.QuerySet):
    """History is never edited or pruned: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("History is append-only: it cannot be updated.")

    def delete(self):
        raise TypeError("History is append-only: it cannot be deleted.")


class ProgressChangeQuerySet(AppendOnlyQuerySet):
    def for_user(self, user):
        if is_national(user):
            return self.all()  # no filter: a join on every system only costs the database time to plan
        return self.filter(system__in=IntegratedCareSystem.objects.for_user(user))


class ProgressChange(models.Model):
    """One entry in the append-only history of a record: who, when, what changed (before and after), why."""

    record = models.ForeignKey(ProgressRecord, on_delete=models.PROTECT, related_name="history")
    # Denormalised from the record so that per-ICS and per-item timelines are one indexed filter.
    system = models.ForeignKey(IntegratedCareSystem, on_delete=models.PROTECT, related_name="history")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="history")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    period = models.CharField(max_length=10, help_text="Reporting period of `changed_at`, e.g. 2026-27-Q2.")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    changed_by_name = models.CharField(max_length=150, help_text="Kept so the timeline names a user deleted later.")
    status_before = models.CharField(max_length=20, choices=Status.choices)
    status_after = models.CharField(max_length=20, choices=Status.choices)
    changes = models.JSONField(default=dict, help_text="{field label: [before, after]} as shown to people.")
    reason = models.TextField(blank=True)
    record_version = models.PositiveIntegerField(help_text="The record's version after this change.")
    is_demo = models.BooleanField(default=False)

    objects = ProgressChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["record", "changed_at"], name="change_record_time"),
            models.Index(fields=["system", "changed_at"], name="change_system_time"),
            models.Index(fields=["period"], name="change_period"),
        ]

    def __str__(self):
        return f"{self.system.ods_code} {self.recommendation.code} {self.changed_at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("History is append-only: an entry cannot be changed once written.")
        self.period = ReportingPeriod.containing(timezone.localdate(self.changed_at)).code
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("History is append-only: an entry cannot be deleted.")


def evidence_upload_to(evidence, filename):
    # A random folder: file names are not guessable, and two uploads never collide.
    return f"evidence/{evidence.record.system.ods_code}/{uuid.uuid4().hex}/{filename}"


class EvidenceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The evidence `user` may see, by page and API alike: everything on the records of the systems they read,
        and, for peer learning, the current evidence behind every green or blue record to anyone with a role."""
        if is_national(user):
            return self.all()
        if not has_role(user):
            return self.none()
        return self.filter(
            Q(record__system__in=IntegratedCareSystem.objects.for_user(user))
            | Q(withdrawn_at__isnull=True, record__status__in=PEER_LEARNING_STATUSES)
        )


class Evidence(models.Model):
    """Evidence for a record: a link or an uploaded file. Withdrawn with a reason, never deleted."""

    record = models.ForeignKey(ProgressRecord, on_delete=models.PROTECT, related_name="evidence")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices)
    refers_to = models.DateField(help_text="The date the evidence refers to, e.g. the board meeting.")
    description = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    url = models.URLField(blank=True, max_length=500, verbose_name="URL")
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_by_name = models.CharField(max_length=150)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True, max_length=1000, validators=[MaxLengthValidator(1000)])
    is_demo = models.BooleanField(default=False)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-refers_to", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="evidence_is_a_link_or_a_file",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracker:evidence_download", args=[self.pk]) if self.file else self.url

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self):
        if bool(self.url) == bool(self.file):
            raise ValidationError("Give either a link or a file, not both.")
        if self.refers_to and not (datetime.date(2012, 1, 1) <= self.refers_to <= timezone.localdate()):
            raise ValidationError({"refers_to": "The date the evidence refers to must be in the past, from 2012 on."})
