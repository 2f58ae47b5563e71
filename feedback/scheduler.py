"""One pass of the board's scheduler: follow-ups due at an instant, then the outbox.

Beat's dispatcher task and `manage.py scheduler_tick` both call `feedback_tick`
(through `config.scheduler.tick_all`). The command sends every due notice inline,
so time travel leaves nothing in a queue; the dispatcher hands them to workers,
marking each notice `queued_at` under a row lock so two dispatchers never queue
the same one. A task the broker lost is queued again once its mark is voided
(`config.scheduler` checks the broker first in each pass) or stale (`core.dispatch`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

from core.delivery import Sent
from core.dispatch import QUEUE_STALE, queue_once
from core.ticks import TickReport
from feedback.models import Notice
from feedback.services.followups import followups_run
from feedback.services.outbox import notice_send, notices_to_send

# Sends handed to workers per dispatcher pass: each pass stays short.
QUEUE_PER_PASS = 5000

# What a tick reports, in this order; "reassigned" concerns were handed over
# because their owner left, "failed" notices were refused for good by the mail
# server, "deferred" ones it asked us to try later, "fate_unknown" ones it took but
# whose reply was lost (not sent again).
COUNTS = (
    "reassigned",
    "reminded",
    "escalated",
    "nudged",
    "sent",
    "queued",
    "failed",
    "deferred",
    "fate_unknown",
)

Enqueue = Callable[[list[tuple[int, int]]], None]


def feedback_tick(*, now: dt.datetime, enqueue: Enqueue | None = None) -> TickReport:
    """Reassign, remind, escalate and nudge what is due at `now`, then send the
    outbox.

    `enqueue` None sends inline. Otherwise it receives (notice id, 0) pairs and
    must hand them to the broker.
    """
    report = TickReport.of("feedback", *COUNTS)
    counts = followups_run(now=now)
    report.reminded, report.escalated = counts.reminded, counts.escalated
    report.nudged, report.reassigned = counts.nudged, counts.reassigned
    if enqueue is None:
        for notice_id in list(notices_to_send(now=now).values_list("pk", flat=True)):
            _send_inline(notice_id, now, report)
    else:
        due = notices_to_send(now=now, unqueued_before=now - QUEUE_STALE)
        jobs = {pk: 0 for pk in due.values_list("pk", flat=True)[:QUEUE_PER_PASS]}
        report.queued = queue_once(Notice, jobs, now=now, enqueue=enqueue)
    return report


def _send_inline(notice_id: int, now: dt.datetime, report: TickReport) -> None:
    report.count_send(
        partial(notice_send, notice_id, now=now),
        what=f"notice {notice_id}",
        names={Sent.BOUNCED: "failed"},
    )
