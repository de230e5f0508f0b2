"""Teams that run themselves: invitations, joining, role changes and removals.

Each write is one transaction that also writes its row of the team's audit history (MembershipEvent). Who may act
is decided in tracker.permissions; the services ask it again, so that no caller can skip the check, and keep the
rules of their own: one membership per user, never without an approver, links that work once and expire.
"""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .. import permissions
from ..choices import ICS_ROLES, ROLE_PHRASES, MembershipAction, Role
from ..models import (
    ApiToken,
    IntegratedCareSystem,
    Invitation,
    Membership,
    MembershipEvent,
    Person,
    Region,
    UserSession,
)
from .notifications import absolute, notify_invitation
from .records import actor_name

logger = logging.getLogger(__name__)


class TeamRefused(Exception):
    """The rules refuse this change to a team; nothing was written. The message says why, for the page."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


INVITATION_CLOSED = {
    "accepted": "This invitation has already been used. Each invitation link works once.",
    "revoked": "This invitation was withdrawn by the person who sent it.",
    "expired": "This invitation has expired.",
}
LAST_APPROVER = (
    "{name} is the last approver of {system}: a team always keeps one. Invite another approver, "
    "and once they have joined, try again."
)


def _event(*, action, actor, email, system=None, region=None, user=None, old_role="", new_role="") -> MembershipEvent:
    return MembershipEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name(actor),
        user=user,
        email=email,
        system=system,
        region=region,
        old_role=old_role,
        new_role=new_role,
    )


def _place_name(system, region) -> str:
    return system.short_name if system else f"the {region.name} region"


def _normalised_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise TeamRefused("Enter an email address in the correct format, like name@example.nhs.uk") from None
    return email


@transaction.atomic
def invitation_create(
    *,
    inviter,
    email: str,
    role: str,
    system: IntegratedCareSystem | None = None,
    region: Region | None = None,
) -> Invitation:
    """Invite `email` to be `role` of `system` (an ICS role) or of `region` (a reviewer) and queue the mail with
    the link. The link's token is made only as the mail leaves (invitation_link_issue): what is stored, the
    invitation and the outbox row alike, never holds a working link."""
    if not permissions.can_invite(inviter, role=role, system=system, region=region):
        raise PermissionDenied("You cannot invite people to that role here.")
    email = _normalised_email(email)
    if (system is None) == (region is None) or (role in ICS_ROLES) != (system is not None):
        raise TeamRefused("Invite to an ICS as approver, editor or viewer, or to a region as reviewer.")
    place = {"system": system} if system else {"region": region}
    if Membership.objects.filter(user__email__iexact=email, **place).exists():
        raise TeamRefused(f"{email} is already a member of {_place_name(system, region)}: change their role instead.")
    if Invitation.objects.pending().filter(email__iexact=email, **place).exists():
        raise TeamRefused(
            f"{email} already has an invitation waiting for {_place_name(system, region)}. "
            "Revoke it first to send a new one."
        )
    _, token_hash = Invitation.new_token()  # a placeholder until the mail leaves: nobody ever holds its token
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=inviter,
        invited_by_name=actor_name(inviter),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_DAYS),
        **place,
    )
    _event(action=MembershipAction.INVITED, actor=inviter, email=email, new_role=role, **place)
    invitation_send(invitation)
    return invitation


def invitation_send(invitation: Invitation) -> None:
    """Queue the invitation mail in the notifications outbox, in the transaction that made the invitation: it
    leaves once that commits, and a mail server outage delays it without losing it."""
    inviter_email = invitation.invited_by.email if invitation.invited_by else ""
    notify_invitation(
        email=invitation.email,
        invitation_id=invitation.pk,
        invited_by=f"{invitation.invited_by_name} ({inviter_email})" if inviter_email else invitation.invited_by_name,
        role=ROLE_PHRASES[invitation.role],
        place=_place_name(invitation.system, invitation.region),
        expires_at=invitation.expires_at,
        system=invitation.system,
    )


def invitation_link_issue(invitation_id: int) -> str | None:
    """The invitation's link, with a fresh token whose hash replaces the one kept (so only the latest mail's link
    works), or None if the invitation was accepted, revoked or expired meanwhile. Called by the mail's delivery,
    inside its transaction, so the token exists only in the mail that leaves."""
    invitation = Invitation.objects.select_for_update(of=("self",)).filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return None
    token, invitation.token_hash = Invitation.new_token()
    invitation.save(update_fields=["token_hash"])
    return absolute(reverse("tracker:invitation", args=[token]))


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    if not permissions.can_manage_invitation(actor, invitation):
        raise PermissionDenied("You cannot revoke this invitation.")
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if not invitation.is_pending:
        raise TeamRefused(f"This invitation cannot be revoked: it is {invitation.state}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _event(
        action=MembershipAction.INVITATION_REVOKED,
        actor=actor,
        email=invitation.email,
        system=invitation.system,
        region=invitation.region,
        new_role=invitation.role,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Give `user` the invitation's role. The invitation must be pending and addressed to the user's own email;
    a user holds one membership, so anyone who already belongs somewhere is told so and nothing changes."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("system", "region").get(pk=invitation.pk)
    )
    if not invitation.is_pending:
        raise TeamRefused(INVITATION_CLOSED[invitation.state])
    if (user.email or "").strip().lower() != invitation.email.lower():
        raise TeamRefused(
            f"This invitation is for {invitation.email}, but you are signed in as {user.email or user.get_username()}. "
            "Sign out and open the link again, or ask for an invitation to your own address."
        )
    existing = Membership.objects.select_related("system", "region").filter(user=user).first()
    if existing is not None:
        where = existing.system.short_name if existing.system else (existing.region or "the national team")
        raise TeamRefused(
            f"You already belong to {where} as {existing.get_role_display().lower()}, and each person has one role "
            "in the tracker. Ask that team's approver (or the national team) to remove you first."
        )
    membership = Membership.objects.create(
        user=user, role=invitation.role, system=invitation.system, region=invitation.region
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _event(
        action=MembershipAction.JOINED,
        actor=user,
        user=user,
        email=invitation.email,
        system=invitation.system,
        region=invitation.region,
        new_role=invitation.role,
    )
    if invitation.system_id:
        people_link_user(system=invitation.system, user=user)
    return membership


@transaction.atomic
def invitation_accept_with_password(*, invitation: Invitation, password: str, first_name: str, last_name: str):
    """For someone with no account yet: create one (username and email are the invited address) with the password
    they chose, and accept the invitation with it. Returns the new user. Refused when SSO_ONLY is on: then
    accounts come only from single sign-on."""
    User = get_user_model()
    if settings.SSO_ONLY:
        raise TeamRefused(
            "Sign in with your NHS account to accept this invitation: password accounts are switched off."
        )
    if not invitation.is_pending:
        raise TeamRefused(INVITATION_CLOSED[invitation.state])
    email = invitation.email.lower()
    if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
        raise TeamRefused(f"There is already an account for {email}: sign in with it, then open the link again.")
    user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    invitation_accept(invitation=invitation, user=user)
    return user


def _locked_team(system: IntegratedCareSystem) -> list[Membership]:
    """Every membership of the system, locked: two approvers demoting each other at once queue here, so the count
    of approvers each checks is the one it writes over."""
    return list(Membership.objects.select_for_update(of=("self",)).filter(system=system).order_by("pk"))


def last_approver(team) -> Membership | None:
    """The team's only approver, if it has just one: they can be neither removed nor given another role."""
    approvers = [m for m in team if m.role == Role.APPROVER]
    return approvers[0] if len(approvers) == 1 else None


def _refuse_losing_last_approver(membership: Membership, team: list[Membership]):
    if last_approver(team) == membership:
        name = actor_name(membership.user)
        raise TeamRefused(LAST_APPROVER.format(name=name, system=membership.system.short_name))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor) -> Membership:
    """Make an ICS member approver, editor or viewer of the same ICS. A team never loses its last approver."""
    if not permissions.can_manage_membership(actor, membership):
        raise PermissionDenied("You cannot change this member's role.")
    if membership.system_id is None or role not in ICS_ROLES:
        raise TeamRefused("Choose approver, editor or viewer.")
    team = _locked_team(membership.system)
    membership = next((m for m in team if m.pk == membership.pk), None)
    if membership is None:
        raise TeamRefused("They are no longer a member of this team.")
    if membership.role == role:
        return membership
    if role != Role.APPROVER:
        _refuse_losing_last_approver(membership, team)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    _event(
        action=MembershipAction.ROLE_CHANGED,
        actor=actor,
        user=membership.user,
        email=membership.user.email,
        system=membership.system,
        old_role=old_role,
        new_role=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor) -> None:
    """Take a member off their team, and end their access at once: every session they are signed in with, and
    every API token they hold. A team never loses its last approver."""
    if not permissions.can_manage_membership(actor, membership):
        raise PermissionDenied("You cannot remove this member.")
    if membership.system_id:
        team = _locked_team(membership.system)
        membership = next((m for m in team if m.pk == membership.pk), None)
        if membership is None:
            raise TeamRefused("They are no longer a member of this team.")
        if not actor.is_superuser:  # in the admin, superusers may wind a team up (a dissolved ICS, say)
            _refuse_losing_last_approver(membership, team)
    else:
        membership = Membership.objects.select_for_update(of=("self",)).filter(pk=membership.pk).first()
        if membership is None:
            raise TeamRefused("They are no longer a member of this team.")
    user = membership.user
    _event(
        action=MembershipAction.REMOVED,
        actor=actor,
        user=user,
        email=user.email,
        system=membership.system,
        region=membership.region,
        old_role=membership.role,
    )
    membership.delete()
    if membership.system_id:
        Person.objects.filter(system_id=membership.system_id, user=user).update(user=None)
    sessions_end(user)
    ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())


@transaction.atomic
def membership_save_by_admin(*, membership: Membership, actor) -> Membership:
    """A superuser gives or changes a membership in the admin: saved, and written into the team's history like any
    other change (a removal there goes through membership_remove)."""
    if not actor.is_superuser:
        raise PermissionDenied("Only superusers give memberships in the admin.")
    before = (
        Membership.objects.select_for_update(of=("self",)).filter(pk=membership.pk).first() if membership.pk else None
    )
    membership.save()
    if before is not None and (before.role, before.system_id, before.region_id) == (
        membership.role,
        membership.system_id,
        membership.region_id,
    ):
        return membership
    _event(
        action=MembershipAction.JOINED if before is None else MembershipAction.ROLE_CHANGED,
        actor=actor,
        user=membership.user,
        email=membership.user.email,
        system=membership.system,
        region=membership.region,
        old_role=before.role if before else "",
        new_role=membership.role,
    )
    if membership.system_id:
        people_link_user(system=membership.system, user=membership.user)
    return membership


def sessions_end(user) -> int:
    """Sign `user` out everywhere: delete every session they signed in with. Returns how many were ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def people_link_user(*, system: IntegratedCareSystem, user) -> int:
    """Link the people `system` names with `user`'s email to their account (the people page shows it)."""
    if not user.email:
        return 0
    return Person.objects.filter(system=system, email__iexact=user.email, user__isnull=True).update(user=user)
