"""The shared cache: Django's Redis backend in production (``CACHE_URL=redis://…``), a
per-process memory cache otherwise (``make run``, the tests).

A cache is an optimisation: when Redis does not answer, a read is a miss and a write
is dropped, so pages are rendered afresh instead of failing."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    """RedisCache whose outages cost a render, not a 500."""

    def _quietly(self, default, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except RedisError as error:
            log.warning("Cache unavailable (%s): rendering without it.", error)
            return default

    def get(self, key, default=None, version=None):
        return self._quietly(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._quietly({}, super().get_many, keys, version)

    def set(self, key, value, timeout=None, version=None):
        return self._quietly(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._quietly(list(data), super().set_many, data, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._quietly(False, super().add, key, value, timeout, version)

    def delete(self, key, version=None):
        return self._quietly(False, super().delete, key, version)
