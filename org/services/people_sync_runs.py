"""People syncs run by a worker from a `PeopleSync` row: those the API's sync
and the People page's upload find too large to run at once.

A worker holds a run by a lease. It claims the run with a conditional UPDATE
(`claimed_at`, the claim's instant, is its token), then saves the people and the
run's report in one transaction, holding the run's row lock: both commit, or
neither does. A worker killed halfway (SIGKILL, a lost machine, the hard time
limit) leaves the run "running" with nothing of it saved; once its lease (LEASE,
longer than the task may live, so it can only be a dead worker's) has run out, the
scheduler's tick queues it again and a new claim takes it over. A broker that lost
the task is covered the same way (`core.dispatch`: the run's `queued_at`). The
sync itself changes nothing the second time, and a run's report is written only by
the claim that saved it, so running twice is safe. After MAX_ATTEMPTS claims a run
is failed instead of retried: a body that kills every worker must not loop.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.cachestate import cache_failure_record
from core.dispatch import QUEUE_STALE, queue_once, unqueued_since
from org.models import PeopleSync, Person
from org.services.people_sync import PeopleSyncRejected, TooManyDeactivated
from org.services.people_sync_bodies import people_sync_text, row_errors_shown

log = logging.getLogger(__name__)

Enqueue = Callable[[list[tuple[int, Hashable]]], None]

INLINE_ROWS = 2_000  # more than this is run by a worker
# The run task's soft time limit: twelve times the slowest first sync of 100,000
# people measured on a shared 2-core machine (98 s, benchmarks/people_sync.py), so
# it means stuck, not slow. The hard limit, which kills the process, is 30 s later.
RUN_TIME_LIMIT = dt.timedelta(minutes=20)
# A claim older than this belongs to a worker that is gone: Celery kills a task at
# its hard time limit. Until then a run is left to its worker, whatever it does.
LEASE = RUN_TIME_LIMIT + dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3  # claims of one run; then it is failed, not queued again
FAILED_MESSAGE = "The sync failed on our side; nothing was saved. Send it again."
ABANDONED_MESSAGE = (
    f"The sync stopped {MAX_ATTEMPTS} times before it finished (its worker was "
    "stopped, or ran out of memory); nothing was saved. Send it again, or in parts."
)


def people_sync_queue(
    *,
    body: str,
    format: str,
    rows: int,
    by: Person | None,
    force: bool = False,
    dry_run: bool = False,
    deactivate_missing: bool = True,
    welcome: bool = True,
    file_name: str = "",
    now: dt.datetime,
) -> PeopleSync:
    """Record a sync for a worker and queue it once this commits; a broker that is
    down leaves it queued for the scheduler's next pass (`people_syncs_queue`)."""
    sync = PeopleSync.objects.create(
        format=format,
        body=body,
        rows=rows,
        requested_by=by,
        force=force,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        welcome=welcome,
        file_name=file_name[:255],
        created_at=now,
        queued_at=now,
    )
    transaction.on_commit(partial(_hand_to_worker, sync.pk))
    return sync


def _hand_to_worker(sync_id: int) -> None:
    from org.tasks import run_people_sync  # the task calls this module

    try:
        run_people_sync.delay(sync_id)
    except Exception:  # the broker is down: the scheduler's next pass queues it
        log.exception("Could not queue people sync %s", sync_id)
        PeopleSync.objects.filter(pk=sync_id).update(queued_at=None)


def people_sync_runnable(now: dt.datetime) -> Q:
    """Runs a worker may claim at `now`: queued, or running on a lease that ran out
    (its worker died) with attempts left."""
    return Q(state=PeopleSync.State.QUEUED) | Q(
        state=PeopleSync.State.RUNNING,
        claimed_at__lt=now - LEASE,
        attempts__lt=MAX_ATTEMPTS,
    )


def people_sync_run(sync_id: int, *, now: dt.datetime | None = None) -> str:
    """Claim a run (queued, or left by a dead worker) and run it, saving the people
    and its report, or its refusal, in one transaction. Returns its new state, or
    "taken" when it was not there to claim (finished, or another worker's)."""
    now = now or timezone.now()
    claimed = PeopleSync.objects.filter(people_sync_runnable(now), pk=sync_id).update(
        state=PeopleSync.State.RUNNING,
        claimed_at=now,
        started_at=now,
        queued_at=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "taken"
    try:
        with transaction.atomic():
            return _run_claimed(sync_id, now)
    except Exception:
        log.exception("People sync %s failed", sync_id)
        failed = _claimed(sync_id, now).update(
            state=PeopleSync.State.FAILED,
            body="",
            message=FAILED_MESSAGE,
            finished_at=timezone.now(),
        )
        return PeopleSync.State.FAILED if failed else "taken"


def _claimed(sync_id: int, claim: dt.datetime) -> QuerySet[PeopleSync]:
    """The run while `claim` still holds it."""
    return PeopleSync.objects.filter(
        pk=sync_id, state=PeopleSync.State.RUNNING, claimed_at=claim
    )


def _run_claimed(sync_id: int, claim: dt.datetime) -> str:
    # The row stays locked until the run commits: a takeover's claim waits for
    # it, then finds the run finished.
    sync = _claimed(sync_id, claim).select_for_update().first()
    if sync is None:  # taken over between our claim and the lock
        return "taken"
    outcome = _outcome(sync)
    outcome.update(body="", finished_at=timezone.now())
    if not _claimed(sync_id, claim).update(**outcome):
        # Our lease was taken over (a database without row locks): the new
        # claim's run is the one that counts; ours leaves nothing behind.
        transaction.set_rollback(True)
        return "taken"
    return outcome["state"]


def _outcome(sync: PeopleSync) -> dict[str, object]:
    """Run the sync; the run's fields that say how it went."""
    try:
        report = people_sync_text(
            body=sync.body,
            format=sync.format,
            force=sync.force,
            dry_run=sync.dry_run,
            deactivate_missing=sync.deactivate_missing,
            welcome=sync.welcome,
            progress=_progress_recorder(sync.pk),
        )
    except PeopleSyncRejected as rejected:
        return {
            "state": PeopleSync.State.REJECTED,
            "errors": row_errors_shown(rejected.row_errors, sync.format),
            "error_count": rejected.error_count,
            "message": f"{rejected.error_count} bad row(s): nothing was saved.",
        }
    except TooManyDeactivated as refused:
        return {
            "state": PeopleSync.State.REJECTED,
            "deactivated": refused.deactivating,
            "message": str(refused),
        }
    counts = ("created", "updated", "unchanged", "deactivated", "welcomed")
    return {
        "state": PeopleSync.State.DONE,
        **{name: getattr(report, name) for name in counts},
        "message": report.summary,
    }


# --- progress --------------------------------------------------------------------
# Rows saved so far live in the cache, not in the run's row: the run saves inside
# one transaction, which nobody else sees until it commits.


def _progress_key(sync_id: int) -> str:
    return f"org:people-sync:{sync_id}:saved"


def _progress_recorder(sync_id: int) -> Callable[[int], None]:
    saved = 0

    def record(rows: int) -> None:
        nonlocal saved
        saved += rows
        try:
            cache.set(_progress_key(sync_id), saved, int(LEASE.total_seconds()))
        except Exception as exc:  # any cache error: the run goes on without it
            cache_failure_record(exc)

    record(0)  # a run taken over starts again from nothing
    return record


def people_sync_saved(sync: PeopleSync) -> int | None:
    """Rows a running sync has saved so far (kept only if all are), None when not
    known (not started, or the cache is down)."""
    if sync.state != PeopleSync.State.RUNNING:
        return None
    try:
        return cache.get(_progress_key(sync.pk))
    except Exception as exc:  # any cache error: the page shows the state alone
        cache_failure_record(exc)
        return None


# --- the scheduler's pass --------------------------------------------------------


def people_syncs_to_run(
    *, now: dt.datetime, unqueued_before: dt.datetime | None = None
) -> QuerySet[PeopleSync]:
    """Runs a worker may claim at `now`; with `unqueued_before`, only those not
    handed to the broker since then."""
    syncs = PeopleSync.objects.filter(people_sync_runnable(now))
    if unqueued_before is not None:
        syncs = syncs.filter(unqueued_since(unqueued_before))
    return syncs.order_by("pk")


def people_syncs_queue(*, now: dt.datetime, enqueue: Enqueue) -> int:
    """Hand to the broker, each once across dispatchers, the runs it never took,
    lost, or whose worker died (`core.dispatch.queue_once`); returns how many."""
    due = people_syncs_to_run(now=now, unqueued_before=now - QUEUE_STALE)
    return queue_once(
        PeopleSync,
        dict.fromkeys(due.values_list("pk", flat=True), 0),
        now=now,
        enqueue=enqueue,
    )


def people_syncs_abandon(*, now: dt.datetime) -> int:
    """Fail the runs whose lease ran out on their last attempt; how many."""
    return PeopleSync.objects.filter(
        state=PeopleSync.State.RUNNING,
        claimed_at__lt=now - LEASE,
        attempts__gte=MAX_ATTEMPTS,
    ).update(
        state=PeopleSync.State.FAILED,
        body="",
        message=ABANDONED_MESSAGE,
        finished_at=now,
    )
