"""One pass of org's scheduler: the welcome emails not sent yet, and the people
syncs no worker has run.

Beat's dispatcher task and `manage.py scheduler_tick` both call `org_tick` (through
`config.scheduler.tick_all`). Welcomes and syncs are normally queued as they are
written (`org.services.welcome`, `org.services.people_sync_runs`); this pass finds
those the broker never took or lost, and the syncs whose worker died halfway (their
lease ran out). The command sends and runs them inline; the dispatcher hands them
to workers, each once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from core.delivery import Sent
from core.dispatch import QUEUE_STALE, queue_once
from core.ticks import TickReport
from org.models import Welcome
from org.services.people_sync_runs import (
    people_sync_run,
    people_syncs_abandon,
    people_syncs_queue,
    people_syncs_to_run,
)
from org.services.welcome import welcome_send, welcomes_to_send

# Sends handed to workers per dispatcher pass: each pass stays short.
QUEUE_PER_PASS = 5000

# "failed": refused for good by the mail server; "deferred": it asked us to try
# later; "fate_unknown": it took one but its reply was lost (not sent again).
# "syncs_given_up": people syncs whose worker died on each of their attempts.
COUNTS = (
    "welcomed",
    "queued",
    "failed",
    "deferred",
    "fate_unknown",
    "syncs_run",
    "syncs_queued",
    "syncs_given_up",
)

Enqueue = Callable[[list[tuple[int, int]]], None]


def org_tick(
    *,
    now: dt.datetime,
    enqueue: Enqueue | None = None,
    enqueue_syncs: Enqueue | None = None,
) -> TickReport:
    """Send (or, with `enqueue`, queue) every welcome still waiting at `now`, and
    run (or, with `enqueue_syncs`, queue) every people sync waiting for a worker.

    `enqueue` None sends and runs inline. Otherwise `enqueue` receives (welcome
    id, 0) pairs and `enqueue_syncs` (sync id, 0) pairs, and each must hand them
    to the broker; without `enqueue_syncs`, syncs are left to the next pass that
    has one.
    """
    report = TickReport.of("org", *COUNTS)
    report.syncs_given_up = people_syncs_abandon(now=now)
    if enqueue is None:
        # Syncs first: the welcomes of the people they add go in the same pass.
        for sync_id in list(people_syncs_to_run(now=now).values_list("pk", flat=True)):
            report.syncs_run += people_sync_run(sync_id, now=now) != "taken"
        for welcome_id in list(welcomes_to_send(now=now).values_list("pk", flat=True)):
            report.count_send(
                partial(welcome_send, welcome_id, now=now),
                what=f"welcome {welcome_id}",
                names={Sent.SENT: "welcomed", Sent.BOUNCED: "failed"},
            )
        return report
    due = welcomes_to_send(now=now, unqueued_before=now - QUEUE_STALE)
    jobs = {pk: 0 for pk in due.values_list("pk", flat=True)[:QUEUE_PER_PASS]}
    report.queued = queue_once(Welcome, jobs, now=now, enqueue=enqueue)
    if enqueue_syncs is not None:
        report.syncs_queued = people_syncs_queue(now=now, enqueue=enqueue_syncs)
    return report
