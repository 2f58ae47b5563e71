"""One pass of the dashboards' scheduler: summarise the rounds that closed.

`config.scheduler` runs it after the surveys' tick, which closes rounds and
gives out their last sealed answers, so a round closed in a pass is usually
summarised in the same pass (`dashboards.summaries`).
"""

from __future__ import annotations

import datetime as dt

from core.ticks import TickReport
from dashboards.summaries import rounds_summarise_due


def dashboards_tick(*, now: dt.datetime) -> TickReport:
    report = TickReport.of("dashboards", "summarised")
    report.summarised = rounds_summarise_due(now=now)
    return report
