from django.conf import settings
from django.utils.functional import SimpleLazyObject

from tracker.models import ProgressRecord


def site(request):
    return {
        "DEBUG": settings.DEBUG,
        # Invented progress must never pass for a real return: while any exists, every page says so.
        "demo_data_shown": SimpleLazyObject(lambda: ProgressRecord.objects.filter(is_demo=True).exists()),
    }
