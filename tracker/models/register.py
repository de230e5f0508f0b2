"""The ICS register and each system's progress against the catalogue."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from legacy.models import NaturalKeyManager, NaturalKeyQuerySet

from ..choices import ICS_ROLES, Role


class Region(models.Model):
    """One of the seven NHS England regions."""

    code = models.CharField(max_length=3, unique=True, help_text="ODS code of the NHS England region.")
    name = models.CharField(max_length=100, unique=True)

    objects = NaturalKeyManager()
    NATURAL_KEY = ("code",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


def membership_of(user):
    return getattr(user, "membership", None) if user.is_authenticated else None


def has_role(user) -> bool:
    """Signed in with a role in the tracker (superuser, national team or ICS member). Without one a user sees only
    public pages: removing someone's membership ends their private reads at once, by page and API alike."""
    return bool(user.is_authenticated and (user.is_superuser or membership_of(user) is not None))


def is_national(user) -> bool:
    """The national team (and superusers) read every system. Lives here because for_user() needs it."""
    membership = membership_of(user)
    return bool(user.is_authenticated and (user.is_superuser or (membership and membership.role == Role.NATIONAL)))


class IntegratedCareSystemQuerySet(NaturalKeyQuerySet):
    def for_user(self, user):
        """The systems whose progress `user` may read.

        The national team reads all; a regional reviewer every system of their region; an ICS member their own
        and the ones it took over.
        """
        if is_national(user):
            return self.all()
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.role == Role.REVIEWER:
            return self.filter(region_id=membership.region_id)
        # An ICB's members read the records of the ICBs it took over, which stay part of its history.
        return self.filter(Q(pk=membership.system_id) | Q(succeeded_by__successor_id=membership.system_id)).distinct()

    def active_on(self, date: datetime.date):
        """The footprint on a date: established by then and not yet dissolved."""
        return self.filter(Q(established_on__lte=date), Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=date))


class IntegratedCareSystem(models.Model):
    """An integrated care system, identified by the ODS code of its integrated care board (ICB).

    ICBs dissolved in a reorganisation stay in the register with `dissolved_on` set, so that
    their returns remain part of the record; `predecessors` says who took them over.
    """

    ods_code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=200, help_text="Official ICB name.")
    short_name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="systems")
    established_on = models.DateField()
    dissolved_on = models.DateField(null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        through="Succession",
        through_fields=("successor", "predecessor"),
        symmetrical=False,
        related_name="successors",
        blank=True,
    )

    objects = IntegratedCareSystemQuerySet.as_manager()
    NATURAL_KEY = ("ods_code",)

    class Meta:
        ordering = ["region__name", "short_name"]
        verbose_name = "integrated care system"
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=models.F("established_on")),
                name="ics_dissolved_after_established",
            )
        ]

    def __str__(self):
        return f"{self.short_name} ({self.ods_code})"

    def get_absolute_url(self):
        return reverse("tracker:system", args=[self.ods_code])

    def natural_key(self):
        return (self.ods_code,)


class Succession(models.Model):
    """An ICB taking over all (or, where `partial`, part) of another's footprint."""

    predecessor = models.ForeignKey(IntegratedCareSystem, on_delete=models.CASCADE, related_name="succeeded_by")
    successor = models.ForeignKey(IntegratedCareSystem, on_delete=models.CASCADE, related_name="succeeded_from")
    partial = models.BooleanField(default=False)
    effective_on = models.DateField()

    objects = NaturalKeyManager()
    NATURAL_KEY = ("predecessor__ods_code", "successor__ods_code")

    class Meta:
        ordering = ["successor__ods_code", "predecessor__ods_code"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self):
        part = " (part)" if self.partial else ""
        return f"{self.predecessor.ods_code}{part} → {self.successor.ods_code}"

    def natural_key(self):
        return (self.predecessor.ods_code, self.successor.ods_code)

    natural_key.dependencies = ["tracker.integratedcaresystem"]


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """The memberships `user` may see: the national team every one; an ICS member their own team; a reviewer
        the reviewers of their region."""
        if is_national(user):
            return self.all()
        membership = membership_of(user)
        if membership is None:
            return self.none()
        if membership.system_id:
            return self.filter(system_id=membership.system_id)
        return self.filter(role=Role.REVIEWER, region_id=membership.region_id)


class Membership(models.Model):
    """What a user may see and do: approver, editor or viewer of one ICS, reviewer of one region, or a member of
    the national team."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(max_length=10, choices=Role.choices)
    system = models.ForeignKey(
        IntegratedCareSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="reviewers", help_text="Reviewers only."
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["system__ods_code", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.NATIONAL) & Q(system__isnull=True) & Q(region__isnull=True))
                | (Q(role=Role.REVIEWER) & Q(system__isnull=True) & Q(region__isnull=False))
                | (Q(role__in=ICS_ROLES) & Q(system__isnull=False) & Q(region__isnull=True)),
                name="membership_place_matches_role",
            )
        ]

    def __str__(self):
        where = self.system.ods_code if self.system_id else (self.region.code if self.region_id else "national")
        return f"{self.user} ({self.get_role_display()}, {where})"
