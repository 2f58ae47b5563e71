"""End to end: a broker that lost its queue mid-fan-out, with real processes.

A throwaway Redis (never the shared one), the dispatcher run the way production
runs it (`candor.dispatch` in a long-lived worker process, or `tick_all` in a
process of its own), and a real worker that sends through Django's file mail
backend. After FLUSHALL or a restart without persistence, the next dispatcher pass
queues every invitation again and each is sent exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.utils import timezone

from config.celery import app, dispatch
from core.dispatch import BROKER_LOST_KEY, BROKER_MARKER_KEY
from org.models import Person
from surveys.models import Invitation
from tests.brokers import ThrowawayRedis, throwaway_redis
from tests.config.test_worker import _wait_for
from tests.org.factories import PersonFactory, TeamFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory
from tests.surveys.test_worker_delivery import _database_url
from tests.workers import worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PEOPLE = 60
# Where the dispatcher sends invitations (CELERY_TASK_ROUTES).
SENDS = settings.CANDOR_QUEUE_BULK_MAIL
DISPATCH = "dispatch"  # a queue of its own, so the sends wait for the test

# Two dispatcher passes at once in one process, as two beat instances would run.
RACE = """
import json, django
django.setup()
from django.utils import timezone
from config.scheduler import tick_all
from tests.conftest import at_once
now = timezone.now()
results = at_once(lambda: tick_all(now=now, inline=False))
print(json.dumps([r if isinstance(r, list) else repr(r) for r in results]))
"""


@pytest.fixture
def setting(tmp_path):
    if connection.vendor == "sqlite" and ":memory:" in connection.settings_dict["NAME"]:
        pytest.skip("the worker needs a database file it can open")
    with throwaway_redis(tmp_path) as server:
        setting = Setting(tmp_path, server)
        try:
            yield setting
        finally:
            setting.stop()


class Setting:
    """The broker, the processes' environment and their output."""

    def __init__(self, folder: Path, server: ThrowawayRedis) -> None:
        self.server, self.redis = server, server.client
        self.mail = folder / "mail"
        self.cache = FileBasedCache(str(folder / "cache"), {})
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CANDOR_VAR_DIR": str(folder),
            "CELERY_BROKER_URL": server.url,
            "CACHE_URL": f"filecache://{folder / 'cache'}",
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"filemail://{self.mail}",
            "SECRET_KEY": "worker-test",
            "TIME_ZONE": settings.TIME_ZONE,
        }
        self.workers: list[subprocess.Popen] = []

    def worker(self, queue: str) -> None:
        self.workers.append(worker_start(queue, self.env))

    def dispatch_in_a_worker(self) -> None:
        with app.connection_for_write(self.server.url) as conn:
            dispatch.apply_async(queue=DISPATCH, connection=conn)

    def race(self) -> list[list[str]]:
        done = subprocess.run(
            [sys.executable, "-c", RACE],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        results = json.loads(done.stdout.splitlines()[-1])
        assert all(isinstance(reports, list) for reports in results), results
        return results

    def queued(self) -> int:
        return self.redis.llen(SENDS)

    def stop(self) -> str:
        """Stop the workers; returns their log."""
        output = ""
        for worker in self.workers:
            worker.terminate()
            output += worker.communicate(timeout=30)[0]
        self.workers = []
        return output


def _a_round_for_everyone() -> list[Person]:
    now = timezone.now()
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(PEOPLE)]
    survey = SurveyFactory(
        cadence="once", first_date=now.date(), start_time=dt.time(0, 0), open_days=3
    )
    QuestionFactory(survey=survey)
    return people


def _marked_after(instant: dt.datetime | None):
    def probe():
        marked = Invitation.objects.exclude(queued_at=None)
        if instant is not None:
            marked = marked.filter(queued_at__gt=instant)
        return True if marked.count() == PEOPLE else None

    return probe


def _everyone_sent_once(setting: Setting, people: list[Person]) -> str:
    """Wait until the workers sent everything and the queue is empty; check each
    person got one email; returns the workers' log."""

    def drained():
        sent = Invitation.objects.exclude(sent_at=None).count() == PEOPLE
        idle = setting.queued() == 0 and setting.redis.hlen("unacked") == 0
        return True if sent and idle else None

    finished = _wait_for(drained, seconds=120)
    output = setting.stop()
    assert finished, f"the invitations were not all sent; the workers' log:\n{output}"
    mails = "".join(path.read_text() for path in setting.mail.glob("*.log"))
    for person in people:
        assert mails.count(f"To: {person.email}") == 1
    assert Invitation.objects.count() == PEOPLE
    assert not Invitation.objects.exclude(queued_at=None).exists()
    return output


@pytest.mark.parametrize("lose", ["flushall", "restart"])
def test_the_next_pass_queues_everything_the_broker_lost_and_each_is_sent_once(
    lose, setting
):
    people = _a_round_for_everyone()
    setting.worker(DISPATCH)
    setting.dispatch_in_a_worker()  # opens, fans out, queues everyone
    assert _wait_for(_marked_after(None), seconds=60), setting.stop()
    assert _wait_for(lambda: setting.queued() == PEOPLE or None, seconds=10)
    first_marks = max(Invitation.objects.values_list("queued_at", flat=True))
    survivors = setting.redis.lrange(SENDS, 0, 9)

    if lose == "flushall":
        setting.redis.flushall()
        # Tasks the loss spared (a worker's, or another dispatcher's published
        # just after it) are queued twice: their second send is skipped.
        setting.redis.lpush(SENDS, *survivors)
    else:
        setting.server.restart()
    assert setting.redis.exists(BROKER_MARKER_KEY) == 0
    setting.dispatch_in_a_worker()

    requeued = _wait_for(_marked_after(first_marks), seconds=60)
    assert requeued, f"the next pass did not queue them again:\n{setting.stop()}"
    # Marked in the database first, handed to the broker once that commits.
    expected = PEOPLE + (len(survivors) if lose == "flushall" else 0)
    assert _wait_for(lambda: setting.queued() == expected or None, seconds=10)
    assert setting.cache.get(BROKER_LOST_KEY) is not None

    setting.worker(SENDS)
    log = _everyone_sent_once(setting, people)
    assert f"The broker lost its queue (its marker is gone): queueing {PEOPLE}" in log


def test_two_dispatchers_at_once_queue_and_send_each_invitation_once(setting):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    people = _a_round_for_everyone()

    first = setting.race()  # both open, fan out and queue, on a new broker
    queued_first = setting.queued()
    setting.redis.flushall()
    second = setting.race()  # both find the broker emptied

    assert (_count(first, "queued"), queued_first) == (PEOPLE, PEOPLE)
    assert _count(first, "lost") == 0
    assert (_count(second, "queued"), setting.queued()) == (PEOPLE, PEOPLE)
    losses = [line for reports in second for line in reports if "broker" in line]
    assert losses == [f"broker: 1 lost, {PEOPLE} unqueued"]
    setting.worker(SENDS)
    _everyone_sent_once(setting, people)


def _count(results: list[list[str]], name: str) -> int:
    """The sum of one count over every report of every dispatcher."""
    lines = (line for reports in results for line in reports)
    return sum(int(n) for line in lines for n in re.findall(rf"(\d+) {name}\b", line))
