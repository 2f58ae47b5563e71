"""GET /healthz: are the database, the broker and the cache reachable, is a worker
alive, does the mail server accept our sender.

The status code depends on the database, the broker and the cache only: those are
what a load balancer can act on (with the cache down, rate limits let everything
through; `core.ratelimit`). The worker's last heartbeat and the mail server's
refusal of our sender address (every email would fail alike; `core.mail`) and the
emails of the last week that may not have arrived (`mail_fate_unknown`: the server
took them, its reply was lost; `core.delivery`) are reported for people and
monitoring. It always answers JSON, 503 naming what is
down, never an error page.

A load balancer may poll it every second on every web process, so each call costs
one `SELECT 1` and one cache round trip; the broker's state and the counts of
emails of unknown fate are remembered per process for `HEALTHZ_REMEMBER_SECONDS`:
a new broker connection per call would cost more than all the rest (README gives
the figures), and the counts scan a week of invitations, millions of rows on a
large site, to report what changes over hours.

`GET /livez` checks nothing: the process answers, for a supervisor deciding whether
to restart it (a database outage is no reason to).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from core.cachestate import (
    cache_failure_forget,
    cache_failure_last,
    cache_failure_record,
)
from core.dispatch import broker_loss_last
from core.mail import sender_refused_last
from feedback.selectors import notices_fate_unknown
from surveys.selectors import invitations_fate_unknown

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "candor:worker-heartbeat"
CACHE_PROBE_KEY = "candor:healthz-probe"
CHECKED = ("database", "broker", "cache")
T = TypeVar("T")


def heartbeat_record() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


def heartbeat_last() -> str | None:
    return cache.get(HEARTBEAT_KEY)


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; say which
        logger.warning("healthz: database check failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def cache_check() -> str:
    try:
        cache.set(CACHE_PROBE_KEY, "ok", timeout=60)
        cache.get(CACHE_PROBE_KEY)
    except Exception as exc:  # any cache backend error means "down"; say which
        logger.warning("healthz: cache check failed: %s", exc)
        cache_failure_record(exc)
        return f"error: {type(exc).__name__}"
    cache_failure_forget()
    return "ok"


# What this process last found, by what was asked: (monotonic time, answer).
_seen: dict[str, tuple[float, Any]] = {}


def _remembered(key: str, find: Callable[[], T]) -> T:
    """`find()`, or what it answered under `key` less than
    `HEALTHZ_REMEMBER_SECONDS` ago in this process (0: always `find()`)."""
    seen = _seen.get(key)
    now = time.monotonic()
    if seen is not None and now - seen[0] < settings.HEALTHZ_REMEMBER_SECONDS:
        return seen[1]
    answer = find()
    _seen[key] = (now, answer)
    return answer


def broker_check() -> str:
    """The broker's state, "ok" or "error: <exception>", remembered a few seconds."""
    return _remembered(f"broker:{settings.CELERY_BROKER_URL}", _broker_connect)


def _broker_connect() -> str:
    broker = Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=2,
    )
    try:
        broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("healthz: broker check failed: %s", exc)
        return f"error: {type(exc).__name__}"
    finally:
        broker.release()
    return "ok"


def _mail_report(cache_state: str) -> str:
    if cache_state != "ok":
        return "unknown: the cache is down"
    refused = sender_refused_last()
    if refused is None:
        return "ok"
    return (
        f"error: the mail server refused our sender {refused['sender']} at "
        f"{refused['at']}: {refused['reply']}"
    )


def _fate_unknown_report() -> dict[str, int] | None:
    return _remembered("mail_fate_unknown", _fate_unknown_counts)


def _fate_unknown_counts() -> dict[str, int] | None:
    now = timezone.now()
    since = now - dt.timedelta(days=7)
    try:
        return {
            "invitations": invitations_fate_unknown(since=since, now=now),
            "notices": notices_fate_unknown(since=since, now=now),
        }
    except Exception as exc:  # a database error: the database check says so
        logger.warning("healthz: counting emails of unknown fate failed: %s", exc)
        return None


def _report() -> dict[str, object]:
    report: dict[str, object] = {
        "database": database_check(),
        "broker": broker_check(),
        "cache": cache_check(),
    }
    cache_up = report["cache"] == "ok"
    report["worker_last_seen"] = heartbeat_last() if cache_up else None
    # Reported, not failed on: the dispatcher queued it all again (core.dispatch).
    report["broker_queue_lost_at"] = broker_loss_last() if cache_up else None
    report["mail"] = _mail_report(str(report["cache"]))
    database_up = report["database"] == "ok"
    report["mail_fate_unknown"] = _fate_unknown_report() if database_up else None
    if not cache_up:
        report["cache_down_since"] = (cache_failure_last() or {}).get("since")
    return report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        report = _report()
    except Exception as exc:  # a check we did not foresee: still answer JSON
        logger.exception("healthz: a check failed unexpectedly")
        return JsonResponse({"error": type(exc).__name__}, status=503)
    healthy = all(report[name] == "ok" for name in CHECKED)
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    """200 "ok" while the process serves requests; touches no database, broker or
    cache, so a supervisor restarts a hung process, not one whose database is
    down."""
    return HttpResponse("ok", content_type="text/plain")
