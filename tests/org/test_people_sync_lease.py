"""A people sync run by a worker holds a lease: a worker that dies halfway leaves
nothing of it saved, and once the lease runs out the scheduler's tick queues it
again; running it twice, or taking it over, never saves anything twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from config.scheduler import queued_models
from core.dispatch import queue_marks_void
from org.models import PeopleSync, Person, Welcome
from org.scheduler import org_tick
from org.services import people_sync as people_sync_module
from org.services import people_sync_runs
from org.services.people_sync_runs import (
    ABANDONED_MESSAGE,
    LEASE,
    MAX_ATTEMPTS,
    people_sync_queue,
    people_sync_run,
)
from org.tasks import run_people_sync

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class WorkerKilled(BaseException):
    """What SIGKILL looks like from inside: no `except Exception` sees it, and
    the transaction under way is never committed."""


def csv_body(count: int) -> str:
    rows = [
        f"member{n}@import.example,Member {n},Support,Tier {n % 3}"
        for n in range(count)
    ]
    return "".join(f"{line}\n" for line in ["email,name,department,team", *rows])


def queued_sync(count: int = 25, **options) -> PeopleSync:
    sync = people_sync_queue(
        body=csv_body(count),
        format="csv",
        rows=count,
        by=None,
        deactivate_missing=False,
        now=T0,
        **options,
    )
    # As if the broker took it at T0 (the hand-over runs on commit).
    return sync


def imported() -> int:
    return Person.objects.filter(user__email__endswith="@import.example").count()


@pytest.fixture
def ticked(django_capture_on_commit_callbacks):
    """ticked(now) -> the syncs one dispatcher pass at `now` hands to the broker
    (once its marks commit)."""

    def tick(now: dt.datetime) -> list[int]:
        handed: list[tuple[int, int]] = []
        with django_capture_on_commit_callbacks(execute=True):
            org_tick(now=now, enqueue=lambda batch: None, enqueue_syncs=handed.extend)
        return [sync_id for sync_id, _ in handed]

    return tick


@pytest.fixture
def killed_halfway(monkeypatch):
    """The worker dies after saving its first batch of people, inside the run's
    transaction."""
    monkeypatch.setattr(people_sync_module, "BATCH", 10)
    save_chunk = people_sync_module._apply_chunk
    calls = []

    def save_then_die(*args, **kwargs):
        save_chunk(*args, **kwargs)
        calls.append(1)
        if len(calls) % 2 == 0:  # the second batch of each run
            raise WorkerKilled

    monkeypatch.setattr(people_sync_module, "_apply_chunk", save_then_die)
    return monkeypatch


def test_a_run_whose_worker_died_is_queued_again_once_its_lease_runs_out(
    killed_halfway, ticked
):
    sync = queued_sync(25)
    with pytest.raises(WorkerKilled):
        people_sync_run(sync.pk, now=T0)
    killed_halfway.undo()  # the next worker is a healthy one

    sync.refresh_from_db()
    assert (sync.state, sync.claimed_at, sync.attempts) == ("running", T0, 1)
    assert imported() == 0  # the batches it saved went with its transaction
    assert ticked(T0 + dt.timedelta(minutes=1)) == []  # its lease still runs

    assert ticked(T0 + LEASE + dt.timedelta(seconds=1)) == [sync.pk]
    assert run_people_sync(sync.pk) == "done"

    sync.refresh_from_db()
    assert (sync.state, sync.attempts, sync.created) == ("done", 2, 25)
    assert imported() == 25
    assert ticked(T0 + LEASE + dt.timedelta(minutes=20)) == []


def test_a_run_killed_after_the_sync_but_before_its_report_saves_neither(
    monkeypatch,
):
    """The people and the run's report commit together, so the run taken over
    reports what it did (25 new), not a misleading 0 new of a second pass."""
    sync = queued_sync(25)
    real_sync = people_sync_runs.people_sync_text

    def sync_then_die(**kwargs):
        real_sync(**kwargs)
        raise WorkerKilled

    monkeypatch.setattr(people_sync_runs, "people_sync_text", sync_then_die)
    with pytest.raises(WorkerKilled):
        people_sync_run(sync.pk, now=T0)
    monkeypatch.undo()

    assert imported() == 0
    assert people_sync_run(sync.pk, now=T0 + LEASE + dt.timedelta(seconds=1)) == "done"

    sync.refresh_from_db()
    assert (sync.created, sync.updated, sync.welcomed) == (25, 0, 25)
    assert imported() == 25


def test_a_run_is_not_taken_over_while_its_lease_runs(killed_halfway):
    sync = queued_sync(25)
    with pytest.raises(WorkerKilled):
        people_sync_run(sync.pk, now=T0)
    killed_halfway.undo()

    assert people_sync_run(sync.pk, now=T0 + LEASE - dt.timedelta(seconds=1)) == (
        "taken"
    )
    assert PeopleSync.objects.get().claimed_at == T0
    assert imported() == 0


def test_running_a_sync_twice_saves_it_once(django_capture_on_commit_callbacks):
    sync = queued_sync(25, welcome=True)

    with django_capture_on_commit_callbacks(execute=False) as handed:
        first = run_people_sync(sync.pk)
    second = run_people_sync(sync.pk)

    assert (first, second) == ("done", "taken")
    sync.refresh_from_db()
    assert (sync.created, sync.updated, sync.welcomed, sync.attempts) == (25, 0, 25, 1)
    assert imported() == 25
    assert Welcome.objects.count() == 25  # one welcome each, not two
    assert len(handed) == 1  # the welcomes handed to workers once


def test_the_same_file_synced_again_changes_nothing():
    first = queued_sync(25)
    assert run_people_sync(first.pk) == "done"
    welcomes = Welcome.objects.count()

    again = queued_sync(25)
    assert run_people_sync(again.pk) == "done"

    again.refresh_from_db()
    assert (again.created, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == 25
    assert imported() == 25
    assert Welcome.objects.count() == welcomes


def test_a_run_whose_lease_was_taken_over_leaves_nothing_behind(monkeypatch):
    """A worker that outlived its lease (on a database without row locks) cannot
    record its outcome, and its people go with it: the new claim's run counts."""
    sync = queued_sync(25)
    real_sync = people_sync_runs.people_sync_text
    takeover = T0 + LEASE + dt.timedelta(seconds=1)

    def sync_while_taken_over(**kwargs):
        report = real_sync(**kwargs)
        PeopleSync.objects.filter(pk=sync.pk).update(claimed_at=takeover)
        return report

    monkeypatch.setattr(people_sync_runs, "people_sync_text", sync_while_taken_over)

    assert people_sync_run(sync.pk, now=T0) == "taken"

    assert imported() == 0
    assert PeopleSync.objects.get().state == "running"


def test_a_sync_that_stops_every_worker_is_failed_not_queued_forever(
    killed_halfway, ticked
):
    sync = queued_sync(25)
    now = T0
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(WorkerKilled):
            people_sync_run(sync.pk, now=now)
        now += LEASE + dt.timedelta(seconds=1)

    assert ticked(now) == []

    sync.refresh_from_db()
    assert (sync.state, sync.attempts) == ("failed", MAX_ATTEMPTS)
    assert sync.message == ABANDONED_MESSAGE
    assert sync.body == ""
    assert imported() == 0


def test_a_run_the_broker_refused_is_queued_by_the_next_pass(
    monkeypatch, django_capture_on_commit_callbacks, ticked
):
    def broker_down(sync_id):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(run_people_sync, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        sync = queued_sync(25)

    assert PeopleSync.objects.get().queued_at is None
    assert ticked(T0 + dt.timedelta(minutes=1)) == [sync.pk]
    assert ticked(T0 + dt.timedelta(minutes=2)) == []  # handed over once


def test_a_run_the_broker_lost_is_queued_again_once_its_mark_is_stale(ticked):
    sync = queued_sync(25)

    assert ticked(T0 + dt.timedelta(minutes=5)) == []
    assert ticked(T0 + dt.timedelta(minutes=16)) == [sync.pk]


def test_a_broker_that_lost_its_queue_has_the_run_queued_by_the_same_pass(ticked):
    sync = queued_sync(25)

    # What the dispatcher's pass does first on finding the broker's marker gone.
    assert queue_marks_void(queued_models()) == 1
    assert ticked(T0 + dt.timedelta(minutes=1)) == [sync.pk]


def test_the_scheduler_tick_command_runs_waiting_syncs_inline():
    sync = queued_sync(25)

    report = org_tick(now=timezone.now())

    assert report.syncs_run == 1
    assert PeopleSync.objects.get(pk=sync.pk).state == "done"
    assert imported() == 25
