"""Celery tasks for surveys: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from core.delivery import RETRY
from surveys.services.delivery import invitation_send, reminder_send


@shared_task(name="surveys.send_invitation", ignore_result=True, **RETRY)
def send_invitation(invitation_id: int) -> str:
    return invitation_send(invitation_id)


@shared_task(name="surveys.send_reminder", ignore_result=True, **RETRY)
def send_reminder(invitation_id: int, step: int) -> str:
    return reminder_send(invitation_id, step)


def enqueue_sends(batch: list[tuple[int, int]]) -> None:
    """Hand (invitation id, step) pairs to the broker; step 0 is the invitation."""
    for invitation_id, step in batch:
        if step == 0:
            send_invitation.delay(invitation_id)
        else:
            send_reminder.delay(invitation_id, step)
