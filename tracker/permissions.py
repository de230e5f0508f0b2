"""Who may read and write an ICS's records. Pages and the API both decide here, nowhere else.

* Reading: the national team reads every system; an ICS member reads their own system and the
  systems it took over (`IntegratedCareSystem.objects.for_user`). Anyone else gets 404, so an
  outsider cannot even learn which records exist.
* Writing: only an editor of that system, and only while it is active; a viewer, the national
  team or an editor of a dissolved system gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import Role, Status
from .models import IntegratedCareSystem

# The national rule lives beside for_user(), which needs it.
from .models.register import is_national as is_national
from .models.register import membership_of


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


def can_view_evidence(user, evidence) -> bool:
    """Members and the national team see their systems' evidence. Every signed-in user sees the evidence
    behind a green or blue record too: that is what peer learning is for."""
    if can_view_system(user, evidence.record.system):
        return True
    return bool(
        user.is_authenticated and not evidence.is_withdrawn and evidence.record.status in (Status.GREEN, Status.BLUE)
    )


def get_system_for_user(user, ods_code: str, *, write: bool = False) -> IntegratedCareSystem:
    """The system, if `user` may read it (else 404) and, with `write`, edit it (else 403)."""
    system = IntegratedCareSystem.objects.for_user(user).select_related("region").filter(ods_code=ods_code).first()
    if system is None:
        raise Http404("No such integrated care system, or you do not have access to it.")
    if write and not can_edit_system(user, system):
        raise PermissionDenied("You can read this system's records but not change them.")
    return system


class CanEditRecords(BasePermission):
    """API: reading follows the viewset's for_user() queryset; writing needs can_edit_system (else 403)."""

    message = "You can read this system's records but not change them."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return can_edit_system(request.user, system_of(obj))


def system_of(obj) -> IntegratedCareSystem:
    return (
        obj if isinstance(obj, IntegratedCareSystem) else (obj.system if hasattr(obj, "system") else obj.record.system)
    )
