"""Benchmark: the dashboards over about 50,000 and then 1,000,000 answers, on
PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/summaries_bench \\
        python benchmarks/dashboards.py [--people 5000] [--weeks 40] [--small 2] \\
            [--best 5]

Builds a throw-away database (created, then dropped), seeds people x weeks
responses with 5 answers each inside the database (generate_series), an
invitation of everyone to each round, a comment from one response in ten, board
ratings, concerns and a customer survey: first `--small` weeks of history, then
the rest. Each time the closed rounds are summarised as the scheduler would
(`dashboards.summaries`), then, best of `--best` runs (5; more on a busy
machine, whose load moves the small and the large history's timings apart):

- each metric against a hand-written SQL query of the same aggregate;
- each dashboard page, requested as HR through Django's test client (the whole
  view: every chart, table and figure), against the raw SQL of its main
  aggregate, with its query count and response size (plotly.js is a separate
  static file, never in the page).

Figures are ratios, so they compare across machines; the last table gives
each page's time over the large history against the small one (flat: 1.0),
and the same for the CPU time the Django process spent on it (`cpu`: the
database's share not counted), which a busy machine moves far less than the
time on the clock.
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

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.test import Client
from django.test.utils import (
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse

from dashboards.filters import Filters
from dashboards.metrics import pulse
from dashboards.summaries import rounds_summarise_due
from feedback.models import Concern
from org.models import AITool, Department, Person, Team, User
from org.roles import Role
from org.services.people import person_roles_set
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

# Each page's main aggregate, written by hand.
PAGE_RAW = {
    "overview": RAW["sentiment_trend"],
    "tools": RAW["hours_saved"],
    "tool": RAW["hours_saved"],
    "concerns": """
        SELECT date_trunc('week', created_at), count(*) FROM feedback_concern
        WHERE merged_into_id IS NULL GROUP BY 1 ORDER BY 1""",
    "customers": """
        SELECT date_trunc('week', r.starts_at), count(DISTINCT s.id),
               count(*) FILTER (WHERE a.number >= 4), count(*)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        JOIN surveys_round r ON r.id = s.round_id
        JOIN surveys_survey v ON v.id = r.survey_id
        WHERE q.kind = 'csat' AND v.audience = 'customers' GROUP BY 1 ORDER BY 1""",
    "comments": """
        SELECT s.round_id, count(DISTINCT s.id)
        FROM surveys_answer a
        JOIN surveys_question q ON q.id = a.question_id
        JOIN surveys_response s ON s.id = a.response_id
        WHERE q.kind = 'free_text' AND a.text <> '' GROUP BY 1""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--weeks", type=int, default=40)
    parser.add_argument("--small", type=int, default=2, help="weeks, first")
    parser.add_argument("--best", type=int, default=5, help="runs, the best kept")
    args = parser.parse_args()
    if args.best < 1:
        sys.exit("--best takes a number of runs: 1 or more.")
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    setup_test_environment()  # the test client's host, an in-memory mail outbox
    # Static URLs without a collectstatic manifest (the pages only name the files).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    old = setup_databases(verbosity=0, interactive=False)
    try:
        run(args.people, args.small, args.weeks, args.best)
    finally:
        teardown_databases(old, verbosity=0)


def run(people: int, small: int, weeks: int, best: int = 5) -> None:
    survey = seed_org(people)
    times, cpus = [], []
    for since, until in ((0, small), (small, weeks)):
        started = time.perf_counter()
        answers = seed(survey, people, since, until)
        print(f"\nseeded {answers:,} answers in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        summarised = summarise()
        print(
            f"summarised {summarised} rounds in {time.perf_counter() - started:.1f} s"
        )
        wall, cpu = measure(best)
        times.append(wall)
        cpus.append(cpu)
    print(
        f"\n{'page':<18} {'small ms':>8} {'large ms':>8} {'large/small':>11}"
        f" {'cpu small':>9} {'cpu large':>9} {'cpu l/s':>7}"
    )
    for name, ours in times[0].items():
        print(
            f"{name:<18} {ours * 1000:8.0f} {times[1][name] * 1000:8.0f}"
            f" {times[1][name] / ours:11.2f} {cpus[0][name] * 1000:9.0f}"
            f" {cpus[1][name] * 1000:9.0f} {cpus[1][name] / cpus[0][name]:7.2f}"
        )


def summarise() -> int:
    """Every closed round, as the scheduler's passes would."""
    now = dt.datetime.now(dt.UTC)
    total = 0
    while done := rounds_summarise_due(now=now):
        total += done
    return total


def measure(best: int = 5) -> tuple[dict[str, float], dict[str, float]]:
    print(f"{'metric':<18} {'ours ms':>8} {'raw ms':>8} {'ratio':>6} {'queries':>8}")
    for name, sql in RAW.items():
        metric = getattr(pulse, name)
        ours = best_of(best, lambda m=metric: m(Filters()))
        raw = best_of(best, lambda q=sql: _raw(q))
        with CaptureQueriesContext(connection) as queries:
            metric(Filters())
        print(
            f"{name:<18} {ours * 1000:8.0f} {raw * 1000:8.0f} "
            f"{ours / raw:6.2f} {len(queries):8d}"
        )
    return pages(best)


def pages(best: int = 5) -> tuple[dict[str, float], dict[str, float]]:
    """Each page's best time on the clock and best CPU time of this process,
    in seconds, by name."""
    hr = Person.objects.order_by("pk").first()
    person_roles_set(person=hr, roles={Role.HR})
    client = Client()
    client.force_login(hr.user)
    tool = AITool.objects.order_by("pk").first()
    urls = {
        "overview": reverse("dashboards:overview"),
        "tools": reverse("dashboards:tools"),
        "tool": reverse("dashboards:tool", args=[tool.pk]),
        "concerns": reverse("dashboards:concerns"),
        "customers": reverse("dashboards:customers"),
        "comments": reverse("dashboards:comments"),
    }
    print()
    print(
        f"{'page':<18} {'ours ms':>8} {'raw ms':>8} {'ratio':>6} {'queries':>8}"
        f" {'KB':>6} {'cpu ms':>6}"
    )
    times, cpus = {}, {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:  # not assert: `python -O` drops those
            raise SystemExit(f"{name} answered {response.status_code}")
        ours = best_of(best, lambda u=url: client.get(u))
        cpu = best_of(best, lambda u=url: client.get(u), clock=time.process_time)
        raw = best_of(best, lambda q=PAGE_RAW[name]: _raw(q))
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{name:<18} {ours * 1000:8.0f} {raw * 1000:8.0f} {ours / raw:6.2f}"
            f" {len(queries):8d} {len(response.content) / 1024:6.0f} {cpu * 1000:6.0f}"
        )
        times[name], cpus[name] = ours, cpu
    return times, cpus


def best_of(times: int, work, clock=time.perf_counter) -> float:
    best = float("inf")
    for _ in range(times):
        started = clock()
        work()
        best = min(best, clock() - started)
    return best


def _raw(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchall()


def seed_org(people: int) -> Survey:
    """Teams, people, an AI tool, the pulse survey and its questions, the board
    and the customer survey: what every week's rounds need."""
    department = Department.objects.create(name="Everyone")
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:03}", department=department) for n in range(TEAMS)
    )
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", password=UNUSABLE_PASSWORD_PREFIX)
        for n in range(people)
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
    survey = Survey.objects.create(
        title="Bench pulse", first_date=first, status=Survey.Status.SCHEDULED
    )
    kinds = [
        ("likert", "trust", None),
        ("likert", "job_security", None),
        ("likert", "training", None),
        ("enps", "", None),
        ("hours_saved", "", tool),
        ("ai_accuracy", "", tool),
        ("free_text", "trust", None),
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
    with connection.cursor() as cursor:
        seed_board(cursor, tool, owner)
    customer_survey()
    return survey


def seed(survey: Survey, people: int, since: int, until: int) -> int:
    """The pulse's weekly rounds from week `since` to before `until`, each with
    one response of everyone, and the customers' rounds of those weeks; returns
    the answers in the database."""
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    last = Round.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    department = Department.objects.get()
    Round.objects.bulk_create(
        Round(
            survey=survey,
            starts_at=start + dt.timedelta(weeks=w),
            closes_at=start + dt.timedelta(weeks=w, days=5),
            # Dashboards count closed rounds only.
            closed_at=start + dt.timedelta(weeks=w, days=5),
        )
        for w in range(since, until)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_response
                (id, round_id, team_id, department_id, segment)
            SELECT gen_random_uuid(), r.id,
                   (SELECT min(id) FROM org_team) + g %% %s, %s, ''
            FROM surveys_round r CROSS JOIN generate_series(1, %s) g
            WHERE r.id > %s AND r.survey_id = %s
            """,
            [TEAMS, department.pk, people, last, survey.pk],
        )
        # Everyone invited to each round (from the team they are in), as the
        # fan-out does; everyone answered.
        cursor.execute(
            """
            INSERT INTO surveys_invitation
                (round_id, person_id, team_id, department_id, created_at, sent_at,
                 reminders_sent, send_state, fate_unknown_sends, answered)
            SELECT r.id, p.id, p.team_id, %s, r.starts_at, r.starts_at, 0, '', 0,
                   true
            FROM surveys_round r CROSS JOIN org_person p
            WHERE r.id > %s AND r.survey_id = %s
            """,
            [department.pk, last, survey.pk],
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer
                (response_id, question_id, number, choice, text, sentiment)
            SELECT s.id, q.id,
                   CASE q.kind WHEN 'enps' THEN floor(random() * 11)
                               WHEN 'hours_saved' THEN round((random() * 8)::numeric, 1)
                               WHEN 'likert' THEN 1 + floor(random() * 5) END,
                   CASE WHEN q.kind = 'ai_accuracy' THEN (ARRAY[
                       'correct', 'mostly_correct', 'incorrect'
                   ])[1 + floor(random() * 3)::int] ELSE '' END,
                   CASE WHEN q.kind = 'free_text'
                        THEN 'The copilot drafts are getting better every week.'
                        ELSE '' END,
                   CASE WHEN q.kind = 'free_text' THEN random() * 2 - 1 END
            FROM surveys_response s JOIN surveys_question q ON q.survey_id = %s
            WHERE s.round_id > %s
              AND (q.kind <> 'free_text' OR abs(hashtext(s.id::text)) %% 10 = 0)
            """,
            [survey.pk, last],
        )
        seed_customers(cursor, since, until)
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        return cursor.fetchone()[0]


def seed_board(cursor, tool: AITool, owner: Person) -> None:
    """20,000 board ratings and 2,000 concerns over the weeks, a third answered."""
    cursor.execute(
        """
        INSERT INTO feedback_outputrating
            (ai_tool_id, rating, note, rated_on, rater)
        SELECT %s, (ARRAY['correct', 'mostly_correct', 'incorrect'])[1 + g %% 3],
               '', date '2026-01-05' + (g %% 280), 'rater ' || g %% 500
        FROM generate_series(1, 20000) g
        """,
        [tool.pk],
    )
    first = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    concerns = []
    for n in range(2000):
        at = first + dt.timedelta(days=n % 280)
        answered = n % 3 == 0
        concerns.append(
            Concern(
                title=f"Concern {n}",
                body="A worry about the copilot.",
                category="other",
                ai_tool=tool,
                owner=owner,
                status="resolved" if answered else "new",
                outcome="Fixed." if answered else "",
                created_at=at,
                last_activity_at=at,
                first_response_due_at=at + dt.timedelta(days=3),
                first_responded_at=at + dt.timedelta(days=2) if answered else None,
            )
        )
    Concern.objects.bulk_create(concerns)


def customer_survey() -> Survey:
    """A monthly customer survey (`seed_customers` gives it rounds)."""
    survey = Survey.objects.create(
        title="Bench customers",
        first_date=dt.date(2026, 1, 7),
        audience="customers",
        status=Survey.Status.SCHEDULED,
    )
    for position, kind in enumerate(("csat", "enps"), start=1):
        Question.objects.create(survey=survey, position=position, kind=kind, text=kind)
    return survey


def seed_customers(cursor, since: int, until: int) -> None:
    """500 answers to CSAT and NPS in each of the customer survey's rounds, one
    every four weeks from week `since` to before `until`."""
    survey = Survey.objects.get(audience="customers")
    last = Round.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = dt.datetime(2026, 1, 7, 9, tzinfo=dt.UTC)
    Round.objects.bulk_create(
        Round(
            survey=survey,
            starts_at=start + dt.timedelta(weeks=w),
            closes_at=start + dt.timedelta(weeks=w, days=10),
            closed_at=start + dt.timedelta(weeks=w, days=10),
        )
        for w in range(since, until)
        if w % 4 == 0
    )
    cursor.execute(
        """
        INSERT INTO surveys_response (id, round_id, segment)
        SELECT gen_random_uuid(), r.id, ''
        FROM surveys_round r CROSS JOIN generate_series(1, 500) g
        WHERE r.survey_id = %s AND r.id > %s
        """,
        [survey.pk, last],
    )
    cursor.execute(
        """
        INSERT INTO surveys_answer
            (response_id, question_id, number, choice, text, sentiment)
        SELECT s.id, q.id,
               CASE q.kind WHEN 'csat' THEN 1 + floor(random() * 5)
                           ELSE floor(random() * 11) END, '', '', NULL
        FROM surveys_response s
        JOIN surveys_round r ON r.id = s.round_id
        JOIN surveys_question q ON q.survey_id = r.survey_id
        WHERE r.survey_id = %s AND r.id > %s
        """,
        [survey.pk, last],
    )


if __name__ == "__main__":
    main()
