"""Who may read and write what. Pages and the API both decide here, nowhere else.

* A role: signing in is not enough. A signed-in user with no membership (never given one, or removed)
  sees only the public pages; every private page and endpoint refuses them (`role_required`, `HasRole`).
* Reading: the national team reads every system; an ICS member reads their own system and the
  systems it took over (`IntegratedCareSystem.objects.for_user`). Anyone else gets 404, so an
  outsider cannot even learn which records exist. Evidence follows `Evidence.objects.for_user`.
* Writing: only an editor (or approver) of that system, and only while it is active; a viewer, a
  reviewer, the national team or an editor of a dissolved system gets 403.
* Returns: an editor or approver submits and withdraws; an approver who did not submit signs off;
  the region's reviewer assures and challenges; the ICS answers challenges; the national team alone
  reopens. `return_actions` says which a user may take, for pages and API alike.
* Teams: an ICS's approvers invite, change and remove its members (`can_manage_team`); its other members see
  who is in it, read-only; anyone else gets 404. The national team manages regional reviewers and invites the
  first approver of an ICS that has none. Superusers keep the admin.
* Open data: anyone, signed in or not, reads what is published; the national team alone publishes.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import EDITING_ROLES, ReturnState, Role
from .models import IntegratedCareSystem, Membership

# These rules live beside for_user(), which needs them.
from .models.register import has_role as has_role
from .models.register import is_national as is_national
from .models.register import membership_of

NO_ROLE = (
    "You are signed in but have no role in the tracker: you may read the catalogue and the register only. "
    "Ask your ICS's approver, or the national team, to give you one."
)
NATIONAL_ONLY = "This page is for the national team."
READ_ONLY = "You can read this system's records but not change them."
PUBLISH_OPEN_DATA_ONLY = "Only the national team publishes open data."


def can_view_system(user, system: IntegratedCareSystem) -> bool:
    return IntegratedCareSystem.objects.for_user(user).filter(pk=system.pk).exists()


def ics_role(user, system: IntegratedCareSystem) -> str | None:
    """The user's role in this very system (approver, editor or viewer), if any."""
    membership = membership_of(user)
    return membership.role if membership and membership.system_id == system.pk else None


def can_edit_system(user, system: IntegratedCareSystem) -> bool:
    return ics_role(user, system) in EDITING_ROLES and system.dissolved_on is None


def is_reviewer(user) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.role == Role.REVIEWER)


def is_reviewer_of(user, system: IntegratedCareSystem) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.role == Role.REVIEWER and membership.region_id == system.region_id)


def return_actions(user, quarterly_return) -> set[str]:
    """What `user` may do to a return in its present state: the role checks only (the rules are the service's)."""
    system, state, actions = quarterly_return.system, quarterly_return.state, set()
    if can_edit_system(user, system):
        actions |= {"submit"} if state == ReturnState.OPEN else set()
        actions |= {"withdraw"} if state == ReturnState.SUBMITTED else set()
        actions |= {"answer"}
    if (
        state == ReturnState.SUBMITTED
        and ics_role(user, system) == Role.APPROVER
        and quarterly_return.submitted_by_id != user.pk
    ):
        actions.add("sign_off")
    if state == ReturnState.SIGNED_OFF and is_reviewer_of(user, system):
        actions |= {"assure", "challenge"}
    if state == ReturnState.SIGNED_OFF and is_national(user):
        actions.add("reopen")
    return actions


def can_publish_open_data(user) -> bool:
    return is_national(user)


def check_return_action(user, quarterly_return, action: str):
    """403, saying why, unless `user` may take `action` on the return now."""
    if action in return_actions(user, quarterly_return):
        return
    if action == "sign_off" and quarterly_return.submitted_by_id == user.pk:
        raise PermissionDenied("You submitted this return: another approver of your ICS must sign it off.")
    raise PermissionDenied(RETURN_REFUSALS[action])


RETURN_REFUSALS = {
    "submit": "Only an editor or approver of this ICS may submit its return, and only while it is open.",
    "withdraw": "Only an editor or approver of this ICS may withdraw its return, and only while it is submitted.",
    "sign_off": "Only an approver of this ICS who did not submit it may sign off a submitted return.",
    "assure": "Only a reviewer of this ICS's region may give assurance, on a signed-off return.",
    "challenge": "Only a reviewer of this ICS's region may challenge an item of a signed-off return.",
    "answer": "Only an editor or approver of this ICS may answer a challenge.",
    "reopen": "Only the national team may reopen a return, and only once it is signed off.",
}


def get_system_for_user(user, ods_code: str, *, write: bool = False) -> IntegratedCareSystem:
    """The system, if `user` may read it (else 404) and, with `write`, edit it (else 403)."""
    membership = membership_of(user)
    own = membership.system if membership else None
    if own is not None and own.ods_code == ods_code:
        # Most requests are for the member's own ICS, which their membership, read with the user, already holds.
        system = own
    else:
        system = IntegratedCareSystem.objects.for_user(user).select_related("region").filter(ods_code=ods_code).first()
    if system is None:
        raise Http404("No such integrated care system, or you do not have access to it.")
    if write and not can_edit_system(user, system):
        raise PermissionDenied(READ_ONLY)
    return system


def role_required(view):
    """For every private page: anonymous users go to sign in; signed-in users without a role are refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user):
            raise PermissionDenied(NO_ROLE)
        return view(request, *args, **kwargs)

    return wrapper


def national_required(view):
    """For pages across every system: the national team only."""

    @role_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_national(request.user):
            raise PermissionDenied(NATIONAL_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


class HasRole(BasePermission):
    """API: signed in (session or token) with a role. The default for every private endpoint."""

    message = NO_ROLE

    def has_permission(self, request, view):
        return has_role(request.user)


class CanEditRecords(HasRole):
    """API: reading follows the viewset's for_user() queryset; writing needs can_edit_system (else 403)."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        self.message = READ_ONLY
        return can_edit_system(request.user, system_of(obj))


def system_of(obj) -> IntegratedCareSystem:
    if isinstance(obj, IntegratedCareSystem):
        return obj
    return obj.system if hasattr(obj, "system") else obj.record.system


TEAM_READ_ONLY = "Only this ICS's approvers can invite, change or remove its members."


def can_view_team(user, system: IntegratedCareSystem) -> bool:
    """Members of the ICS see who else is in it; the national team sees every team."""
    return ics_role(user, system) is not None or is_national(user)


def can_manage_team(user, system: IntegratedCareSystem) -> bool:
    """An approver of this very ICS: invites, changes roles, removes members, revokes invitations."""
    return ics_role(user, system) == Role.APPROVER


def has_approver(system: IntegratedCareSystem) -> bool:
    """An approver who can still sign in: a switched-off account does not keep the national team from inviting one."""
    return Membership.objects.filter(system=system, role=Role.APPROVER, user__is_active=True).exists()


def can_invite_first_approver(user, system: IntegratedCareSystem) -> bool:
    """The national team starts a team: it invites an approver to an active ICS that has none."""
    return is_national(user) and system.dissolved_on is None and not has_approver(system)


def can_invite(user, *, role: str, system=None, region=None) -> bool:
    if system is not None:
        return can_manage_team(user, system) or (role == Role.APPROVER and can_invite_first_approver(user, system))
    return region is not None and role == Role.REVIEWER and is_national(user)


def can_manage_membership(user, membership: Membership) -> bool:
    """Change or remove: an ICS member by their ICS's approvers, a regional reviewer by the national team. The
    national team's own memberships are the superusers' (in the admin, which may change any)."""
    if user.is_superuser:
        return True
    if membership.system_id:
        return can_manage_team(user, membership.system)
    return membership.role == Role.REVIEWER and is_national(user)


def can_manage_invitation(user, invitation) -> bool:
    if invitation.system_id:
        return can_manage_team(user, invitation.system) or (is_national(user) and invitation.role == Role.APPROVER)
    return is_national(user)


def get_team_for_user(user, ods_code: str, *, manage: bool = False) -> IntegratedCareSystem:
    """The system whose team `user` may see (else 404) and, with `manage`, change (else 403)."""
    system = IntegratedCareSystem.objects.select_related("region").filter(ods_code=ods_code).first()
    if system is None or not can_view_team(user, system):
        raise Http404("No such integrated care system, or you do not have access to its team.")
    if manage and not can_manage_team(user, system):
        raise PermissionDenied(TEAM_READ_ONLY)
    return system


class CanPublishOpenData(BasePermission):
    """API: published open data is public to read; publishing is for the national team (else 401 or 403)."""

    message = PUBLISH_OPEN_DATA_ONLY

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or can_publish_open_data(request.user)
