"""The quarterly return's cycle: open → submitted → signed off (→ reopened), with assurance and challenges.

Every transition is one transaction, checked against the role (tracker.permissions) and the rules (here),
and written to the return's append-only history. Pages and the API call these functions and nothing else.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from legacy.models import Recommendation

from .. import permissions
from ..choices import Assurance, ReturnEventKind, ReturnState, Status
from ..models import (
    AssuranceOpinion,
    Challenge,
    Evidence,
    IntegratedCareSystem,
    Membership,
    Position,
    ProgressRecord,
    QuarterlyReturn,
    ReturnEvent,
    SignOff,
)
from ..periods import ReportingPeriod
from . import notifications
from .records import MAX_REASON_LENGTH, actor_name

MAX_COMMENT_LENGTH = 2000


@dataclass(frozen=True)
class Blocker:
    """One reason a return cannot be submitted yet, for one item."""

    recommendation: str
    problem: str

    def as_dict(self) -> dict:
        return {"recommendation": self.recommendation, "problem": self.problem}


class ReturnRefused(Exception):
    """The rules refuse this transition now (HTTP 409): `blocking` lists what stands in the way, item by item."""

    def __init__(self, detail: str, blocking: list[Blocker] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.blocking = blocking or []


@transaction.atomic
def returns_open(period: ReportingPeriod, *, is_demo: bool = False) -> int:
    """Open a return for every system in `period`'s footprint that has none; returns how many it opened. Idempotent:
    run it from cron at the start of each period, and it is run whenever the reference data is loaded."""
    from ..selectors import footprint

    existing = set(QuarterlyReturn.objects.filter(period=period.code).values_list("system_id", flat=True))
    missing = [
        QuarterlyReturn(system_id=system_id, period=period.code, is_demo=is_demo)
        for system_id in footprint(period).values_list("pk", flat=True)
        if system_id not in existing
    ]
    QuarterlyReturn.objects.bulk_create(missing, ignore_conflicts=True)
    # Tell the members of each system that has any (none yet when the reference data is first loaded).
    with_members = Membership.objects.filter(system_id__in=[r.system_id for r in missing]).values("system_id")
    for opened in QuarterlyReturn.objects.filter(period=period.code, system_id__in=with_members).select_related(
        "system"
    ):
        notifications.notify_period_opened(opened)
    return len(missing)


def _records_of(system: IntegratedCareSystem):
    return (
        ProgressRecord.objects.filter(system=system, recommendation__trackable=True)
        .select_related("recommendation", "accountable_owner", "delivery_lead")
        .with_last_reason()
        .order_by("-recommendation__publication__published_on", "recommendation__theme__order", "recommendation__order")
    )


def return_blocking(quarterly_return: QuarterlyReturn) -> list[Blocker]:
    """What stands between the return and its submission, item by item. Empty: it may be submitted."""
    period, today = quarterly_return.reporting_period, timezone.localdate()
    blocking = []
    for record in _records_of(quarterly_return.system):
        code, status = record.recommendation.code, Status(record.status)
        if status == Status.NOT_ASSESSED:
            blocking.append(Blocker(code, "Not assessed: give it a status."))
            continue
        if record.updated_at is None or record.updated_at < period.start_moment:
            blocking.append(
                Blocker(
                    code,
                    f"Not updated since {period.label} began ({period.start:%-d %B %Y}): "
                    "update it, or confirm there is no change this period.",
                )
            )
        if status in (Status.GREEN, Status.AMBER) and record.target_date and record.target_date < today:
            blocking.append(
                Blocker(
                    code,
                    f"{status.label}, but its target date ({record.target_date:%-d %B %Y}) has passed: "
                    "move the target, with a reason, or change the status.",
                )
            )
        if status in (Status.RED, Status.NOT_APPLICABLE) and not record.last_reason:
            blocking.append(Blocker(code, f"{status.label} with no reason on record: say why."))
    return blocking


def _locked_return(quarterly_return: QuarterlyReturn, expected_version: int | None) -> QuarterlyReturn:
    locked = (
        QuarterlyReturn.objects.select_for_update(of=("self",)).select_related("system").get(pk=quarterly_return.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ReturnRefused(
            "Someone acted on this return since you read it. Nothing was done: read it again and decide once more."
        )
    return locked


def _event(quarterly_return: QuarterlyReturn, kind: str, user, detail: str = "") -> ReturnEvent:
    return ReturnEvent.objects.create(
        quarterly_return=quarterly_return,
        kind=kind,
        by=user,
        by_name=actor_name(user),
        detail=detail,
        return_version=quarterly_return.version,
    )


def _transition(quarterly_return: QuarterlyReturn, *, user, kind: str, detail: str = "", **fields) -> QuarterlyReturn:
    for name, value in fields.items():
        setattr(quarterly_return, name, value)
    quarterly_return.version += 1
    quarterly_return.save()
    _event(quarterly_return, kind, user, detail)
    return quarterly_return


@transaction.atomic
def return_submit(*, quarterly_return: QuarterlyReturn, user, expected_version: int | None = None) -> QuarterlyReturn:
    """Submit an open return for sign-off, if every item is assessed, current and honest (else ReturnRefused)."""
    quarterly_return = _locked_return(quarterly_return, expected_version)
    permissions.check_return_action(user, quarterly_return, "submit")
    blocking = return_blocking(quarterly_return)
    if blocking:
        count = len({blocker.recommendation for blocker in blocking})
        raise ReturnRefused(
            f"The return cannot be submitted yet: {count} item{'s' * (count != 1)} need attention.", blocking
        )
    _transition(
        quarterly_return,
        user=user,
        kind=ReturnEventKind.SUBMITTED,
        state=ReturnState.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=user,
        submitted_by_name=actor_name(user),
    )
    notifications.notify_submitted(quarterly_return, by=user)
    return quarterly_return


@transaction.atomic
def return_withdraw(*, quarterly_return: QuarterlyReturn, user, expected_version: int | None = None) -> QuarterlyReturn:
    """Take a submitted return back to open, before sign-off."""
    quarterly_return = _locked_return(quarterly_return, expected_version)
    permissions.check_return_action(user, quarterly_return, "withdraw")
    return _transition(
        quarterly_return,
        user=user,
        kind=ReturnEventKind.WITHDRAWN,
        state=ReturnState.OPEN,
        submitted_at=None,
        submitted_by=None,
        submitted_by_name="",
    )


def _frozen_evidence(record: ProgressRecord) -> list[dict]:
    return [
        {
            "title": evidence.title,
            "kind": evidence.kind,
            "refers_to": evidence.refers_to.isoformat(),
            "url": evidence.url,
            "file_name": evidence.file_name,
            "evidence_id": evidence.pk,
        }
        for evidence in record.current_evidence
    ]


@transaction.atomic
def return_sign_off(*, quarterly_return: QuarterlyReturn, user, expected_version: int | None = None) -> SignOff:
    """Sign off a submitted return (an approver who did not submit it), freezing every item's position as it
    stands now. The rules are checked again: records live on between submission and sign-off."""
    quarterly_return = _locked_return(quarterly_return, expected_version)
    permissions.check_return_action(user, quarterly_return, "sign_off")
    blocking = return_blocking(quarterly_return)
    if blocking:
        raise ReturnRefused(
            "Records changed since the return was submitted and it no longer meets the rules: withdraw it, "
            "put the items right and submit it again.",
            blocking,
        )
    number = SignOff.objects.filter(quarterly_return=quarterly_return).count() + 1
    sign_off = SignOff.objects.create(
        quarterly_return=quarterly_return,
        number=number,
        submitted_at=quarterly_return.submitted_at,
        submitted_by_name=quarterly_return.submitted_by_name,
        signed_off_by=user,
        signed_off_by_name=actor_name(user),
    )
    current_evidence = Evidence.objects.filter(withdrawn_at__isnull=True).order_by("-refers_to", "-pk")
    records = _records_of(quarterly_return.system).prefetch_related(
        Prefetch("evidence", queryset=current_evidence, to_attr="current_evidence")
    )
    Position.objects.bulk_create(
        Position(
            sign_off=sign_off,
            **Position.frozen_from(record, last_reason=record.last_reason, evidence=_frozen_evidence(record)),
        )
        for record in records
    )
    _transition(
        quarterly_return,
        user=user,
        kind=ReturnEventKind.SIGNED_OFF,
        detail=f"Version {number}",
        state=ReturnState.SIGNED_OFF,
        sign_off=sign_off,
    )
    notifications.notify_signed_off(sign_off, by=user)
    return sign_off


def _required_text(value: str, field: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter {what}."})
    if len(value) > limit:
        raise ValidationError({field: f"Keep {what} to {limit:,} characters; you entered {len(value):,}."})
    return value


@transaction.atomic
def return_reopen(
    *, quarterly_return: QuarterlyReturn, user, reason: str, expected_version: int | None = None
) -> QuarterlyReturn:
    """Reopen a signed-off return (the national team only, with a reason). The signed-off version is kept,
    superseded; the return goes through submission and sign-off again."""
    reason = _required_text(reason, "reason", "the reason for reopening", MAX_REASON_LENGTH)
    quarterly_return = _locked_return(quarterly_return, expected_version)
    permissions.check_return_action(user, quarterly_return, "reopen")
    return _transition(
        quarterly_return,
        user=user,
        kind=ReturnEventKind.REOPENED,
        detail=reason,
        state=ReturnState.OPEN,
        sign_off=None,
        submitted_at=None,
        submitted_by=None,
        submitted_by_name="",
    )


@transaction.atomic
def return_assure(*, quarterly_return: QuarterlyReturn, user, assurance: str, comment: str) -> AssuranceOpinion:
    """Record the region's assurance opinion on the signed-off return."""
    if assurance not in Assurance.values:
        raise ValidationError({"assurance": f"Choose one of: {', '.join(Assurance.values)}."})
    comment = _required_text(comment, "comment", "a comment on the evidence behind the opinion", MAX_COMMENT_LENGTH)
    quarterly_return = _locked_return(quarterly_return, None)
    permissions.check_return_action(user, quarterly_return, "assure")
    opinion = AssuranceOpinion.objects.create(
        sign_off=quarterly_return.sign_off,
        opinion=assurance,
        comment=comment,
        given_by=user,
        given_by_name=actor_name(user),
    )
    _transition(
        quarterly_return,
        user=user,
        kind=ReturnEventKind.ASSURED,
        detail=f"{Assurance(assurance).label} assurance: {comment}",
    )
    return opinion


@transaction.atomic
def challenge_raise(*, quarterly_return: QuarterlyReturn, recommendation: Recommendation, user, text: str) -> Challenge:
    """A reviewer challenges one item of a signed-off return; the ICS answers it."""
    text = _required_text(text, "text", "what the challenge is", MAX_COMMENT_LENGTH)
    quarterly_return = _locked_return(quarterly_return, None)
    permissions.check_return_action(user, quarterly_return, "challenge")
    if not quarterly_return.sign_off.positions.filter(recommendation=recommendation).exists():
        raise ValidationError({"recommendation": f"{recommendation.code} is not an item of this return."})
    challenge = Challenge.objects.create(
        quarterly_return=quarterly_return,
        sign_off=quarterly_return.sign_off,
        recommendation=recommendation,
        text=text,
        raised_by=user,
        raised_by_name=actor_name(user),
    )
    _transition(quarterly_return, user=user, kind=ReturnEventKind.CHALLENGED, detail=f"{recommendation.code}: {text}")
    notifications.notify_challenge_raised(challenge, by=user)
    return challenge


@transaction.atomic
def challenge_answer(*, challenge: Challenge, user, answer: str) -> Challenge:
    """The ICS answers a challenge (an editor or approver); it is then no longer open."""
    answer = _required_text(answer, "answer", "your answer", MAX_COMMENT_LENGTH)
    challenge = Challenge.objects.select_for_update(of=("self",)).select_related("recommendation").get(pk=challenge.pk)
    quarterly_return = _locked_return(challenge.quarterly_return, None)
    permissions.check_return_action(user, quarterly_return, "answer")
    if not challenge.is_open:
        raise ReturnRefused("This challenge was already answered.")
    challenge.answer = answer
    challenge.answered_at = timezone.now()
    challenge.answered_by = user
    challenge.answered_by_name = actor_name(user)
    challenge.save()
    _transition(
        quarterly_return, user=user, kind=ReturnEventKind.ANSWERED, detail=f"{challenge.recommendation.code}: {answer}"
    )
    notifications.notify_challenge_answered(challenge, by=user)
    return challenge
