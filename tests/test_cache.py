"""The shared cache: Redis in production, and an outage costs a render, not a page."""

import json
import os
import socket
import subprocess
import sys

from django.core.cache.backends.redis import RedisCache

from core.cache import ResilientRedisCache


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_keeps_what_it_is_given():
    cache = ResilientRedisCache("redis://127.0.0.1:6379/14", {"OPTIONS": {"socket_timeout": 0.5}})
    cache.set("baton-test", {"a": 1}, 30)
    assert cache.get("baton-test") == {"a": 1} and cache.get_many(["baton-test"]) == {"baton-test": {"a": 1}}
    assert cache.delete("baton-test") and cache.get("baton-test", "gone") == "gone"


def test_a_cache_that_does_not_answer_is_a_miss_and_a_dropped_write():
    cache = ResilientRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert cache.get("k", "miss") == "miss" and cache.get_many(["k"]) == {}
    assert cache.set("k", 1) is None and cache.add("k", 1) is False and cache.delete("k") is False
    plain = RedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    try:
        plain.get("k")
    except Exception as error:  # noqa: BLE001 - Django's own backend raises; ours does not
        assert "connect" in str(error).lower()
    else:
        raise AssertionError("Django's RedisCache was expected to raise without a server")


def test_cache_url_chooses_redis_with_short_timeouts_and_memory_otherwise():
    script = "from django.conf import settings; import json; print(json.dumps(settings.CACHES['default']))"

    def caches(**env):
        out = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + script],
            env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"} | env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    redis = caches(CACHE_URL="redis://cache.internal:6379/1")
    assert redis["BACKEND"] == "core.cache.ResilientRedisCache"
    assert redis["LOCATION"] == "redis://cache.internal:6379/1" and redis["OPTIONS"]["socket_timeout"] <= 1
    assert caches(CACHE_URL="locmemcache://x")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
