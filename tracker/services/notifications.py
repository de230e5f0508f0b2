"""Notifications: who is told of what, written to the outbox in the event's transaction, then delivered by mail.

`notify()` writes one `Notification` row per recipient inside the caller's transaction (an event and its
notifications commit together or not at all) and, once it commits, queues each row's delivery as a task. Delivery
sends one row over SMTP and marks it sent; a failure leaves it unsent with the error and a time to try again, and
`notifications_deliver_due()` (the worker's retry, `manage.py deliver_notifications`, `send_reminders`) sends
whatever is due, so a mail server outage delays mail and loses none. Every recipient rule is one function here.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..choices import (
    EDITING_ROLES,
    ICS_ROLES,
    MANDATORY_NOTIFICATION_KINDS,
    ROLE_PHRASES,
    NotificationKind,
    Role,
    Status,
)
from ..models import (
    Challenge,
    IntegratedCareSystem,
    Membership,
    Notification,
    NotificationPreference,
    OwnerOptOut,
    Person,
    ProgressRecord,
    QuarterlyReturn,
    Region,
    SignOff,
)
from ..periods import ReportingPeriod

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "tracker.notifications.unsubscribe"
# Reminders go out this many days before a return is due, and before a target date.
RETURN_DUE_REMINDER_DAYS = (14, 3)
TARGET_SOON_DAYS = 14


# --- Recipients: one rule each ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone to tell, and why they are told. A user, an owner without an account (`person`) or, for an
    invitation, just an email address."""

    email: str
    name: str
    reason: str
    user: object | None = None
    person: Person | None = None

    @property
    def key(self) -> str:
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.person is not None:
            return f"person:{self.person.pk}"
        return f"email:{self.email.lower()}"


def one_line(value: str) -> str:
    """A name or subject as one line: no newline or other control character can reach a mail header."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())


def _display_name(user) -> str:
    return one_line(user.get_full_name() or user.get_username())


def _members(memberships, reason) -> list[Recipient]:
    memberships = memberships.filter(user__is_active=True).exclude(user__email="").select_related("user", "system")
    return [
        Recipient(email=m.user.email, name=_display_name(m.user), reason=reason(m), user=m.user)
        for m in memberships.order_by("user__username")
    ]


def approvers_of(system: IntegratedCareSystem) -> list[Recipient]:
    """The approvers of one ICS: they sign off its returns."""
    return _members(
        Membership.objects.filter(system=system, role=Role.APPROVER),
        lambda m: f"You are an approver of {m.system.short_name}: you sign off its returns.",
    )


def _member_reason(membership) -> str:
    return f"You are {ROLE_PHRASES[membership.role]} of {membership.system.short_name}."


def editors_of(system: IntegratedCareSystem) -> list[Recipient]:
    """Those who may edit one ICS's records and answer for them: its editors and approvers."""
    return _members(Membership.objects.filter(system=system, role__in=EDITING_ROLES), _member_reason)


def members_of(system: IntegratedCareSystem) -> list[Recipient]:
    """Everyone with a role in one ICS: approvers, editors and viewers."""
    return _members(Membership.objects.filter(system=system, role__in=ICS_ROLES), _member_reason)


def reviewers_of(region: Region) -> list[Recipient]:
    """The regional reviewers of one NHS England region."""
    return _members(
        Membership.objects.filter(region=region, role=Role.REVIEWER),
        lambda m: f"You are a regional reviewer for {region.name}.",
    )


def owners_of(record: ProgressRecord) -> list[Recipient]:
    """A record's accountable owner and delivery lead, unless retired. An owner with an account (the same email
    address) that may read the record is told as that user, by their preferences; anyone else by mail, unless they
    unsubscribed."""
    roles = {}
    for role, person in (("accountable owner", record.accountable_owner), ("delivery lead", record.delivery_lead)):
        if person is not None and person.email and not person.is_retired:  # a retired person has moved on
            roles.setdefault(person.email.lower(), (person, []))[1].append(role)
    if not roles:
        return []
    users = {
        user.email_lower: user
        for user in get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(roles), is_active=True)
        .order_by("-pk")
        if IntegratedCareSystem.objects.for_user(user).filter(pk=record.system_id).exists()
    }
    opted_out = set(
        OwnerOptOut.objects.filter(person__in=[person for person, _ in roles.values()]).values_list("person", flat=True)
    )
    recipients = []
    for email, (person, names) in roles.items():
        reason = f"You are named as the {' and '.join(names)} of this item in {record.system.short_name}'s tracker."
        if email in users:
            recipients.append(
                Recipient(email=users[email].email, name=one_line(person.name), reason=reason, user=users[email])
            )
        elif person.pk not in opted_out:
            recipients.append(Recipient(email=person.email, name=one_line(person.name), reason=reason, person=person))
    return recipients


def raiser_of(challenge: Challenge) -> list[Recipient]:
    """The reviewer who raised a challenge, if they still have an account."""
    user = challenge.raised_by
    if user is None or not user.is_active or not user.email:
        return []
    return [Recipient(email=user.email, name=_display_name(user), reason="You raised this challenge.", user=user)]


def _without(recipients: list[Recipient], user) -> list[Recipient]:
    """Nobody is told of what they did themselves."""
    return [r for r in recipients if r.user is None or user is None or r.user.pk != user.pk]


# --- The outbox -------------------------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(person: Person) -> str:
    return signing.dumps(person.pk, salt=UNSUBSCRIBE_SALT)


def person_from_unsubscribe_token(token: str) -> Person | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=pk).first()


def _render(kind: str, recipient: Recipient, context: dict, link: str) -> tuple[str, str, str]:
    footer_link = (
        absolute(reverse("tracker:notification_unsubscribe", args=[unsubscribe_token(recipient.person)]))
        if recipient.person is not None
        else (absolute(reverse("tracker:notification_preferences")) if recipient.user is not None else "")
    )
    subject, paragraphs = one_line(context["subject"]), context["paragraphs"]
    if context.get("demo"):  # invented data never passes for a real return, in mail as on every page
        subject = f"Demo data: {subject}"
        paragraphs = ["This is about invented demonstration data, not any ICS's real return.", *paragraphs]
    values = {
        "name": one_line(recipient.name),
        "paragraphs": paragraphs,
        "action": context["action"],
        "link": link,
        "reason": recipient.reason,
        "footer_link": footer_link,
        "unsubscribe": recipient.person is not None,
        "mandatory": kind in MANDATORY_NOTIFICATION_KINDS,
    }
    text = render_to_string("tracker/notifications/email.txt", values)
    html = render_to_string("tracker/notifications/email.html", {**values, "subject": subject})
    return subject[:200], text, html


def notify(
    kind: str,
    recipients: list[Recipient],
    *,
    system: IntegratedCareSystem | None,
    context: dict,
    link: str,
    dedupe_key: str,
) -> int:
    """Write one outbox row per recipient, in the caller's transaction, and deliver them once it commits.

    `context`: the mail's `subject`, `paragraphs` (plain text, escaped in the HTML) and `action` (the link's label).
    `dedupe_key` names the event: with the recipient it is unique, so a second call for the same event inserts
    nothing. A user who turned `kind` off is not told; one who chose a daily digest is told in it. Returns how many
    rows are new."""
    assert transaction.get_connection().in_atomic_block, "notify() belongs in the transaction of the event it tells"
    users = [r.user for r in recipients if r.user is not None]
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)} if users else {}
    rows, seen = [], set()
    for recipient in recipients:
        preference = preferences.get(recipient.user.pk) if recipient.user is not None else None
        if recipient.key in seen or (preference and not preference.wants(kind)):
            continue
        seen.add(recipient.key)
        subject, text, html = _render(kind, recipient, context, link)
        rows.append(
            Notification(
                recipient_user=recipient.user,
                recipient_person=recipient.person,
                recipient_email=recipient.email,
                kind=kind,
                system=system,
                subject=subject,
                body_text=text,
                body_html=html,
                link=link,
                dedupe_key=f"{dedupe_key}:{recipient.key}"[:255],
                digest=bool(preference and preference.daily_digest and kind not in MANDATORY_NOTIFICATION_KINDS),
            )
        )
    if not rows:
        return 0
    keys = [row.dedupe_key for row in rows]
    existing = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    # Insert, and ignore the rows another run (on this machine or another) already inserted: each is sent once.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    immediate = [row.dedupe_key for row in rows if not row.digest and row.dedupe_key not in existing]
    if immediate:
        transaction.on_commit(lambda: _enqueue(immediate))
    return len(set(keys) - existing)


def _enqueue(dedupe_keys: list[str]) -> None:
    from ..tasks import deliver_notification

    for pk in Notification.objects.filter(dedupe_key__in=dedupe_keys, sent_at__isnull=True).values_list(
        "pk", flat=True
    ):
        try:
            deliver_notification.enqueue(pk)
        except Exception:  # the row is committed: the sweep (deliver_notifications) sends it
            logger.exception("Could not queue notification %s; the next sweep delivers it.", pk)


# --- Delivery ---------------------------------------------------------------------------------------------------


def _retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), settings.NOTIFICATION_RETRY_MAX_MINUTES))


def _mail(*, to: str, subject: str, text: str, html: str, unsubscribe: str = "") -> EmailMultiAlternatives:
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
    message = EmailMultiAlternatives(subject=one_line(subject), body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _failed(rows: list[Notification], error: Exception, now: datetime.datetime) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.next_attempt_at = now + _retry_delay(row.attempts)
        row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    logger.warning(
        "Mail to %s failed (%s); tried again from %s.", rows[0].recipient_email, error, rows[0].next_attempt_at
    )


SENT, FAILED, SKIPPED = "sent", "failed", "skipped"


def notification_deliver(notification_id: int) -> str:
    """Send one outbox row, unless it is sent, in a digest, or being sent by another worker (row lock, skip
    locked: SKIPPED). SENT once the mail server took it; FAILED leaves it unsent with the error and the time of
    its next attempt."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sent_at__isnull=True, digest=False)
            .first()
        )
        if row is None:
            return SKIPPED
        if row.kind == NotificationKind.INVITATION and not _with_invitation_link(row):
            row.sent_at, row.last_error = timezone.now(), "Not sent: the invitation was used, revoked or expired first."
            row.save(update_fields=["sent_at", "last_error"])
            return SKIPPED
        unsubscribe = (
            absolute(reverse("tracker:notification_unsubscribe", args=[unsubscribe_token(row.recipient_person)]))
            if row.recipient_person_id
            else ""
        )
        try:
            _mail(
                to=row.recipient_email,
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                unsubscribe=unsubscribe,
            ).send()
        except Exception as error:  # SMTP refused, connection refused, timeout: all retried alike
            _failed([row], error, now)
            _schedule_retry(row)
            return FAILED
        row.sent_at, row.last_error = timezone.now(), ""
        row.save(update_fields=["sent_at", "last_error"])
        return SENT


def _schedule_retry(row: Notification) -> None:
    """With a queue that can defer (the worker's), try again at the backoff time; without, the sweep does."""
    from ..tasks import deliver_notification

    backend = deliver_notification.get_backend()
    if backend.supports_defer:
        deliver_notification.using(run_after=row.next_attempt_at).enqueue(row.pk)


def _due(now: datetime.datetime):
    return Notification.objects.undelivered().filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def notifications_deliver_due(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Send every immediate row that is due (new, or its retry time reached): what a queue dropped or the mail
    server refused. Stops at the first failure: the server is likely down, and the rest wait for the next sweep.
    Returns (sent, failed)."""
    now = now or timezone.now()
    sent = 0
    for pk in _due(now).filter(digest=False).order_by("created_at", "pk").values_list("pk", flat=True):
        outcome = notification_deliver(pk)
        if outcome == FAILED:
            return sent, 1
        sent += outcome == SENT
    return sent, 0


def notifications_send_digests(*, now: datetime.datetime | None = None) -> int:
    """One mail per digest user with everything unsent for them; run daily by send_reminders. Returns how many
    digests went."""
    now = now or timezone.now()
    user_ids = set(_due(now).filter(digest=True, recipient_user__isnull=False).values_list("recipient_user", flat=True))
    sent = 0
    for user_id in sorted(user_ids):
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(recipient_user_id=user_id, digest=True, sent_at__isnull=True)
                .select_related("recipient_user")
                .order_by("created_at", "pk")
            )
            if not rows:
                continue
            user = rows[0].recipient_user
            values = {
                "name": _display_name(user),
                "rows": rows,
                "preferences": absolute(reverse("tracker:notification_preferences")),
                "notifications": absolute(reverse("tracker:notifications")),
            }
            count = len(rows)
            subject = f"ICS legacy tracker: your daily digest ({count} notification{'s' * (count != 1)})"
            text = render_to_string("tracker/notifications/digest.txt", values)
            html = render_to_string("tracker/notifications/digest.html", {**values, "subject": subject})
            try:
                _mail(to=user.email, subject=subject, text=text, html=html).send()
            except Exception as error:
                _failed(rows, error, now)
                continue
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now(), last_error="")
            sent += 1
    return sent


# --- Events -----------------------------------------------------------------------------------------------------


def _return_link(quarterly_return: QuarterlyReturn) -> str:
    return absolute(reverse("tracker:return", args=[quarterly_return.system.ods_code, quarterly_return.period]))


def _day(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def notify_period_opened(quarterly_return: QuarterlyReturn) -> int:
    """A return period opens: every member of the ICS."""
    system, period = quarterly_return.system, quarterly_return.reporting_period
    return notify(
        NotificationKind.PERIOD_OPENED,
        members_of(system),
        system=system,
        context={
            "subject": f"{system.short_name}: the {period.label} return is open",
            "paragraphs": [
                f"The quarterly return for {period.label} ({_day(period.start)} to {_day(period.end)}) is open "
                f"for {system.short_name}. It is due on {_day(quarterly_return.due_on)}.",
                "Bring every item up to date, or confirm there is no change this period, then submit it for sign-off.",
            ],
            "demo": quarterly_return.is_demo,
            "action": f"Open the {period.label} return",
        },
        link=_return_link(quarterly_return),
        dedupe_key=f"period_opened:{quarterly_return.pk}",
    )


def notify_submitted(quarterly_return: QuarterlyReturn, *, by) -> int:
    """A return is submitted: the ICS's approvers (not the one who submitted it)."""
    system, period = quarterly_return.system, quarterly_return.reporting_period
    return notify(
        NotificationKind.SUBMITTED,
        _without(approvers_of(system), by),
        system=system,
        context={
            "subject": f"{system.short_name}: the {period.label} return is ready for sign-off",
            "paragraphs": [
                f"{one_line(quarterly_return.submitted_by_name)} submitted {system.short_name}'s return for "
                f"{period.label}. An approver who did not submit it signs it off; it is due on "
                f"{_day(quarterly_return.due_on)}.",
            ],
            "demo": quarterly_return.is_demo,
            "action": "Review and sign off the return",
        },
        link=_return_link(quarterly_return),
        dedupe_key=f"submitted:{quarterly_return.pk}:v{quarterly_return.version}",
    )


def notify_signed_off(sign_off: SignOff, *, by) -> int:
    """A return is signed off: the reviewers of the ICS's region."""
    quarterly_return = sign_off.quarterly_return
    system, period = quarterly_return.system, quarterly_return.reporting_period
    return notify(
        NotificationKind.SIGNED_OFF,
        _without(reviewers_of(system.region), by),
        system=system,
        context={
            "subject": f"{system.short_name}: the {period.label} return is signed off",
            "paragraphs": [
                f"{one_line(sign_off.signed_off_by_name)} signed off {system.short_name}'s return for {period.label} "
                f"(version {sign_off.number}). Its positions are now official for the period.",
                "Give your assurance opinion, and challenge any item whose evidence does not support its status.",
            ],
            "demo": quarterly_return.is_demo,
            "action": "Review the signed-off return",
        },
        link=_return_link(quarterly_return),
        dedupe_key=f"signed_off:{sign_off.pk}",
    )


def notify_challenge_raised(challenge: Challenge, *, by) -> int:
    """An item is challenged: the ICS's editors and approvers, who answer it."""
    quarterly_return = challenge.quarterly_return
    system, period = quarterly_return.system, quarterly_return.reporting_period
    code = challenge.recommendation.code
    return notify(
        NotificationKind.CHALLENGE_RAISED,
        _without(editors_of(system), by),
        system=system,
        context={
            "subject": f"{system.short_name}: {code} is challenged in the {period.label} return",
            "paragraphs": [
                f"{one_line(challenge.raised_by_name)}, regional reviewer, challenged {code} "
                f"({challenge.recommendation.title}) in {system.short_name}'s signed-off return for {period.label}:",
                challenge.text,
                "An editor or approver answers it on the return's page.",
            ],
            "demo": quarterly_return.is_demo or challenge.is_demo,
            "action": "Answer the challenge",
        },
        link=_return_link(quarterly_return),
        dedupe_key=f"challenge_raised:{challenge.pk}",
    )


def notify_challenge_answered(challenge: Challenge, *, by) -> int:
    """A challenge is answered: the reviewer who raised it."""
    quarterly_return = challenge.quarterly_return
    system, period = quarterly_return.system, quarterly_return.reporting_period
    code = challenge.recommendation.code
    return notify(
        NotificationKind.CHALLENGE_ANSWERED,
        _without(raiser_of(challenge), by),
        system=system,
        context={
            "subject": f"{system.short_name}: your challenge to {code} ({period.label}) is answered",
            "paragraphs": [
                f"{one_line(challenge.answered_by_name)} answered your challenge to {code} in {system.short_name}'s "
                f"return for {period.label}:",
                challenge.answer,
            ],
            "demo": quarterly_return.is_demo or challenge.is_demo,
            "action": "Read the answer",
        },
        link=_return_link(quarterly_return),
        dedupe_key=f"challenge_answered:{challenge.pk}",
    )


# The invitation's link stands in the stored mail as this, and is made only as the mail leaves.
INVITATION_LINK_PLACEHOLDER = "link-made-as-this-mail-leaves"


def _invitation_link_placeholder() -> str:
    return absolute(reverse("tracker:invitation", args=[INVITATION_LINK_PLACEHOLDER]))


def notify_invitation(
    *,
    email: str,
    invitation_id: int,
    invited_by: str,
    role: str,
    place: str,
    expires_at: datetime.datetime,
    system: IntegratedCareSystem | None = None,
) -> int:
    """An invitation to the tracker, to an email address that may have no account yet: who invited them, to be
    what of which ICS or region, until when, and the link. Cannot be turned off. Call it inside the transaction
    that creates the invitation. The outbox keeps a placeholder for the link: whoever reads the outbox (or a backup
    of it) cannot join in the invitee's place; delivery puts in a link that works."""
    inviter = one_line(invited_by)
    until = timezone.localtime(expires_at).strftime("%-d %B %Y, %H:%M")
    return notify(
        NotificationKind.INVITATION,
        [Recipient(email=email, name="", reason=f"{inviter} invited this email address.")],
        system=system,
        context={
            "subject": f"{inviter} invites you to the ICS legacy tracker: {role} of {one_line(place)}",
            "paragraphs": [
                f"{inviter} has invited you to be {role} of {one_line(place)} on the ICS legacy tracker, which "
                "follows how integrated care systems act on the advice the CCGs left behind.",
                f"The link works once, for {email} only, until {until}. After that, ask {inviter} to invite you "
                "again. If you were not expecting this invitation, you can ignore this email.",
            ],
            "action": "Accept the invitation",
        },
        link=_invitation_link_placeholder(),
        dedupe_key=f"invitation:{invitation_id}",
    )


def _with_invitation_link(row: Notification) -> bool:
    """Put the invitation's working link into the mail about to leave; False if the invitation is no longer
    pending (accepted, revoked or expired), when there is nothing to send."""
    from .teams import invitation_link_issue

    link = invitation_link_issue(int(row.dedupe_key.split(":")[1]))
    if link is None:
        return False
    placeholder = _invitation_link_placeholder()
    row.body_text = row.body_text.replace(placeholder, link)
    row.body_html = row.body_html.replace(placeholder, link)
    return True


# --- Reminders (manage.py send_reminders) -----------------------------------------------------------------------


def _return_reminder(quarterly_return: QuarterlyReturn, today: datetime.date) -> int:
    days = (quarterly_return.due_on - today).days
    system, period = quarterly_return.system, quarterly_return.reporting_period
    state = quarterly_return.get_state_display().lower()
    if days < 0:
        kind, key = NotificationKind.RETURN_LATE, f"return_late:{quarterly_return.pk}"
        subject = f"{system.short_name}: the {period.label} return is late"
        first = f"{system.short_name}'s return for {period.label} was due on {_day(quarterly_return.due_on)} and is "
        first += f"not signed off (it is {state})."
        action = "Finish the return"
    else:
        window = (
            min(d for d in RETURN_DUE_REMINDER_DAYS if days <= d) if days <= max(RETURN_DUE_REMINDER_DAYS) else None
        )
        if window is None:
            return 0
        kind, key = NotificationKind.RETURN_DUE, f"return_due_{window}:{quarterly_return.pk}"
        when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
        subject = f"{system.short_name}: the {period.label} return is due {when}"
        first = f"{system.short_name}'s return for {period.label} is due on {_day(quarterly_return.due_on)} ({when})"
        first += f" and is not signed off yet (it is {state})."
        action = "Open the return"
    return notify(
        kind,
        editors_of(system),
        system=system,
        context={
            "subject": subject,
            "paragraphs": [first, "It is late if not signed off by the due date."],
            "demo": quarterly_return.is_demo,
            "action": action,
        },
        link=_return_link(quarterly_return),
        dedupe_key=key,
    )


def _shortened(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _target_reminder(record: ProgressRecord, today: datetime.date) -> int:
    system, item, target = record.system, record.recommendation, record.target_date
    status = Status(record.status).label
    if target < today:
        kind, subject = (
            NotificationKind.TARGET_PASSED,
            f"{system.short_name}: the target date for {item.code} has passed",
        )
        first = f"{item.code} ({item.title}) had a target date of {_day(target)}, which has passed; it is {status}."
    else:
        kind, subject = NotificationKind.TARGET_SOON, f"{system.short_name}: {item.code} is due by {_day(target)}"
        first = f"{item.code} ({item.title}) has a target date of {_day(target)}; it is {status}."
    return notify(
        kind,
        owners_of(record),
        system=system,
        context={
            "subject": subject,
            "paragraphs": [
                first,
                *([f"Its summary: {_shortened(record.summary)}"] if record.summary else []),
                "If it will not be met, move the target with a reason or change the status; "
                "if it is done, record it as complete.",
            ],
            "demo": record.is_demo,
            "action": f"Open {item.code} in {system.short_name}'s tracker",
        },
        link=absolute(record.get_absolute_url()),
        dedupe_key=f"{kind}:{record.pk}:{target.isoformat()}",
    )


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> int:
    """Write every reminder due `today` to the outbox: returns due in 14 and in 3 days and late ones (of the current
    and the previous period, not signed off), and target dates within 14 days or passed (items not complete).
    Each once per return (or record and target date) and recipient, however often it runs. Returns how many rows
    are new."""
    today = today or timezone.localdate()
    current = ReportingPeriod.containing(today)
    created = 0
    returns = (
        QuarterlyReturn.objects.filter(period__in=[current.code, current.previous.code], sign_off__isnull=True)
        .select_related("system")
        .order_by("period", "system__ods_code")
    )
    for quarterly_return in returns:
        if quarterly_return.due_on - today <= datetime.timedelta(days=max(RETURN_DUE_REMINDER_DAYS)):
            created += _return_reminder(quarterly_return, today)
    records = (
        ProgressRecord.objects.target_due(today, TARGET_SOON_DAYS)
        .filter(Q(system__dissolved_on__isnull=True) | Q(system__dissolved_on__gte=today))
        .filter(Q(accountable_owner__isnull=False) | Q(delivery_lead__isnull=False))
        .select_related("system", "recommendation", "accountable_owner", "delivery_lead")
        .order_by("system__ods_code", "recommendation_id")
    )
    for record in records:
        created += _target_reminder(record, today)
    return created


@transaction.atomic
def owner_unsubscribe(*, person: Person) -> OwnerOptOut:
    """An owner without an account stops target-date reminders (the link in their mail)."""
    opt_out, _ = OwnerOptOut.objects.get_or_create(person=person)
    return opt_out


@transaction.atomic
def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read."""
    unread = Notification.objects.for_user(user).unread()
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user, daily_digest: bool, muted_kinds: list[str]) -> NotificationPreference:
    """Save how a user wants their mail. Invitations cannot be turned off."""
    allowed = set(NotificationKind.values) - set(MANDATORY_NOTIFICATION_KINDS)
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.daily_digest = daily_digest
    preference.muted_kinds = sorted(set(muted_kinds) & allowed)
    preference.save()
    return preference
