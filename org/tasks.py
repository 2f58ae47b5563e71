"""Celery tasks for org: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.delivery import RETRY
from org.services.people_sync_runs import RUN_TIME_LIMIT, people_sync_run
from org.services.welcome import welcome_send, welcomes_queue


@shared_task(name="org.send_welcome", ignore_result=True, **RETRY)
def send_welcome(welcome_id: int) -> str:
    """Email one welcome, at most once."""
    return welcome_send(welcome_id)


@shared_task(name="org.queue_welcomes", ignore_result=True)
def queue_welcomes(welcome_ids: list[int]) -> int:
    """Queue the sends of a batch of new welcomes (written by an import or a page),
    each once; what is already queued or sent is left alone."""
    return welcomes_queue(ids=welcome_ids, now=timezone.now(), enqueue=enqueue_welcomes)


def enqueue_welcomes(batch: list[tuple[int, int]]) -> None:
    """Hand (welcome id, 0) pairs, as `core.dispatch.queue_once` gives them, to
    the broker."""
    for welcome_id, _ in batch:
        send_welcome.delay(welcome_id)


# A sync of 100,000 people runs for minutes, past the five every other task has;
# its lease (people_sync_runs.LEASE) outlasts the hard limit.
@shared_task(
    name="org.run_people_sync",
    ignore_result=True,
    soft_time_limit=RUN_TIME_LIMIT.total_seconds(),
    time_limit=RUN_TIME_LIMIT.total_seconds() + 30,
)
def run_people_sync(sync_id: int) -> str:
    """Run one people sync: a queued one, or one whose worker died (its lease
    ran out); one running or finished is left alone."""
    return people_sync_run(sync_id)


def enqueue_people_syncs(batch: list[tuple[int, int]]) -> None:
    """Hand (sync id, 0) pairs, as `core.dispatch.queue_once` gives them, to the
    broker."""
    for sync_id, _ in batch:
        run_people_sync.delay(sync_id)
