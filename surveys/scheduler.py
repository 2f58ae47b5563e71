"""One pass of the survey scheduler: everything that is due at an instant.

Beat's dispatcher task and `manage.py scheduler_tick` both call `survey_tick`. The
command runs each email inline (time travel in tests and ops leaves nothing in a
queue); the dispatcher hands them to workers, marking each invitation `queued_at`
under a row lock so two dispatchers never queue the same one. A task the broker lost
is queued again once its mark is voided (`config.scheduler` checks the broker first
in each pass) or stale (`core.dispatch`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from functools import partial

from core.delivery import Sent
from core.dispatch import QUEUE_STALE, queue_once
from core.ticks import TickReport
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

# Sends handed to workers per dispatcher pass, and at most waiting in the broker
# after it: each pass stays short, and workers slower than a pass a minute (fewer
# than 83 emails a second) find one pass's worth waiting, not a whole audience
# piling up in Redis. Workers that send 6 a second or more then take a send within
# QUEUE_STALE, so none is taken for lost and queued a second time.
QUEUE_PER_PASS = 5000

# What a tick reports, in this order; "invited" counts new invitations from fan-out,
# "deferred" sends the mail server asked us to try later.
COUNTS = (
    "opened",
    "invited",
    "sent",
    "reminded",
    "queued",
    "bounced",
    "deferred",
    "fate_unknown",  # handed to the mail server, its reply lost: not sent again
    "closed",
    "released",  # anonymous responses written out of the sealed buffer
)


Enqueue = Callable[[list[tuple[int, int]]], None]


def survey_tick(
    *, now: dt.datetime, enqueue: Enqueue | None = None, waiting: int = 0
) -> TickReport:
    """Open, fan out, close, send, remind and release sealed anonymous responses:
    whatever is due at `now`.

    `enqueue` None sends inline. Otherwise it receives (invitation id, step) pairs,
    step 0 for the invitation itself, and must hand them to the broker; `waiting`
    is how many sends the broker's queue already holds, which this pass only tops
    up to QUEUE_PER_PASS.
    """
    report = TickReport.of("surveys", *COUNTS)
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
        room = max(QUEUE_PER_PASS - waiting, 0)
        stale = now - QUEUE_STALE
        invitations = invitations_to_send(now=now, unqueued_before=stale)
        jobs = [(pk, 0) for pk in invitations.values_list("pk", flat=True)[:room]]
        jobs += reminders_due(now=now, unqueued_before=stale, limit=room - len(jobs))
        report.queued = queue_once(Invitation, dict(jobs), now=now, enqueue=enqueue)
    # Last, so a round closed in this pass gives out its last batch in it too.
    report.released = sealed_responses_release_due()
    return report


def _run_inline(jobs: Iterable[tuple[int, int]], now, report: TickReport) -> None:
    for invitation_id, step in jobs:
        if step == 0:
            report.count_send(
                partial(invitation_send, invitation_id, now=now),
                what=f"invitation {invitation_id}",
            )
        else:
            report.count_send(
                partial(reminder_send, invitation_id, step, now=now),
                what=f"invitation {invitation_id}",
                names={Sent.SENT: "reminded"},
            )
