"""The production settings, plus the ceiling view's URL. Used only by the benchmark.

The shared cache is Redis (``bench.run`` sets ``CACHE_URL``, by default db 11), through a
subclass of the production backend that counts hits and misses per key prefix (``bench/cache.py``).
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if CACHES["default"]["BACKEND"] == "core.cache.ResilientRedisCache":  # noqa: F405
    CACHES["default"]["BACKEND"] = "bench.cache.CountingRedisCache"  # noqa: F405
