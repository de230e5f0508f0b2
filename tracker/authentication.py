from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken
from .models.tokens import hash_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with a personal token from the 'API tokens' page."""

    def authenticate_credentials(self, key):
        tokens = ApiToken.objects.active().select_related("user__membership__system__region")
        try:
            token = tokens.get(key_hash=hash_key(key))  # unique: get() neither sorts nor stops at the first
        except ApiToken.DoesNotExist:
            token = None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # At most one write a minute per token, so busy API clients do not write on every request.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


class MembershipBackend(ModelBackend):
    """Django's own sign-in, loading the user's membership, with its ICS and region, in the same query: nearly every
    request needs them."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("membership__system__region").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
