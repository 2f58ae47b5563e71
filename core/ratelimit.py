"""A small fixed-window counter in the cache, for throttling by client or person.

Good enough against guessing and floods (docs/design.md): counts are shared by every
process that shares the cache. Behind a proxy, pass the client address the proxy
vouches for, not a header the client chose.

The cache says nothing about who acted or when: a key is a keyed hash (HMAC-SHA256,
from SECRET_KEY) of the scope, the person or address and the window, never
`post:p42` in clear; windows are aligned to the clock (the window's number is in
the key) and every key of a window expires at the same instant, its end plus a
margin, so neither a key nor its TTL gives the second of the action. A new window
has new keys, which cannot be linked to the last ones.

A limit is a courtesy, not a lock: when the cache fails (Redis down), it lets the
action through, logs a warning and records the failure for /healthz.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core.cachestate import cache_failure_record

log = logging.getLogger(__name__)

KEY_SALT = "core.ratelimit"
# Keys outlive their window by this much, so a clock a little behind another
# process's still finds the count.
MARGIN_SECONDS = 60


def limit_reached(scope: str, who: str, *, limit: int, window_seconds: int) -> bool:
    """True once `who` has `limit` events in the current window of `scope`."""
    key, _ = _key_and_timeout(scope, who, window_seconds)
    try:
        return (cache.get(key) or 0) >= limit
    except Exception as exc:  # any cache backend error: fail open
        _failed_open(scope, exc)
        return False


def limit_hit(scope: str, who: str, *, window_seconds: int) -> int:
    """Count one event; returns the count in the current window (0 if the cache
    failed and nothing was counted)."""
    try:
        return _count(*_key_and_timeout(scope, who, window_seconds))
    except Exception as exc:  # any cache backend error: fail open
        _failed_open(scope, exc)
        return 0


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
    # Some backends (file, database) restart the timeout on incr: put the window's
    # end back, so the expiry never dates the latest event.
    cache.touch(key, timeout=timeout)
    return count


def _key_and_timeout(scope: str, who: str, window_seconds: int) -> tuple[str, int]:
    now = time.time()
    window = int(now // window_seconds)
    digest = salted_hmac(
        KEY_SALT,
        f"{scope}\x00{who}\x00{window_seconds}\x00{window}",
        algorithm="sha256",
    ).hexdigest()
    ends_at = (window + 1) * window_seconds
    return f"ratelimit:{window}:{digest}", max(1, round(ends_at - now)) + MARGIN_SECONDS


def _failed_open(scope: str, exc: Exception) -> None:
    log.warning(
        "Rate limit %s not checked, the cache failed: %s: %s",
        scope,
        type(exc).__name__,
        exc,
    )
    cache_failure_record(exc)
