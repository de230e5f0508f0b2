"""The shared cache: Django's database cache, with a cheaper set() for a key it already holds."""

import base64
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router


class DatabaseCache(DjangoDatabaseCache):
    """Django's DatabaseCache (settings.CACHES), shared by every process through the database.

    Django's set() runs five statements whatever the key: a COUNT(*) of the whole table (to cull it when full), and in
    a savepoint a SELECT of the key, then its UPDATE or INSERT. The API's throttle sets its token's key on every
    request, so here a key already in the table is rewritten by that same UPDATE alone: updating a row adds no entry,
    so there is nothing to cull, and no insert to race. A key not there yet (the UPDATE found no row) is added by
    Django's own set(), culling as it always does. Reads, add(), incr() and culling are Django's."""

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._update(self.make_and_validate_key(key, version=version), value, timeout):
            super().set(key, value, timeout, version)

    def _update(self, key: str, value, timeout) -> bool:
        """Django's UPDATE of an existing key (as in DatabaseCache._base_set); whether there was one."""
        timeout = self.get_backend_timeout(timeout)
        connection = connections[router.db_for_write(self.cache_model_class)]
        quote_name = connection.ops.quote_name
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote_name(self._table)} SET {quote_name('value')} = %s, {quote_name('expires')} = %s "
                f"WHERE {quote_name('cache_key')} = %s",
                [encoded, expires, key],
            )
            return cursor.rowcount == 1
