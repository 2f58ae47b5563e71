"""Every periodic job, in one pass: what beat's dispatcher and `scheduler_tick` run.

Each app contributes one tick function that finds its due work by scanning the
database (never long countdown tasks, which Redis re-delivers after its visibility
timeout). `inline=True` does the work, emails included, in this process.
`inline=False` (the dispatcher) first checks that the broker still holds what was
queued, and queues it all again if not (`core.dispatch.broker_loss_recover`).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import models

from core.ticks import TickReport

log = logging.getLogger(__name__)


def queued_models() -> tuple[type[models.Model], ...]:
    """Every model whose rows are queued through `core.dispatch.queue_once`."""
    from feedback.models import Notice
    from org.models import PeopleSync, Welcome
    from surveys.models import Invitation

    return (Invitation, Notice, Welcome, PeopleSync)


def tick_all(*, now: dt.datetime, inline: bool) -> list[str]:
    from dashboards.scheduler import dashboards_tick
    from feedback.scheduler import feedback_tick
    from feedback.tasks import enqueue_notices
    from org.scheduler import org_tick
    from org.tasks import enqueue_people_syncs, enqueue_welcomes
    from surveys.scheduler import survey_tick
    from surveys.tasks import enqueue_sends

    waiting = 0 if inline else _bulk_mail_waiting()
    ticks = [
        lambda: survey_tick(
            now=now, enqueue=None if inline else enqueue_sends, waiting=waiting
        ),
        # After the surveys' tick: the rounds it closed and released in full.
        lambda: dashboards_tick(now=now),
        lambda: feedback_tick(now=now, enqueue=None if inline else enqueue_notices),
        lambda: org_tick(
            now=now,
            enqueue=None if inline else enqueue_welcomes,
            enqueue_syncs=None if inline else enqueue_people_syncs,
        ),
        lambda: _api_tokens(now),
    ]
    if not inline:
        ticks.insert(0, lambda: _broker_check(now))
    # One app's failure must not hold up the other's emails: run every tick, then
    # raise the first error so the task or the command still fails visibly.
    reports, errors = [], []
    for tick in ticks:
        try:
            report = tick()
        except Exception as exc:
            log.exception("A scheduler tick failed")
            errors.append(exc)
            continue
        if report is not None:
            reports.append(str(report))
    if errors:
        raise errors[0]
    return reports


def _api_tokens(now: dt.datetime) -> TickReport | None:
    """API tokens' last use, written for days that are over (`api.tokens`)."""
    from api.tokens import api_tokens_use_record

    report = TickReport.of("api", "tokens_used")
    report.tokens_used = api_tokens_use_record(now=now)
    return report if report.tokens_used else None


def _broker_check(now: dt.datetime) -> TickReport | None:
    """The broker's report, only when it had lost queued tasks."""
    from config.celery import app
    from core.dispatch import broker_loss_recover

    # The connection the sends are published on, already open: one round trip.
    with app.pool.acquire(block=True) as broker:
        report = broker_loss_recover(queued_models(), broker=broker, now=now)
    return report if report.lost else None


def _bulk_mail_waiting() -> int:
    """Sends already waiting in the bulk mail queue, which this pass only tops up
    (`surveys.scheduler.QUEUE_PER_PASS`); 0 when the broker cannot say, and the
    pass's own sends then find out whether it is down."""
    from django.conf import settings

    from config.celery import app
    from core.dispatch import broker_waiting

    try:
        with app.pool.acquire(block=True) as broker:
            return broker_waiting(broker, settings.CANDOR_QUEUE_BULK_MAIL)
    except Exception as exc:  # kombu and the transports raise their own errors
        log.warning("Could not count the sends waiting in the broker: %s", exc)
        return 0
