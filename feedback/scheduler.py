"""One pass of the board's scheduler: follow-ups due at an instant, then the outbox.

Beat's dispatcher task and `manage.py scheduler_tick` both call `feedback_tick`
(through `config.scheduler.tick_all`). The command sends every due notice inline,
so time travel leaves nothing in a queue; the dispatcher hands them to workers,
marking each notice `queued_at` under a row lock so two dispatchers never queue
the same one, and a task the broker lost is queued again once its mark is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from core.delivery import Sent, TemporaryDeliveryError
from core.dispatch import QUEUE_STALE, queue_once
from feedback.models import Notice
from feedback.services.followups import followups_run
from feedback.services.outbox import notice_send, notices_to_send

# Sends handed to workers per dispatcher pass: each pass stays short.
QUEUE_PER_PASS = 5000

Enqueue = Callable[[list[tuple[int, int]]], None]


@dataclass
class FeedbackReport:
    reminded: int = 0
    escalated: int = 0
    nudged: int = 0
    sent: int = 0
    queued: int = 0
    failed: int = 0  # refused for good by the mail server
    deferred: int = 0  # the mail server said "later"
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{value} {name}"
            for name, value in vars(self).items()
            if name != "notes" and value
        ]
        return "feedback: " + (", ".join(parts) if parts else "nothing due")


def feedback_tick(
    *, now: dt.datetime, enqueue: Enqueue | None = None
) -> FeedbackReport:
    """Remind, escalate and nudge what is due at `now`, then send the outbox.

    `enqueue` None sends inline. Otherwise it receives (notice id, 0) pairs and
    must hand them to the broker.
    """
    report = FeedbackReport()
    counts = followups_run(now=now)
    report.reminded, report.escalated = counts.reminded, counts.escalated
    report.nudged = counts.nudged
    if enqueue is None:
        for notice_id in list(notices_to_send().values_list("pk", flat=True)):
            _send_inline(notice_id, now, report)
    else:
        due = notices_to_send(unqueued_before=now - QUEUE_STALE)
        jobs = {pk: 0 for pk in due.values_list("pk", flat=True)[:QUEUE_PER_PASS]}
        report.queued = queue_once(Notice, jobs, now=now, enqueue=enqueue)
    return report


def _send_inline(notice_id: int, now: dt.datetime, report: FeedbackReport) -> None:
    try:
        outcome = notice_send(notice_id, now=now)
    except TemporaryDeliveryError as exc:
        report.deferred += 1
        report.notes.append(f"notice {notice_id}: {exc}")
        return
    if outcome == Sent.SENT:
        report.sent += 1
    elif outcome == Sent.BOUNCED:
        report.failed += 1
