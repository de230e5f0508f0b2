"""API rate limits. Sign-in has its own (django-axes); this counts requests made with a personal API token."""

from rest_framework.throttling import SimpleRateThrottle

from tracker.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Per token, at REST_FRAMEWORK's "token" rate (API_TOKEN_RATE): a runaway script is slowed down (429 with
    Retry-After) before it slows the service for everyone. Counted in the shared cache, so across all processes."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # pages' sessions and anonymous reads of the public catalogue are not counted
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
