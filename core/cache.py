"""Django's Redis cache, keeping one client per connection pool.

Django's own backend builds a new `redis.Redis` around the pool on every call, and
redis-py fills each new client's table of some 170 reply parsers: on the answering
page, whose one cache call is its rate limit, that was a tenth of the CPU of the
whole page. A client holds no connection of its own (the pool does, and starts
afresh in a forked process), so one per pool serves every thread and request.
Settings use it for any `redis://` CACHE_URL.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            with self._lock:
                client = self._clients.setdefault(
                    id(pool), self._client(connection_pool=pool)
                )
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
