"""Since when the shared cache has been failing, as the code that goes on without
it saw.

Rate limits (and the mail server's sender report) fail open when the cache is down;
they record it here, and /healthz reports since when. The record is this process's
own: with the cache down there is nowhere shared to keep it.
"""

from __future__ import annotations

import threading

from django.utils import timezone

_lock = threading.Lock()
_down: dict[str, str] | None = None


def cache_failure_record(exc: BaseException) -> None:
    """The cache failed just now; the first failure of an outage is kept."""
    global _down
    with _lock:
        if _down is None:
            _down = {"since": timezone.now().isoformat()}
        _down["error"] = type(exc).__name__


def cache_failure_last() -> dict[str, str] | None:
    """{"since": first failure, "error": the latest's type}, or None."""
    return None if _down is None else dict(_down)


def cache_failure_forget() -> None:
    """The cache answered again."""
    global _down
    with _lock:
        _down = None
