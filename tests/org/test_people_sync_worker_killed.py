"""End to end: a real worker process (production settings, the filesystem broker)
is SIGKILLed halfway through a people sync, its first thousand people already
written inside the run's transaction. Nothing of it stays; once the lease has run
out, the dispatcher's pass queues the run again and it saves every person once."""

from __future__ import annotations

import os
import signal
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from config.celery import app
from org.models import PeopleSync, Person
from org.scheduler import org_tick
from org.services.people_sync_runs import LEASE, people_sync_queue
from org.tasks import run_people_sync
from tests.config.test_worker import _filesystem_options
from tests.org.factories import PersonFactory, UserFactory
from tests.surveys.test_worker_delivery import _database_url
from tests.workers import worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PEOPLE = 1500  # two batches: the worker is stopped in the second


def _wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _waiting_on_a_lock(watcher: psycopg.Connection) -> bool:
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return row[0] > 0


def _busy_backends(watcher: psycopg.Connection) -> int:
    row = watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND state NOT IN ('idle')"
    ).fetchone()
    return row[0]


def test_a_worker_killed_halfway_through_a_sync_leaves_nothing_and_it_runs_again(
    tmp_path,
):
    if connection.vendor != "postgresql":
        pytest.skip("holding the worker halfway needs PostgreSQL's row locks")
    options = _filesystem_options(tmp_path)
    queue = f"test-{uuid.uuid4().hex}"
    blocker = PersonFactory(user=UserFactory(email="member1200@import.example"))
    rows = [f"member{n}@import.example,Member {n}" for n in range(PEOPLE)]
    sync = people_sync_queue(
        body="".join(f"{line}\n" for line in ["email,name", *rows]),
        format="csv",
        rows=PEOPLE,
        by=None,
        deactivate_missing=False,
        welcome=False,
        now=timezone.now(),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CANDOR_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "filesystem://",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "worker-test",
        "TIME_ZONE": settings.TIME_ZONE,
    }
    dsn = _database_url().replace("postgres://", "postgresql://")
    with (
        psycopg.connect(dsn, autocommit=True) as watcher,
        psycopg.connect(dsn) as holder,
    ):
        # The person of line 1202 is locked: the worker writes the first batch of
        # 1,000, then waits on them in the second.
        holder.execute(
            "SELECT id FROM org_person WHERE id = %s FOR UPDATE", [blocker.pk]
        )
        with app.connection_for_write(
            "filesystem://", transport_options=options
        ) as conn:
            run_people_sync.apply_async([sync.pk], queue=queue, connection=conn)
        worker = worker_start(queue, env, start_new_session=True)
        try:
            stuck = _wait_until(lambda: _waiting_on_a_lock(watcher), seconds=60)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            output, _ = worker.communicate(timeout=30)
        assert stuck, f"the worker never reached the second batch; its log:\n{output}"
        holder.rollback()
        # Its server process finishes the statement it was in, finds the worker
        # gone, and rolls the run's transaction back.
        assert _wait_until(lambda: _busy_backends(watcher) == 0, seconds=30)

    sync.refresh_from_db()
    assert (sync.state, sync.attempts) == ("running", 1)
    assert Person.objects.filter(user__email__endswith="@import.example").count() == 1

    # The lease runs out (moved back rather than waited for).
    PeopleSync.objects.filter(pk=sync.pk).update(claimed_at=F("claimed_at") - LEASE)
    handed: list[tuple[int, int]] = []
    org_tick(
        now=timezone.now(), enqueue=lambda batch: None, enqueue_syncs=handed.extend
    )
    assert handed == [(sync.pk, 0)]
    assert run_people_sync(sync.pk) == "done"

    sync.refresh_from_db()
    assert (sync.state, sync.attempts, sync.created, sync.updated) == (
        "done",
        2,
        PEOPLE - 1,
        1,
    )
    people = Person.objects.filter(user__email__endswith="@import.example")
    assert people.count() == PEOPLE
    assert people.get(pk=blocker.pk).name == "Member 1200"
