"""Celery tasks for the board: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.delivery import RETRY
from feedback.services.outbox import notice_send


@shared_task(name="feedback.send_notice", ignore_result=True, **RETRY)
def send_notice(notice_id: int) -> str:
    """Email one notice from the outbox, at most once."""
    return notice_send(notice_id)


def enqueue_notices(batch: list[tuple[int, int]]) -> None:
    """Hand (notice id, 0) pairs, as `core.dispatch.queue_once` gives them, to
    the broker."""
    for notice_id, _ in batch:
        send_notice.delay(notice_id)
