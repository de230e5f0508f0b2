from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken
from .models.tokens import hash_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with a personal token from the 'API tokens' page."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # At most one write a minute per token, so busy API clients do not write on every request.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
