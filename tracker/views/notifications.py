"""A user's notifications in the app, their mail preferences, and the unsubscribe link for owners without an
account (no sign-in: the signed token in the link is the proof)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms import NotificationPreferenceForm
from ..models import Notification, NotificationPreference, OwnerOptOut
from ..services import notifications as service


@login_required
def notification_list(request):
    notifications = Notification.objects.for_user(request.user).only(
        "pk", "subject", "link", "created_at", "read_at", "kind"
    )
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "tracker/notifications/list.html", {"page": page})


@login_required
@require_POST
def notifications_mark_all_read(request):
    count = service.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' * (count != 1)} marked as read.")
    return redirect("tracker:notifications")


@login_required
def notification_open(request, pk):
    """Mark one notification read and go to the page it is about (only ever a page of this site)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    service.notifications_mark_read(user=request.user, notification_id=notification.pk)
    target = notification.link
    site = service.absolute("")
    path = target[len(site) :] if target.startswith(site) else "/"
    if not url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
        path = "/"
    return redirect(path or "/")


@login_required
def notification_preferences(request):
    preference = NotificationPreference.objects.filter(user=request.user).first()
    form = NotificationPreferenceForm.for_preference(preference, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service.notification_preferences_set(
            user=request.user, daily_digest=form.cleaned_data["delivery"] == "digest", muted_kinds=form.muted_kinds
        )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("tracker:notification_preferences")
    return render(request, "tracker/notifications/preferences.html", {"form": form})


def notification_unsubscribe(request, token):
    """GET asks, POST unsubscribes: a mail scanner following the link changes nothing."""
    person = service.person_from_unsubscribe_token(token)
    if person is None:
        raise Http404("This unsubscribe link is not valid.")
    done = OwnerOptOut.objects.filter(person=person).exists()
    if request.method == "POST":
        service.owner_unsubscribe(person=person)
        done = True
    return render(request, "tracker/notifications/unsubscribe.html", {"person": person, "done": done})
