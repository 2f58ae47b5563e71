"""Benchmark: opening a round for a very large audience.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        python benchmarks/fanout.py [--people 100000]

Builds a throw-away database (Django's test database machinery: created, then
dropped), adds N people, then measures in the same run:

- `round_fan_out`: wall time and peak Python memory, against a baseline of one raw
  `INSERT ... SELECT` that creates the same rows inside the database;
- one dispatcher pass handing invitations to the broker (a no-op enqueue): its time
  against a raw `SELECT` of the same ids.

Figures are ratios against the baselines, so they compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from org.models import Department, Person, Team, User
from surveys.models import Invitation, Question, Round, Survey
from surveys.scheduler import survey_tick
from surveys.services.rounds import round_fan_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.people)
    finally:
        teardown_databases(old, verbosity=0)


def run(people: int) -> None:
    print(f"database: {connection.vendor}; audience: {people:,} people")
    started = time.perf_counter()
    people_create(people)
    print(f"setup: {time.perf_counter() - started:.1f} s")
    now = timezone.now()
    survey = Survey.objects.create(
        title="Bench",
        cadence="once",
        first_date=now.date(),
        open_days=5,
        # A draft: the dispatcher pass measured below must not open a round of its
        # own and fan it out again; it only queues the rounds made here.
        status=Survey.Status.DRAFT,
    )
    Question.objects.create(survey=survey, kind="likert", text="Q")

    # Baseline: the same rows, created by the database alone.
    baseline_round = _round(survey, now - dt.timedelta(days=1))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            # Every NOT NULL column without a database default, as Django fills it.
            "INSERT INTO surveys_invitation (round_id, person_id, created_at,"
            " reminders_sent, send_state, fate_unknown_sends, answered)"
            " SELECT %s, id, %s, 0, '', 0, false FROM org_person",
            [baseline_round.pk, now],
        )
    raw = time.perf_counter() - started

    round_ = _round(survey, now)
    started = time.perf_counter()
    created = round_fan_out(round_, now=now)
    ours = time.perf_counter() - started
    if not created == people == Invitation.objects.filter(round=round_).count():
        # Not assert: `python -O` would drop the check and time a broken fan-out.
        raise SystemExit(f"fanned out {created} invitations for {people} people")
    # Memory in a second run: tracemalloc slows every allocation, so not timed.
    memory_round = _round(survey, now + dt.timedelta(hours=1))
    tracemalloc.start()
    round_fan_out(memory_round, now=now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    memory_round.delete()
    print(
        f"fan-out: {ours:.2f} s for {created:,} invitations, raw INSERT ... SELECT "
        f"{raw:.2f} s, ratio {ours / raw:.1f}x; peak Python memory "
        f"{peak / 1e6:.1f} MB"
    )

    baseline_round.delete()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM surveys_invitation WHERE round_id = %s AND sent_at IS NULL"
            " ORDER BY id LIMIT 5000",
            [round_.pk],
        )
        cursor.fetchall()
    raw = time.perf_counter() - started
    queued: list[tuple[int, int]] = []
    started = time.perf_counter()
    report = survey_tick(now=now, enqueue=queued.extend)
    ours = time.perf_counter() - started
    print(
        f"dispatcher pass: queued {report.queued:,} in {ours:.2f} s, raw SELECT of "
        f"the ids {raw * 1000:.0f} ms, ratio {ours / raw:.0f}x"
    )


def people_create(count: int, *, prefix: str = "bench") -> Department:
    """`count` people who can sign in as no one, `<prefix><n>@example.org`, in one
    team of one department (returned), 5,000 to an INSERT."""
    department = Department.objects.create(name="Everyone")
    team = Team.objects.create(name="Everyone", department=department)
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users = User.objects.bulk_create(
            User(
                email=f"{prefix}{start + n}@example.org",
                password=UNUSABLE_PASSWORD_PREFIX,  # no one signs in as them
            )
            for n in range(size)
        )
        Person.objects.bulk_create(
            Person(user=user, name=user.email, team=team) for user in users
        )
    return department


def _round(survey: Survey, starts_at: dt.datetime) -> Round:
    return Round.objects.create(
        survey=survey, starts_at=starts_at, closes_at=starts_at + dt.timedelta(days=5)
    )


if __name__ == "__main__":
    main()
