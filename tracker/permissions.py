"""Who may read and write what. Pages and the API both decide here, nowhere else.

* A role: signing in is not enough. A signed-in user with no membership (never given one, or removed)
  sees only the public pages; every private page and endpoint refuses them (`role_required`, `HasRole`).
* Reading: the national team reads every system; an ICS member reads their own system and the
  systems it took over (`IntegratedCareSystem.objects.for_user`). Anyone else gets 404, so an
  outsider cannot even learn which records exist. Evidence follows `Evidence.objects.for_user`.
* Writing: only an editor of that system, and only while it is active; a viewer, the national
  team or an editor of a dissolved system gets 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import Role
from .models import IntegratedCareSystem

# These rules live beside for_user(), which needs them.
from .models.register import has_role as has_role
from .models.register import is_national as is_national
from .models.register import membership_of

NO_ROLE = (
    "You are signed in but have no role in the tracker: you may read the catalogue and the register only. "
    "Ask your ICS's approver, or the national team, to give you one."
)
NATIONAL_ONLY = "The comparison of all systems is for the national team."
READ_ONLY = "You can read this system's records but not change them."


def can_view_system(user, system: IntegratedCareSystem) -> bool:
    return IntegratedCareSystem.objects.for_user(user).filter(pk=system.pk).exists()


def can_edit_system(user, system: IntegratedCareSystem) -> bool:
    membership = membership_of(user)
    return bool(
        membership
        and membership.role == Role.EDITOR
        and membership.system_id == system.pk
        and system.dissolved_on is None
    )


def get_system_for_user(user, ods_code: str, *, write: bool = False) -> IntegratedCareSystem:
    """The system, if `user` may read it (else 404) and, with `write`, edit it (else 403)."""
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
