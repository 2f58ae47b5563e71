"""Benchmark: dashboard metrics over about 1,000,000 answers, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        python benchmarks/dashboards.py [--people 5000] [--weeks 40]

Builds a throw-away database (created, then dropped), seeds people x weeks
responses with 5 answers each inside the database (generate_series), then times
each metric against a hand-written SQL query of the same aggregate, in the same
run, best of 3. Figures are ratios, so they compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases

from dashboards.filters import Filters
from dashboards.metrics import pulse
from org.models import AITool, Department, Person, Team, User
from surveys.models import Question, Round, Survey

TEAMS = 100

RAW = {
    "sentiment_trend": """
        SELECT date_trunc('week', r.starts_at), count(DISTINCT s.id), avg(a.number)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        JOIN surveys_round r ON r.id = s.round_id
        WHERE q.kind = 'likert' GROUP BY 1 ORDER BY 1""",
    "enps_trend": """
        SELECT date_trunc('week', r.starts_at), count(DISTINCT s.id),
               count(*) FILTER (WHERE a.number >= 9),
               count(*) FILTER (WHERE a.number <= 6)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        JOIN surveys_round r ON r.id = s.round_id
        WHERE q.kind = 'enps' GROUP BY 1 ORDER BY 1""",
    "driver_heatmap": """
        SELECT s.team_id, q.driver, avg(a.number), count(DISTINCT s.id)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        WHERE q.kind = 'likert' AND q.driver <> '' GROUP BY 1, 2""",
    "hours_saved": """
        SELECT date_trunc('week', r.starts_at), q.ai_tool_id, count(DISTINCT s.id),
               sum(a.number)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        JOIN surveys_round r ON r.id = s.round_id
        WHERE q.kind = 'hours_saved' GROUP BY 1, 2""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=40)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.people, args.weeks)
    finally:
        teardown_databases(old, verbosity=0)


def run(people: int, weeks: int) -> None:
    started = time.perf_counter()
    answers = seed(people, weeks)
    print(f"seeded {answers:,} answers in {time.perf_counter() - started:.1f} s")
    floor = pulse.floor_for(Filters())
    print(f"{'metric':<18} {'ours ms':>8} {'raw ms':>8} {'ratio':>6} {'queries':>8}")
    for name, sql in RAW.items():
        metric = getattr(pulse, name)
        ours = best_of(3, lambda m=metric: m(Filters(), floor=floor))
        raw = best_of(3, lambda q=sql: _raw(q))
        with CaptureQueriesContext(connection) as queries:
            metric(Filters(), floor=floor)
        print(
            f"{name:<18} {ours * 1000:8.0f} {raw * 1000:8.0f} "
            f"{ours / raw:6.2f} {len(queries):8d}"
        )


def best_of(times: int, work) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _raw(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()


def seed(people: int, weeks: int) -> int:
    department = Department.objects.create(name="Everyone")
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:03}", department=department) for n in range(TEAMS)
    )
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", password="!") for n in range(people)
    )
    Person.objects.bulk_create(
        Person(user=user, name=user.email, team=teams[n % TEAMS])
        for n, user in enumerate(users)
    )
    owner = Person.objects.first()
    tool = AITool.objects.create(
        name="Bench copilot", kind="copilot", owner=owner, status="pilot"
    )
    first = dt.date(2026, 1, 5)
    survey = Survey.objects.create(title="Bench pulse", first_date=first)
    kinds = [
        ("likert", "trust", None),
        ("likert", "job_security", None),
        ("likert", "training", None),
        ("enps", "", None),
        ("hours_saved", "", tool),
    ]
    for position, (kind, driver, ai_tool) in enumerate(kinds, start=1):
        Question.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            driver=driver,
            text=kind,
            ai_tool=ai_tool,
        )
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    Round.objects.bulk_create(
        Round(
            survey=survey,
            starts_at=start + dt.timedelta(weeks=w),
            closes_at=start + dt.timedelta(weeks=w, days=5),
        )
        for w in range(weeks)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_response
                (id, round_id, submitted_on, team_id, department_id, segment)
            SELECT gen_random_uuid(), r.id, r.starts_at::date,
                   (SELECT min(id) FROM org_team) + g %% %s, %s, ''
            FROM surveys_round r CROSS JOIN generate_series(1, %s) g
            """,
            [TEAMS, department.pk, people],
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer
                (response_id, question_id, number, choice, text, sentiment)
            SELECT s.id, q.id,
                   CASE q.kind WHEN 'enps' THEN floor(random() * 11)
                               WHEN 'hours_saved' THEN round((random() * 8)::numeric, 1)
                               ELSE 1 + floor(random() * 5) END,
                   '', '', NULL
            FROM surveys_response s CROSS JOIN surveys_question q
            """
        )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
