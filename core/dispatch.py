"""Handing rows' work to the broker exactly once per pass, across dispatchers.

A model with a nullable `queued_at` column can be queued through here: the rows are
locked (skipping those another dispatcher holds), re-checked, marked, and handed to
`enqueue` only once the mark commits. If the broker refuses, the mark is cleared so
the next pass tries again; if the broker loses a task, the mark goes stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable

from django.db import models, transaction
from django.db.models import Q

log = logging.getLogger(__name__)

# A queued task not done after this long is assumed lost by the broker.
QUEUE_STALE = dt.timedelta(minutes=15)


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
