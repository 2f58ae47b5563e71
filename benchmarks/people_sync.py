"""Benchmark: a people sync of N people from the HR system, as a worker runs it
(`people_sync_text`: the API's JSON list, or with `--format csv` the CSV text of
an upload; `--format file`: a CSV file on disk, as the `import_people` command
reads it), then the same list again, which must change nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        python benchmarks/people_sync.py [--people 100000] [--format json|csv|file]

Builds a throw-away database (Django's test database machinery: created, then
dropped), then measures in the same run:

- the first pass (N new people, each with a welcome email) against a baseline of
  one raw `INSERT ... SELECT` per table writing the same accounts and people
  inside the database (rolled back);
- the second pass, the same list (0 created, updated or deactivated, else the run
  stops), against a baseline of two raw `SELECT`s of what it compares (address,
  name, team, job title, active; roles) fetched into Python, plus parsing the
  body alone;
- peak Python memory (tracemalloc) of each pass, beyond the body, in passes of
  their own over N other people: tracemalloc slows every allocation several
  times, so those are not timed (`--no-memory` skips them).

Figures are ratios against the baselines, so they compare across machines.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The welcome emails are handed to the broker once a pass commits: not a real one.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from org.services.people_import import people_import
from org.services.people_sync import SyncReport
from org.services.people_sync_bodies import TextLines, people_sync_text


def body(count: int, *, start: int, format: str) -> str:
    people = [
        {
            "email": f"person{n}@example.org",
            "name": f"Person {n}",
            "department": f"Department {n % 10}",
            "team": f"Team {n % 200}",
            "job_title": "Agent",
            "roles": "employee",
        }
        for n in range(start, start + count)
    ]
    if format == "json":
        return json.dumps(people)
    columns = list(people[0])
    lines = [",".join(columns)] + [",".join(p[c] for c in columns) for p in people]
    return "".join(f"{line}\n" for line in lines)


def sync(text: str, format: str) -> SyncReport:
    if format != "file":
        return people_sync_text(body=text, format=format, deactivate_missing=False)
    # What the import_people command does with its file: read it from disk, twice.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_text(text, encoding="utf-8", newline="")
        with path.open(encoding="utf-8-sig", newline="") as lines:
            return people_import(lines=lines)


def timed(text: str, format: str) -> tuple[float, SyncReport]:
    started = time.perf_counter()
    report = sync(text, format)
    return time.perf_counter() - started, report


def traced(text: str, format: str) -> tuple[float, SyncReport]:
    """Peak Python memory of a pass, in MiB, beyond what was held before it."""
    tracemalloc.start()
    report = sync(text, format)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, report


def changed_nothing(report: SyncReport, label: str) -> None:
    if (report.created, report.updated, report.deactivated) != (0, 0, 0):
        # Not assert: `python -O` would drop the check and time a broken sync.
        raise SystemExit(f"{label} changed people: {report.as_dict()}")


def created_all(report: SyncReport, people: int, label: str) -> None:
    if report.created != people:
        raise SystemExit(f"{label} created {report.created} of {people} people")


def baseline_insert(people: int) -> float:
    """The same accounts and people written by the database alone, rolled back."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO org_user (password, is_superuser, first_name, last_name,"
            " is_staff, is_active, date_joined, email)"
            " SELECT %s, false, '', '', false, true, %s, 'baseline' || n"
            " || '@example.org' FROM generate_series(1, %s) AS n",
            [UNUSABLE_PASSWORD_PREFIX, now, people],
        )
        cursor.execute(
            "INSERT INTO org_person (user_id, name, job_title)"
            " SELECT id, email, 'Agent' FROM org_user"
            " WHERE email LIKE 'baseline%%'"
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def baseline_read(text: str, format: str) -> tuple[float, float]:
    """Seconds to parse the body alone, and to read what a pass compares."""
    started = time.perf_counter()
    if format == "json":
        json.loads(text)
    else:
        for _ in csv.reader(TextLines(text)):
            pass
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id, u.email, u.is_active, p.name, p.team_id, p.job_title"
            " FROM org_user u JOIN org_person p ON p.user_id = u.id"
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT ug.user_id, g.name FROM org_user_groups ug"
            " JOIN auth_group g ON g.id = ug.group_id"
        )
        cursor.fetchall()
    return parsed, time.perf_counter() - started


def run(people: int, format: str, memory: bool) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: the baselines are its SQL.")
    text = body(people, start=0, format=format)
    print(
        f"database: {connection.vendor}; {people:,} people, "
        f"{len(text) / 2**20:.1f} MiB of "
        + {"json": "JSON", "csv": "CSV text", "file": "CSV in a file"}[format]
    )

    raw_insert = baseline_insert(people)
    first, report = timed(text, format)
    created_all(report, people, "the first pass")
    print(
        f"RESULT first pass: {first:.1f} s ({report.summary}); raw INSERT ... "
        f"SELECT {raw_insert:.2f} s, ratio {first / raw_insert:.0f}x"
    )

    parsed, raw_select = baseline_read(text, format)
    second, report = timed(text, format)
    changed_nothing(report, "the second pass")
    floor = parsed + raw_select
    print(
        f"RESULT second pass: {second:.1f} s ({report.summary}); baseline "
        f"{floor:.2f} s (parse the body {parsed:.2f} s, raw SELECTs of what it "
        f"compares {raw_select:.2f} s), ratio {second / floor:.0f}x; against the "
        f"first pass {second / first:.2f}x"
    )

    if not memory:
        return
    # N other people, so that the first pass creates them all again.
    other = body(people, start=people, format=format)
    peak, report = traced(other, format)
    created_all(report, people, "the traced first pass")
    print(f"RESULT first pass peak memory: {peak:.1f} MiB beyond the body")
    peak, report = traced(other, format)
    changed_nothing(report, "the traced second pass")
    print(f"RESULT second pass peak memory: {peak:.1f} MiB beyond the body")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--format", choices=["json", "csv", "file"], default="json")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    names = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.people, args.format, memory=not args.no_memory)
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
