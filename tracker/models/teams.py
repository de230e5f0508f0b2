"""Teams that run themselves: invitations to a role, the audit history of every membership change, the signed-in
sessions of each user (so that removing someone ends them at once) and the NHS account each signs in with."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import ICS_ROLES, MembershipAction, Role
from .progress import AppendOnlyQuerySet
from .register import IntegratedCareSystem, Region
from .tokens import hash_key


def invitation_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Not yet accepted, revoked or expired: the link still works."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation, sent by email, to be approver, editor or viewer of one ICS or reviewer of one region.

    The link carries a random token; only its hash is stored, like an API token's, so the link cannot be read back
    out of the database. It works once, until it expires.
    """

    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    system = models.ForeignKey(
        IntegratedCareSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.REVIEWER) & Q(system__isnull=True) & Q(region__isnull=False))
                | (Q(role__in=ICS_ROLES) & Q(system__isnull=False) & Q(region__isnull=True)),
                name="invitation_place_matches_role",
            )
        ]

    def __str__(self):
        return f"{self.email} as {self.get_role_display()} of {self.place}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        """A fresh token and its hash."""
        token = secrets.token_urlsafe(32)
        return token, hash_key(token)

    @classmethod
    def for_token(cls, token: str) -> "Invitation | None":
        return cls.objects.select_related("system", "region").filter(token_hash=hash_key(token)).first()

    @property
    def place(self):
        """The ICS or region the role is in."""
        return self.system or self.region

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired: why a link does or does not work."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_pending(self) -> bool:
        return self.state == "pending"


class MembershipEvent(models.Model):
    """The append-only audit history of a team: who did what to whose membership, and when."""

    action = models.CharField(max_length=20, choices=MembershipAction.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The member affected, once there is one.",
    )
    email = models.EmailField(help_text="Whom it concerned, kept as it was then.")
    system = models.ForeignKey(
        IntegratedCareSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="membership_events"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="membership_events"
    )
    old_role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    new_role = models.CharField(max_length=10, choices=Role.choices, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("A team's history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("A team's history is append-only.")


class UserSession(models.Model):
    """A session a user signed in with: Django's sessions do not say whose they are, and removing a member must
    end every one of theirs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_in_at"]

    def __str__(self):
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class SignOnIdentity(models.Model):
    """The NHS account a user signs in with, as its provider names it for good: issuer and subject. An email address
    can be renamed, or handed to somebody else once its owner leaves; the subject cannot. Once a user has signed in,
    they are found by it, and an address whose account here belongs to another subject is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_on_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    first_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sign_on_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sign_on_identity_one_per_user_and_issuer"),
        ]

    def __str__(self):
        return f"{self.user} as {self.subject} at {self.issuer}"
