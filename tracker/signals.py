"""Which sessions are whose: Django's sessions do not say, and removing a member must end every one of theirs
(tracker.services.teams.sessions_end). Any sign-in through django.contrib.auth.login, by password or SSO, is seen."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.dispatch import receiver

from .models import UserSession


@receiver(user_logged_in, dispatch_uid="tracker_remember_session")
def remember_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        # Forget the user's sessions that expired and were cleared since (manage.py clearsessions).
        UserSession.objects.filter(user=user).exclude(session_key__in=Session.objects.values("session_key")).delete()


@receiver(user_logged_out, dispatch_uid="tracker_forget_session")
def forget_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
