"""A broker that lost its state (core/dispatch.py, wired in config/scheduler.py):
the next dispatcher pass voids every queue mark and queues it all again."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from kombu import Connection

from config.scheduler import queued_models
from core import dispatch
from core.dispatch import (
    BROKER_MARKER_FILE,
    broker_loss_last,
    broker_loss_recover,
    broker_marker_plant,
)
from feedback.models import Notice
from org.models import PeopleSync, Welcome
from surveys.models import Invitation
from surveys.scheduler import survey_tick
from tests.feedback.factories import NoticeFactory
from tests.surveys.factories import InvitationFactory
from tests.surveys.helpers import MONDAY_9, weekly_pulse

pytestmark = pytest.mark.django_db

LATER = MONDAY_9 + dt.timedelta(minutes=1)


@pytest.fixture
def broker(tmp_path):
    queue = tmp_path / "broker" / "queue"
    with Connection(
        "filesystem://",
        transport_options={"data_folder_in": str(queue), "data_folder_out": str(queue)},
    ) as connection:
        yield connection


def _lose_everything(broker: Connection) -> None:
    for path in Path(broker.transport_options["data_folder_in"]).iterdir():
        path.unlink()


def _queue_a_round(django_capture_on_commit_callbacks, queued: list) -> None:
    weekly_pulse(people=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert survey_tick(now=MONDAY_9, enqueue=queued.extend).queued == 4


def test_every_model_queued_through_dispatch_is_listed():
    assert set(queued_models()) == {Invitation, Notice, Welcome, PeopleSync}


def test_a_lost_broker_voids_every_mark_and_the_same_pass_queues_them_again(
    broker, django_capture_on_commit_callbacks, caplog, client
):
    queued: list[tuple[int, int]] = []
    broker_marker_plant(broker)
    _queue_a_round(django_capture_on_commit_callbacks, queued)
    NoticeFactory(queued_at=MONDAY_9)
    _lose_everything(broker)

    with caplog.at_level(logging.WARNING, logger="core.dispatch"):
        report = broker_loss_recover(queued_models(), broker=broker, now=LATER)
    with django_capture_on_commit_callbacks(execute=True):
        again = survey_tick(now=LATER, enqueue=queued.extend)

    assert str(report) == "broker: 1 lost, 5 unqueued"
    assert "The broker lost its queue" in caplog.text
    assert again.queued == 4
    assert sorted(queued[4:]) == sorted(queued[:4])
    assert not Notice.objects.exclude(queued_at=None).exists()
    assert set(Invitation.objects.values_list("queued_at", flat=True)) == {LATER}
    response = client.get("/healthz")
    assert response.json()["broker_queue_lost_at"] == LATER.isoformat()
    assert response.status_code == 200


def test_a_broker_that_kept_its_marker_voids_nothing(
    broker, django_capture_on_commit_callbacks
):
    broker_marker_plant(broker)
    _queue_a_round(django_capture_on_commit_callbacks, [])

    report = broker_loss_recover(queued_models(), broker=broker, now=LATER)

    assert str(report) == "broker: nothing due"
    assert not Invitation.objects.filter(queued_at=None).exists()
    assert broker_loss_last() is None


def test_the_first_pass_plants_the_marker_quietly_when_nothing_is_queued(
    broker, caplog
):
    weekly_pulse(people=2)  # nothing queued yet

    with caplog.at_level(logging.WARNING, logger="core.dispatch"):
        report = broker_loss_recover(queued_models(), broker=broker, now=LATER)

    assert str(report) == "broker: nothing due"
    assert caplog.records == []
    assert broker_loss_last() is None
    assert broker_marker_plant(broker) is False


def test_an_unreachable_broker_leaves_the_marks_for_the_pass_to_handle(
    django_capture_on_commit_callbacks, caplog
):
    _queue_a_round(django_capture_on_commit_callbacks, [])

    with Connection("redis://127.0.0.1:1/0", connect_timeout=1) as down:
        report = broker_loss_recover(queued_models(), broker=down, now=LATER)

    assert str(report) == "broker: nothing due"
    assert "Could not check the broker's marker" in caplog.text
    assert not Invitation.objects.filter(queued_at=None).exists()


def test_a_failure_while_voiding_leaves_the_loss_for_the_next_pass(
    broker, django_capture_on_commit_callbacks, monkeypatch
):
    _queue_a_round(django_capture_on_commit_callbacks, [])

    def database_down(queued):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch, "queue_marks_void", database_down)
    with pytest.raises(RuntimeError):
        broker_loss_recover(queued_models(), broker=broker, now=LATER)
    monkeypatch.undo()
    report = broker_loss_recover(queued_models(), broker=broker, now=LATER)

    assert str(report) == "broker: 1 lost, 4 unqueued"
    assert not Invitation.objects.exclude(queued_at=None).exists()


PASS = """
import django
django.setup()
from django.utils import timezone
from config.scheduler import tick_all
print(tick_all(now=timezone.now(), inline=False))
"""


@pytest.mark.django_db(transaction=True)
def test_local_runs_keep_the_marker_in_the_filesystem_brokers_queue_folder(tmp_path):
    from django.conf import settings

    from tests.surveys.test_worker_delivery import _database_url

    if ":memory:" in str(settings.DATABASES["default"]["NAME"]):
        pytest.skip("the dispatcher's process needs a database file it can open")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "filesystem://",
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "dispatcher-test",
    }

    def dispatcher_pass() -> str:
        done = subprocess.run(
            [sys.executable, "-c", PASS],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    first = dispatcher_pass()  # nothing queued yet: the marker is planted quietly
    marker = tmp_path / "broker" / "queue" / BROKER_MARKER_FILE
    assert marker.exists()
    # Of a round closed in March 2026: voided, and nothing for the pass to send.
    invitation = InvitationFactory(queued_at=MONDAY_9)
    marker.unlink()  # what emptying the queue folder does
    second = dispatcher_pass()

    assert "broker" not in first
    assert second.startswith("['broker: 1 lost, 1 unqueued'")
    invitation.refresh_from_db()
    assert invitation.queued_at is None
    assert marker.exists()
