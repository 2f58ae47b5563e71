"""A small fixed-window counter in the cache, for throttling by client or person.

Good enough against guessing and floods (DESIGN.md): counts are shared by every
process that shares the cache. Behind a proxy, pass the client address the proxy
vouches for, not a header the client chose.
"""

from __future__ import annotations

from django.core.cache import cache


def limit_reached(scope: str, who: str, *, limit: int) -> bool:
    return (cache.get(_key(scope, who)) or 0) >= limit


def limit_hit(scope: str, who: str, *, window_seconds: int) -> int:
    """Count one event; returns the count in the current window."""
    key = _key(scope, who)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def _key(scope: str, who: str) -> str:
    return f"ratelimit:{scope}:{who}"
