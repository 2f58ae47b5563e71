"""GET /healthz: is the database reachable, is the broker reachable, is a worker
alive, does the mail server accept our sender.

The status code depends on the database and the broker only: those are what a load
balancer can act on. The worker's last heartbeat and the mail server's refusal of
our sender address (every email would fail alike; `core.mail`) are reported for
people and monitoring.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from core.mail import sender_refused_last

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "candor:worker-heartbeat"


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


def broker_check() -> str:
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


def _mail_report() -> str:
    refused = sender_refused_last()
    if refused is None:
        return "ok"
    return (
        f"error: the mail server refused our sender {refused['sender']} at "
        f"{refused['at']}: {refused['reply']}"
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {
        "database": database_check(),
        "broker": broker_check(),
        "worker_last_seen": heartbeat_last(),
        "mail": _mail_report(),
    }
    healthy = report["database"] == "ok" and report["broker"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
