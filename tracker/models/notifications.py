"""Notifications: an outbox row per recipient, written in the event's own transaction and delivered afterwards.

A row is never lost: it is committed with the event, and delivery (a worker task, then a sweep for whatever the
queue dropped or the mail server refused) marks it sent only once the SMTP server has taken it. `dedupe_key` is
unique, so an event or a reminder reaches each recipient once, however often and on however many machines the
command that raises it runs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..choices import MANDATORY_NOTIFICATION_KINDS, NotificationKind
from .progress import Person
from .register import IntegratedCareSystem


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The notifications a user sees in the app: their own, and of those only the ones about systems they may
        still read (or about no system), so that leaving an ICS ends reading its news too."""
        if not user.is_authenticated:
            return self.none()
        readable = Q(system__isnull=True) | Q(system__in=IntegratedCareSystem.objects.for_user(user))
        return self.filter(readable, recipient_user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def undelivered(self):
        return self.filter(sent_at__isnull=True)


class Notification(models.Model):
    """One notification to one recipient: a user, an owner without an account (a Person) or an invitee (an email
    address). Subject and bodies are rendered when the event happens, so what is sent is what was decided then."""

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient_person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="An owner without an account: their mail carries an unsubscribe link.",
    )
    recipient_email = models.EmailField()
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    system = models.ForeignKey(
        IntegratedCareSystem, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    link = models.URLField(max_length=500, help_text="The page to act on, as an absolute address.")
    dedupe_key = models.CharField(
        max_length=255, unique=True, help_text="One event (or reminder) to one recipient: inserted once, ever."
    )
    digest = models.BooleanField(default=False, help_text="Sent in the recipient's daily digest, not at once.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failed delivery attempts so far.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Not retried before this.")
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's unread count, on every page a signed-in user opens.
            models.Index(fields=["recipient_user", "read_at"], name="notification_unread"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="notification_undelivered"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_user__isnull=True) | Q(recipient_person__isnull=True),
                name="notification_one_kind_of_recipient",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient_email}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants their mail: at once or in one daily digest, and which kinds not at all."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    daily_digest = models.BooleanField(default=False, help_text="One mail a day instead of one per notification.")
    muted_kinds = models.JSONField(default=list, blank=True, help_text="Kinds the user turned off.")

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user}: {'daily digest' if self.daily_digest else 'immediate'}"

    def wants(self, kind: str) -> bool:
        return kind in MANDATORY_NOTIFICATION_KINDS or kind not in self.muted_kinds


class OwnerOptOut(models.Model):
    """An owner without an account who followed the unsubscribe link: no more target-date reminders for them."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="reminder_opt_out")
    opted_out_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opted_out_at"]
        verbose_name = "owner opt-out"

    def __str__(self):
        return f"{self.person} opted out of reminders"
