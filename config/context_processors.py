from django.conf import settings
from django.utils.functional import SimpleLazyObject

from tracker.models import Notification, ProgressRecord


def site(request):
    return {
        "DEBUG": settings.DEBUG,
        # Invented progress must never pass for a real return: while any exists, every page says so.
        "demo_data_shown": SimpleLazyObject(lambda: ProgressRecord.objects.filter(is_demo=True).exists()),
    }


def notifications(request):
    """The header's unread count: one COUNT on an index, and only on pages that show it to a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())}
