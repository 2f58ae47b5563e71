"""The Redis cache keeps one client per connection pool (core/cache.py), and does
what Django's own does: values, counts and expiries, the rate limits on them."""

from __future__ import annotations

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from core import ratelimit
from core.cache import RedisCache
from tests.brokers import throwaway_redis
from tests.config.test_deploy_check import _production, _run


@pytest.fixture
def redis_cache(tmp_path):
    with throwaway_redis(tmp_path) as server:
        yield RedisCache(server.url, {}), server


def test_one_client_serves_every_call_of_a_pool(redis_cache):
    cache, _ = redis_cache

    clients = {id(cache._cache.get_client(write=w)) for w in (True, False, True)}

    assert len(clients) == 1


def test_it_stores_counts_and_expires_as_djangos_own(redis_cache):
    cache, server = redis_cache
    theirs = DjangoRedisCache(server.url, {})

    cache.set("answer", {"q1": 4}, timeout=60)
    assert cache.add("count", 1, timeout=60)
    cache.incr("count")

    assert theirs.get("answer") == {"q1": 4}
    assert theirs.get("count") == 2
    assert 0 < server.client.ttl(":1:count") <= 60


def test_a_rate_limit_counts_through_it(redis_cache, monkeypatch):
    cache, _ = redis_cache
    monkeypatch.setattr(ratelimit, "cache", cache)

    for _ in range(3):
        ratelimit.limit_hit("survey-link", "192.0.2.1", window_seconds=3600)

    assert ratelimit.limit_reached(
        "survey-link", "192.0.2.1", limit=3, window_seconds=3600
    )
    assert not ratelimit.limit_reached(
        "survey-link", "192.0.2.2", limit=3, window_seconds=3600
    )


SHOW = """
import django
django.setup()
from django.conf import settings as s
print(s.CACHES["default"]["BACKEND"])
"""


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("redis://127.0.0.1:6379/1", "core.cache.RedisCache"),
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_settings_use_it_for_a_redis_cache_url(tmp_path, url, backend):
    done = _run(SHOW, _production(tmp_path, CACHE_URL=url))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == backend
