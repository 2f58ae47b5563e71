"""Every periodic job, in one pass: what beat's dispatcher and `scheduler_tick` run.

Each app contributes one tick function that finds its due work by scanning the
database (never long countdown tasks, which Redis re-delivers after its visibility
timeout). `inline=True` does the work, emails included, in this process.
"""

from __future__ import annotations

import datetime as dt
import logging

log = logging.getLogger(__name__)


def tick_all(*, now: dt.datetime, inline: bool) -> list[str]:
    from feedback.scheduler import feedback_tick
    from feedback.tasks import enqueue_notices
    from surveys.scheduler import survey_tick
    from surveys.tasks import enqueue_sends

    ticks = [
        lambda: survey_tick(now=now, enqueue=None if inline else enqueue_sends),
        lambda: feedback_tick(now=now, enqueue=None if inline else enqueue_notices),
    ]
    # One app's failure must not hold up the other's emails: run every tick, then
    # raise the first error so the task or the command still fails visibly.
    reports, errors = [], []
    for tick in ticks:
        try:
            reports.append(str(tick()))
        except Exception as exc:
            log.exception("A scheduler tick failed")
            errors.append(exc)
    if errors:
        raise errors[0]
    return reports
