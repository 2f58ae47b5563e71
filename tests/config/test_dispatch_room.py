"""The dispatcher's pass counts the sends already waiting in the bulk mail queue
and only tops it up (config/scheduler.py, surveys/scheduler.py): workers that fall
behind find one pass's worth waiting, never a whole audience."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from kombu import Connection

from config import scheduler as config_scheduler
from config.celery import app
from config.scheduler import tick_all
from surveys import scheduler as survey_scheduler
from surveys import tasks as survey_tasks
from surveys.models import Invitation
from tests.brokers import free_port
from tests.surveys.helpers import MONDAY_9, weekly_pulse

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulk(settings) -> str:
    # A name of the test's own: kombu keeps the filesystem transport's exchanges
    # per process, whatever folder a test gives it.
    settings.CANDOR_QUEUE_BULK_MAIL = f"bulk-{uuid.uuid4().hex}"
    return settings.CANDOR_QUEUE_BULK_MAIL


@pytest.fixture
def broker(tmp_path, monkeypatch):
    """The app's connections, the dispatcher's included, on a broker of the test's
    own: a filesystem queue folder under tmp_path."""
    queue = tmp_path / "broker" / "queue"
    queue.mkdir(parents=True)
    connection = Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(tmp_path / "broker" / "control"),
        },
    )
    monkeypatch.setattr(app, "_pool", connection.Pool(2))
    yield connection
    connection.release()


@pytest.fixture
def queued(monkeypatch):
    """What the passes hand to the broker, instead of publishing it."""
    handed: list[tuple[int, int]] = []
    monkeypatch.setattr(survey_tasks, "enqueue_sends", handed.extend)
    return handed


def _waiting(broker: Connection, queue: str, count: int) -> None:
    simple = broker.SimpleQueue(queue)
    for n in range(count):
        simple.put({"task": "surveys.send_invitation", "n": n})
    simple.close()


def test_a_pass_tops_the_bulk_mail_queue_up_to_one_passs_worth(
    broker, bulk, queued, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(survey_scheduler, "QUEUE_PER_PASS", 3)
    weekly_pulse(people=5)
    _waiting(broker, bulk, 2)  # sends of an earlier pass the workers have not reached

    with django_capture_on_commit_callbacks(execute=True):
        tick_all(now=MONDAY_9, inline=False)
    assert len(queued) == 1

    broker.SimpleQueue(bulk).clear()  # the workers caught up
    with django_capture_on_commit_callbacks(execute=True):
        tick_all(now=MONDAY_9 + dt.timedelta(minutes=1), inline=False)
    assert len(queued) == 4
    assert Invitation.objects.exclude(queued_at=None).count() == 4


def test_a_broker_that_cannot_count_leaves_the_pass_its_whole_batch(
    monkeypatch, caplog
):
    down = Connection(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(app, "_pool", down.Pool(1))

    with caplog.at_level(logging.WARNING, logger="config.scheduler"):
        assert config_scheduler._bulk_mail_waiting() == 0

    assert "Could not count the sends waiting in the broker" in caplog.text
