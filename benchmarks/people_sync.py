"""Benchmark: a people sync of N people from the HR system, as the API's worker
runs it (a JSON list, read one person at a time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \
        python benchmarks/people_sync.py [--people 100000]

Builds a throw-away database (Django's test database machinery: created, then
dropped), then syncs N new people, and the same list again (which changes
nothing), printing for each the wall time and peak Python memory (tracemalloc),
and the body's own size for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test.utils import setup_databases, teardown_databases

from org.services.people_sync_runs import people_sync_text


def body(count: int) -> str:
    return json.dumps(
        [
            {
                "email": f"person{n}@example.org",
                "name": f"Person {n}",
                "department": f"Department {n % 10}",
                "team": f"Team {n % 200}",
                "job_title": "Agent",
                "roles": ["employee"],
            }
            for n in range(count)
        ]
    )


def measure(label: str, text: str) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    report = people_sync_text(body=text, format="json", deactivate_missing=False)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"RESULT {label}: {seconds:.1f} s, peak {peak / 2**20:.1f} MiB; "
        f"created={report.created} updated={report.updated} "
        f"unchanged={report.unchanged}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    people = parser.parse_args().people
    names = setup_databases(verbosity=0, interactive=False)
    try:
        text = body(people)
        print(f"body: {people} people, {len(text) / 2**20:.1f} MiB of JSON")
        measure("first sync", text)
        measure("same list again", text)
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
