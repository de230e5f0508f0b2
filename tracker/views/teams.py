"""Teams: an ICS's team page for its approvers, the national team's page for reviewers and first approvers, and
the page an invitation link opens."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import permissions, sso
from ..choices import ROLE_PHRASES, Role
from ..forms import ApproverInviteForm, InviteForm, ReviewerInviteForm, RoleForm, SetPasswordForm
from ..models import IntegratedCareSystem, Invitation, Membership, MembershipEvent
from ..services import teams as team_service
from ..services.teams import TeamRefused


def _invite(request, form, **place):
    """Send the invitation the form describes; False (with the refusal on the form) if the rules refuse it."""
    try:
        team_service.invitation_create(
            inviter=request.user,
            email=form.cleaned_data["email"],
            role=place.pop("role", None) or form.cleaned_data["role"],
            **place,
        )
    except TeamRefused as refused:
        form.add_error("email", refused.detail)
        return False
    messages.success(request, f"Invitation sent to {form.cleaned_data['email'].lower()}.")
    return True


@permissions.role_required
def team(request, ods_code):
    """Who is in an ICS's team. Its approvers also invite, see pending invitations and the team's history."""
    write = request.method == "POST"
    system = permissions.get_team_for_user(request.user, ods_code, manage=write)
    can_manage = permissions.can_manage_team(request.user, system)
    form = InviteForm(request.POST or None) if can_manage else None
    if write and form.is_valid() and _invite(request, form, system=system):
        return redirect("tracker:team", ods_code=system.ods_code)
    members = list(Membership.objects.filter(system=system).select_related("user").order_by("role", "user__email"))
    context = {
        "system": system,
        "members": members,
        "last_approver": team_service.last_approver(members),
        "can_manage": can_manage,
        "form": form,
        "invitation_days": settings.INVITATION_DAYS,
    }
    if can_manage or permissions.is_national(request.user):
        context["invitations"] = Invitation.objects.pending().filter(system=system)
        context["events"] = MembershipEvent.objects.filter(system=system)[:200]
    return render(request, "tracker/teams/team.html", context, status=400 if write else 200)


def _member(request, ods_code, pk) -> tuple[IntegratedCareSystem, Membership]:
    system = permissions.get_team_for_user(request.user, ods_code, manage=True)
    return system, get_object_or_404(Membership.objects.select_related("user", "system"), pk=pk, system=system)


@permissions.role_required
def member(request, ods_code, pk):
    """One member: change their role."""
    system, membership = _member(request, ods_code, pk)
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            team_service.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except TeamRefused as refused:
            form.add_error("role", refused.detail)
        else:
            membership.refresh_from_db()
            messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
            return redirect("tracker:team", ods_code=system.ods_code)
    return render(
        request,
        "tracker/teams/member.html",
        {"system": system, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


@permissions.role_required
def member_remove(request, ods_code, pk):
    """Ask first, then remove: their sessions and API tokens end at once."""
    system, membership = _member(request, ods_code, pk)
    refused = None
    if request.method == "POST":
        try:
            team_service.membership_remove(membership=membership, actor=request.user)
        except TeamRefused as error:
            refused = error.detail
        else:
            if membership.user_id == request.user.pk:
                # Their own session has just been ended with the rest: finish signing them out here.
                logout(request)
                messages.success(request, f"You have left {system.short_name} and are signed out.")
                return redirect("home")
            messages.success(request, f"{membership.user.email} removed from {system.short_name}.")
            return redirect("tracker:team", ods_code=system.ods_code)
    return render(
        request,
        "tracker/teams/member_remove.html",
        {"system": system, "membership": membership, "refused": refused},
        status=409 if refused else 200,
    )


@permissions.role_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("system", "region"), pk=pk)
    back = (
        reverse("tracker:team", args=[invitation.system.ods_code]) if invitation.system_id else reverse("tracker:teams")
    )
    if not permissions.can_manage_invitation(request.user, invitation):
        if invitation.system_id and not permissions.can_view_team(request.user, invitation.system):
            raise Http404("No such invitation.")
        raise PermissionDenied("Only whoever manages this team can revoke its invitations.")
    try:
        team_service.invitation_revoke(invitation=invitation, actor=request.user)
    except TeamRefused as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, f"Invitation to {invitation.email} revoked: the link no longer works.")
    return redirect(back)


@permissions.national_required
def national_teams(request):
    """The national team's page: regional reviewers (invite, remove) and ICSs without an approver (invite one)."""
    without_approver = IntegratedCareSystem.objects.filter(dissolved_on__isnull=True).exclude(
        memberships__role=Role.APPROVER
    )
    posted = request.POST.get("invite") if request.method == "POST" else None
    reviewer_form = ReviewerInviteForm(request.POST if posted == "reviewer" else None, prefix="reviewer")
    # "Invite an approver" beside an ICS in the list comes back here with that ICS chosen in the form.
    chosen = without_approver.filter(ods_code=request.GET.get("system", "")).first()
    approver_form = ApproverInviteForm(
        request.POST if posted == "approver" else None,
        prefix="approver",
        systems=without_approver,
        initial={"system": chosen},
    )
    if posted == "reviewer" and reviewer_form.is_valid():
        sent = _invite(request, reviewer_form, role=Role.REVIEWER, region=reviewer_form.cleaned_data["region"])
    elif posted == "approver" and approver_form.is_valid():
        sent = _invite(request, approver_form, role=Role.APPROVER, system=approver_form.cleaned_data["system"])
    else:
        sent = False
    if sent:
        return redirect("tracker:teams")
    return render(
        request,
        "tracker/teams/national.html",
        {
            "reviewers": Membership.objects.filter(role=Role.REVIEWER).select_related("user", "region"),
            "without_approver": without_approver.select_related("region").order_by("region__name", "short_name"),
            "reviewer_form": reviewer_form,
            "approver_form": approver_form,
            # Reviewers' invitations, and approvers' to an ICS still without one: the rest are its approvers' to manage.
            "invitations": Invitation.objects.pending()
            .filter(Q(role=Role.REVIEWER) | Q(role=Role.APPROVER, system__in=without_approver))
            .select_related("system", "region"),
            # The reviewers' history, and whatever the national team did anywhere.
            "events": MembershipEvent.objects.filter(
                Q(region__isnull=False) | Q(actor__membership__role=Role.NATIONAL) | Q(actor__is_superuser=True)
            ).select_related("system", "region")[:200],
        },
        status=400 if posted else 200,
    )


@permissions.national_required
def reviewer_remove(request, pk):
    membership = get_object_or_404(Membership.objects.select_related("user", "region"), pk=pk, role=Role.REVIEWER)
    if request.method == "POST":
        team_service.membership_remove(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.email} is no longer a reviewer of {membership.region.name}.")
        return redirect("tracker:teams")
    return render(request, "tracker/teams/reviewer_remove.html", {"membership": membership})


def sso_url(next_url: str) -> str | None:
    """'Sign in with your NHS account', when single sign-on is configured."""
    return f"{reverse('sso_start')}?{urlencode({'next': next_url})}" if sso.enabled() else None


@never_cache
def invitation(request, token):
    """What an invitation link opens. Signed in with the invited address: confirm and join. Not signed in: sign in
    (with SSO where there is one, or an existing account), or set a password to create the account."""
    found = Invitation.for_token(token)
    if found is None:
        raise Http404("This invitation link is not valid. Check that you copied all of it.")
    if not found.is_pending:
        reason = team_service.INVITATION_CLOSED[found.state]
        return render(
            request, "tracker/teams/invitation_closed.html", {"invitation": found, "reason": reason}, status=410
        )
    user = request.user
    offer_password = not user.is_authenticated and not settings.SSO_ONLY
    password_form = SetPasswordForm(request.POST or None, email=found.email) if offer_password else None
    refused = None
    if request.method == "POST":
        try:
            if user.is_authenticated:
                team_service.invitation_accept(invitation=found, user=user)
            elif password_form is not None and password_form.is_valid():
                data = password_form.cleaned_data
                user = team_service.invitation_accept_with_password(
                    invitation=found,
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                login(request, user, backend="tracker.authentication.MembershipBackend")
        except TeamRefused as error:
            refused = error.detail
        except ValidationError as error:
            password_form.add_error("password1", error)
        if user.is_authenticated and refused is None and not (password_form and password_form.errors):
            messages.success(request, f"You are now {ROLE_PHRASES[found.role]} of {found.place}.")
            return redirect(found.system or "tracker:returns")
    return render(
        request,
        "tracker/teams/invitation.html",
        {
            "invitation": found,
            "form": password_form,
            "refused": refused,
            "email_matches": user.is_authenticated and (user.email or "").lower() == found.email,
            "sso_url": sso_url(request.path),
            "login_url": f"{reverse('login')}?next={request.path}",
        },
        status=409 if refused else (400 if request.method == "POST" else 200),
    )
