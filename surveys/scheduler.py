"""One pass of the survey scheduler: everything that is due at an instant.

Beat's dispatcher task and `manage.py scheduler_tick` both call `survey_tick`. The
command runs each email inline (time travel in tests and ops leaves nothing in a
queue); the dispatcher hands them to workers, marking each invitation `queued_at`
under a row lock so two dispatchers never queue the same one, and a task the broker
lost is queued again once its mark is stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.delivery import Sent, TemporaryDeliveryError
from core.dispatch import QUEUE_STALE, queue_once
from surveys.models import Invitation
from surveys.services.delivery import (
    invitation_send,
    invitations_to_send,
    reminder_send,
    reminders_due,
)
from surveys.services.release import sealed_responses_release_due
from surveys.services.rounds import (
    round_fan_out,
    rounds_close_due,
    rounds_needing_fan_out,
    rounds_open_due,
)

log = logging.getLogger(__name__)

# Sends handed to workers per dispatcher pass: each pass stays short.
QUEUE_PER_PASS = 5000


@dataclass
class TickReport:
    opened: int = 0
    invited: int = 0  # new invitations from fan-out
    sent: int = 0
    reminded: int = 0
    queued: int = 0
    bounced: int = 0
    deferred: int = 0  # the mail server said "later"
    closed: int = 0
    released: int = 0  # anonymous responses written out of the sealed buffer
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{value} {name}"
            for name, value in vars(self).items()
            if name != "notes" and value
        ]
        return "surveys: " + (", ".join(parts) if parts else "nothing due")


Enqueue = Callable[[list[tuple[int, int]]], None]


def survey_tick(*, now: dt.datetime, enqueue: Enqueue | None = None) -> TickReport:
    """Open, fan out, close, send, remind and release sealed anonymous responses:
    whatever is due at `now`.

    `enqueue` None sends inline. Otherwise it receives (invitation id, step) pairs,
    step 0 for the invitation itself, and must hand them to the broker.
    """
    report = TickReport()
    report.opened = len(rounds_open_due(now=now))
    for round_ in rounds_needing_fan_out():
        report.invited += round_fan_out(round_, now=now)
    # Close before sending, so a round that just ended gets no last email.
    report.closed = rounds_close_due(now=now)
    if enqueue is None:
        invitations = invitations_to_send(now=now).values_list("pk", flat=True)
        jobs = [(pk, 0) for pk in invitations] + reminders_due(now=now)
        _run_inline(jobs, now, report)
    else:
        # Only what is not already with the broker, and a bounded amount per pass.
        stale = now - QUEUE_STALE
        invitations = invitations_to_send(now=now, unqueued_before=stale)
        jobs = [
            (pk, 0) for pk in invitations.values_list("pk", flat=True)[:QUEUE_PER_PASS]
        ]
        jobs += reminders_due(
            now=now, unqueued_before=stale, limit=QUEUE_PER_PASS - len(jobs)
        )
        report.queued = queue_once(Invitation, dict(jobs), now=now, enqueue=enqueue)
    # Last, so a round closed in this pass gives out its last batch in it too.
    report.released = sealed_responses_release_due()
    return report


def _run_inline(jobs: Iterable[tuple[int, int]], now, report: TickReport) -> None:
    for invitation_id, step in jobs:
        try:
            if step == 0:
                outcome = invitation_send(invitation_id, now=now)
            else:
                outcome = reminder_send(invitation_id, step, now=now)
        except TemporaryDeliveryError as exc:
            report.deferred += 1
            report.notes.append(f"invitation {invitation_id}: {exc}")
            continue
        if outcome == Sent.SENT:
            if step == 0:
                report.sent += 1
            else:
                report.reminded += 1
        elif outcome == Sent.BOUNCED:
            report.bounced += 1
