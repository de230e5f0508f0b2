"""A signed-in user's own things: where they start after signing in, and their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms import ApiTokenForm
from ..models import ApiToken
from ..models.register import has_role, membership_of


@login_required
def landing(request):
    """Where sign-in leads (LOGIN_REDIRECT_URL): a safe `next` first, else My work."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("tracker:my_work" if has_role(request.user) else "tracker:no_access")


@never_cache
@login_required
def my_work(request):
    """What the signed-in user has to do next. Someone signed in without a role is told how to get one."""
    if not has_role(request.user):
        return redirect("tracker:no_access")
    return render(
        request,
        "tracker/my_work.html",
        {"work": selectors.my_work(request.user), "membership": membership_of(request.user)},
    )


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
