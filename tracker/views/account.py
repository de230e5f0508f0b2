"""A signed-in user's own things: where they start after signing in, and their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..choices import Role
from ..forms import ApiTokenForm
from ..models import ApiToken
from ..models.register import is_national, membership_of


def start_page(user) -> str:
    """Where a signed-in user's work is: their own system's page for an ICS member, the comparison for the
    national team, their region's returns for a reviewer; anyone else has no role yet and is told to ask their ICS
    approver."""
    if is_national(user):
        return reverse("tracker:comparison")
    membership = membership_of(user)
    if membership is not None and membership.system_id:
        return membership.system.get_absolute_url()
    if membership is not None and membership.role == Role.REVIEWER:
        return reverse("tracker:returns")
    return reverse("tracker:no_access")


@login_required
def landing(request):
    """Where sign-in leads (LOGIN_REDIRECT_URL): a safe `next` first, else the user's start page."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(start_page(request.user))


@login_required
def api_tokens(request):
    """A user's personal API tokens: create one (its key shown once) or revoke one. A token reads only what its
    user may read, so a user with no role may hold one that reads nothing private."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    return render(
        request,
        "tracker/api_tokens.html",
        {"tokens": request.user.api_tokens.all(), "form": form, "new_key": new_key},
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, user=request.user)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("tracker:api_tokens")
