"""One pass of org's scheduler: the welcome emails not sent yet.

Beat's dispatcher task and `manage.py scheduler_tick` both call `org_tick` (through
`config.scheduler.tick_all`). Welcomes are normally queued as they are written
(`org.services.welcome`); this pass finds those the broker never took or lost.
The command sends them inline; the dispatcher hands them to workers, each once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from core.delivery import Sent
from core.dispatch import QUEUE_STALE, queue_once
from core.ticks import TickReport
from org.models import Welcome
from org.services.welcome import welcome_send, welcomes_to_send

# Sends handed to workers per dispatcher pass: each pass stays short.
QUEUE_PER_PASS = 5000

# "failed": refused for good by the mail server; "deferred": it asked us to try
# later; "fate_unknown": it took one but its reply was lost (not sent again).
COUNTS = ("welcomed", "queued", "failed", "deferred", "fate_unknown")

Enqueue = Callable[[list[tuple[int, int]]], None]


def org_tick(*, now: dt.datetime, enqueue: Enqueue | None = None) -> TickReport:
    """Send (or, with `enqueue`, queue) every welcome still waiting at `now`.

    `enqueue` None sends inline. Otherwise it receives (welcome id, 0) pairs and
    must hand them to the broker.
    """
    report = TickReport.of("org", *COUNTS)
    if enqueue is None:
        for welcome_id in list(welcomes_to_send(now=now).values_list("pk", flat=True)):
            report.count_send(
                partial(welcome_send, welcome_id, now=now),
                what=f"welcome {welcome_id}",
                names={Sent.SENT: "welcomed", Sent.BOUNCED: "failed"},
            )
    else:
        due = welcomes_to_send(now=now, unqueued_before=now - QUEUE_STALE)
        jobs = {pk: 0 for pk in due.values_list("pk", flat=True)[:QUEUE_PER_PASS]}
        report.queued = queue_once(Welcome, jobs, now=now, enqueue=enqueue)
    return report
