"""Every periodic job, in one pass: what beat's dispatcher and `scheduler_tick` run.

Each app contributes one tick function that finds its due work by scanning the
database (never long countdown tasks, which Redis re-delivers after its visibility
timeout). `inline=True` does the work, emails included, in this process.
"""

from __future__ import annotations

import datetime as dt


def tick_all(*, now: dt.datetime, inline: bool) -> list[str]:
    from feedback.scheduler import feedback_tick
    from feedback.tasks import enqueue_notices
    from surveys.scheduler import survey_tick
    from surveys.tasks import enqueue_sends

    reports = [
        survey_tick(now=now, enqueue=None if inline else enqueue_sends),
        feedback_tick(now=now, enqueue=None if inline else enqueue_notices),
    ]
    return [str(report) for report in reports]
