"""The production Redis cache, counting its reads: used only under ``bench.settings``.

Every ``get`` and ``get_many`` adds its hits and misses to one Redis hash in the cache's own
database (``HINCRBY``, pipelined: one extra round trip per read), by key prefix: the part of
the key before its first ``:`` (``insights:…`` counts as ``insights``), or for a key without
one (``template.cache.<fragment>.<hash>``) the key without its hash-like parts. The benchmark
empties the hash before each page's run and reads it after (``bench.run``), so the figures are
the hit rates of that page under load, whatever prefixes the project caches under.
"""

import logging
import re

from redis.exceptions import RedisError

from core.cache import ResilientRedisCache

log = logging.getLogger(__name__)

COUNTS = "bench:cache-reads"  # the hash: "<prefix>|hit" and "<prefix>|miss" → count
_MISSING = object()
_HASHLIKE = re.compile(r"[0-9a-f]{8,}|[0-9]+")


def prefix_of(key):
    key = str(key)
    if ":" in key or "." not in key:
        head = key.split(":", 1)[0]
    else:
        head = ".".join(part for part in key.split(".") if not _HASHLIKE.fullmatch(part))
    return (head or "(empty)")[:60]


class CountingRedisCache(ResilientRedisCache):
    def _count(self, results):
        """``results``: (key, hit) pairs of one read."""
        if not results:
            return
        try:
            pipe = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, hit in results:
                pipe.hincrby(COUNTS, f"{prefix_of(key)}|{'hit' if hit else 'miss'}", 1)
            pipe.execute()
        except RedisError as error:  # counting never fails a request
            log.warning("Cache read not counted (%s).", error)

    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        self._count([(key, value is not _MISSING)])
        return default if value is _MISSING else value

    def get_many(self, keys, version=None):
        keys = list(keys)
        found = super().get_many(keys, version)
        self._count([(key, key in found) for key in keys])
        return found


def read_counts(client):
    """{prefix: {"hits": n, "misses": n}} from the hash, with a redis-py ``client`` on the cache's db."""
    out = {}
    for field, count in client.hgetall(COUNTS).items():
        prefix, _, outcome = field.decode().rpartition("|")
        entry = out.setdefault(prefix, {"hits": 0, "misses": 0})
        entry["hits" if outcome == "hit" else "misses"] += int(count)
    return dict(sorted(out.items()))


def reset_counts(client):
    client.delete(COUNTS)
