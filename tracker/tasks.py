"""Background tasks (Django's Tasks framework, backported by django-tasks): run by `manage.py db_worker`."""

from django_tasks import task

from .services.notifications import notification_deliver


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one outbox row by mail; a failure leaves it for a retry (see tracker.services.notifications)."""
    return notification_deliver(notification_id)
