"""Survey mail and welcome emails go to a queue of their own; board notices, the
dispatcher and the heartbeat stay on the default queue, so a fan-out never holds
them up.

That they land there on a real Redis is in `test_broker_loss_workers.py`, which
counts the dispatcher's sends on the bulk mail queue."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import app, dispatch, worker_heartbeat
from feedback.tasks import send_notice
from org.tasks import queue_welcomes, send_welcome
from surveys.tasks import send_invitation, send_reminder

BULK = settings.CANDOR_QUEUE_BULK_MAIL
DEFAULT = settings.CANDOR_QUEUE_DEFAULT


def _queue_of(task, **options) -> str:
    return app.amqp.router.route(options, task.name, (), {})["queue"].name


@pytest.mark.parametrize(
    "task", [send_invitation, send_reminder, send_welcome, queue_welcomes]
)
def test_survey_invitations_reminders_and_welcomes_go_to_the_bulk_mail_queue(task):
    assert _queue_of(task) == BULK


@pytest.mark.parametrize("task", [send_notice, dispatch, worker_heartbeat])
def test_notices_the_dispatcher_and_the_heartbeat_stay_on_the_default_queue(task):
    assert _queue_of(task) == DEFAULT
    assert DEFAULT != BULK


def test_a_queue_named_by_the_caller_wins_over_the_routes():
    # The end-to-end tests give each worker a queue of its own (`-Q test-…`).
    assert _queue_of(send_invitation, queue="test-mine") == "test-mine"
