"""Handing rows' work to the broker exactly once per pass, across dispatchers.

A model with a nullable `queued_at` column can be queued through here: the rows are
locked (skipping those another dispatcher holds), re-checked, marked, and handed to
`enqueue` only once the mark commits. If the broker refuses, the mark is cleared so
the next pass tries again.

A task the broker loses is queued again in one of two ways:

- The broker lost its whole state: Redis emptied by FLUSHALL or by FLUSHDB of the
  broker's db, or restarted without persistence; the filesystem broker's queue
  folder emptied or removed. Each dispatcher pass first plants a marker in the broker
  itself, set if absent (`broker_marker_plant`: one round trip); finding it missing,
  `broker_loss_recover` voids every queue mark, so the same pass queues it all again,
  within a minute of the loss. Safe even for tasks that survived in a worker's hands
  (a task it was running, a retry it holds for later): each send is claimed once
  (`core.delivery`), so the second task for it is skipped (a held retry is only
  tried sooner than its backoff said).
- Anything less, which the marker does not see, waits until its mark is QUEUE_STALE
  old: a `celery purge` or a queue deleted by hand, Redis restored from a snapshot
  or a failover to a replica taken after the marker but before the tasks, queues
  evicted under memory pressure, a message lost between publish and the broker.

Why no second detector (marks older than a few minutes while the broker's queue is
empty): a task a worker is running or holds as a retry with backoff is in neither the
queue nor the database's idea of "sent", so it looks exactly like a lost one. Telling
them apart needs each transport's bookkeeping of unacknowledged messages, another
round trip per pass, and a mistake re-sends to a mail server that asked us to wait;
the losses it would add are rare and the stale mark already recovers them.

The marker is not kept for the in-memory transport (one process: nothing to lose
apart from it). A marker evicted on its own (Redis with an allkeys-* eviction
policy) only re-queues what is queued: harmless, as above. So does the very first
pass (no marker yet): quietly if nothing is marked queued, else reported as a loss
once (an upgrade while tasks wait).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from kombu import Connection
from kombu.exceptions import ChannelError

from core.cachestate import cache_failure_record
from core.ticks import TickReport

log = logging.getLogger(__name__)

# A queued task not done after this long is assumed lost by the broker.
QUEUE_STALE = dt.timedelta(minutes=15)

# The marker: a key in the Redis broker's db; a file in the filesystem broker's queue
# folder, named without a dot so the transport never takes it for a message
# ("<stamp>.<queue>.msg").
BROKER_MARKER_KEY = "candor:broker-epoch"
BROKER_MARKER_FILE = "candor-broker-epoch"
# When a dispatcher last found the broker had lost queued tasks (/healthz).
BROKER_LOST_KEY = "candor:broker-queue-lost-at"


def unqueued_since(instant: dt.datetime) -> Q:
    """Rows not handed to the broker since `instant`."""
    return Q(queued_at=None) | Q(queued_at__lt=instant)


def queue_once(
    model: type[models.Model],
    jobs: dict[int, Hashable],
    *,
    now: dt.datetime,
    enqueue: Callable[[list[tuple[int, Hashable]]], None],
) -> int:
    """Mark the rows `jobs` names (pk -> job) queued, enqueue them after commit;
    returns how many this dispatcher took."""
    with transaction.atomic():
        free = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(jobs))
            .filter(unqueued_since(now - QUEUE_STALE))
            .values_list("pk", flat=True)
        )
        claimed = list(free)
        model.objects.filter(pk__in=claimed).update(queued_at=now)
        batch = [(pk, jobs[pk]) for pk in claimed]
        if batch:
            transaction.on_commit(lambda: _hand_over(model, batch, enqueue))
    return len(batch)


def _hand_over(model, batch, enqueue) -> None:
    try:
        enqueue(batch)
    except Exception:  # the broker is down: the next pass queues them again
        log.exception("Could not queue %d %s tasks; unmarking them", len(batch), model)
        model.objects.filter(pk__in=[pk for pk, _ in batch]).update(queued_at=None)


def broker_waiting(broker: Connection, queue: str) -> int:
    """How many messages wait in `queue` on `broker`, not yet taken by a worker
    (one a worker runs, or holds to retry later, is not counted).

    Two round trips on Redis. Raises the transport's errors when it is down.
    """
    broker.ensure_connection(max_retries=1, timeout=5)
    try:
        declared = broker.default_channel.queue_declare(queue=queue, passive=True)
    except ChannelError:  # no such queue: Redis keeps no empty list
        return 0
    return declared.message_count


def broker_loss_recover(
    queued: Iterable[type[models.Model]], *, broker: Connection, now: dt.datetime
) -> TickReport:
    """Run first in each dispatcher pass: if the broker lost its state, void the
    queue marks of every model in `queued`, so the pass queues their rows again.

    Returns a report counting "lost" (1 when marks were voided) and "unqueued" (rows
    whose mark was voided). A broker that cannot be reached is logged and left to
    the pass's own sends, which unmark what they cannot queue.
    """
    report = TickReport.of("broker", "lost", "unqueued")
    try:
        missing = broker_marker_plant(broker)
    except Exception as exc:  # kombu and the transports raise their own errors
        log.warning("Could not check the broker's marker: %s", exc)
        return report
    if not missing:
        return report
    try:
        report.unqueued = queue_marks_void(queued)
    except Exception:
        # Plant it again on the next pass, so that pass still sees the loss.
        _marker_remove(broker)
        raise
    if report.unqueued:
        report.lost = 1
        log.warning(
            "The broker lost its queue (its marker is gone): queueing %d tasks again",
            report.unqueued,
        )
        _loss_record(now)
    else:
        log.info("Planted the broker's marker; nothing was queued")
    return report


def broker_marker_plant(broker: Connection) -> bool | None:
    """Plant the marker in `broker` unless it is there, in one round trip.

    Returns True if it was missing (now planted), False if it was there, None for a
    transport that keeps none. Raises the transport's errors when it is down.
    """
    epoch = uuid.uuid4().hex
    kind = broker.transport.driver_type
    if kind == "redis":
        broker.ensure_connection(max_retries=1, timeout=5)
        client = broker.default_channel.client
        return bool(client.set(BROKER_MARKER_KEY, epoch, nx=True))
    if kind == "filesystem":
        path = _marker_path(broker)
        # A removed folder is a lost queue too; the transport needs it back.
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x") as marker:
                marker.write(epoch)
        except FileExistsError:
            return False
        return True
    return None


def queue_marks_void(queued: Iterable[type[models.Model]]) -> int:
    """Clear every queue mark of the models in `queued`; returns how many rows."""
    return sum(
        model.objects.exclude(queued_at=None).update(queued_at=None) for model in queued
    )


def broker_loss_last() -> str | None:
    """When (ISO 8601) a dispatcher last found the broker had lost queued tasks."""
    return cache.get(BROKER_LOST_KEY)


def _loss_record(now: dt.datetime) -> None:
    try:
        cache.set(BROKER_LOST_KEY, now.isoformat(), timeout=None)
    except Exception as exc:  # any cache backend error: the warning above remains
        cache_failure_record(exc)


def _marker_path(broker: Connection) -> Path:
    return Path(broker.transport_options.get("data_folder_in", "data_in")).joinpath(
        BROKER_MARKER_FILE
    )


def _marker_remove(broker: Connection) -> None:
    try:
        if broker.transport.driver_type == "redis":
            broker.default_channel.client.delete(BROKER_MARKER_KEY)
        elif broker.transport.driver_type == "filesystem":
            _marker_path(broker).unlink(missing_ok=True)
    except Exception as exc:  # the broker went too: it lost the new marker anyway
        log.warning("Could not remove the broker's marker: %s", exc)
