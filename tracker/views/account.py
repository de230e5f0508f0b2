"""A signed-in user's own things: their personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms import ApiTokenForm
from ..models import ApiToken


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
